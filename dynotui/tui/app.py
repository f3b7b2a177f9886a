"""The workbench App: screens as modes, themes, keymap, the store writer (tui/start.py
starts it)."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from functools import partial
from concurrent.futures import ThreadPoolExecutor
from collections import Counter
from dataclasses import dataclass
from typing import Any

from textual import events, on, work
from textual.worker import get_current_worker
from textual.app import App
from textual.binding import Binding

from dynotui.core.store import Store
from dynotui.tui import jobs, render, screens
from dynotui.tui.commands import DynoCommands
from dynotui.tui.messages import (GenerationDone, GenerationProgress, QueueLoaded, Saved,
                                  StoreOpened)
from dynotui.tui.themes import FALLBACK, load_themes
from dynotui.tui.writer import StoreWriter


@dataclass
class ThemeProblem:
    """A theme notice kept until the app can show it."""

    text: str
    title: str
    timeout: float


class _NoWaitExecutor(ThreadPoolExecutor):
    """Thread workers' pool: a read in flight (a card, the `datasets` import) must not hold up
    quitting; writes go through the StoreWriter, which is drained before exit."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=True)


class DynoApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "dynotui"
    COMMANDS = App.COMMANDS | {DynoCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("f2", "show('browse')", "browse", id="app.browse"),
        Binding("f3", "show('review')", "review", id="app.review"),
        Binding("f4", "show('export')", "export", show=False, id="app.export"),
        Binding("f5", "show('stats')", "stats", show=False, id="app.stats"),
        Binding("question_mark", "help", "help", id="app.help"),
        Binding("q", "quit", "quit", id="app.quit"),
        Binding("ctrl+p", "command_palette", "palette", show=False, priority=True,
                id="app.palette"),
    ]

    def __init__(self, settings: Any, store: Any, source: str = "sample",
                 start: str | None = None) -> None:
        if store is not None:
            # The first screen is the app's first mode, so Textual makes no blank screen to
            # lay out, style and leave, and resumes (restyles) the first screen once, not twice.
            self.DEFAULT_MODE = start or "browse"
        super().__init__()
        self.animation_level = "none"  # quiet over SSH; no sliding or fading
        self.settings, self.store, self.source = settings, store, source or "sample"
        self.start_mode = start
        self.started = time.monotonic()  # the session clock on the status line
        self.meta_cache: dict[str, Any] = {}
        self.queue = None  # ReviewQueue, loaded in a worker
        self.pending: Counter[str] = Counter()  # store writes not yet durable, by proposal
        self.overrides: dict[str, str] = {}  # statuses set in this session, newest last
        self._queue_loading = False
        self._queue_loaded_at = 0.0
        self._problems_told: set[str] = set()
        self.pending_dataset: str | None = None  # Browse asked to review it before the queue loaded
        self.queue_filter: str | None = None  # "conflicts": Review shows only disagreements
        self.adjudicate = False  # --adjudicate: conflicts settled here carry that role
        self.writer: StoreWriter | None = None
        self.generation_cancel: threading.Event | None = None
        self.generation_state: GenerationProgress | None = None
        self._made: dict[str, Any] = {}  # the screen of each mode, once the app made it
        for name in screens.MODES:
            self.add_mode(name, partial(self._make_screen, name))
        self._theme_problems = self._set_first_theme()

    def _make_screen(self, name: str):
        self._made[name] = screen = screens.factory(name)()
        # A new screen starts as "CSS out of date" (-1), and Textual then re-parses every rule
        # twice while showing it; its styles are applied from the current rules on mount anyway.
        # A theme change still in flight re-parses afterwards, for every screen.
        screen._css_update_count = self._css_update_count
        # Its width class too (-wide / -narrow): set on the first resize, it would restyle the
        # whole screen before the first frame.
        width = self.size.width
        screen.add_class(max(bp for bp in self.HORIZONTAL_BREAKPOINTS if width >= bp[0])[1])
        return screen

    def _mounted(self, name: str):
        screen = self._made.get(name)
        return screen if screen is not None and screen.is_mounted else None

    @property
    def review(self):
        """The Review screen once mounted (else None)."""
        return self._mounted("review")

    @property
    def browse(self):
        """The Browse screen once mounted (else None)."""
        return self._mounted("browse")

    # ---- start ---------------------------------------------------------------------------
    def on_load(self) -> None:
        asyncio.get_running_loop().set_default_executor(
            _NoWaitExecutor(thread_name_prefix="dynotui-worker"))
        # The app's own styles before the first screen mounts (Textual applies them after it):
        # a widget filled in that screen's on_mount would keep colours inherited from nothing.
        self.stylesheet.apply(self)

    def on_mount(self) -> None:
        for problem in self._theme_problems:
            self.notify(render.message(problem.text), title=problem.title,
                        severity="warning", markup=False, timeout=problem.timeout)
        self._apply_keymap()
        self.writer = StoreWriter(lambda job, result, error: self.post_message(
            Saved(job, result, error)))
        if self.store is None:  # a browser session that named nobody: ask who decides first
            self._ask_annotator()
            return
        self._begin()

    @on(events.Ready)
    def _first_frame(self) -> None:
        self.call_after_refresh(resume_gc)

    def _begin(self) -> None:
        self.switch_mode(self.start_mode or "browse")
        self.call_after_refresh(self.load_queue)  # progress for every screen, after first frame

    def _ask_annotator(self) -> None:
        self.push_screen(screens.screen_class("annotator")(), self._open_store)

    @work(thread=True, group="store", exit_on_error=False)
    def _open_store(self, name: str) -> None:
        try:
            store = Store(self.settings.workspace, annotator=name)
        except Exception as exc:  # a workspace problem: say it, ask again
            self.post_message(StoreOpened(None, str(exc)))
            return
        self.post_message(StoreOpened(store))

    @on(StoreOpened)
    def _store_opened(self, message: StoreOpened) -> None:
        if message.store is None:
            self.notify(render.message(f"Cannot open the workspace: {message.error}"),
                        severity="error", markup=False, timeout=15)
            self._ask_annotator()
            return
        self.store = message.store
        self.settings.annotator = message.store.annotator
        self._begin()

    def _set_first_theme(self) -> list[ThemeProblem]:
        """Register the theme files and pick the configured theme before the app starts, so
        the stylesheet is parsed once with its colours (setting `theme` once running makes
        Textual re-parse every rule two or three times before the first frame). Returns
        what to tell once the app is up."""
        loaded = load_themes()
        for theme in loaded.themes:
            self.register_theme(theme)
        problems = []
        if loaded.failed:
            lines = [f"{path.name}: {why}" for path, why in loaded.failed]
            problems.append(ThemeProblem("Theme files not loaded (fix or remove them):\n"
                                         + "\n".join(lines), "Themes", 12))
        wanted = self.settings.theme
        if wanted not in self.available_themes:
            fallback = FALLBACK if FALLBACK in self.available_themes else "textual-dark"
            if wanted and wanted != FALLBACK:
                problems.append(ThemeProblem(
                    f"Unknown theme '{wanted}'; using {fallback}. "
                    f"Themes: {', '.join(sorted(self.available_themes))}", "", 8))
            wanted = fallback
        # What App._watch_theme does, without queueing a re-parse: nothing is parsed yet.
        self.set_reactive(App.theme, wanted)
        dark = self.current_theme.dark
        self.set_class(True, f"-theme-{wanted}", update=False)
        self.set_class(dark, "-dark-mode", update=False)
        self.set_class(not dark, "-light-mode", update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())
        return problems

    def _apply_keymap(self) -> None:
        keymap = dict(self.settings.keymap or {})
        if not keymap:
            return
        # Deferred for start-up time: keys imports every screen, needed only for a keymap.
        from dynotui.tui.keys import binding_ids

        unknown = sorted(set(keymap) - binding_ids(self.BINDINGS))
        if unknown:
            self.notify(render.message(f"Unknown binding ids in keymap: {', '.join(unknown)}. "
                                       "Press ? to see the ids."), severity="warning",
                        markup=False, timeout=10)
        self.set_keymap({k: str(v) for k, v in keymap.items() if k not in unknown})

    # ---- navigation ----------------------------------------------------------------------
    def action_show(self, mode: str) -> None:
        if self.store is None:
            return  # still asking who decides
        if self.current_mode != mode:
            self.switch_mode(mode)

    def action_command_palette(self) -> None:
        if self.store is not None:  # nothing to command before someone is named
            super().action_command_palette()

    def action_help(self) -> None:
        help_screen = screens.screen_class("help")
        if not isinstance(self.screen, help_screen):
            self.push_screen(help_screen(self.screen))

    def review_dataset(self, dataset: str) -> None:
        if self.review is not None and self.queue is not None:
            self.switch_mode("review")
            self.review.show_dataset(dataset)
        else:
            self.pending_dataset = dataset  # shown when the queue arrives
            self.switch_mode("review")

    # ---- the review queue ----------------------------------------------------------------
    def load_queue(self, focus: str | None = None) -> None:
        if focus is None and self._queue_loading:
            return  # the load under way will do
        self._queue_loading = True
        self._load_queue(focus)

    @work(thread=True, exclusive=True, group="queue", exit_on_error=False)
    def _load_queue(self, focus: str | None) -> None:
        settings = self.settings
        queue = jobs.load_queue(self.store, settings.annotator, settings.overlap,
                                self.queue_filter == "conflicts", settings.adjudicators)
        if not get_current_worker().is_cancelled:
            self.post_message(QueueLoaded(queue, focus))

    @on(QueueLoaded)
    def _queue_loaded(self, message: QueueLoaded) -> None:
        self._queue_loading = False
        if self.queue is not None:
            message.queue.session = self.queue.session
        for pid, status in self.overrides.items():  # this session's decisions win over the
            message.queue.set_status(pid, status)  # store's view from when loading began
        self.queue = message.queue
        self._report_problems(message.queue.problems)
        dataset, self.pending_dataset = self.pending_dataset, None
        if self.review is not None:
            self.review.queue_ready(message.focus, dataset)
        if self.browse is not None:
            self.browse.refresh_progress()

    def _report_problems(self, problems: list[str]) -> None:
        """A damaged store file is named once per session (unreadable ones are left out;
        from one with events lost or records skipped, what is left counts)."""
        for problem in problems:
            if problem not in self._problems_told:
                self._problems_told.add(problem)
                self.notify(render.message(problem), title="Workspace file damaged",
                            severity="error", markup=False, timeout=30)

    async def action_quit(self) -> None:
        if self.writer is not None and self.writer.pending:
            self.notify(f"Saving {self.writer.pending} decisions before quitting…", markup=False)
            await asyncio.to_thread(self.writer.close)
        if self.generation_cancel is not None:
            self.generation_cancel.set()
        self.exit(0)

    # ---- durable writes ------------------------------------------------------------------
    @on(Saved)
    def _saved(self, message: Saved) -> None:
        if self.review is not None:
            self.review.saved(message)
        elif message.error is not None:
            self.notify(render.message(f"Not saved: {message.error}"), severity="error",
                        markup=False)

    # ---- generation ----------------------------------------------------------------------
    def start_generation(self, refs: list, force: bool = False, regenerate: bool = False) -> None:
        """Generate for `refs` with the configured variants; regenerate: send each dataset's
        rejected proposals with their reasons back to the model."""
        if self.generation_cancel is not None:
            self.notify("A generation is already running (Esc on Browse cancels it).",
                        severity="warning", markup=False)
            return
        self.generation_cancel = threading.Event()
        names = ", ".join(str(r) for r in refs[:3]) + (" …" if len(refs) > 3 else "")
        self.notify(render.message(f"Generating proposals for {names}"), markup=False, timeout=3)
        # Deferred for start-up time: the prompts module costs ~10 ms (CPU, loaded machine).
        from dynotui.core.generation.prompts import default_variants

        total = len(refs) * len(default_variants(self.settings))
        self.generation_state = GenerationProgress(0, total, 0, 0.0,
                                                   "loading datasets and the model…")
        if self.browse is not None:
            self.browse.show_generation(self.generation_state)
        self._generate(refs, force, self.generation_cancel, regenerate)

    @work(thread=True, group="generate", exit_on_error=False)
    def _generate(self, refs: list, force: bool, cancel: threading.Event,
                  regenerate: bool = False) -> None:
        def progress(done: int, total: int, tokens: int, cost: float, label: str) -> None:
            self.post_message(GenerationProgress(done, total, tokens, cost, label))
        try:
            report = jobs.generate(self.store, self.settings, refs, force, progress, cancel,
                                   regenerate=regenerate)
        except Exception as exc:  # a DynoError or a bug: either way the app keeps running
            self.post_message(GenerationDone([r.id for r in refs], None, str(exc)))
            return
        self.post_message(GenerationDone([r.id for r in refs], report))

    def cancel_generation(self) -> bool:
        if self.generation_cancel is None:
            return False
        self.generation_cancel.set()
        self.notify("Cancelling generation…", markup=False, timeout=3)
        return True

    @on(GenerationProgress)
    def _generation_progress(self, message: GenerationProgress) -> None:
        self.generation_state = message
        if message.done and time.monotonic() - self._queue_loaded_at > 5.0:
            self._reload_keeping_place()  # new proposals reach the queue while it runs
        if self.browse is not None:
            self.browse.show_generation(message)

    @on(GenerationDone)
    def _generation_done(self, message: GenerationDone) -> None:
        self.generation_cancel = None
        self.generation_state = None
        if message.error:
            self.notify(render.message(f"Generation failed: {message.error}"), severity="error",
                        markup=False, timeout=12)
        else:
            failed = any(d.get("error") for d in message.report.to_dict().get("datasets", [])) \
                if message.report is not None else False
            self.notify(render.message(jobs.describe_report(message.report)), markup=False,
                        severity="warning" if failed else "information",
                        timeout=12 if failed else 8)
        if self.browse is not None:
            self.browse.show_generation(None)
        self._reload_keeping_place()

    def _reload_keeping_place(self) -> None:
        current = self.review.current if self.review is not None else None
        self._queue_loaded_at = time.monotonic()
        self.load_queue(current.id if current else None)


def resume_gc() -> None:
    """Cyclic collection back on after the first frame (the command paused it for start-up),
    with what start-up made frozen: it lives as long as the app, and later collections, which
    would walk it again and again during a session, skip it."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
