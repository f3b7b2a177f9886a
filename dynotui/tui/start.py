"""`dynotui` without a command: settings, the store, then the workbench until it quits."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from dynotui.config import load_settings
from dynotui.core.store import Store
from dynotui.core.store.layout import DATASETS
from dynotui.tui.app import DynoApp


def has_dataset_files(workspace) -> bool:
    """Whether anything was generated or imported here, without parsing the store (counting
    50k proposals takes half a second; the queue loads them in a worker anyway)."""
    try:
        return any(entry.name.endswith(".json") for entry in os.scandir(workspace / DATASETS))
    except OSError:
        return False


def run_app(args: Any) -> int:
    settings = load_settings(workspace=getattr(args, "workspace", None),
                             annotator=getattr(args, "annotator", None),
                             theme=getattr(args, "theme", None),
                             guidelines=getattr(args, "guidelines", None))
    # A browser session whose address named nobody asks for a name before opening the store.
    ask = getattr(args, "ask_annotator", False)
    store = None if ask else Store(settings.workspace, annotator=settings.annotator)
    start = "review" if has_dataset_files(settings.workspace) else "browse"
    app = DynoApp(settings, store, source=getattr(args, "source", "sample"), start=start)
    app.adjudicate = bool(getattr(args, "adjudicate", False))
    try:
        code = app.run()
    finally:
        if app.writer is not None and not app.writer.close():
            print("dynotui: some decisions were still being written when the app stopped.")
        if app.store is not None:
            app.store.close()
    if threading.active_count() > 1:
        # Only abandoned reads are left (every write is done): don't wait for them to finish.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)
    return code or 0
