"""Embeddings of a whole workspace: its live proposals, their near-duplicate groups on file.

Live proposals: every stored proposal except versions superseded by an edit. Groups are saved
in WORKSPACE/embeddings/<model-slug>/groups-<threshold>.json, keyed by the set of ids, so
`stats` reads them without loading the model while nothing was added.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Callable

import numpy as np

from dynotui.core.durable import atomic_write
from dynotui.core.embed.cache import model_dir, text_key
from dynotui.core.embed.groups import NearGroups, near_groups, spread
from dynotui.core.embed.model import INSTALL_HINT, available, model_label
from dynotui.core.embed.vectors import EmbedReport, embed_texts
from dynotui.core.errors import ConfigError, StoreError
from dynotui.core.models import Proposal

SUPERSEDED = "edited"
GROUPING = "centres-2"  # saved groups of another grouping rule are computed again
_DIRECTION = re.compile(r"\b(\w+)\s+(?:to|into|->|→)\s+(\w+)", re.IGNORECASE)


def swapped(a: Any, b: Any) -> bool:
    """Tasks that go opposite ways: the fields traded (question -> answer vs answer -> question)
    or the direction words reversed ("English to French" vs "French to English")."""
    if a.output_field != b.output_field and a.output_field in b.input_fields \
            and b.output_field in a.input_fields:
        return True
    ways = {(x.lower(), y.lower()) for x, y in _DIRECTION.findall(a.instruction) if x != y}
    return any((y.lower(), x.lower()) in ways for x, y in _DIRECTION.findall(b.instruction))


def apart_rule(tasks: list[Any]) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """swapped() for arrays of row pairs at once: each task read once, not once per close pair
    (50k proposals can have millions of close pairs)."""
    field: dict[str, int] = {}
    outs = np.array([field.setdefault(t.output_field, len(field)) for t in tasks], np.int64)
    ins = [[field.setdefault(f, len(field)) for f in t.input_fields] for t in tasks]
    wide = max(len(field), 1)
    takes = np.array(sorted({j * wide + f for j, fs in enumerate(ins) for f in fs}), np.int64)
    read: dict[str, tuple[set, set]] = {}  # per distinct instruction: its ways, reversed
    for t in tasks:
        if t.instruction not in read:
            found = _DIRECTION.findall(t.instruction)
            read[t.instruction] = ({(x.lower(), y.lower()) for x, y in found if x != y},
                                   {(y.lower(), x.lower()) for x, y in found})
    ways = [read[t.instruction][0] for t in tasks]
    back = [read[t.instruction][1] for t in tasks]
    worded = np.array([bool(w) for w in ways]), np.array([bool(b) for b in back])

    def apart(i: np.ndarray, j: np.ndarray) -> np.ndarray:
        traded = outs[i] != outs[j]
        ti, tj = i[traded], j[traded]
        traded[traded] = np.isin(tj * wide + outs[ti], takes) & np.isin(ti * wide + outs[tj], takes)
        for k in np.nonzero(~traded & worded[0][i] & worded[1][j])[0].tolist():
            traded[k] = not ways[i[k]].isdisjoint(back[j[k]])
        return traded
    return apart


def settings_model(settings: Any = None, model: str | None = None) -> str | None:
    return model if model is not None else getattr(settings, "embed_model", None)


def settings_threshold(settings: Any = None, threshold: float | None = None) -> float:
    value = threshold if threshold is not None else getattr(settings, "near_duplicate", 0.9)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < float(value) <= 1:
        where = "--threshold" if threshold is not None else "near_duplicate"
        raise ConfigError(f"{where} must be a cosine above 0 and at most 1 (got {value!r}).",
                          "For example 0.9 (set near_duplicate = 0.9 in the config file).")
    return float(value)


def live_proposals(store: Any) -> tuple[list[Proposal], dict[str, str]]:
    """Proposals not superseded by an edit (sorted by id), and everyone's latest status."""
    statuses = store.statuses("*")
    props = [p for p in store.live_proposals() if statuses.get(p.id) != SUPERSEDED]
    return sorted(props, key=lambda p: p.id), statuses


def embed_workspace(store: Any, model: str | None = None,
                    on_progress: Callable[[int, int], None] | None = None,
                    props: list[Proposal] | None = None,
                    ) -> tuple[list[Proposal], np.ndarray, EmbedReport]:
    """Vectors of the live proposals' instructions; only instructions not cached are embedded."""
    if props is None:
        props, _ = live_proposals(store)
    vectors, report = embed_texts([p.task.instruction for p in props], model, store.workspace,
                                  on_progress)
    return props, vectors, report


def _groups_path(workspace: Path, model: str | None, threshold: float) -> Path:
    return model_dir(workspace, model) / f"groups-{threshold:.4f}.json"


def _ids_key(ids: list[str]) -> str:
    return hashlib.sha256("\n".join([GROUPING, *sorted(ids)]).encode()).hexdigest()


def saved_groups(store: Any, threshold: float | None = None, model: str | None = None,
                 settings: Any = None, props: list[Proposal] | None = None) -> NearGroups | None:
    """The groups on file when they cover exactly the live proposals; never loads the model."""
    model = settings_model(settings, model)
    threshold = settings_threshold(settings, threshold)
    path = _groups_path(Path(store.workspace), model, threshold)
    if not path.is_file():
        return None  # never computed: no need to read every proposal to say so
    # the ids from the statistics cache: parsing 100k proposals to check the key took ~8 s
    ids = store.live_ids("*", drop=SUPERSEDED) if props is None else [p.id for p in props]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("key") == _ids_key(ids):
            return NearGroups.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # missing or unreadable: computed again
    return None


def near_duplicate_groups(store: Any, threshold: float | None = None, model: str | None = None,
                          settings: Any = None,
                          on_progress: Callable[[int, int], None] | None = None) -> NearGroups:
    """Near-duplicate groups across the workspace (cosine >= threshold; exact repeats always).

    Reads the saved groups when the set of proposals is unchanged; otherwise embeds the new
    instructions, groups everything and saves the result.
    """
    model = settings_model(settings, model)
    threshold = settings_threshold(settings, threshold)
    props, _ = live_proposals(store)
    saved = saved_groups(store, threshold, model, props=props)
    if saved is not None:
        return saved
    props, vectors, _ = embed_workspace(store, model, on_progress, props)
    keys = [text_key(p.task.instruction) for p in props]
    rows = near_groups(vectors, threshold, same=keys, apart=apart_rule([p.task for p in props]))
    groups = NearGroups(threshold, model_label(model), len(props),
                        [[props[i].id for i in g] for g in rows],
                        [spread(vectors, g) for g in rows],
                        [len({props[i].task.instruction for i in g}) for g in rows])
    data = {"key": _ids_key([p.id for p in props]), **groups.to_dict()}
    path = _groups_path(Path(store.workspace), model, threshold)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(data).encode())
    except OSError as exc:
        raise StoreError(f"Cannot save the near-duplicate groups to {path}: {exc.strerror or exc}.",
                         "Check the workspace folder's permissions and free space.") from exc
    return groups


def near_duplicate_stats(store: Any, settings: Any = None, compute: bool = False
                         ) -> dict[str, Any] | None:
    """The `duplicates.near` figures for `stats`.

    compute=False: only groups already on file for exactly these proposals (never loads the
    model; None when there are none). compute=True: embeds what is new and groups; when that
    cannot be done, says why instead of failing the whole stats.
    """
    try:
        groups = saved_groups(store, settings=settings)
        if groups is None and compute:
            if not available():
                return {"available": False, "hint": INSTALL_HINT}
            groups = near_duplicate_groups(store, settings=settings)
    except Exception as exc:  # stats must still print everything else
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        return {"available": False, "error": message, "hint": getattr(exc, "hint", "")}
    return None if groups is None else {"available": True, **groups.stats()}
