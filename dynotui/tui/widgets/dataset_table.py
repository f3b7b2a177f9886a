"""The dataset list: a virtual list drawn with the Line API. Rows are fetched page by page in
a worker as the cursor nears the end, each row is drawn once into a kept strip, and only the
rows on screen are drawn, so 10k datasets cost what one screenful costs, and a cursor step
repaints two lines."""

from __future__ import annotations

from typing import Any, Callable

from rich.segment import Segment
from rich.text import Text
from textual import events, on, work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from dynotui.core.models import DatasetEntry
from dynotui.tui import render

PAGE = 200
Fetch = Callable[[int, int], list[DatasetEntry]]  # (offset, limit) -> entries
# (title, width): the verdict sits next to the name, so 80-100 columns still show it.
COLUMNS = (("", 1), ("dataset", 26), ("ok", 3), ("license", 10), ("lang", 4), ("task", 14))


def verdict_mark(entry: DatasetEntry) -> Text:
    bad = [v for v in entry.verdicts if not v.ok and v.level == "error"]
    if not entry.verdicts:
        return Text("?", style="dim")
    return Text(f"✗{len(bad)}", style="red") if bad else Text("✓", style="green")


def row_text(cells: list[Text]) -> Text:
    """Cells cut or padded to their column, one space apart, on one line."""
    out = Text(no_wrap=True, overflow="crop", end="")
    for (_, width), cell in zip(COLUMNS, cells):
        cell = cell.copy()
        cell.truncate(width, overflow="ellipsis", pad=True)
        out.append_text(cell)
        out.append(" ")
    return out


class DatasetTable(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("m", "mark", "mark", id="browse.mark"),
        Binding("up", "cursor_up", "up", show=False),
        Binding("down", "cursor_down", "down", show=False),
        Binding("pageup", "page_up", "page up", show=False),
        Binding("pagedown", "page_down", "page down", show=False),
        Binding("home", "first", "first", show=False),
        Binding("end", "last", "last", show=False),
        Binding("enter", "select", "select", show=False),
    ]
    COMPONENT_CLASSES = {"dataset-table--header", "dataset-table--cursor"}
    DEFAULT_CSS = """
    DatasetTable { height: 1fr; background: $surface; color: $foreground; overflow-x: hidden; }
    DatasetTable > .dataset-table--header { text-style: bold; background: $panel; }
    DatasetTable > .dataset-table--cursor {
        background: $block-cursor-blurred-background; color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    DatasetTable:focus > .dataset-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """

    class PageLoaded(Message):
        def __init__(self, generation: int, offset: int, entries: list[DatasetEntry],
                     error: str = "") -> None:
            super().__init__()
            self.generation, self.offset, self.entries, self.error = (
                generation, offset, entries, error)

    class Counted(Message):
        """The list changed size (a page arrived or the list was reset)."""

        def __init__(self, loaded: int, complete: bool, error: str = "") -> None:
            super().__init__()
            self.loaded, self.complete, self.error = loaded, complete, error

    class RowHighlighted(Message):
        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    class RowSelected(Message):
        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entries: list[DatasetEntry] = []
        self.marked: set[str] = set()
        self.keep: Callable[[DatasetEntry], bool] = lambda e: True
        self.cursor_row = 0
        self._fetch: Fetch | None = None
        self._generation = 0
        self._offset = 0  # how far the source has been read
        self._complete = False
        self._loading = False
        self._strips: dict[tuple, Strip] = {}  # (row, marked, width) -> the row drawn

    def reset(self, fetch: Fetch | None, keep: Callable[[DatasetEntry], bool] | None = None,
              first: list[DatasetEntry] | None = None) -> None:
        """Start over with a new source/search (None: an empty list). The first page is
        `first` when the caller has it at hand (drawn in this frame), else it loads in the
        background."""
        self._generation += 1
        self._fetch, self.keep = fetch, keep or (lambda e: True)
        self.entries, self._offset, self._complete, self._loading = [], 0, False, False
        self._strips.clear()
        self.cursor_row = 0
        self._resize()
        self.scroll_to(0, 0, animate=False, immediate=True)
        if first is not None:
            self._add_page(0, first)
        else:
            self._more()

    def _more(self) -> None:
        if self._fetch is None or self._complete or self._loading:
            return
        self._loading = True
        self._load(self._generation, self._fetch, self._offset)

    @work(thread=True, group="dataset-pages", exit_on_error=False)
    def _load(self, generation: int, fetch: Fetch, offset: int) -> None:
        try:
            entries = fetch(offset, PAGE)
        except Exception as exc:  # shown under the list; browsing goes on
            hint = getattr(exc, "hint", "")  # a DynoError's "what to do"
            text = f"{exc} {hint}" if hint else str(exc)
            self.post_message(self.PageLoaded(generation, offset, [], render.message(text)))
            return
        self.post_message(self.PageLoaded(generation, offset, entries))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        if message.generation != self._generation:
            return  # an answer for a search the user has already replaced
        self._loading = False
        if message.error:
            self._complete = True
            self.post_message(self.Counted(len(self.entries), True, message.error))
            return
        self._add_page(message.offset, message.entries)

    def _add_page(self, offset: int, entries: list[DatasetEntry]) -> None:
        self._offset = offset + len(entries)
        self._complete = len(entries) < PAGE
        kept = [e for e in entries if self.keep(e)]
        start = len(self.entries)
        self.entries.extend(kept)
        self._resize()
        if start == 0 and kept:
            self.move_cursor(row=0)
        self.post_message(self.Counted(len(self.entries), self._complete))
        if not self._complete and len(self.entries) - self.cursor_row < PAGE // 4:
            self._more()  # a filter kept few rows: read on until the screen has enough

    def _resize(self) -> None:
        size = Size(self.scrollable_content_region.width, len(self.entries) + 1)  # + header
        if size != self.virtual_size:
            self.virtual_size = size
        self.refresh()

    @property
    def current(self) -> DatasetEntry | None:
        if 0 <= self.cursor_row < len(self.entries):
            return self.entries[self.cursor_row]
        return None

    # ---- the cursor ------------------------------------------------------------------------
    @property
    def _rows_shown(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(self, row: int) -> None:
        if not self.entries:
            return
        old, self.cursor_row = self.cursor_row, max(0, min(len(self.entries) - 1, row))
        top, shown = round(self.scroll_y), self._rows_shown
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + shown:
            self.scroll_to(y=self.cursor_row - shown + 1, animate=False, immediate=True)
        else:  # no scroll: only the two rows change
            for r in (old, self.cursor_row):
                self.refresh(Region(0, r - top + 1, self.size.width, 1))
        self.post_message(self.RowHighlighted(self.cursor_row))
        if len(self.entries) - self.cursor_row < PAGE // 4:
            self._more()

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._rows_shown)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._rows_shown)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.entries) - 1)

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.RowSelected(self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        row = round(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= row < len(self.entries):
            self.move_cursor(row)
            if event.chain > 1:
                self.action_select()

    def action_mark(self) -> None:
        e = self.current
        if e is None:
            return
        (self.marked.discard if e.id in self.marked else self.marked.add)(e.id)
        self.refresh(Region(0, self.cursor_row - round(self.scroll_y) + 1, self.size.width, 1))

    def selected(self) -> list[DatasetEntry]:
        """Marked entries, or the one under the cursor."""
        chosen = [e for e in self.entries if e.id in self.marked]
        return chosen or ([self.current] if self.current else [])

    # ---- drawing -------------------------------------------------------------------------
    def _cells(self, e: DatasetEntry) -> list[Text]:
        return [Text("●" if e.id in self.marked else " ", style="bold yellow"),
                render.line(e.pretty_name or e.name, limit=60),
                verdict_mark(e),
                render.line(",".join(e.license) or "—", limit=30),
                render.line(",".join(e.languages) or "—", limit=20),
                render.line(",".join(e.task_categories) or "—", limit=40)]

    def _strip(self, text: Text, width: int) -> Strip:
        segments = list(text.render(self.app.console))
        return Strip(Segment.adjust_line_length(segments, width), width)

    def render_lines(self, crop):
        # Looked up once per frame, not once per line: each look-up walks the styles.
        self._frame = (self.scrollable_content_region.width, self.rich_style,
                       self.get_component_rich_style("dataset-table--header"),
                       self.get_component_rich_style("dataset-table--cursor"),
                       round(self.scroll_y))
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width, style, header, cursor, top = self._frame
        if y == 0:
            key = ("header", width)
            if key not in self._strips:
                self._strips[key] = self._strip(row_text([Text(t) for t, _ in COLUMNS]), width)
            return self._strips[key].apply_style(style + header)
        row = top + y - 1
        if row >= len(self.entries):
            return Strip.blank(width, style)
        e = self.entries[row]
        key = (row, e.id in self.marked, width)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > 4096:
                self._strips.clear()
            strip = self._strips[key] = self._strip(row_text(self._cells(e)), width)
        return strip.apply_style(style + cursor if row == self.cursor_row else style)

    def on_mount(self) -> None:
        # Made (hidden) now, with the screen, instead of styled and laid out in the frame of
        # the first key press after the first long page.
        self.vertical_scrollbar

    def on_resize(self) -> None:
        self._resize()
