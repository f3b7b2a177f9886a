"""Which accepted tasks go into an export, which split each lands in, and per-task sampling."""

from __future__ import annotations

import random
from typing import Any

from dynotui.core.errors import ExportError
from dynotui.core.export.options import ExportOptions, HELD_OUT, TRAIN
from dynotui.core.models import Proposal
from dynotui.core.sources.refs import filter_id


def _names(p: Proposal) -> set[str]:
    key = f"{p.dataset}/{p.config}" if p.config else p.dataset
    return {p.dataset, key, p.dataset.split(":", 1)[-1], key.split(":", 1)[-1]}


def filter_datasets(tasks: list[Proposal], wanted: list[str]) -> list[Proposal]:
    """Keep tasks whose dataset id, key (id/config) or bare name is in `wanted`."""
    if not wanted:
        return tasks

    typed = {filter_id(w): w for w in wanted}  # data/x.csv names local:/abs/data/x.csv
    wanted_set = set(typed)
    kept = [p for p in tasks if _names(p) & wanted_set]
    known = set().union(*(_names(p) for p in tasks)) if tasks else set()
    unknown = sorted(typed[w] for w in wanted_set - known)
    if unknown:
        raise ExportError(f"No accepted task on dataset(s): {', '.join(unknown)}.",
                          "Run `dynotui stats` to see the datasets with accepted tasks.")
    return kept


def select_tasks(tasks: list[Proposal], options: ExportOptions,
                 workspace: Any = None) -> list[Proposal]:
    """The selection step over accepted tasks (stable order in, stable order out).

    max_per_dataset: at most N tasks per dataset config, sampled with the seed.
    diverse: K tasks with diverse instruction embeddings (dynotui.core.embed); with both,
    the per-dataset cap is applied inside the diverse pick. `workspace` holds the vector cache.
    """
    tasks = sorted(tasks, key=lambda p: (p.dataset, p.config or "", p.id))
    if options.max_per_dataset and not options.diverse:
        groups: dict[tuple[str, str], list[Proposal]] = {}
        for p in tasks:
            groups.setdefault((p.dataset, p.config or ""), []).append(p)
        kept: list[Proposal] = []
        for key, group in groups.items():
            if len(group) > options.max_per_dataset:
                rng = random.Random(f"{options.seed}:{key[0]}/{key[1]}")
                group = sorted(rng.sample(group, options.max_per_dataset), key=lambda p: p.id)
            kept.extend(group)
        tasks = kept
    if options.diverse and (len(tasks) > options.diverse or options.max_per_dataset):
        try:
            from dynotui.core.embed import select_diverse  # numpy: only for --diverse
        except ImportError as exc:
            raise ExportError("Diverse selection needs the embeddings extra.",
                              "Install it with `pip install 'dynotui[embeddings]'`.") from exc
        chosen = {p.id for p in select_diverse(
            tasks, options.diverse, seed=options.seed, max_per_dataset=options.max_per_dataset,
            model=options.embed_model, workspace=workspace)}
        tasks = [p for p in tasks if p.id in chosen]
    return tasks


def split_tasks(tasks: list[Proposal], held_out: float | None, seed: int,
                by: str = "task") -> dict[str, str]:
    """proposal id -> split; held-out tasks are drawn BY TASK so no task is in both splits, or
    (by="dataset") by dataset, so no dataset's rows reach both splits through two tasks."""
    if not held_out:
        return {p.id: TRAIN for p in tasks}
    group = (lambda p: p.dataset) if by == "dataset" else (lambda p: p.id)
    keys = sorted({group(p) for p in tasks})
    if len(keys) < 2:
        what = "datasets" if by == "dataset" else "tasks"
        raise ExportError(f"--held-out needs at least 2 {what}; {len(keys)} selected.",
                          "Accept more tasks, use --held-out-by task, or drop --held-out."
                          if by == "dataset" else "Accept more tasks or drop --held-out.")
    n = min(len(keys) - 1, max(1, round(held_out * len(keys))))
    held = set(random.Random(f"held-out:{seed}").sample(keys, n))
    return {p.id: HELD_OUT if group(p) in held else TRAIN for p in tasks}


class Reservoir:
    """Up to `size` items drawn uniformly from a stream, reproducible for a seed (Algorithm R)."""

    def __init__(self, size: int, seed: str) -> None:
        self.size = size
        self.items: list[Any] = []
        self.seen = 0
        self._rng = random.Random(seed)

    def offer(self, item: Any) -> None:
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
            return
        j = self._rng.randrange(self.seen)
        if j < self.size:
            self.items[j] = item

    def drain(self) -> list[Any]:
        """Chosen items in stream order (a seq number is kept with each item)."""
        items, self.items = sorted(self.items, key=lambda x: x[0]), []
        return items
