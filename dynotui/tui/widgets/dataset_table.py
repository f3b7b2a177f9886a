"""A dataset list that loads page by page: rows are fetched in a worker as the cursor nears
the end, so 10k datasets never mean 10k rows added at once."""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from dynotui.core.models import DatasetEntry
from dynotui.tui import render

PAGE = 200
Fetch = Callable[[int, int], list[DatasetEntry]]  # (offset, limit) -> entries


def verdict_mark(entry: DatasetEntry) -> Text:
    bad = [v for v in entry.verdicts if not v.ok and v.level == "error"]
    if not entry.verdicts:
        return Text("?", style="dim")
    return Text(f"✗{len(bad)}", style="red") if bad else Text("✓", style="green")


class DatasetTable(DataTable):
    BINDINGS = [Binding("m", "mark", "mark", id="browse.mark")]

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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.entries: list[DatasetEntry] = []
        self.marked: set[str] = set()
        self.keep: Callable[[DatasetEntry], bool] = lambda e: True
        self._fetch: Fetch | None = None
        self._generation = 0
        self._offset = 0  # how far the source has been read
        self._complete = False
        self._loading = False

    def on_mount(self) -> None:
        # The verdict next to the name: at 80-100 columns the right-hand columns are cut off.
        self.add_column("", key="mark", width=1)
        self.add_column("dataset", key="name", width=26)
        self.add_column("ok", key="ok", width=3)
        self.add_column("license", key="license", width=10)
        self.add_column("lang", key="lang", width=4)
        self.add_column("task", key="task", width=14)

    def reset(self, fetch: Fetch | None, keep: Callable[[DatasetEntry], bool] | None = None) -> None:
        """Start over with a new source/search (None: an empty list); the first page loads in
        the background."""
        self._generation += 1
        self._fetch, self.keep = fetch, keep or (lambda e: True)
        self.entries, self._offset, self._complete, self._loading = [], 0, False, False
        self.clear()
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
        self._offset = message.offset + len(message.entries)
        self._complete = len(message.entries) < PAGE
        kept = [e for e in message.entries if self.keep(e)]
        start = len(self.entries)
        self.entries.extend(kept)
        self.add_rows([self._row(e) for e in kept])
        if start == 0 and kept:
            self.move_cursor(row=0)
        self.post_message(self.Counted(len(self.entries), self._complete))
        if not self._complete and len(self.entries) - self.cursor_row < PAGE // 4:
            self._more()  # a filter kept few rows: read on until the screen has enough

    def _row(self, e: DatasetEntry) -> list[Any]:
        return [Text("●" if e.id in self.marked else " ", style="bold yellow"),
                render.line(e.pretty_name or e.name, limit=60),
                verdict_mark(e),
                render.line(",".join(e.license) or "—", limit=30),
                render.line(",".join(e.languages) or "—", limit=20),
                render.line(",".join(e.task_categories) or "—", limit=40)]

    @property
    def current(self) -> DatasetEntry | None:
        if 0 <= self.cursor_row < len(self.entries):
            return self.entries[self.cursor_row]
        return None

    def watch_cursor_coordinate(self, old: Any, new: Any) -> None:
        super().watch_cursor_coordinate(old, new)
        if len(self.entries) - new.row < PAGE // 4:
            self._more()

    def action_mark(self) -> None:
        e = self.current
        if e is None:
            return
        (self.marked.discard if e.id in self.marked else self.marked.add)(e.id)
        self.update_cell_at((self.cursor_row, 0),
                            Text("●" if e.id in self.marked else " ", style="bold yellow"))

    def selected(self) -> list[DatasetEntry]:
        """Marked entries, or the one under the cursor."""
        chosen = [e for e in self.entries if e.id in self.marked]
        return chosen or ([self.current] if self.current else [])
