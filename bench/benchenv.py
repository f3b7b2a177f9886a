"""The environment for a bench's child processes: as an installed package runs them.

With PYTHONDONTWRITEBYTECODE set (this machine sets it), every child would compile our
modules again (~0.25 s a process); bytecode goes to a temporary folder, never the checkout.
"""

from __future__ import annotations

import tempfile


def installed(env: dict[str, str]) -> dict[str, str]:
    env = dict(env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if "PYTHONPYCACHEPREFIX" not in env:
        env["PYTHONPYCACHEPREFIX"] = PYCACHE
    return env


PYCACHE = tempfile.mkdtemp(prefix="dynotui-bench-pyc-")  # one folder per bench run
