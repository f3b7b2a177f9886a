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
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dynotui.core.errors import StoreError

FOLDER = "crawl"
LOG = "log.jsonl"
LOCK = ".lock"
OUTCOMES = ("queued", "skipped", "unchanged", "failed")


def crawl_dir(workspace: str | Path) -> Path:
    return Path(workspace) / FOLDER


class JsonLines:
    """An append-only JSON-lines file: whole lines, durable on return, torn tails ignored."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.folder = self.path.parent
        self._fd: int | None = None
        self._mutex = threading.Lock()

    def read(self) -> list[dict[str, Any]]:
        """Every complete line; a torn last line (killed mid-write) is ignored."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"Cannot read {self.path}: {exc.strerror}.",
                             "Check the file's permissions.") from exc
        end = raw.rfind(b"\n") + 1
        out = []
        for number, line in enumerate(raw[:end].splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise StoreError(f"The log {self.path} is corrupt at line {number}.",
                                 f"Move it aside (mv '{self.path}' '{self.path}.bad') to start "
                                 "its history afresh.") from exc
            if isinstance(record, dict):
                out.append(record)
        return out

    def _open(self) -> int:
        if self._fd is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            size = os.fstat(self._fd).st_size
            if size:
                with open(self.path, "rb") as fh:
                    fh.seek(size - 1)
                    torn = fh.read(1) != b"\n"
                if torn:  # a killed writer left half a line: end it so the next line is whole
                    os.write(self._fd, b"\n")
        return self._fd

    def append(self, *records: dict[str, Any]) -> None:
        """Durable when this returns: one write (a kill leaves all or nothing) and fdatasync."""
        blob = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n"
                       for r in records).encode()
        with self._mutex:
            fd = self._open()
            try:
                os.write(fd, blob)
                os.fdatasync(fd)
            except OSError as exc:
                raise StoreError(f"Cannot write {self.path}: {exc.strerror}.",
                                 "Check free disk space, then run the command again.") from exc

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class CrawlLog(JsonLines):
    """WORKSPACE/crawl/log.jsonl; one crawl writes at a time (the crawl lock)."""

    def __init__(self, workspace: str | Path) -> None:
        super().__init__(crawl_dir(workspace) / LOG)

    def read(self) -> list[dict[str, Any]]:
        return [r for r in super().read() if "t" in r]


def write_json(path: Path, data: Any) -> None:
    """Replace a small JSON file atomically (temp file, fsync, rename)."""
    from dynotui.core.store.files import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1).encode())


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
