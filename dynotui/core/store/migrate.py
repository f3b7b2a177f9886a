"""Schema migrations. Each step is safe to re-run after a crash: index.json is written last.

Schema 1 was a single TinyDB file `store.json` (default JSONStorage) with tables proposals,
meta ({key, meta}), decisions, generation ({key, info}) and stages.
"""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING

from dynotui.core.durable import atomic_write
from dynotui.core.errors import StoreError
from dynotui.core.models import DatasetMeta, Decision, Proposal
from dynotui.core.store.eventlog import KIND
from dynotui.core.store.files import MARKER, dumps, file_error
from dynotui.core.store.layout import LEGACY_V1, ROLL_EVENTS, SCHEMA, annotator_dir
from dynotui.core.store.proposals import DatasetFiles

if TYPE_CHECKING:
    from dynotui.core.store.workspace import Store

LEGACY = LEGACY_V1
SESSION_V1 = "migrated-v1"


def _read_v1(store: Store) -> dict:
    path = store.workspace / LEGACY
    try:
        data = json.loads(path.read_bytes() or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise file_error(path, f"(schema 1 store) is corrupt or truncated ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise file_error(path, "is not a dynotui schema 1 store (foreign content)")
    return data


def _write_events(store: Store, events: list[Decision]) -> None:
    by_annotator: dict[str, list[Decision]] = {}
    for event in sorted(events, key=lambda e: (e.ts, e.id)):
        by_annotator.setdefault(event.annotator, []).append(event)
    for annotator, evs in by_annotator.items():
        folder = annotator_dir(store.workspace, annotator)
        folder.mkdir(parents=True, exist_ok=True)
        for part, start in enumerate(range(0, len(evs), ROLL_EVENTS), 1):
            head = {MARKER: KIND, "schema": SCHEMA, "annotator": annotator,
                    "session": SESSION_V1, "created": time.time()}
            lines = [json.dumps(head)] + [json.dumps(e.to_dict(), ensure_ascii=False)
                                          for e in evs[start:start + ROLL_EVENTS]]
            # same name and content on a re-run, so a crash mid-migration is harmless
            atomic_write(folder / f"{SESSION_V1}-{part:04d}.jsonl",
                         ("\n".join(lines) + "\n").encode())


def from_v1(store: Store) -> None:
    """Split a schema 1 `store.json` into the schema 2 layout; keep the old file as a backup."""
    data = _read_v1(store)
    try:
        props = [Proposal.from_dict(d) for d in data.get("proposals", {}).values()]
        metas = [DatasetMeta.from_dict(d["meta"]) for d in data.get("meta", {}).values()]
        events = []
        for doc_id, doc in data.get("decisions", {}).items():
            doc = {"session": SESSION_V1, **doc}
            doc["id"] = doc.get("id") or f"v1-{doc_id}"
            events.append(Decision.from_dict(doc))
    except (KeyError, TypeError, ValueError) as exc:
        raise file_error(store.workspace / LEGACY,
                         f"(schema 1 store) has a record dynotui cannot read ({exc!r})") from exc
    files = DatasetFiles(store.workspace)
    files.add(props)
    for meta in metas:
        files.save_meta(meta)
    _write_events(store, events)
    index = store._index.fresh()
    index["generation"] = {k: {"key": d.get("key"), "info": d.get("info", {}), "ts": d.get("ts", 0)}
                           for k, d in data.get("generation", {}).items()}
    index["stages"] = dict(data.get("stages", {}))
    index[MARKER]["1"]["migrated_from"] = 1
    store._index.write(index)
    legacy = store.workspace / LEGACY
    os.replace(legacy, legacy.with_name(LEGACY + ".v1-migrated"))


def upgrade(store: Store, schema: int) -> None:
    """Upgrade an index.json-based workspace from `schema` to SCHEMA (none needed yet)."""
    raise StoreError(f"Workspace {store.workspace} has store schema {schema}, which has no "
                     f"migration to schema {SCHEMA}.", "Open it with the dynotui that wrote it.")


def write_v1(path, proposals: list[Proposal], decisions: list[Decision],
             metas: list[DatasetMeta] = ()) -> None:
    """Write a schema 1 store (for tests and for users downgrading by hand)."""
    data = {"proposals": {str(i): p.to_dict() for i, p in enumerate(proposals, 1)},
            "decisions": {str(i): {k: v for k, v in d.to_dict().items() if k not in ("id", "session")}
                          for i, d in enumerate(decisions, 1)},
            "meta": {str(i): {"key": m.ref.key, "meta": m.to_dict()} for i, m in enumerate(metas, 1)},
            "generation": {}, "stages": {}}
    path.write_bytes(dumps(data))
