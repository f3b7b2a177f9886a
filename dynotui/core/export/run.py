"""run_export: accepted tasks applied to their datasets' rows, streamed into the chosen format.

One function for the CLI and the TUI (which calls it from a worker thread: on_progress is
called from that thread, cancel is a threading.Event). Each dataset config is read once and
applied to all of its tasks; memory holds one row, the writers' buffers and the dedupe hashes.
Rows come from the proposal's split when it names one, else the sources' default (train, then
validation, then the first split). With style "dynosaur" (export/original.py) they are the
original pipeline's sample instead: 100 rows from each train/validation split.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from dynotui.core import sources
from dynotui.core.errors import ExportError
from dynotui.core.export.diskfull import disk_full, full_errno
from dynotui.core.export.hf import push_folder
from dynotui.core.export.options import ExportOptions, ExportReport, HELD_OUT, Progress, TRAIN
from dynotui.core.export.original import export_group
from dynotui.core.export.output import Output
from dynotui.core.export.replay import apply_to_export
from dynotui.core.export.select import Reservoir, filter_datasets, select_tasks, split_tasks
from dynotui.core.export.writers import TaskInfo
from dynotui.core.instances import Builder
from dynotui.core.models import DatasetMeta, DatasetRef, Proposal
from dynotui.core.team.conflicts import adjudicated

DUPLICATE = "duplicate"
PROGRESS_EVERY = 2000
CANCEL_EVERY = 256


@dataclass
class _Job:
    """One task of the dataset being read, with its writer and (per-task mode) reservoir."""

    proposal: Proposal
    info: TaskInfo
    builder: Builder
    sink: Callable[[str, str], None]  # writes (input, output)
    reservoir: Reservoir | None = None
    candidates: set[int] = field(default_factory=set)
    written: int = 0
    cut: int = 0


def group_tasks(tasks: list[Proposal]) -> list[tuple[DatasetRef, list[Proposal]]]:
    """Tasks grouped by the rows they read: dataset, config, split, revision (sorted)."""
    groups: dict[DatasetRef, list[Proposal]] = {}
    for p in tasks:
        groups.setdefault(p.ref, []).append(p)
    return sorted(groups.items(), key=lambda kv: (kv[0].key, kv[0].split or "", kv[0].revision or ""))


def _meta(store: Any, ref: DatasetRef) -> DatasetMeta | None:
    try:
        return store.load_meta(ref.key)
    except Exception:  # metadata only adds license/website; rows may still be readable
        return None


def _website(ref: DatasetRef, meta: DatasetMeta | None) -> str:
    if meta is not None and meta.website:
        return meta.website
    return f"https://huggingface.co/datasets/{ref.name}" if ref.source == "hub" else ""


def task_info(p: Proposal, ref: DatasetRef, meta: DatasetMeta | None, split: str) -> TaskInfo:
    base = ref.name.replace("/", "_") + (f"-{ref.config}" if ref.config else "")
    return TaskInfo(
        id=p.id, taskname=p.task_name or f"{base}_{p.id[:8]}", instruction=p.task.instruction,
        dataset=ref.key, license=", ".join(meta.license) if meta else "",
        website=_website(ref, meta), split=split,
        languages=list(meta.languages) if meta else [],
        categories=list(meta.task_categories) if meta else [],
        input_fields=list(p.task.input_fields), output_field=p.task.output_field)


class _Run:
    def __init__(self, options: ExportOptions, report: ExportReport,
                 on_progress: Callable[[Progress], None] | None,
                 cancel: threading.Event | None) -> None:
        self.options, self.report = options, report
        self.on_progress, self.cancel = on_progress, cancel
        self.seen: set[int] = set()
        # (input, output) hashes by split, to count held-out pairs that train also holds
        self.pairs: dict[str, set[int]] | None = {} if options.held_out else None
        self.datasets_done = 0
        self.datasets_total = 0

    def progress(self, dataset: str, reading: int = 0, jobs: list[_Job] = ()) -> None:
        """`reading`/`jobs`: the dataset being read, not yet folded into the report."""
        if self.on_progress is not None:
            r = self.report
            self.on_progress(Progress(self.datasets_done, self.datasets_total, dataset,
                                      r.rows_read + reading,
                                      r.instances + sum(j.written for j in jobs),
                                      sum(r.skipped.values())))

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def read_group(self, ref: DatasetRef, jobs: list[_Job]) -> None:
        """Stream the rows once, applying every task; dataset failures are recorded, not raised."""
        opts, report, seen = self.options, self.report, self.seen
        skipped, dedupe = report.skipped, opts.dedupe
        n = 0
        try:
            for row in sources.iter_rows(ref, ref.split, limit=opts.max_rows):
                n += 1
                for job in jobs:
                    inp, out, reason, cut = job.builder.apply(row)
                    if inp is None:
                        skipped[reason] = skipped.get(reason, 0) + 1
                        continue
                    key = hash((job.builder.instruction, inp, out)) if dedupe else 0
                    if job.reservoir is not None:
                        if dedupe and key in job.candidates:
                            skipped[DUPLICATE] = skipped.get(DUPLICATE, 0) + 1
                            continue
                        job.candidates.add(key)
                        job.reservoir.offer((n, key, inp, out, cut))
                        continue
                    if dedupe:
                        if key in seen:
                            skipped[DUPLICATE] = skipped.get(DUPLICATE, 0) + 1
                            continue
                        seen.add(key)
                    self.write(job, inp, out, cut)
                if n % CANCEL_EVERY == 0 and self.cancelled():
                    break
                if n % PROGRESS_EVERY == 0:
                    self.progress(ref.key, n, jobs)
        except Exception as exc:  # one unreadable dataset must not sink the export
            if full_errno(exc) is not None:
                raise  # a full disk sinks every dataset: run_export says so once
            reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            where = f" after {n} rows" if n else ""
            report.failed_datasets[ref.key] = f"{reason}{where}"
        report.rows_read += n
        self.drain(jobs)
        for job in jobs:
            report.instances += job.written
            report.cut += job.cut
            split = job.info.split
            report.by_split[split] = report.by_split.get(split, 0) + job.written

    def drain(self, jobs: list[_Job]) -> None:
        """Per-task mode: write each task's sample, in row order."""
        for job in jobs:
            if job.reservoir is None:
                continue
            for _n, key, inp, out, cut in job.reservoir.drain():
                if self.options.dedupe:
                    if key in self.seen:
                        self.report.skip(DUPLICATE)
                        continue
                    self.seen.add(key)
                self.write(job, inp, out, cut)
            job.candidates.clear()

    def write(self, job: _Job, inp: str, out: str, cut: int) -> None:
        job.sink(inp, out)
        job.written += 1
        job.cut += cut
        if self.pairs is not None:
            self.pairs.setdefault(job.info.split, set()).add(hash((inp, out)))

    def overlap(self) -> None:
        """Held-out (input, output) pairs that train holds too (other tasks on the same rows)."""
        if self.pairs is None:
            return
        held = self.pairs.get(HELD_OUT, set())
        self.report.held_out_pairs = len(held)
        self.report.held_out_overlap = len(held & self.pairs.get(TRAIN, set()))


def leave_out_invalid(tasks: list[Proposal], options: ExportOptions,
                      report: ExportReport) -> list[Proposal]:
    """Tasks whose checks found errors stay out unless --include-invalid (counted by rule)."""
    if options.include_invalid:
        return tasks
    kept = [p for p in tasks if not p.errors]
    for p in tasks:
        for rule in dict.fromkeys(v.rule for v in p.errors):
            report.left_out_rules[rule] = report.left_out_rules.get(rule, 0) + 1
    report.left_out_invalid = len(tasks) - len(kept)
    return kept


def _accepted(store: Any, options: ExportOptions) -> list:
    if options.policy != "adjudicated":
        return store.accepted(options.policy, options.annotator)
    if options.annotator:  # one annotator's own decisions: no policy applies
        return store.accepted("any", options.annotator)

    return adjudicated(store, options.adjudicators)


def run_export(store: Any, options: ExportOptions,
               on_progress: Callable[[Progress], None] | None = None,
               cancel: threading.Event | None = None) -> ExportReport:
    """Write the accepted tasks applied to their rows; returns what was written and skipped."""
    options.check()
    started = time.perf_counter()
    report = ExportReport(format=options.format)
    tasks = filter_datasets(_accepted(store, options), options.datasets)
    tasks = leave_out_invalid(tasks, options, report)
    tasks = select_tasks(tasks, options, workspace=getattr(store, "workspace", None))

    tasks, marks = apply_to_export(store, tasks, options)
    if not tasks and report.left_out_invalid:
        raise ExportError(f"Every accepted task ({report.left_out_invalid}) has error-level "
                          f"checks ({', '.join(report.left_out_rules)}).",
                          "Fix or reject them (`dynotui proposals --json` lists the checks), "
                          "or pass --include-invalid to export them anyway.")
    if not tasks:
        who = f" by {options.annotator}" if options.annotator else ""
        raise ExportError(f"No accepted tasks to export (policy '{options.policy}'{who}).",
                          "Accept proposals first (`dynotui decide ... accept` or the review "
                          "screen), or try another --policy / --annotator.")
    splits = split_tasks(tasks, options.held_out, options.seed, options.held_out_by)
    groups = group_tasks(tasks)
    report.tasks, report.datasets = len(tasks), len(groups)
    report.held_out_tasks = sum(1 for s in splits.values() if s != "train")
    run = _Run(options, report, on_progress, cancel)
    run.datasets_total = len(groups)
    target = Path(options.out).expanduser()
    try:
        output = Output(options.format, target, bool(options.held_out), options.trl_style,
                        options.include_invalid)
    except OSError as exc:
        raise disk_full(exc, target) or exc
    written: list[TaskInfo] = []  # tasks with instances, for the card and manifest

    def info_of(p: Proposal, ref: DatasetRef, meta: DatasetMeta | None) -> TaskInfo:
        info = task_info(p, ref, meta, splits[p.id])
        if p.id in marks:
            info.stage, info.replay = marks[p.id].stage, marks[p.id].replay
        return info

    try:
        for ref, group in groups:
            if run.cancelled():
                break
            meta = _meta(store, ref)
            if options.style == "dynosaur":  # rows sampled, tasks planned, then written

                run.progress(ref.key)
                written.extend(export_group(run, output, meta, ref, group, info_of))
                output.end_tasks([p.id for p in group])
            else:
                features = meta.features if meta else None
                jobs = []
                for p in group:
                    info = info_of(p, ref, meta)
                    writer = output.writers[info.split]
                    writer.start_task(info)
                    reservoir = (Reservoir(options.per_task, f"{options.seed}:{p.id}")
                                 if options.per_task else None)
                    builder = Builder(p.task, features, options.max_input, options.max_output)
                    jobs.append(_Job(p, info, builder, writer.sink(info), reservoir))
                run.progress(ref.key)
                run.read_group(ref, jobs)
                output.end_tasks([j.proposal.id for j in jobs])
                written.extend(j.info for j in jobs if j.written)
            report.tasks_written = len(written)
            run.datasets_done += 1
            run.progress(ref.key)
        run.overlap()
        written = output.settle(report, written)
        if run.cancelled():
            report.cancelled = True
            output.abort()
        elif not report.instances:  # e.g. no dataset readable: keep what is at PATH
            output.abort()
        else:
            output.finish(written, {"options": options.to_dict(), "report": report.to_dict()})
            report.paths = output.commit()
    except BaseException as exc:
        output.abort()  # nothing half-written is left at PATH
        full = disk_full(exc, target)
        if full is not None:
            raise full from exc
        raise
    if report.paths and options.push_to_hub:
        try:
            report.pushed = push_folder(Path(report.paths[0]), options.push_to_hub, options.private)
        except ExportError as exc:
            report.push_error = str(exc)
    report.seconds = round(time.perf_counter() - started, 3)
    return report
