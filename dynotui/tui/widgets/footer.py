"""The key footer: one line drawn from the screen's active bindings. One widget, not one per
key: Textual's Footer mounts and styles a widget for every key and rebuilds them all on each
focus change, which cost about a tenth of a second before the first frame.

When a screen's keys do not fit the width, the screen-switch keys (F2/F3, listed under ? help)
give way, so the screen's own keys and `? help` / `q quit` stay visible."""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget


class Key(NamedTuple):
    key: str  # what a click presses
    shown: str  # how the key is written
    description: str
    enabled: bool
    tooltip: str
    nav: bool  # a screen switch (F2..F5): the first to give way


class KeyFooter(Widget):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--hover",
                         "key-footer--separator"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom; height: 1; color: $footer-foreground; background: $footer-background;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground; background: $footer-key-background; text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground; background: $footer-description-background;
    }
    KeyFooter > .key-footer--hover { background: $block-hover-background; }
    KeyFooter > .key-footer--separator { color: $foreground 20%; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, Key]] = []  # (start x, end x, key) as last drawn
        self._hover: Key | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        self.refresh()

    def keys(self) -> tuple[list[Key], Key | None]:
        """(the keys the screen shows, in order, one per action; the palette key or None)."""
        app, active = self.app, self.screen.active_bindings
        keys: list[Key] = []
        actions: set[str] = set()
        for _, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            keys.append(Key(binding.key, app.get_key_display(binding), binding.description,
                            enabled, tooltip, binding.action.startswith("show(")))
        palette = None
        found = active.get(app.COMMAND_PALETTE_BINDING) if app.ENABLE_COMMAND_PALETTE else None
        if found is not None:
            _, binding, enabled, tooltip = found
            palette = Key(binding.key, app.get_key_display(binding), binding.description,
                          enabled, tooltip or binding.tooltip or binding.description, False)
        return keys, palette

    @staticmethod
    def fit(keys: list[Key], width: int) -> list[Key]:
        """The keys to show in `width` columns: all of them, or all but the screen switches."""
        # A key takes its key, a space, its description and a gap.
        need = sum(cell_len(k.shown) + cell_len(k.description) + 2 for k in keys)
        return keys if need <= width else [k for k in keys if not k.nav]

    def _key_text(self, key: Key) -> Text:
        text = Text(end="")
        text.append(key.shown, style=self.get_component_rich_style("key-footer--key"))
        if key.description:
            text.append(f" {key.description}",
                        style=self.get_component_rich_style("key-footer--description"))
        if key == self._hover:
            text.stylize(self.get_component_rich_style("key-footer--hover"))
        if not key.enabled:
            text.stylize(Style(dim=True))
        return text

    def render(self) -> Text:
        width = self.size.width
        keys, palette = self.keys()
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, Key]] = []
        for key in self.fit(keys, width):
            start = line.cell_len
            line.append_text(self._key_text(key))
            spans.append((start, line.cell_len, key))
            line.append(" ")
        if palette is not None:
            right = self._key_text(palette)
            start = max(line.cell_len, width - right.cell_len - 2)  # a blank at the end
            line.pad_right(start - line.cell_len)
            line.append("▏", style=self.get_component_rich_style("key-footer--separator"))
            spans.append((start + 1, start + 1 + right.cell_len, palette))
            line.append_text(right)
        line.truncate(width)
        self._spans = spans
        return line

    def key_at(self, x: int) -> Key | None:
        return next((key for start, end, key in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self.key_at(event.x)
        if key != self._hover:
            self._hover = key
            self.tooltip = (key.tooltip or key.description) if key else None
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        key = self.key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
