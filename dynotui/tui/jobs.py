"""Blocking work the screens run inside thread workers (store reads, metadata, generation)."""

from __future__ import annotations

import threading
from typing import Any, Callable

from dynotui.core.models import DatasetMeta, DatasetRef
from dynotui.core.store import changes
from dynotui.tui.queue import ReviewQueue


def ref_for(dataset: str, config: str | None = None, revision: str | None = None) -> DatasetRef:
    return DatasetRef.from_id(dataset, config, revision=revision)


def meta_key(dataset: str, config: str | None) -> str:
    return ref_for(dataset, config).key


def fetch_meta(store: Any, settings: Any, dataset: str, config: str | None,
               cache: dict[str, DatasetMeta]) -> DatasetMeta:
    """From the cache, the store, or the source itself (then saved in the store)."""
    key = meta_key(dataset, config)
    if key in cache:
        return cache[key]
    meta = store.load_meta(key)
    if meta is None:
        # Deferred for start-up time (jobs loads with the app): the sources package, ~10 ms.
        from dynotui.core.sources import load_meta

        meta = load_meta(ref_for(dataset, config), rows=settings.sample_rows, settings=settings)
        store.save_meta(meta)
    cache[key] = meta
    if meta.ref.key != key:
        cache[meta.ref.key] = meta
    return meta


def load_queue(store: Any, annotator: str, overlap: int = 0, conflicts: bool = False,
               adjudicators: list[str] | None = None) -> ReviewQueue:
    """The review queue; conflicts=True: only proposals annotators disagree on; overlap:
    leave out what that many others decided (dynotui.core.team)."""
    mark, _ = store.events_after(None)  # taken first: later events reach the watch again
    files = changes.files_mark(store)  # and later proposals (tui/watch.py)
    proposals = store.live_proposals()  # the core decides which versions count
    statuses = store.statuses(annotator)
    team: dict = {}
    if conflicts:
        from dynotui.core.team.conflicts import conflicts as find  # deferred for start-up time

        team = {p.id: c for c in find(store, adjudicators or []) for p in c.versions}
        proposals = [p for p in proposals if p.id in team]
    first: dict[str, float] = {}
    for p in proposals:
        first[p.dataset] = min(first.get(p.dataset, p.created), p.created)
    # One dataset after another (oldest first), each in the order its proposals arrived.
    proposals.sort(key=lambda p: (first[p.dataset], p.dataset, p.created, p.version))
    if overlap and not conflicts:
        from dynotui.core.team.overlap import store_arrange  # deferred for start-up time

        proposals = store_arrange(store, proposals, annotator, overlap, statuses,
                                  adjudicators or [])
    queue = ReviewQueue(proposals, statuses, store.flagged())
    queue.team = team
    queue.problems = [str(problem) for problem in store.problems]
    queue.others, queue.mark, queue.files = store.others(annotator), mark, files
    return queue


def generate(store: Any, settings: Any, refs: list[DatasetRef], force: bool,
             progress: Callable[[int, int, int, float, str], None],
             cancel: threading.Event, regenerate: bool = False) -> Any:
    """Run the core generation for `refs` with the configured variants, reporting tokens and
    cost as answers arrive; regenerate: with the datasets' rejections as feedback."""
    # Deferred for start-up time: the generation package costs ~65 ms (CPU, loaded machine).
    from dynotui.core.generation.run import generate as run

    def on_progress(event: Any) -> None:  # sums for the run so far, after each call
        label = f"{event.dataset} {event.variant}: {event.status} · {event.kept} kept"
        progress(event.done, event.total, event.tokens_in + event.tokens_out, event.cost_usd,
                 label)

    return run(refs, store, settings, force=force, on_progress=on_progress, cancel=cancel,
               regenerate=regenerate)


def describe_report(report: Any) -> str:
    """One line a person reads after a generation run."""
    if report is None:
        return "Generation finished."
    data = report.to_dict()
    calls = data.get("calls", {})
    kept, by_rule = data.get("kept", 0), data.get("rejected", {})
    failing = sum(by_rule.values())
    # Proposals that fail a check are stored too, and reviewed with their ✗ reasons.
    added = f"{kept + failing} proposals added ({kept} pass the checks"
    if failing:
        rules = ", ".join(f"{rule} {n}" for rule, n in sorted(by_rule.items(), key=lambda x: -x[1]))
        added += f", {failing} with errors: {rules}"
    parts = [added + ")"]
    tokens = data.get("tokens_in", 0) + data.get("tokens_out", 0)
    parts.append(f"{tokens:,} tokens, ${data.get('cost_usd', 0.0):.4f}")
    for status in ("cached", "failed", "cancelled"):
        if calls.get(status):
            parts.append(f"{calls[status]} {status}")
    errors = [d["error"] for d in data.get("datasets", []) if d.get("error")]
    head = "Generation cancelled: " if calls.get("cancelled") else "Generation done: "
    text = head + ", ".join(parts) + "."
    if errors:
        text += " " + errors[0]
    return text
