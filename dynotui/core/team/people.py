"""Who is annotating: the default annotator name."""

from __future__ import annotations

import getpass


def login_name() -> str:
    """The login name, the annotator when none is given."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers)
        return "annotator"
