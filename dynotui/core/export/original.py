"""`--style dynosaur`: one dataset config exported the way the original Dynosaur pipeline did.

Its rows are sampled once (dynotui.core.instances.sampling: 100 per train/validation split,
in the dataset's order), every task is planned on them (dynotui.core.instances.dynosaur:
label space, dropped tasks), then the kept tasks are written. No dedupe; --per-task samples
from a task's instances.
"""

from __future__ import annotations

from typing import Any

from dynotui.core import sources
from dynotui.core.export.select import Reservoir
from dynotui.core.export.writers import TaskInfo
from dynotui.core.instances import dynosaur
from dynotui.core.instances.sampling import excluded, original_rows
from dynotui.core.models import DatasetMeta, DatasetRef, Proposal


def read_rows(ref: DatasetRef, meta: DatasetMeta | None) -> tuple[list[dict], DatasetMeta, str]:
    """(rows, metadata, why the original skipped the dataset or ""); raises on a read failure."""
    whole = DatasetRef(ref.source, ref.name, ref.config, None, ref.revision)
    if meta is None or meta.ref.split is not None or not meta.splits:
        meta = sources.load_meta(whole, rows=0)  # every split, in the dataset's order
    names = [f.name for f in meta.features]
    why = excluded(names) if names else ""
    if why:
        return [], meta, f"dataset skipped: {why}"
    rows, _stopped = original_rows(lambda split, n: sources.iter_rows(whole, split, limit=n),
                                   list(meta.splits), meta.features)
    if not names and rows:
        why = excluded(list(rows[0]))
    return rows, meta, (f"dataset skipped: {why}" if why else "")


def export_group(run: Any, output: Any, store_meta: DatasetMeta | None, ref: DatasetRef,
                 group: list[Proposal], info_of: Any) -> list[TaskInfo]:
    """Write the group's kept tasks; returns their TaskInfo. info_of(p, ref, meta) -> TaskInfo."""
    report, options = run.report, run.options
    try:
        rows, meta, skipped_why = read_rows(ref, store_meta)
    except Exception as exc:  # one unreadable dataset must not sink the export
        report.failed_datasets[ref.key] = getattr(exc, "message", None) or str(exc) or \
            type(exc).__name__
        return []
    report.rows_read += len(rows)
    written: list[TaskInfo] = []
    for p in group:
        plan = (dynosaur.Plan(None, skipped_why) if skipped_why else
                dynosaur.plan(p.task, rows, meta.features, options.max_input, options.max_output))
        for reason, n in plan.skipped.items():
            report.skip(reason, n)
        if plan.instruction is None:
            report.drop(p.id, plan.dropped)
            continue
        info = info_of(p, ref, meta)
        info.instruction = plan.instruction
        writer = output.writers[info.split]
        writer.start_task(info)
        sink = writer.sink(info)
        pairs = plan.pairs
        if options.per_task and len(pairs) > options.per_task:
            reservoir = Reservoir(options.per_task, f"{options.seed}:{p.id}")
            for n, pair in enumerate(pairs):
                reservoir.offer((n, pair))
            pairs = [pair for _n, pair in reservoir.drain()]
        for inp, out, _cut in pairs:
            sink(inp, out)
        report.instances += len(pairs)
        report.cut += sum(1 for *_io, cut in pairs if cut)
        report.by_split[info.split] = report.by_split.get(info.split, 0) + len(pairs)
        written.append(info)
    return written
