"""The workspace index (index.json): the generation cache and the stages, as Store methods."""

from __future__ import annotations

import time

from tinydb import Query

from dynotui.core.store.files import flush_deferred
from dynotui.core.store.locking import serial
from dynotui.core.store.proposals import table


class IndexTables:
    """Mixed into Store, which provides `_index` (the index file's storage), `_mutex` and
    `locked()`."""

    @serial
    def generation_done(self, key: str) -> bool:
        return any(d.get("key") == key for d in self._index.fresh().get("generation", {}).values())

    @serial
    def mark_generation(self, key: str, info: dict) -> None:
        with self.locked():
            table(self._index, "generation").upsert(
                {"key": key, "info": info, "ts": time.time()}, Query().key == key)

    @serial
    def mark_generations(self, items: dict[str, dict]) -> None:
        """mark_generation for many keys with one write of the index (generation runs)."""
        if not items:
            return
        with self.locked():
            batch: list = []
            self._index.deferred = batch
            try:
                gen, now = table(self._index, "generation"), time.time()
                for key, info in items.items():
                    gen.upsert({"key": key, "info": info, "ts": now}, Query().key == key)
            finally:
                self._index.deferred = None
            flush_deferred(batch)

    @serial
    def generations(self) -> dict[str, dict]:
        return {d["key"]: d.get("info", {}) for d in self._index.fresh().get("generation", {}).values()}

    @serial
    def add_stage(self, info: dict) -> int:
        with self.locked():
            return table(self._index, "stages").insert({**info, "ts": time.time()})

    @serial
    def stages(self) -> list[dict]:
        docs = self._index.fresh().get("stages", {})
        return [{**doc, "id": int(key)} for key, doc in sorted(docs.items(), key=lambda kv: int(kv[0]))]
