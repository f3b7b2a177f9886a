"""Decisions and proposals made elsewhere: other windows of the same annotator, other
annotators, `dynotui generate` or `sync` in another terminal.

Every second a thread worker asks the store for events appended since the last look (the
store reads only the new bytes of each decision file) and for proposals in dataset files
changed since then (one stat of the folder when none did; core.store.changes); nothing runs on
the UI thread. It posts what changed: this annotator's statuses as they now stand, flags, the
latest decision of every other annotator, and the new proposals. The Review screen applies it
to the queue, so counters follow the store; it says on the proposal and in the queue strip who
decided it elsewhere, and adds new proposals without moving the reviewer's place.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.message import Message

from dynotui.core.store.changes import proposals_after
from dynotui.tui import render, team
from dynotui.tui.widgets.proposal import STATUS_MARK, STATUS_STYLE

INTERVAL = 1.0  # seconds between looks
VERB = {"accept": "accepted", "reject": "rejected", "skip": "skipped", "edit": "edited",
        "flag": "flagged", "unflag": "unflagged", "undo": "undid a decision on"}


class Elsewhere(Message):
    """What other processes decided since `mark` (None fields: nothing of that kind)."""

    def __init__(self, queue: Any, mark: tuple[int, int], statuses: dict[str, str] | None = None,
                 flagged: dict[str, bool] | None = None,
                 others: dict[str, dict[str, str]] | None = None,
                 notes: dict[str, str] | None = None, reload: bool = False,
                 undone: set[str] | None = None, files: Any = None,
                 added: list | None = None) -> None:
        super().__init__()
        self.queue, self.mark, self.reload = queue, mark, reload
        self.files = files  # the dataset files' mark (core.store.changes.FilesMark)
        self.added = added or []  # proposals new to the queue, oldest first
        self.undone = undone or set()  # proposals an undo elsewhere was about
        self.statuses, self.flagged = statuses or {}, flagged or {}
        self.others, self.notes = others or {}, notes or {}


def scan(store: Any, queue: Any, mark: tuple[int, int] | None, files: Any = None) -> Elsewhere:
    """The blocking part (a worker thread): read new events and proposals, work out what they
    change."""
    # Proposals first: an event read below about one of them finds it in this message.
    files, found = proposals_after(store, files, queue.index)
    # Versions made by an edit come with their edit event, which reloads the queue.
    added = [p for p in found if not p.parent]
    mark, events = store.events_after(mark)
    if events is None:  # the files were re-read from scratch: load the queue again
        return Elsewhere(queue, mark, reload=True, files=files)
    foreign = [e for e in events if e.session != store.session]
    pids = {e.proposal for e in foreign} | {p.id for p in added}
    if not pids:
        return Elsewhere(queue, mark, files=files)
    notes = {}
    for e in foreign:  # newest last: the note says what happened last
        who = "you, in another window" if e.annotator == store.annotator else e.annotator
        when = datetime.fromtimestamp(e.ts).strftime("%H:%M:%S")
        notes[e.proposal] = f"{VERB.get(e.action, e.action)} by {who} at {when}"
    edited = any(e.action == "edit" for e in foreign)  # a new version to show: reload
    statuses, flagged, others = store.standing(pids, store.annotator)
    return Elsewhere(queue, mark, statuses, flagged, others, notes, reload=edited,
                     undone={e.proposal for e in foreign if e.action == "undo"}, files=files,
                     added=added)


class DecisionWatch:
    """Owned by the Review screen: starts a look each INTERVAL, applies what it found."""

    def __init__(self, screen: Any) -> None:
        self.screen = screen
        self.queue = None  # the queue the marks belong to
        self.mark: tuple[int, int] | None = None
        self.files = None  # the dataset files' mark
        self.busy = False
        self.notes: dict[str, str] = {}  # pid -> what happened to it elsewhere, this session
        self.mine: set[str] = set()  # my status set in another window (the strip's "⇄you")
        self.looked = 0.0

    def poll(self) -> None:
        app = self.screen.app
        queue, store = app.queue, app.store
        if self.busy or queue is None or store is None:
            return
        if queue is not self.queue:  # a (re)loaded queue holds everything up to its marks
            self.queue, self.mark, self.files = queue, queue.mark, queue.files
            for pid in self.mine:
                queue.decided_elsewhere(pid, True)
            if self.mine:
                self.screen._render_strip()
        self.busy = True
        mark, files = self.mark, self.files
        self.screen.run_worker(lambda: self._look(store, queue, mark, files), thread=True,
                               group="watch", exit_on_error=False)

    def _look(self, store: Any, queue: Any, mark, files) -> None:
        try:
            message = scan(store, queue, mark, files)
        except Exception:  # an unreadable file is reported by the queue load; try again later
            message = Elsewhere(queue, mark, files=files)
        self.looked = time.monotonic()
        self.screen.post_message(message)

    def decided_here(self, pid: str) -> None:
        """A status set in this window: no longer one decided elsewhere."""
        self.mine.discard(pid)
        if self.screen.queue is not None:
            self.screen.queue.decided_elsewhere(pid, False)

    def apply(self, message: Elsewhere) -> tuple[set[str], list]:
        """Bring the queue up to date; returns (the proposals whose display changed, the
        proposals added to the queue)."""
        self.busy = False
        app, queue = self.screen.app, self.screen.queue
        if queue is None or message.queue is not queue or message.queue is not self.queue:
            return set(), []  # a reload came in between: the next look starts from its marks
        self.mark, self.files = message.mark, message.files
        # An edit, or an undo about a version not in the queue (an undone edit brings the
        # old version back): versions come and go, so the queue is loaded again.
        if message.reload or any(pid not in queue.index for pid in message.undone):
            app._reload_keeping_place()
            return set(), []
        added = self._insert(queue, message)
        changed: set[str] = set()
        for pid, status in message.statuses.items():
            if pid not in queue.index:
                continue  # not in this queue (another team queue, a retracted version)
            if app.pending[pid] or queue.status[pid] == status:
                continue  # a write of ours in flight will report the status as it stands
            self.screen._set_status(pid, status)  # also what a reload keeps
            mine = status != "undecided"
            (self.mine.add if mine else self.mine.discard)(pid)
            queue.decided_elsewhere(pid, mine)
            changed.add(pid)
        for pid, flagged in message.flagged.items():
            if pid in queue.index and flagged != (pid in queue.flagged):
                (queue.flagged.add if flagged else queue.flagged.discard)(pid)
                changed.add(pid)
        for pid, latest in message.others.items():
            if latest != queue.others.get(pid, {}):
                queue.set_others(pid, latest)
                changed.add(pid)
        self.notes.update(message.notes)
        return changed | set(message.notes), added

    def _insert(self, queue: Any, message: Elsewhere) -> list:
        """The new proposals this queue takes: none in the conflicts queue (a new proposal
        has no conflict yet); with `overlap`, not those enough others already decided."""
        app = self.screen.app
        if not message.added or app.queue_filter == team.CONFLICTS:
            return []
        overlap, statuses = app.settings.overlap, message.statuses
        take = [p for p in message.added if not overlap or statuses.get(p.id) != "undecided"
                or len(message.others.get(p.id) or ()) < overlap]
        return queue.insert_new(take, statuses)

    def note_for(self, pid: str) -> Text | None:
        """The line above a proposal: who else decided it, and what just happened to it."""
        queue = self.screen.queue
        others = queue.others.get(pid) if queue is not None else None
        note = self.notes.get(pid)
        if not others and not note:
            return None
        out = Text(end="")
        if note:
            out.append("⇄ ", style="bold magenta")
            out.append_text(render.line(note, style="magenta", limit=120))
            out.append("\n")
        if others:
            out.append("⇄ ", style="bold magenta")
            out.append("others: ", style="dim")
            for i, (who, status) in enumerate(sorted(others.items())):
                if i:
                    out.append(", ", style="dim")
                out.append_text(render.line(who, style="bold", limit=40))
                out.append(f" {STATUS_MARK.get(status, '·')} {status}",
                           style=STATUS_STYLE.get(status, ""))
            out.append("\n")
        return out
