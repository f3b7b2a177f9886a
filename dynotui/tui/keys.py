"""Every binding id in the app, for checking a configured keymap (imported only when a keymap
is configured: it imports every screen)."""

from __future__ import annotations

from dynotui.tui import screens
from dynotui.tui.crawljob import LimitPrompt
from dynotui.tui.widgets.dataset_table import DatasetTable


def all_bindings(app_bindings: list) -> list[tuple[str, object]]:
    """(where, Binding) for the app's `app_bindings`, every screen in the registry and the
    widgets' own keys (the app passes its own: keys is imported by the app, not the reverse)."""
    out = [("app", b) for b in app_bindings]
    for name in (*screens.MODES, *screens.PUSHED):
        out += [(name, b) for b in screens.screen_class(name).BINDINGS]
    out += [("crawl", b) for b in LimitPrompt.BINDINGS]
    out += [("browse", b) for b in DatasetTable.BINDINGS]
    return out


def binding_ids(app_bindings: list) -> set[str]:
    return {b.id for _, b in all_bindings(app_bindings) if getattr(b, "id", None)}
