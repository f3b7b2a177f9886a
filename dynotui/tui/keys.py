"""Every binding id in the app, for checking a configured keymap and for the help screen."""

from __future__ import annotations

import importlib

SCREEN_MODULES = ("browse", "review", "edit", "export", "stats", "help")


def all_bindings() -> list[tuple[str, object]]:
    """(where, Binding) for the app and every screen."""
    from dynotui.tui.app import DynoApp

    out = [("app", b) for b in DynoApp.BINDINGS]
    for name in SCREEN_MODULES:
        module = importlib.import_module(f"dynotui.tui.screens.{name}")
        screen = getattr(module, f"{name.capitalize()}Screen")
        out += [(name, b) for b in screen.BINDINGS]
    from dynotui.tui.widgets.dataset_table import DatasetTable

    out += [("browse", b) for b in DatasetTable.BINDINGS]
    return out


def binding_ids() -> set[str]:
    return {b.id for _, b in all_bindings() if getattr(b, "id", None)}
