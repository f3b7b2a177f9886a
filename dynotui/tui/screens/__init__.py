"""The one list of screens: the app's modes and the screens pushed over them. The app builds
its modes from it and the keymap check reads every screen's keys from it.

A screen's module is imported when it is first shown, so start-up imports only the first."""

from __future__ import annotations

import importlib

MODES = ("browse", "review", "export", "stats")  # F2..F5, one screen each
PUSHED = ("edit", "help", "annotator")  # shown over a mode


def screen_class(name: str) -> type:
    """The class of screen `name` (module screens/NAME.py, class NAMEScreen)."""
    module = importlib.import_module(f"dynotui.tui.screens.{name}")
    return getattr(module, f"{name.capitalize()}Screen")


def factory(name: str):
    """A maker for App.MODES that imports the screen only when it is first shown."""
    return lambda: screen_class(name)()
