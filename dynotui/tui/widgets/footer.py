"""The key footer: when a screen's keys do not fit the width, the screen-switch keys (F2/F3,
listed under ? help) give way, so the screen's own keys and `? help` / `q quit` stay visible."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    def __init__(self) -> None:
        super().__init__(compact=True)

    def compose(self) -> ComposeResult:
        keys = []
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                keys.append(widget)
                if widget.action.startswith("show("):
                    widget.add_class("-nav")
            yield widget
        self._fit(keys, self.size.width or self.app.size.width)

    def on_resize(self) -> None:
        self._fit(list(self.query(FooterKey)), self.size.width)

    @staticmethod
    def _fit(keys: list[FooterKey], width: int) -> None:
        # A compact key takes its key, a space, its description and a gap.
        need = sum(len(k.key_display or k.key) + len(k.description) + 2 for k in keys)
        for key in keys:
            if key.has_class("-nav"):
                key.display = need <= width
