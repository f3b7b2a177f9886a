"""What a workspace shares through a Hub dataset repo, and how pulled files merge in.

Repo layout (every folder belongs to one annotator, so nobody rewrites another's file):
  decisions/<annotator>/<session>-<n>.jsonl   the workspace's own event files, byte for byte
  datasets/<annotator>/<dataset>.jsonl        proposals and cached metadata this annotator
                                              brought, one JSON object per line
Event files are append-only, so a pulled copy only ever grows: it replaces the local copy
when the local one is a prefix of it. Proposals merge by id (a content hash), so a proposal
that arrived from two places is one proposal.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dynotui.core.errors import StoreError
from dynotui.core.models import DatasetMeta
from dynotui.core.store.eventlog import EventLog
from dynotui.core.durable import atomic_write, ensure_dir
from dynotui.core.store.layout import DECISIONS, annotator_dir, slug
from dynotui.core.store.proposals import proposal_from_doc, proposal_to_doc

DATASETS = "datasets"
KIND = "shared-dataset"
MERGED = ".merged.json"  # in the staging folder: repo path -> blob id merged last


@dataclass
class Merged:
    """What a pull brought into the workspace."""

    event_files: int = 0  # event files created or grown
    proposals: int = 0  # proposals new here
    metas: int = 0
    skipped: list[str] = field(default_factory=list)  # files not taken, with why


def blob_id(data: bytes) -> str:
    """The git blob id the Hub reports for a file (tree `oid`)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def whole_lines(path: Path) -> bytes:
    """A file up to its last newline (an event being appended right now is left for later)."""
    data = path.read_bytes()
    return data[:data.rfind(b"\n") + 1]


def own_decisions(workspace: Path, annotator: str) -> dict[str, bytes]:
    """This annotator's event files as repo path -> content."""
    folder = annotator_dir(workspace, annotator)
    out = {}
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        data = whole_lines(path)
        if data:
            out[f"{DECISIONS}/{folder.name}/{path.name}"] = data
    return out


def read_shared(path: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    """(proposal docs by id, meta docs by key) of one shared datasets file."""
    props: dict[str, dict] = {}
    metas: dict[str, dict] = {}
    for n, line in enumerate(path.read_bytes().splitlines(), 1):
        try:
            doc = json.loads(line)
        except ValueError as exc:
            raise StoreError(f"Shared file {path} is corrupt at line {n} ({exc}).",
                             "It is skipped; ask its annotator to sync again.") from exc
        if not isinstance(doc, dict):
            continue
        if isinstance(doc.get("proposal"), dict) and "id" in doc["proposal"]:
            props[doc["proposal"]["id"]] = doc["proposal"]
        elif isinstance(doc.get("meta"), dict) and "key" in doc["meta"]:
            metas[doc["meta"]["key"]] = doc["meta"]["meta"]
    return props, metas


def own_datasets(store: Any, staging: Path, own_slug: str) -> dict[str, bytes]:
    """Per dataset: the proposals and metadata this workspace holds that no other annotator's
    shared file has yet (plus what this annotator shared before, so nothing vanishes when two
    people share the same proposal at once)."""
    others_p: set[str] = set()
    others_m: set[str] = set()
    before: dict[str, tuple[dict, dict]] = {}
    for path in sorted((staging / DATASETS).glob("*/*.jsonl")):
        try:
            props, metas = read_shared(path)
        except StoreError:
            continue
        if path.parent.name == own_slug:
            before[path.name] = (props, metas)
        else:
            others_p.update(props)
            others_m.update(metas)
    groups: dict[str, tuple[list, list]] = {}
    for prop in store.proposals():
        groups.setdefault(prop.dataset, ([], []))[0].append(prop)
    for key, meta in store.metas().items():
        groups.setdefault(meta.ref.id, ([], []))[1].append((key, meta))
    out = {}
    for dataset, (props, metas) in sorted(groups.items()):
        name = f"{slug(dataset)}.jsonl"
        old_p, old_m = before.get(name, ({}, {}))
        lines = [{"proposal": proposal_to_doc(p)} for p in sorted(props, key=lambda p: p.id)
                 if p.id not in others_p or p.id in old_p]
        lines += [{"meta": {"key": k, "meta": m.to_dict()}} for k, m in sorted(metas)
                  if k not in others_m or k in old_m]
        if lines:
            head = {"_dynotui": KIND, "dataset": dataset}
            out[f"{DATASETS}/{own_slug}/{name}"] = b"".join(
                json.dumps(doc, ensure_ascii=False, sort_keys=True).encode() + b"\n"
                for doc in [head, *lines])
    return out


def merge(store: Any, staging: Path, own_slug: str) -> Merged:
    """Bring pulled files from `staging` into the workspace (never another annotator's file
    rewritten, never a local event lost). Files merged before and unchanged since are
    skipped (staging/.merged.json); one not recorded there yet is merged again, so an
    interrupted merge finishes on the next sync."""
    report = Merged()
    done = _merged_state(staging)
    todo = {}
    for path in sorted([*(staging / DECISIONS).glob("*/*.jsonl"),
                        *(staging / DATASETS).glob("*/*.jsonl")]):
        rel = path.relative_to(staging).as_posix()
        blob = blob_id(path.read_bytes())
        if done.get(rel) != blob:
            todo[rel] = (path, blob)
    with store.locked():
        for rel, (path, _) in todo.items():
            if rel.startswith(f"{DECISIONS}/") and path.parent.name != own_slug:
                _merge_events(store.workspace, path, report)
    props, metas = [], []
    for rel, (path, _) in todo.items():
        if not rel.startswith(f"{DATASETS}/"):
            continue
        try:
            docs, meta_docs = read_shared(path)
        except StoreError as exc:
            report.skipped.append(exc.message)
            continue
        props += [proposal_from_doc(d) for d in docs.values()]
        metas += list(meta_docs.values())
    report.proposals = len(store.add_proposals(props))
    # the same proposal from two places: everyone keeps the copy with the smallest key
    ours = {p.id: p for p in store.proposals()}
    better = {}
    for prop in props:
        held = better.get(prop.id, ours.get(prop.id))
        if held is not None and held is not prop and _rank(prop) < _rank(held):
            better[prop.id] = prop
    store.replace_proposals(list(better.values()))
    for doc in metas:
        meta = DatasetMeta.from_dict(doc)
        if store.load_meta(meta.ref.key) is None:
            store.save_meta(meta)
            report.metas += 1
    done.update({rel: blob for rel, (_, blob) in todo.items()})
    ensure_dir(staging)
    atomic_write(staging / MERGED, json.dumps(done, sort_keys=True).encode())
    return report


def _merged_state(staging: Path) -> dict[str, str]:
    try:
        data = json.loads((staging / MERGED).read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _rank(prop) -> tuple[float, str]:
    return (prop.created, json.dumps(proposal_to_doc(prop), sort_keys=True))


def _merge_events(workspace: Path, path: Path, report: Merged) -> None:
    rel = f"{path.parent.name}/{path.name}"
    log = EventLog(path)
    try:
        log.load_new()
    except StoreError as exc:
        report.skipped.append(f"{rel}: {exc.message}")
        return
    who = (log.header or {}).get("annotator", "")
    if annotator_dir(workspace, str(who)).name != path.parent.name or any(
            doc.get("annotator") != who for doc in log.docs):
        report.skipped.append(f"{rel}: its events are not all by the annotator it belongs to")
        return
    data = whole_lines(path)
    target = workspace / DECISIONS / path.parent.name / path.name
    local = target.read_bytes() if target.exists() else b""
    if local.startswith(data):
        return  # the same, or the local copy is newer than the Hub's
    if not data.startswith(local):
        report.skipped.append(f"{rel}: differs from the local copy (kept the local one)")
        return
    ensure_dir(target.parent)
    atomic_write(target, data)
    report.event_files += 1
