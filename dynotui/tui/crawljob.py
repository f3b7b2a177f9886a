"""Growth from the app: crawl the Hub from Browse (key c) and generate for the crawl queue (the
palette), each in a thread worker posting progress back. The work is core's, the same as
`dynotui crawl` and `dynotui generate --queued`; the screens only show it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Static

from dynotui.core.growth.crawl import crawl
from dynotui.core.growth.queue import generate_queued as run_queued
from dynotui.tui import render
from dynotui.tui.messages import CrawlShown, GenerationDone, GenerationProgress
from dynotui.tui.query import parse_query

DEFAULT_LIMIT = 100


@dataclass
class CrawlState:
    """A snapshot of the running crawl (the core report keeps changing under the worker)."""
    limit: int
    stage: int | None = None
    seen: int = 0
    queued: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, report: Any, limit: int) -> CrawlState:
        return cls(limit, report.stage, report.seen, report.queued, report.unchanged,
                   report.failed, dict(report.skipped))


class CrawlProgress(Message):
    """Only the newest state matters, so queued ones coalesce."""

    def __init__(self, state: CrawlState) -> None:
        super().__init__()
        self.state = state

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CrawlProgress)


class CrawlDone(Message):
    def __init__(self, report: Any, limit: int, error: str = "") -> None:
        super().__init__()
        self.report, self.limit, self.error = report, limit, error


def skipped_text(skipped: dict[str, int], reasons: bool = True) -> str:
    total = sum(skipped.values())
    if not total or not reasons:
        return f"{total} skipped"
    why = ", ".join(f"{k} {n}" for k, n in sorted(skipped.items(), key=lambda kv: -kv[1]))
    return f"{total} skipped ({why})"


def progress_label(state: CrawlState) -> Text:
    """Counts and the way out first, within 80 columns beside the bar; then stage and reasons."""
    stage = f"stage {state.stage}" if state.stage is not None else "listing the Hub…"
    why = skipped_text(state.skipped)
    why = why[why.find("(") + 1:-1] if "(" in why else ""
    return render.line(f" crawl {state.seen}/{state.limit} · {state.queued} queued · "
                       f"{skipped_text(state.skipped, False)} · Esc stops · {stage}"
                       + (f" · {why}" if why else ""), limit=300)


def summary(report: Any, limit: int) -> str:
    """One line after a crawl: the stage, the counts, and what to do next."""
    state = CrawlState.of(report, limit)
    how = ("the listing is exhausted" if report.finished else
           {"limit": f"stopped at {limit}; press c again to continue",
            "cancelled": "cancelled; press c again to continue",
            "error": "stopped by an error; press c again to continue"}.get(report.stopped, ""))
    counts = [f"{state.seen} seen", f"{state.queued} queued"]
    counts += [f"{n} {what}" for n, what in ((state.unchanged, "unchanged"),
                                             (state.failed, "failed (retried next crawl)")) if n]
    text = (f"Crawl stage {report.stage}: {', '.join(counts)}, {skipped_text(state.skipped)}"
            f" — {how}.")
    if report.error:
        text += f" {report.error}"
    elif state.queued:
        text += " Ctrl+P 'Generate for the crawl queue' generates for them."
    return render.message(text)


def crawl_query(text: str) -> tuple[str | None, str | None]:
    """Browse's search box -> (search, task category) for the crawl (other filters: the
    catalog verdicts judge license and language anyway)."""
    search, filters, _ = parse_query(text)
    return search or None, filters.get("task_category") or None


class LimitPrompt(ModalScreen[int | None]):
    """How many datasets this crawl examines at most; Enter starts it, Esc does not."""

    BINDINGS = [Binding("escape", "dismiss_prompt", "cancel", id="crawl.cancel-prompt")]
    DEFAULT_CSS = """
    LimitPrompt { align: center middle; }
    LimitPrompt > Vertical { width: 64; height: auto; border: round $accent; padding: 0 1;
                             background: $surface; }
    LimitPrompt #crawl-error { color: $error; }
    """

    def __init__(self, search: str | None, task: str | None) -> None:
        super().__init__()
        self.query_search, self.query_task = search, task

    def compose(self) -> ComposeResult:
        search, task = self.query_search, self.query_task
        what = render.join("Crawl the Hub", (f" for '{search}'" if search else "", ""),
                           (f", task {task}" if task else "", ""),
                           ": examine at most how many datasets? (Enter starts, Esc cancels)")
        with Vertical():
            yield Static(what, id="crawl-what")
            yield Input(str(DEFAULT_LIMIT), id="crawl-limit", compact=True)
            yield Static("", id="crawl-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text.isdigit() or int(text) < 1:
            self.query_one("#crawl-error", Static).update(render.line(
                f"'{text}' is not a number of datasets: type a whole number of at least 1."))
            return
        self.dismiss(int(text))

    def action_dismiss_prompt(self) -> None:
        self.dismiss(None)


class CrawlRunner(Widget):
    """Lives (hidden) on Browse: runs the crawl worker and shows its progress there."""

    DEFAULT_CSS = "CrawlRunner { display: none; }"

    def __init__(self) -> None:
        super().__init__(id="crawl-runner")
        self.cancel: threading.Event | None = None
        self.last: CrawlState | None = None
        self.reports: list[Any] = []  # finished crawls of this session, newest last

    @property
    def running(self) -> bool:
        return self.cancel is not None

    def start(self, search: str | None, task: str | None, limit: int) -> None:
        self.cancel = threading.Event()
        self.last = CrawlState(limit)
        self._show(self.last)
        self._crawl(search, task, limit, self.cancel)

    @work(thread=True, group="crawl", exit_on_error=False)
    def _crawl(self, search: str | None, task: str | None, limit: int,
               cancel: threading.Event) -> None:
        app = self.app
        try:
            report = crawl(app.store, app.settings, search=search, task_category=task,
                           limit=limit, cancel=cancel.is_set,
                           on_progress=lambda r: self.post_message(
                               CrawlProgress(CrawlState.of(r, limit))))
        except Exception as exc:  # a DynoError (another crawl running…) or a bug: app goes on
            self.post_message(CrawlDone(None, limit, str(exc)))
            return
        self.post_message(CrawlDone(report, limit))

    @on(CrawlProgress)
    def _progress(self, message: CrawlProgress) -> None:
        if self.running:
            self.last = message.state
            self._show(message.state)

    @on(CrawlDone)
    def _done(self, message: CrawlDone) -> None:
        self.cancel = None
        self.last = None
        self._show(None)
        if message.report is None:
            self.notify(render.message(f"Crawl failed: {message.error}"), severity="error",
                        markup=False, timeout=12)
            return
        self.reports.append(message.report)
        bad = message.report.stopped == "error"
        self.notify(summary(message.report, message.limit), markup=False,
                    severity="error" if bad else "information", timeout=15 if bad else 10)

    def _show(self, state: CrawlState | None) -> None:
        """Tell Browse (this runner's screen) what its progress line should show."""
        if state is None:
            self.post_message(CrawlShown())
        else:
            self.post_message(CrawlShown(state.seen, state.limit, progress_label(state)))

    def stop(self) -> bool:
        if self.cancel is None:
            return False
        self.cancel.set()
        self.notify("Cancelling the crawl (it resumes where it stopped)…", markup=False,
                    timeout=3)
        return True

    def on_unmount(self) -> None:
        if self.cancel is not None:
            self.cancel.set()  # quitting: the crawl stops between datasets, resumable


def runner(screen: Any) -> CrawlRunner:
    found = screen.query(CrawlRunner)
    if found:
        return found.first()
    widget = CrawlRunner()
    screen.mount(widget)
    return widget


def start_crawl(screen: Any) -> None:
    """Browse's `c`: on the Hub source, ask for a limit, then crawl with the search box's query."""
    if screen.source != "hub":
        screen.notify("Crawling lists the Hub: press o until the source is Hub, then c.",
                      severity="warning", markup=False)
        return
    job = runner(screen)
    if job.running:
        screen.notify("A crawl is already running (Esc cancels it).", severity="warning",
                      markup=False)
        return
    search, task = crawl_query(screen.query_one("#search", Input).value)

    def chosen(limit: int | None) -> None:
        if limit is not None and not job.running:
            job.start(search, task, limit)
    screen.app.push_screen(LimitPrompt(search, task), chosen)


def cancel_crawl(screen: Any) -> bool:
    found = screen.query(CrawlRunner)
    return bool(found) and found.first().stop()


# ---- generation for the crawl queue (the palette) ---------------------------------------------
def generate_queued(app: Any) -> None:
    """Like `dynotui generate --queued`, with Browse's generation progress line."""
    if app.generation_cancel is not None:
        app.notify("A generation is already running (Esc on Browse cancels it).",
                   severity="warning", markup=False)
        return
    cancel = app.generation_cancel = threading.Event()
    app.generation_state = GenerationProgress(0, 0, 0, 0.0, "reading the crawl queue…")
    if app.browse is not None:
        app.browse.show_generation(app.generation_state)
    app.run_worker(lambda: _generate_queued(app, cancel), thread=True, group="generate",
                   exit_on_error=False)


def _generate_queued(app: Any, cancel: threading.Event) -> None:
    def on_progress(event: Any) -> None:
        label = f"{event.dataset} {event.variant}: {event.status} · {event.kept} kept"
        app.post_message(GenerationProgress(event.done, event.total,
                                            event.tokens_in + event.tokens_out, event.cost_usd,
                                            label))
    try:
        report = run_queued(app.store, app.settings, on_progress=on_progress, cancel=cancel)
    except Exception as exc:  # the app's handler names it and clears the progress line
        app.post_message(GenerationDone([], None, str(exc)))
        return
    app.call_from_thread(_queue_note, app, report)
    if report.generation is not None:
        app.post_message(GenerationDone(report.missing, report.generation))


def _queue_note(app: Any, report: Any) -> None:
    if report.generation is None:  # nothing was asked: the app's done handler will not run
        app.generation_cancel = app.generation_state = None
        if app.browse is not None:
            app.browse.show_generation(None)
    if not report.queued:
        text = ("Nothing is waiting in the crawl queue: every queued dataset has its proposals. "
                "To find more, press c on Browse with the Hub source.")
    else:
        text = (f"Crawl queue: {report.queued} datasets, {report.settled} now fully generated"
                + (f"; {len(report.missing)} without stored metadata (crawl again)"
                   if report.missing else "") + ".")
    app.notify(render.message(text), markup=False, timeout=10,
               severity="warning" if report.missing else "information")
