"""Store writes (decide, edit, undo) run one at a time, in key-press order, off the UI thread.

A pool of workers would not keep order: `accept` then `backspace` must reach the store in that
order, so one thread drains a FIFO and reports each result through `post`.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Job:
    kind: str  # decide | edit | undo
    pid: str
    call: Callable[[], Any]
    info: dict[str, Any] = field(default_factory=dict)


class StoreWriter:
    def __init__(self, post: Callable[[Job, Any, BaseException | None], None]) -> None:
        self._post = post
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self.pending = 0
        self._thread = threading.Thread(target=self._run, name="dynotui-store-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        with self._lock:
            self.pending += 1
        self._jobs.put(job)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            result: Any = None
            error: BaseException | None = None
            try:
                result = job.call()
            except Exception as exc:  # reported to the UI, which keeps running
                error = exc
            with self._lock:
                self.pending -= 1
            try:
                self._post(job, result, error)
            except Exception:
                pass  # the app is gone; the write itself is done

    def close(self, timeout: float = 30.0) -> bool:
        """Finish queued writes and stop; True when everything was written."""
        self._jobs.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()
