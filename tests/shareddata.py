"""Where the released Dynosaur task list lies: the tests read it, the repo never holds it."""

import os
from pathlib import Path

NAME = "dynosaur-instructions-full.json"


def release_file() -> Path:
    """$DYNOTUI_SHARED_DATA, else ../shared/data beside the checkout, else /work/shared/data."""
    candidates = [Path(os.environ["DYNOTUI_SHARED_DATA"]) / NAME] if os.environ.get(
        "DYNOTUI_SHARED_DATA") else []
    candidates += [Path(__file__).resolve().parents[2] / "shared" / "data" / NAME,
                   Path("/work/shared/data") / NAME]
    return next((p for p in candidates if p.exists()), candidates[0])
