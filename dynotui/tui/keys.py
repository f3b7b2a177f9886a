"""Every binding id in the app, for checking a configured keymap (imported only when a keymap
is configured: it imports every screen)."""

from __future__ import annotations

from dynotui.tui import screens
from dynotui.tui.app import DynoApp
from dynotui.tui.crawljob import LimitPrompt
from dynotui.tui.widgets.dataset_table import DatasetTable


def all_bindings() -> list[tuple[str, object]]:
    """(where, Binding) for the app, every screen in the registry and the widgets' own keys."""
    out = [("app", b) for b in DynoApp.BINDINGS]
    for name in (*screens.MODES, *screens.PUSHED):
        out += [(name, b) for b in screens.screen_class(name).BINDINGS]
    out += [("crawl", b) for b in LimitPrompt.BINDINGS]
    out += [("browse", b) for b in DatasetTable.BINDINGS]
    return out


def binding_ids() -> set[str]:
    return {b.id for _, b in all_bindings() if getattr(b, "id", None)}
