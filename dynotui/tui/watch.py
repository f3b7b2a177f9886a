"""Decisions made elsewhere: other windows of the same annotator, other annotators.

Every second a thread worker asks the store for events appended since the last look (the
store reads only the new bytes of each decision file; nothing runs on the UI thread), and
posts what changed: this annotator's statuses as they now stand, flags, and the latest
decision of every other annotator. The Review screen applies it to the queue, so counters
follow the store, and says on the proposal who decided it elsewhere.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.message import Message

from dynotui.tui import render
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
                 undone: set[str] | None = None) -> None:
        super().__init__()
        self.queue, self.mark, self.reload = queue, mark, reload
        self.undone = undone or set()  # proposals an undo elsewhere was about
        self.statuses, self.flagged = statuses or {}, flagged or {}
        self.others, self.notes = others or {}, notes or {}


def scan(store: Any, queue: Any, mark: tuple[int, int] | None) -> Elsewhere:
    """The blocking part (a worker thread): read new events, work out what they change."""
    mark, events = store.events_after(mark)
    if events is None:  # the files were re-read from scratch: load the queue again
        return Elsewhere(queue, mark, reload=True)
    foreign = [e for e in events if e.session != store.session]
    if not foreign:
        return Elsewhere(queue, mark)
    pids = {e.proposal for e in foreign}
    notes = {}
    for e in foreign:  # newest last: the note says what happened last
        who = "you, in another window" if e.annotator == store.annotator else e.annotator
        when = datetime.fromtimestamp(e.ts).strftime("%H:%M:%S")
        notes[e.proposal] = f"{VERB.get(e.action, e.action)} by {who} at {when}"
    edited = any(e.action == "edit" for e in foreign)  # a new version to show: reload
    return Elsewhere(queue, mark, {pid: store.status(pid) for pid in pids},
                     {pid: store.is_flagged(pid) for pid in pids},
                     store.others(store.annotator, pids), notes, reload=edited,
                     undone={e.proposal for e in foreign if e.action == "undo"})


class DecisionWatch:
    """Owned by the Review screen: starts a look each INTERVAL, applies what it found."""

    def __init__(self, screen: Any) -> None:
        self.screen = screen
        self.queue = None  # the queue the mark belongs to
        self.mark: tuple[int, int] | None = None
        self.busy = False
        self.notes: dict[str, str] = {}  # pid -> what happened to it elsewhere, this session
        self.looked = 0.0

    def poll(self) -> None:
        app = self.screen.app
        queue, store = app.queue, app.store
        if self.busy or queue is None or store is None:
            return
        if queue is not self.queue:  # a (re)loaded queue holds everything up to its mark
            self.queue, self.mark = queue, queue.mark
        self.busy = True
        mark = self.mark
        self.screen.run_worker(lambda: self._look(store, queue, mark), thread=True,
                               group="watch", exit_on_error=False)

    def _look(self, store: Any, queue: Any, mark) -> None:
        try:
            message = scan(store, queue, mark)
        except Exception:  # an unreadable file is reported by the queue load; try again later
            message = Elsewhere(queue, mark)
        self.looked = time.monotonic()
        self.screen.post_message(message)

    def apply(self, message: Elsewhere) -> set[str]:
        """Bring the queue up to date; returns the proposals whose display changed."""
        self.busy = False
        app, queue = self.screen.app, self.screen.queue
        if queue is None or message.queue is not queue or message.queue is not self.queue:
            return set()  # a reload came in between: the next look starts from its mark
        self.mark = message.mark
        # An edit, or an undo about a version not in the queue (an undone edit brings the
        # old version back): versions come and go, so the queue is loaded again.
        if message.reload or any(pid not in queue.index for pid in message.undone):
            app._reload_keeping_place()
            return set()
        changed: set[str] = set()
        for pid, status in message.statuses.items():
            if pid not in queue.index:
                continue  # not in this queue (another team queue, a retracted version)
            if app.pending[pid] or queue.status[pid] == status:
                continue  # a write of ours in flight will report the status as it stands
            self.screen._set_status(pid, status)  # also what a reload keeps
            changed.add(pid)
        for pid, flagged in message.flagged.items():
            if flagged != (pid in queue.flagged):
                (queue.flagged.add if flagged else queue.flagged.discard)(pid)
                changed.add(pid)
        for pid, latest in message.others.items():
            if latest:
                queue.others[pid] = latest
            else:
                queue.others.pop(pid, None)
        self.notes.update(message.notes)
        return changed | set(message.notes)

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
