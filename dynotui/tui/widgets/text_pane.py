"""A scrolling pane of rich text drawn with the Line API from lines wrapped once and kept.

Wrapping is most of a review frame's cost (a proposal or three sample rows take milliseconds),
so a pane shows *parts*, each a Text built under a key, and keeps their wrapped lines by
(key, width): a part that did not change is not wrapped again, and a part prepared ahead of
time (the next proposal, while the reviewer reads this one) costs a key press nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Hashable

from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

Part = tuple[Hashable, Callable[[], Text]]  # (key, build); build runs only when not kept


class TextPane(ScrollView, can_focus=False):
    DEFAULT_CSS = """
    TextPane { height: 1fr; overflow-x: hidden; scrollbar-gutter: stable; scrollbar-size-vertical: 1; }
    """
    KEEP = 64  # wrapped parts kept (a few proposals ahead and behind)

    def __init__(self, text: Text | str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._parts: list[Part] = []
        self._texts: list[Text] = []
        self._lines: list[Strip] = []
        self._kept: OrderedDict[tuple, tuple[Text, list[Strip]]] = OrderedDict()
        self._width = 0
        self.update(text)

    @property
    def plain(self) -> str:
        """What the pane shows, as plain text."""
        return "".join(text.plain for text in self._texts)

    def update(self, text: Text | str) -> None:
        """Show one text that is not worth keeping (a message, an error)."""
        text = Text(text, end="") if isinstance(text, str) else text
        self.show((None, lambda: text))

    def show(self, *parts: Part) -> None:
        """Show `parts` one below the other; back to the top when the first key changed."""
        first = self._parts[0][0] if self._parts else None
        self._parts = list(parts)
        home = not parts or parts[0][0] is None or parts[0][0] != first
        self._lay_out(whole=home and self.scroll_offset.y != 0)
        if home:
            self.scroll_to(0, 0, animate=False, immediate=True)

    def prepare(self, *parts: Part) -> None:
        """Wrap `parts` now (at the current width) so showing them later costs nothing."""
        if self._width > 0:
            for part in parts:
                self._wrapped(part, self._width)

    # ---- wrapping ----------------------------------------------------------------------
    def _wrapped(self, part: Part, width: int) -> tuple[Text, list[Strip]]:
        key, build = part
        if key is not None and (key, width) in self._kept:
            self._kept.move_to_end((key, width))
            return self._kept[(key, width)]
        text = build()
        console = self.app.console
        lines = console.render_lines(text, console.options.update_width(width), pad=True)
        done = (text, [Strip(line, width) for line in lines])
        if key is not None:
            self._kept[(key, width)] = done
            if len(self._kept) > self.KEEP:
                self._kept.popitem(last=False)
        return done

    def _lay_out(self, whole: bool = True) -> None:
        region = self.scrollable_content_region
        self._width = region.width
        if region.width <= 0:  # not laid out yet: on_resize wraps
            self._texts = [build() for _, build in self._parts]
            return
        texts, lines = [], []
        for part in self._parts:
            text, strips = self._wrapped(part, region.width)
            texts.append(text)
            lines.extend(strips)
        old, self._texts, self._lines = self._lines, texts, lines
        size = Size(region.width, len(lines))
        if size != self.virtual_size:
            self.virtual_size = size
        if whole:
            self.refresh()
            return
        # Repaint only the lines on screen that differ: the next proposal of a dataset
        # usually shares its fields, model line and sample rows with this one.
        top = self.scroll_offset.y
        for y in range(region.height):
            i = top + y
            before = old[i] if i < len(old) else None
            after = lines[i] if i < len(lines) else None
            if before is not after and before != after:
                self.refresh(Region(0, y, self.size.width, 1))

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._width:
            self._lay_out()

    def render_lines(self, crop):
        # Looked up once per frame, not once per line: each look-up walks the styles.
        self._frame = (self.scrollable_content_region.width, self.rich_style,
                       self.scroll_offset.y)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width, style, top = self._frame
        index = top + y
        if 0 <= index < len(self._lines):  # kept strips keep their own crop/style caches
            return self._lines[index].crop_extend(0, width, None).apply_style(style)
        return Strip.blank(width, style)
