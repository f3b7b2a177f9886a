"""Group commit of generation results: many calls' proposals and cache marks in one write.

Each store write costs a file replace + fsync (tens of ms on a busy disk); at 32 answers a
second, writing them one by one is slower than the LLM. Callers await `put`, which returns
when their batch is durable.
"""

from __future__ import annotations

import asyncio
from typing import Any

from dynotui.core.models import Proposal


class BatchWriter:
    def __init__(self, store: Any, lock: asyncio.Lock) -> None:
        self.store, self.lock = store, lock
        self.pending: list[tuple[list[Proposal], str, dict, asyncio.Future]] = []
        self.running = False

    async def put(self, props: list[Proposal], key: str, info: dict) -> None:
        """Store the proposals, then mark the cache key; returns once both are on disk."""
        fut = asyncio.get_running_loop().create_future()
        self.pending.append((props, key, info, fut))
        if not self.running:
            self.running = True
            asyncio.ensure_future(self._drain())
        await fut

    async def _drain(self) -> None:
        try:
            while self.pending:
                batch, self.pending = self.pending, []
                try:
                    async with self.lock:
                        await asyncio.to_thread(self._write, batch)
                except BaseException as exc:  # noqa: BLE001 (handed to every waiter)
                    for *_, fut in batch:
                        if not fut.done():
                            fut.set_exception(exc)
                    if isinstance(exc, asyncio.CancelledError):
                        raise
                    continue
                for *_, fut in batch:
                    if not fut.done():
                        fut.set_result(None)
        finally:
            self.running = False

    def _write(self, batch: list) -> None:
        self.store.add_proposals([p for props, *_ in batch for p in props])
        marks = {key: info for _, key, info, _ in batch}
        many = getattr(self.store, "mark_generations", None)
        if many is not None:
            many(marks)
        else:
            for key, info in marks.items():
                self.store.mark_generation(key, info)
