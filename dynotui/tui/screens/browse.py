"""Browse: pick a source, search and filter, look at a dataset, generate proposals for it."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Static

from dynotui.core.models import DatasetEntry
from dynotui.core.sampleindex import indexed_entries
from dynotui.tui import render
from dynotui.tui.widgets.footer import KeyFooter
from dynotui.tui.widgets import steady_cursors
from dynotui.tui.messages import CrawlShown, GenerationProgress, MetaLoaded
from dynotui.tui.query import parse_query, verdict_keep
from dynotui.tui.widgets.dataset_detail import entry_text, meta_text
from dynotui.tui.widgets.dataset_table import DatasetTable
from dynotui.tui.widgets.progress_line import ProgressLine
from dynotui.tui.widgets.status import StatusLine
from dynotui.tui.widgets.text_pane import TextPane

SOURCES = [("samples", "sample"), ("local folder", "local"), ("Hub", "hub")]
META_DELAY = 0.3  # seconds the cursor rests on a row before its metadata is read


def whole_listing(fetch):
    """Local and sample listings scan the folder on every call: the first page comes as asked
    (verdicts for those rows only), later pages from one scan kept in memory."""
    cache: list[list[DatasetEntry]] = []

    def paged(offset: int, limit: int) -> list[DatasetEntry]:
        if offset == 0 and not cache:
            return fetch(0, limit)
        if not cache:
            cache.append(fetch(0, 10**9))
        return cache[0][offset:offset + limit]
    return paged


class BrowseScreen(Screen):
    BINDINGS = [
        Binding("g", "generate", "generate", id="browse.generate"),
        Binding("enter", "review", "review", id="browse.review"),
        Binding("slash", "focus_search", "search", id="browse.search"),
        Binding("o", "next_source", "source", id="browse.source"),
        Binding("l", "focus_path", "path", id="browse.path"),
        Binding("c", "crawl", "crawl the Hub", show=False, id="browse.crawl"),
        Binding("escape", "escape", "back/cancel", show=False, id="browse.escape"),
    ]

    def __init__(self) -> None:
        super().__init__(id="browse")
        self._detail_timer = None
        self._meta_timer = None
        self._detail_key: str | None = None  # whose panel is shown
        self._search_timer = None
        self.source = "sample"
        self._generation: GenerationProgress | None = None  # what the progress line shows
        self._crawl: CrawlShown | None = None  # a running crawl (shown before a generation)

    def compose(self) -> ComposeResult:
        with Horizontal(id="browse-top"):
            yield Static(id="source")
            yield Input(placeholder="search… license:mit lang:en task:… verdict:ok",
                        id="search", compact=True)
        yield Input(placeholder="local folder or file, Enter to list", id="path", compact=True)
        with Horizontal(id="browse-body"):
            yield DatasetTable(id="datasets")
            yield TextPane(id="detail")
        yield ProgressLine(id="generation")
        yield Static(id="list-status")
        yield StatusLine(id="browse-status")
        yield KeyFooter()

    def _initial_source(self) -> str:
        source = self.app.source
        return source if source in ("sample", "local", "hub") else "local"

    def on_mount(self) -> None:
        steady_cursors(self)
        path = self.query_one("#path", Input)
        if self.app.source not in ("sample", "local", "hub"):
            path.value = self.app.source
        self.set_source(self._initial_source())
        self.show_generation(self.app.generation_state)
        if self.source == "sample":
            self.refresh_list()  # from the samples' index: listed in the first frame
        else:  # after the first frame: the listing thread would compete with it for the GIL
            self.call_after_refresh(self.refresh_list)
        self.refresh_progress()
        self.set_interval(1.0, self.refresh_progress)
        self.query_one(DatasetTable).focus()

    def refresh_progress(self) -> None:
        """The review progress line (the same as on Review), for the highlighted dataset."""
        entry = self.query_one(DatasetTable).current
        self.query_one(StatusLine).sync(entry.id if entry else None)

    # ---- listing ---------------------------------------------------------------------------
    def refresh_list(self) -> None:
        source = self.source
        search, filters, verdict = parse_query(self.query_one("#search", Input).value)
        path = self.query_one("#path", Input).value.strip() or None
        if source == "local" and not path:
            self.query_one(DatasetTable).reset(None)
            self._list_status("Press l, type a folder or file path, then Enter.")
            self._highlighted()  # the panel must not keep showing the previous dataset
            return
        fetch = partial(self._fetch, source, path, search or None, filters or None,
                        self.app.settings)
        if source != "hub":
            fetch = whole_listing(fetch)
        # The bundled samples, unsearched, come from their index at once (no cards read).
        first = indexed_entries(self.app.settings) if source == "sample" and not search \
            and not filters else None
        self._list_status("loading…")
        self.query_one(DatasetTable).reset(fetch, verdict_keep(verdict), first)

    @staticmethod
    def _fetch(source, path, search, filters, settings, offset: int,
               limit: int) -> list[DatasetEntry]:
        # Deferred for start-up time: the sources package (~10 ms) is not needed to show the
        # bundled samples, which come from their index.
        from dynotui.core.sources import list_datasets

        return list_datasets(source=source, path=path, search=search, limit=limit,
                             offset=offset, filters=filters, settings=settings)

    def _list_status(self, message: str, error: bool = False) -> None:
        # One fixed line: repainted without a layout pass of the screen.
        self.query_one("#list-status", Static).update(
            Text(render.message(message), style="red" if error else "dim", no_wrap=True),
            layout=False)

    @on(DatasetTable.Counted)
    def _counted(self, message: DatasetTable.Counted) -> None:
        if message.error:
            self._list_status(message.error, error=True)
        elif not message.loaded and message.complete:
            self._list_status("No dataset matches. Clear the search (/ then Ctrl+U) or press o "
                              "for another source.")
        else:
            more = "" if message.complete else "+ (more load as you scroll)"
            noun = "dataset" if message.loaded == 1 and message.complete else "datasets"
            self._list_status(f"{message.loaded}{more} {noun} · m marks · g generates · "
                              "Enter reviews")
        current = self.query_one(DatasetTable).current
        if (message.loaded or message.complete) \
                and (current.ref.key if current else None) != self._detail_key:
            # The first entry's panel (or none) drawn with the list: on a timer it would land
            # in the frame of the first key press.
            if self._detail_timer is not None:
                self._detail_timer.stop()
            self._show_detail(with_list=True)

    def set_source(self, source: str) -> None:
        self.source = source
        label = dict((v, k) for k, v in SOURCES)[source]
        self.query_one("#source", Static).update(Text(f" {label} ▸ o ", style="bold"))
        self.query_one("#path", Input).display = source == "local"

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.refresh_list()
        self.query_one(DatasetTable).focus()

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        if self.source == "hub":
            return  # the Hub is asked on Enter only
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(0.25, self.refresh_list)  # once typing pauses

    # ---- detail ----------------------------------------------------------------------------
    @on(DatasetTable.RowHighlighted)
    def _highlighted(self) -> None:
        for timer in (self._detail_timer, self._meta_timer):
            if timer is not None:
                timer.stop()
        self._meta_timer = None
        self._detail_timer = self.set_timer(0.12, self._show_detail)  # skip rows scrolled past

    def _show_detail(self, with_list: bool = False) -> None:
        self._detail_timer = None
        entry = self.query_one(DatasetTable).current
        self._detail_key = entry.ref.key if entry else None
        if with_list:  # a new list repaints the screen anyway: one frame for all of it
            self.refresh_progress()
        else:  # the status line in a frame of its own: drawn with the panel, the frame would
            # repaint every row between them (Textual repaints the box around all that changed)
            self.call_after_refresh(self.refresh_progress)
        detail = self.query_one("#detail", TextPane)
        if entry is None:
            detail.update("")
            return
        meta = self.app.meta_cache.get(entry.ref.key)
        if meta is not None:
            detail.update(meta_text(meta, self._proposals_line(entry.id)))
            return
        detail.update(entry_text(entry))
        # Read once the cursor rests: the reading thread (the `datasets` import the first time)
        # competes with the key presses for the interpreter.
        self._meta_timer = self.set_timer(META_DELAY, partial(self._load_meta, entry))

    def _proposals_line(self, dataset: str) -> str:
        queue = self.app.queue
        tally = queue.datasets.get(dataset) if queue else None
        return f"{tally.total} ({tally.left} undecided)" if tally else ""

    @work(thread=True, exclusive=True, group="browse-meta", exit_on_error=False)
    def _load_meta(self, entry: DatasetEntry) -> None:
        from dynotui.core.sources import load_meta  # deferred for start-up time, as above

        try:
            meta = load_meta(entry.ref, rows=self.app.settings.sample_rows,
                             settings=self.app.settings)
        except Exception as exc:  # shown in the panel
            self.post_message(MetaLoaded(entry.ref.key, None, render.message(exc)))
            return
        self.app.meta_cache[entry.ref.key] = meta
        self.app.meta_cache[meta.ref.key] = meta
        self.post_message(MetaLoaded(entry.ref.key, meta))

    @on(MetaLoaded)
    def _meta_loaded(self, message: MetaLoaded) -> None:
        entry = self.query_one(DatasetTable).current
        if entry is None or entry.ref.key != message.key:
            return
        detail = self.query_one("#detail", TextPane)
        if message.meta is None:
            detail.update(render.join(entry_text(entry, loading=False), "\n\n",
                                      ("Could not load this dataset: ", "red"),
                                      (message.error, "red")))
        else:
            detail.update(meta_text(message.meta, self._proposals_line(entry.id)))

    # ---- actions ---------------------------------------------------------------------------
    def action_generate(self) -> None:
        chosen = self.query_one(DatasetTable).selected()
        if not chosen:
            self.notify("No dataset selected.", severity="warning", markup=False)
            return
        self.app.start_generation([e.ref for e in chosen])

    @on(DatasetTable.RowSelected)
    def _selected(self) -> None:
        self.action_review()

    def action_review(self) -> None:
        entry = self.query_one(DatasetTable).current
        if entry is not None:
            self.app.review_dataset(entry.id)

    def action_focus_path(self) -> None:
        if self.source != "local":
            self.set_source("local")
            self.refresh_list()
        self.query_one("#path", Input).focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_next_source(self) -> None:
        values = [v for _, v in SOURCES]
        self.set_source(values[(values.index(self.source) + 1) % len(values)])
        # Focus stays on the list: pressing o twice must reach the Hub, not type "o" as a path.
        self.refresh_list()

    def action_crawl(self) -> None:
        # Deferred for start-up time: crawljob brings the crawl and queue modules (~0.1 s).
        from dynotui.tui.crawljob import start_crawl

        start_crawl(self)  # the worker, its progress and the limit prompt live in crawljob.py

    def action_escape(self) -> None:
        from dynotui.tui.crawljob import cancel_crawl  # deferred for start-up time, as above

        if self.app.cancel_generation() or cancel_crawl(self):
            return
        if not isinstance(self.focused, DatasetTable):
            self.query_one(DatasetTable).focus()

    def show_generation(self, state: GenerationProgress | None) -> None:
        """The app's generation state (shown unless a crawl is running)."""
        self._generation = state
        self._show_progress()

    @on(CrawlShown)
    def _crawl_shown(self, message: CrawlShown) -> None:
        message.stop()
        self._crawl = message if message.label is not None else None
        self._show_progress()

    def _show_progress(self) -> None:
        line = self.query_one(ProgressLine)
        crawl, state = self._crawl, self._generation
        if crawl is not None:
            line.show(crawl.seen, crawl.limit, crawl.label)
        elif state is not None:
            label = Text(f" {state.done}/{state.total} calls · {state.tokens:,} tokens · "
                         f"${state.cost:.4f} · Esc cancels ", no_wrap=True)
            label.append_text(render.line(state.label, style="dim", limit=40))
            line.show(state.done, state.total, label)
        else:
            line.hide()
