"""Where the released Dynosaur task list lies: the tests read it, the repo never holds it."""

import os
from pathlib import Path

NAME = "dynosaur-instructions-full.json"
CHECKOUT = Path(__file__).resolve().parents[2]


def release_file() -> Path:
    """$DYNOTUI_SHARED_DATA, else ../shared/data beside the checkout."""
    if os.environ.get("DYNOTUI_SHARED_DATA"):
        return Path(os.environ["DYNOTUI_SHARED_DATA"]) / NAME
    return CHECKOUT.parent / "shared" / "data" / NAME
