"""Review's handling of what happens outside the key presses: what the store writer reports (a
decision, edit or undo made durable, or refused), reconciled with what the screen already
showed, and what the watch found decided or added elsewhere (tui/watch.py)."""

from __future__ import annotations

from dynotui.tui import render
from dynotui.tui.messages import Saved


class SavedResults:
    """Mixed into ReviewScreen; uses its queue, pending counts and render methods."""

    def saved(self, message: Saved) -> None:
        job, queue = message.job, self.queue
        self.pending[job.pid] -= 1
        if self.pending[job.pid] <= 0:
            del self.pending[job.pid]
        if message.error is not None:
            self.notify(render.message(f"Not saved ({job.kind}): {message.error}"),
                        severity="error", markup=False, timeout=10)
            if queue and job.kind in ("decide", "edit"):
                self._set_status(job.pid, job.info["before"])
                action = job.info.get("action", "edit")
                if queue.session[action] > 0:  # the session counts what was saved
                    queue.session[action] -= 1
        elif job.kind == "decide" and queue:
            changed = queue.status.get(job.pid) != message.result
            self._set_status(job.pid, message.result)
            if not changed:  # the optimistic display was right: only the save mark changes
                self.refresh_status()
                if self.current is not None and self.current.id == job.pid:
                    self._render_proposal(self.current, self._meta_of(self.current))
                return
        elif job.kind == "edit" and queue:
            was = self.current
            queue.add([message.result], after=job.pid, statuses={message.result.id: "accepted"})
            queue.remove(job.pid)
            if was is not None and was.id == job.pid:
                queue.go(message.result.id)  # still looking at it: show the new version
            self.show_current()
            return
        elif job.kind == "undo":
            self._undone(*message.result)
            return
        self._refresh_if_current(job.pid)

    def elsewhere(self, message) -> None:
        """Apply what the watch found; the reviewer's place stays where it is."""
        was = self.current
        changed, added = self.watch.apply(message)
        if added:
            self._added_elsewhere(added, was is None)
        elif changed:
            self._refresh_if_current(was.id if was and was.id in changed else "-")
        if (changed or added) and self.app.browse is not None:
            self.app.browse.refresh_progress()

    def _added_elsewhere(self, added: list, was_empty: bool) -> None:
        if was_empty:
            self.show_current()  # the queue was empty: show the first of them
        else:
            self._refresh_if_current("")
        if self.app.generation_cancel is not None or self.app._queue_loading:
            return  # this window's own generation: its progress line says so
        names = list(dict.fromkeys(p.dataset for p in added))
        where = ", ".join(names[:2]) + (f" and {len(names) - 2} more" if len(names) > 2 else "")
        n = len(added)
        self.notify(render.message(f"{n} new proposal{'s are' if n > 1 else ' is'} in the "
                                   f"queue, for {where}; your place is kept."),
                    title="New proposals", markup=False, timeout=5)

    def _undo_note(self, text: str) -> None:
        """One undo toast at a time: holding backspace must not stack a column of them."""
        for note in list(self.app._notifications):
            if note.message.startswith(("Undid ", "Nothing to undo")):
                self.app._unnotify(note, refresh=False)
        self.notify(text, markup=False, timeout=2)

    def _undone(self, undone, statuses: dict[str, str]) -> None:
        if undone is None:
            self._undo_note("Nothing to undo.")
            return
        self.app.overrides.update(statuses)
        session = self.queue.session if self.queue else None
        if session is not None and undone.session == self.app.store.session \
                and session[undone.action] > 0:
            session[undone.action] -= 1  # the session counts what stands, not what was undone
        if undone.action == "edit":
            self.reload(focus=undone.proposal)  # the old version comes back into the queue
        elif self.queue:
            for pid, status in statuses.items():
                self._set_status(pid, status)
            if undone.action == "flag":
                self.queue.flagged.discard(undone.proposal)
            elif undone.action == "unflag":
                self.queue.flagged.add(undone.proposal)
            self.queue.go(undone.proposal)
            self.show_current()
        self._undo_note(render.message(f"Undid {undone.action}."))
