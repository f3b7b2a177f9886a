"""Staged export with replay (the paper's continual-learning setting).

A task's stage is the crawl stage that queued its dataset at that revision (the proposal's own
`stage` when set; 0 for tasks on datasets no crawl queued). Exporting stage K takes the
accepted tasks of stage K plus N tasks replayed from earlier stages, chosen by instruction
embeddings: `diverse` covers the earlier instruction space (greedy farthest point, which the
paper found best), `similar` takes the earlier tasks nearest to stage K's instructions,
`random` is the seeded baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dynotui.core.errors import ExportError
from dynotui.core.growth.log import history
from dynotui.core.models import Proposal

REPLAY_BY = ("diverse", "similar", "random")


@dataclass(frozen=True)
class Mark:
    """What an exported task says about itself."""

    stage: int
    replay: bool


def stage_map(workspace: Any) -> dict[tuple[str, str | None], int]:
    """(dataset key, revision) -> stage, and (key, None) -> the latest stage that queued it."""
    out: dict[tuple[str, str | None], int] = {}
    for r in history(workspace).records:
        if r["t"] == "seen" and r.get("outcome") == "queued" and r.get("key"):
            out[(r["key"], r.get("sha"))] = r["stage"]
            out[(r["key"], None)] = r["stage"]
    return out


def stage_of(p: Proposal, stages: dict[tuple[str, str | None], int]) -> int:
    if p.stage is not None:
        return int(p.stage)
    key = f"{p.dataset}/{p.config}" if p.config else p.dataset
    found = stages.get((key, p.revision))
    if found is None:
        found = stages.get((key, None))
    if found is None and p.config in (None, "default"):
        found = stages.get((p.dataset, p.revision), stages.get((p.dataset, None)))
    return found if found is not None else 0


def _vectors(tasks: list[Proposal], model: str | None, workspace: Any):
    from dynotui.core.embed.vectors import embed_texts  # numpy: only when replay asks for vectors

    vectors, _ = embed_texts([p.task.instruction for p in tasks], model, workspace)
    return vectors


def pick_replay(earlier: list[Proposal], current: list[Proposal], n: int, by: str, seed: int = 0,
                model: str | None = None, workspace: Any = None) -> list[Proposal]:
    """N of the earlier tasks by the chosen rule (all of them when there are no more)."""
    if by not in REPLAY_BY:
        raise ExportError(f"Unknown replay rule '{by}'.", f"Use one of: {', '.join(REPLAY_BY)}.")
    if n <= 0 or not earlier:
        return []
    if n >= len(earlier):
        return list(earlier)
    if by == "random":
        from dynotui.core.embed.select import random_pick  # numpy: only for replay

        chosen = set(random_pick(len(earlier), n, seed))
        return [p for i, p in enumerate(earlier) if i in chosen]
    vectors = _vectors(earlier, model, workspace)
    if by == "diverse":
        from dynotui.core.embed.select import farthest_point  # numpy: only for replay

        chosen = set(farthest_point(vectors, n, seed))
        return [p for i, p in enumerate(earlier) if i in chosen]
    import numpy as np

    targets = _vectors(current, model, workspace)
    closeness = (vectors @ targets.T).max(axis=1) if len(targets) else np.zeros(len(earlier))
    order = sorted(range(len(earlier)), key=lambda i: (-float(closeness[i]), earlier[i].id))
    chosen = set(order[:n])
    return [p for i, p in enumerate(earlier) if i in chosen]


def select_stage(store: Any, tasks: list[Proposal], stage: int, replay: int = 0,
                 by: str = "diverse", seed: int = 0, model: str | None = None
                 ) -> tuple[list[Proposal], dict[str, Mark]]:
    """Stage K's accepted tasks plus the replayed ones, and each task's Mark (by proposal id)."""
    if replay < 0:
        raise ExportError(f"--replay must be 0 or more (got {replay}).")
    if by not in REPLAY_BY:
        raise ExportError(f"Unknown replay rule '{by}'.", f"Use one of: {', '.join(REPLAY_BY)}.")
    stages = stage_map(store.workspace)
    of = {p.id: stage_of(p, stages) for p in tasks}
    current = sorted((p for p in tasks if of[p.id] == stage), key=lambda p: p.id)
    if not current:
        known = sorted(set(of.values()))
        raise ExportError(f"No accepted task in stage {stage}.",
                          "Stages with accepted tasks: "
                          f"{', '.join(map(str, known)) or 'none'} (see `dynotui stats`).")
    earlier = sorted((p for p in tasks if of[p.id] < stage), key=lambda p: p.id)
    replayed = pick_replay(earlier, current, replay, by, seed, model, store.workspace)
    marks = {p.id: Mark(stage, False) for p in current}
    marks.update({p.id: Mark(of[p.id], True) for p in replayed})
    return current + replayed, marks


def apply_to_export(store: Any, tasks: list[Proposal], options: Any
                    ) -> tuple[list[Proposal], dict[str, Mark]]:
    """The export's staged selection (options.stage / replay / replay_by / seed); no stage: as is."""
    if getattr(options, "stage", None) is None:
        if getattr(options, "replay", None):
            raise ExportError("--replay needs --stage K.",
                              "Name the stage to export; `dynotui stats` lists the stages.")
        return tasks, {}
    return select_stage(store, tasks, int(options.stage), int(options.replay or 0),
                        getattr(options, "replay_by", None) or "diverse", options.seed,
                        getattr(options, "embed_model", None))


def stage_suffix(mark: Mark | None) -> str:
    """The JSON members every exported row of a staged task carries: `, "stage": K, "replay": b`."""
    if mark is None:
        return ""
    return f', "stage": {int(mark.stage)}, "replay": {"true" if mark.replay else "false"}'


def with_stage(encode: Any, mark: Mark | None) -> Any:
    """Wrap a writer's (input, output) -> JSON object text encoder to add the stage members."""
    suffix = stage_suffix(mark)
    if not suffix:
        return encode
    return lambda inp, out: encode(inp, out)[:-1] + suffix + "}"
