"""Review: one proposal at a time beside sample rows; Prodigy-style single keys."""

from __future__ import annotations

import time
from collections import Counter

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen

from dynotui.core.models import Proposal
from dynotui.tui import jobs, render, screens, team
from dynotui.tui.messages import MetaLoaded
from dynotui.tui.screens.review_saved import SavedResults
from dynotui.tui.screens.review_similar import SimilarActions
from dynotui.tui.widgets.footer import KeyFooter
from dynotui.tui.widgets.proposal import proposal_text, sample_rows, samples_head
from dynotui.tui.widgets.queue_strip import QueueStrip
from dynotui.tui.widgets.status import StatusLine
from dynotui.tui.widgets.text_pane import Part, TextPane
from dynotui.tui.similar import SimilarLookup
from dynotui.tui.watch import INTERVAL as WATCH_INTERVAL, DecisionWatch, Elsewhere
from dynotui.tui.writer import Job


def _reason_bindings() -> list[Binding]:
    return [Binding(str(i), f"reject_reason({i})", f"reject: reason {i}", show=False,
                    id=f"review.reason-{i}") for i in range(1, 10)]


AHEAD_DELAY = 0.03  # seconds after a proposal is shown before the next one is wrapped


class ReviewScreen(SavedResults, SimilarActions, Screen):
    BINDINGS = [
        Binding("a", "decide('accept')", "accept", id="review.accept"),
        Binding("x", "decide('reject')", "reject", id="review.reject"),
        Binding("space", "decide('skip')", "skip", id="review.skip"),
        Binding("backspace", "undo", "undo", id="review.undo"),
        Binding("e", "edit", "edit", id="review.edit"),
        Binding("f", "flag", "flag", id="review.flag"),
        Binding("n", "move(1)", "next", show=False, id="review.next"),
        Binding("p", "move(-1)", "prev", show=False, id="review.prev"),
        Binding("r", "regenerate", "regenerate", show=False, id="review.regenerate"),
        Binding("u", "first_undecided", "first undecided", show=False, id="review.first-undecided"),
        Binding("s", "similar", "similar", show=False, id="review.similar"),
        Binding("escape", "cancel_embedding", "cancel embedding", show=False,
                id="review.cancel-embedding"),
        Binding("g", "guidelines", "guidelines", show=False, id="review.guidelines"),
        Binding("c", "conflicts", "conflicts queue", show=False, id="review.conflicts"),
        *_reason_bindings(),
    ]

    def __init__(self) -> None:
        super().__init__(id="review")
        self.shown_at = time.monotonic()
        self.similar = SimilarLookup(self)
        self._ahead = None  # the timer that prepares the next proposal
        self._fetching: set[str] = set()  # sample rows being loaded, by dataset key
        self.armed: str | None = None  # an invalid proposal whose accept waits for a second `a`
        self.watch = DecisionWatch(self)

    def compose(self) -> ComposeResult:
        yield StatusLine(id="review-status")
        with Horizontal(id="review-body"):
            yield QueueStrip(id="queue-strip")
            yield TextPane(Text("loading proposals…", style="dim"), id="proposal")
            yield TextPane(id="samples")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.queue is None:
            self.reload()
        else:
            self.queue_ready(self.app.pending_dataset)
        self.set_interval(1.0, self.refresh_status)
        self.set_interval(WATCH_INTERVAL, self.watch.poll)

    def on_unmount(self) -> None:
        self.similar.cancel(quiet=True)  # an embedding worker process must not outlive the app

    @property
    def queue(self):
        return self.app.queue  # shared with Browse's progress line

    @property
    def pending(self) -> Counter:
        return self.app.pending

    def reload(self, focus: str | None = None) -> None:
        self.app.load_queue(focus)

    def queue_ready(self, focus: str | None = None, dataset: str | None = None) -> None:
        """The app (re)loaded the queue: show `focus`, else `dataset`'s first undecided."""
        if focus:
            self.queue.go(focus)
        if dataset:
            self.show_dataset(dataset)
        else:
            self.show_current()

    def show_dataset(self, dataset: str) -> None:
        """Jump to the first undecided proposal of `dataset` (from Browse)."""
        if self.queue is None:
            return
        for i, p in enumerate(self.queue.items):
            if p.dataset == dataset and self.queue.status[p.id] == "undecided":
                self.queue.pos = i
                break
        else:
            for i, p in enumerate(self.queue.items):
                if p.dataset == dataset:
                    self.queue.pos = i
                    break
            else:
                self.notify(render.message(f"No proposals for {dataset} yet: select it in "
                                           "Browse (F2) and press g."), markup=False, timeout=6)
        self.show_current()

    # ---- display -------------------------------------------------------------------------
    @property
    def current(self) -> Proposal | None:
        return self.queue.current if self.queue else None

    def show_current(self) -> None:
        p = self.current
        self.shown_at = time.monotonic()
        if p is None:
            empty = ("No proposals yet. Press F2 to browse datasets, then g to generate."
                     if self.queue is not None else "loading proposals…")
            if self.queue is not None and self.app.queue_filter == team.CONFLICTS:
                empty = "No open conflicts: annotators agree. c shows the whole queue."
            self.query_one("#proposal", TextPane).update(Text(empty, style="dim"))
            self.query_one("#samples", TextPane).update("")
            self.query_one(QueueStrip).show(None)
            self.refresh_status()
            return
        meta = self._meta_of(p)
        self._render_proposal(p, meta)
        self.query_one("#samples", TextPane).show(*self._sample_parts(p, meta))
        if meta is None:
            self._fetch_meta(p.dataset, p.config)
        self._render_strip()
        self.refresh_status()
        if self._ahead is None:  # after this frame, wrap the next proposal while this one is read
            self._ahead = self.set_timer(AHEAD_DELAY, self._prepare_next)

    def _meta_of(self, p: Proposal):
        return self.app.meta_cache.get(jobs.meta_key(p.dataset, p.config))

    def _proposal_part(self, p: Proposal, meta) -> Part:
        status = self.queue.status.get(p.id, "undecided")
        flagged, saving = p.id in self.queue.flagged, self.pending[p.id] > 0
        similar = self.similar.lines_for(p)
        conflict = self.queue.team.get(p.id)  # the conflicts queue: everyone's decision too
        note = self.watch.note_for(p.id)  # decided elsewhere: by whom
        key = (p.id, status, flagged, saving, id(meta), tuple(similar or ()), id(conflict),
               note.plain if note else None)

        def build() -> Text:
            text = proposal_text(p, status, flagged, saving, meta, similar)
            if conflict is not None:
                text.append_text(team.votes_text(conflict, p.id))
            return note + text if note else text
        return key, build

    def _sample_parts(self, p: Proposal, meta) -> list[Part]:
        if meta is None:
            return [(None, lambda: Text("loading sample rows…", style="dim"))]
        task = p.task
        rows = (tuple(task.input_fields), task.output_field, id(meta))  # shared by many tasks
        return [(("head", task.instruction), lambda: samples_head(task)),
                (("rows", *rows), lambda: sample_rows(task, meta, n=3))]

    def _render_proposal(self, p: Proposal, meta) -> None:
        self.query_one("#proposal", TextPane).show(self._proposal_part(p, meta))

    def _prepare_next(self) -> None:
        """Wrap what the next decision will show (the next undecided proposal)."""
        self._ahead = None
        queue = self.queue
        if queue is None or queue.current is None or not queue.all.left:
            return
        p = queue.items[queue.first_undecided(queue.pos + 1)]
        meta = self._meta_of(p)
        if meta is None:
            self._fetch_meta(p.dataset, p.config)
            return
        self.query_one("#proposal", TextPane).prepare(self._proposal_part(p, meta))
        self.query_one("#samples", TextPane).prepare(*self._sample_parts(p, meta))

    def _render_strip(self) -> None:
        strip = self.query_one(QueueStrip)
        if strip.display:
            strip.show(self.queue)

    def refresh_status(self) -> None:
        status = self.query_one(StatusLine)
        current = self.current
        status.show(self.queue, current.dataset if current else None, sum(self.pending.values()),
                    time.monotonic() - self.app.started)

    def _fetch_meta(self, dataset: str, config: str | None) -> None:
        key = jobs.meta_key(dataset, config)
        if key not in self._fetching:  # one fetch per dataset at a time
            self._fetching.add(key)
            self._fetch_meta_worker(dataset, config, key)

    @work(thread=True, group="meta", exit_on_error=False)
    def _fetch_meta_worker(self, dataset: str, config: str | None, key: str) -> None:
        try:
            meta = jobs.fetch_meta(self.app.store, self.app.settings, dataset, config,
                                   self.app.meta_cache)
        except Exception as exc:  # shown in the samples pane; review goes on
            self.post_message(MetaLoaded(key, None, str(exc)))
            return
        self.post_message(MetaLoaded(key, meta))

    @on(MetaLoaded)
    def _meta_loaded(self, message: MetaLoaded) -> None:
        self._fetching.discard(message.key)
        p = self.current
        if p is None or jobs.meta_key(p.dataset, p.config) != message.key:
            return
        if message.meta is None:
            self.query_one("#samples", TextPane).update(render.join(
                ("Could not load sample rows: ", "yellow"), (message.error, "yellow")))
            return
        self.show_current()

    # ---- actions ---------------------------------------------------------------------------
    def _set_status(self, pid: str, status: str) -> None:
        """Every status change goes through here: a queue reloaded from the store while a
        write is on its way gets these re-applied (see DynoApp._queue_loaded)."""
        self.queue.set_status(pid, status)
        self.app.overrides[pid] = status
        self.watch.decided_here(pid)  # the watch marks it again if it came from elsewhere

    def _submit(self, kind: str, pid: str, call, **info) -> None:
        self.pending[pid] += 1
        self.app.writer.submit(Job(kind, pid, call, info))

    def action_decide(self, action: str, reason: str = "") -> None:
        p = self.current
        if p is None:
            return
        armed, self.armed = self.armed, None
        if action == "accept" and p.errors and armed != p.id:
            self.armed = p.id
            rules = ", ".join(dict.fromkeys(v.rule for v in p.errors))
            self.notify(f"This task failed its checks ({rules}); exports leave it out unless "
                        "--include-invalid. Press a again to accept it anyway.",
                        title="Accept an invalid task?", severity="warning", markup=False,
                        timeout=6)
            return
        store, seconds = self.app.store, round(time.monotonic() - self.shown_at, 3)
        before = self.queue.status[p.id]
        status = {"accept": "accepted", "reject": "rejected", "skip": "skipped"}[action]

        role = team.role(self.app)

        def call():
            store.decide(p.id, action, reason=reason, seconds=seconds, role=role)
            return store.status(p.id)

        self._submit("decide", p.id, call, before=before, action=action)
        self._set_status(p.id, status)
        self.queue.session[action] += 1
        self.queue.advance()
        self.show_current()
        if before == "undecided" and not self.queue.all.left:
            self._all_decided()

    def _all_decided(self) -> None:
        """Said when the last undecided proposal is decided; further keys re-decide."""
        self.notify(f"All {self.queue.all.total} proposals are decided. F4 exports the "
                    "accepted ones; n/p move, and a key on a decided one changes its decision.",
                    title="Queue done", markup=False, timeout=8)

    def action_reject_reason(self, number: int) -> None:
        reasons = self.app.settings.reject_reasons
        if number > len(reasons):
            self.notify(f"No reject reason {number}: {len(reasons)} are configured.",
                        severity="warning", markup=False)
            return
        self.action_decide("reject", reasons[number - 1])

    def action_flag(self) -> None:
        p = self.current
        if p is None:
            return
        flagged = p.id in self.queue.flagged
        action = "unflag" if flagged else "flag"
        store = self.app.store
        self._submit("flag", p.id, lambda: store.decide(p.id, action), action=action)
        (self.queue.flagged.discard if flagged else self.queue.flagged.add)(p.id)
        self.show_current()

    def action_undo(self) -> None:
        store = self.app.store

        def call():
            event = store.undo()  # the undo event; its target is the event undone
            if event is None:
                return None, {}
            undone = next(e for e in store.events(event.proposal) if e.id == event.target)
            pid = undone.proposal
            affected = [pid] + ([undone.edited] if undone.edited else [])
            return undone, {x: store.status(x) for x in affected}

        self._submit("undo", "", call)

    def action_move(self, delta: int) -> None:
        if self.queue and self.queue.move(delta) is not None:
            self.show_current()

    def action_first_undecided(self) -> None:
        if self.queue:
            self.queue.pos = self.queue.first_undecided()
            self.show_current()

    def action_edit(self) -> None:
        p = self.current
        if p is None:
            return
        meta = self.app.meta_cache.get(jobs.meta_key(p.dataset, p.config))
        # From the screen registry, which imports a screen when first shown (start-up time:
        # the edit screen and the checks it runs cost ~25 ms).
        editor = screens.screen_class("edit")
        self.app.push_screen(editor(p, meta), lambda task: self._edited(p, task))

    def _edited(self, p: Proposal, task) -> None:
        if task is None:
            return
        store, seconds = self.app.store, round(time.monotonic() - self.shown_at, 3)
        role = team.role(self.app)
        self._submit("edit", p.id, lambda: store.edit(p.id, task, seconds=seconds, role=role),
                     before=self.queue.status.get(p.id, "undecided"))
        self._set_status(p.id, "edited")
        self.queue.session["edit"] += 1
        self.queue.advance()
        self.show_current()

    def action_guidelines(self) -> None:
        team.show_guidelines(self.app)

    def action_conflicts(self) -> None:
        """Switch between the whole queue and the proposals annotators disagree on."""
        app = self.app
        app.queue_filter = None if app.queue_filter == team.CONFLICTS else team.CONFLICTS
        if app.queue_filter:
            who = ("your decisions here settle them" if team.is_adjudicator(app) else
                   "you are no adjudicator: your decisions here are votes (dynotui "
                   "--adjudicate, or adjudicators in the config)")
            self.notify(f"Conflicts queue: {who}. c goes back to the whole queue.",
                        markup=False, timeout=6)
        self.reload()

    def action_regenerate(self) -> None:
        """Ask again for this dataset, sending its rejected proposals with their reasons and
        notes back to the model (a dataset with no rejections is simply asked again)."""
        p = self.current
        if p is None:
            return
        self.app.start_generation([jobs.ref_for(p.dataset, p.config, p.revision)], regenerate=True)

    # ---- decisions and proposals made elsewhere (other windows, annotators, processes) -----
    @on(Elsewhere)
    def _elsewhere(self, message: Elsewhere) -> None:
        self.elsewhere(message)  # review_saved.py

    def _refresh_if_current(self, pid: str) -> None:
        p = self.current
        if p is not None and (p.id == pid or not pid):
            self._render_proposal(p, self._meta_of(p))
        self.refresh_status()
        self._render_strip()
