"""The crawl's durable records: an append-only log, the resumable cursor, the generation queue.

WORKSPACE/crawl/log.jsonl holds one line per event, appended with one write() and fdatasync():
  {"t": "stage", "stage": K, "date", "query"}                      a crawl began stage K
  {"t": "seen", "stage", "id", "sha", "outcome", "reasons", ...}   one dataset examined
  {"t": "generated", "key", "sha", "stage", ...}                   its proposals were generated
Everything else (queue, stage counts) is derived from it, so there is one truth to lose.
WORKSPACE/crawl/cursor-<query>.json holds where the listing stands (replaced atomically).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dynotui.core.durable import JsonLines
from dynotui.core.errors import StoreError

FOLDER = "crawl"
LOG = "log.jsonl"
LOCK = ".lock"
OUTCOMES = ("queued", "skipped", "unchanged", "failed")


def crawl_dir(workspace: str | Path) -> Path:
    return Path(workspace) / FOLDER


class CrawlLog(JsonLines):
    """WORKSPACE/crawl/log.jsonl; one crawl writes at a time (the crawl lock)."""

    def __init__(self, workspace: str | Path) -> None:
        super().__init__(crawl_dir(workspace) / LOG)

    def read(self) -> list[dict[str, Any]]:
        return [r for r in super().read() if "t" in r]


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise StoreError(f"Cannot read {path}: {exc}.",
                         f"Move it aside (mv '{path}' '{path}.bad'); the crawl restarts that "
                         "query from its first page (datasets already seen are not re-fetched).") from exc


@dataclass
class QueueItem:
    """A dataset config waiting for generation."""

    id: str
    key: str
    sha: str | None
    stage: int
    ts: float = 0.0
    meta_key: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "sha": self.sha, "stage": self.stage, "ts": self.ts}


@dataclass
class History:
    """What the log says: stages, the latest record per dataset, the queue."""

    records: list[dict[str, Any]] = field(default_factory=list)

    def stages(self) -> list[dict[str, Any]]:
        """One summary per crawl stage: date, query, seen, skipped by reason, queued, generated."""
        out: dict[int, dict[str, Any]] = {}
        for r in self.records:
            if r["t"] == "stage":
                out.setdefault(r["stage"], {"stage": r["stage"], "date": r.get("date", ""),
                                            "query": r.get("query", {}), "seen": 0, "queued": 0,
                                            "unchanged": 0, "failed": 0, "skipped": {},
                                            "generated": 0, "runs": 0})
                out[r["stage"]]["runs"] += 1
        generated = {(r.get("key"), r.get("sha")) for r in self.records if r["t"] == "generated"}
        for r in self.records:
            if r["t"] != "seen" or r.get("stage") not in out:
                continue
            s = out[r["stage"]]
            s["seen"] += 1
            outcome = r.get("outcome")
            if outcome == "skipped":
                reason = (r.get("reasons") or ["unknown"])[0]
                s["skipped"][reason] = s["skipped"].get(reason, 0) + 1
            elif outcome in ("queued", "unchanged", "failed"):
                s[outcome] += 1
            if outcome == "queued" and (r.get("key"), r.get("sha")) in generated:
                s["generated"] += 1
        return [out[k] for k in sorted(out)]

    def last_stage(self) -> int:
        return max((r["stage"] for r in self.records if r["t"] == "stage"), default=0)

    def seen_in(self, stage: int) -> set[str]:
        return {r["id"] for r in self.records if r["t"] == "seen" and r.get("stage") == stage}

    def known(self) -> dict[str, str | None]:
        """Dataset id -> the latest revision examined (any stage)."""
        out: dict[str, str | None] = {}
        for r in self.records:
            if r["t"] == "seen" and r.get("outcome") != "failed":
                out[r["id"]] = r.get("sha")
        return out

    def queue(self) -> list[QueueItem]:
        """Datasets whose latest examination queued them and that have no generation since."""
        latest: dict[str, dict[str, Any]] = {}
        for r in self.records:
            if r["t"] == "seen" and r.get("outcome") != "unchanged":
                latest[r["id"]] = r
        done = {(r.get("key"), r.get("sha")) for r in self.records if r["t"] == "generated"}
        items = []
        for r in latest.values():
            if r.get("outcome") == "queued" and (r.get("key"), r.get("sha")) not in done:
                items.append(QueueItem(r["id"], r["key"], r.get("sha"), r["stage"], r.get("ts", 0.0)))
        return items

    def stage_of_keys(self) -> dict[str, int]:
        """Dataset key -> the stage that last queued it (for staged export)."""
        out: dict[str, int] = {}
        for r in self.records:
            if r["t"] == "seen" and r.get("outcome") == "queued" and r.get("key"):
                out[r["key"]] = r["stage"]
        return out


def history(workspace: str | Path) -> History:
    return History(CrawlLog(workspace).read())


def stage_summaries(workspace: str | Path) -> list[dict[str, Any]]:
    """For `dynotui stats` and the app: one dict per crawl stage."""
    return history(workspace).stages()


def stage_line(s: dict[str, Any]) -> str:
    """One crawl stage as a line of text (`dynotui crawl --stages`, `dynotui stats`, the app)."""
    query = ", ".join(f"{k}={v}" for k, v in (s.get("query") or {}).items() if v) or "all"
    skipped = sum(s["skipped"].values())
    reasons = ", ".join(f"{k} {n}" for k, n in sorted(s["skipped"].items(), key=lambda kv: -kv[1]))
    return (f"stage {s['stage']}  {str(s['date'])[:16]}  [{query}]  seen {s['seen']:,}, "
            f"queued {s['queued']:,}, generated {s['generated']:,}, unchanged {s['unchanged']:,}, "
            f"failed {s['failed']:,}, skipped {skipped:,}" + (f" ({reasons})" if reasons else ""))


def now() -> float:
    return time.time()
