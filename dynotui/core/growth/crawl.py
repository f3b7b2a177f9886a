"""Crawl the Hub listing: examine each new dataset once, record its catalog verdicts, queue the
ones that pass for generation. Resumable at any moment (see crawllog.py for the records).

Per dataset: the listing's card data decides first (license, language, declared features),
so a dataset it already rules out costs no call; the rest are opened (card + a few rows) by
sources.load_meta in a thread pool. The page being worked on is saved with the cursor, so a
killed crawl neither refetches it nor re-examines a dataset already recorded.
"""

from __future__ import annotations

import errno
import json
import secrets
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from dynotui.core.catalog import catalog_verdicts
from dynotui.core.durable import write_json
from dynotui.core.errors import DatasetError, DynoError, StoreError
from dynotui.core.growth.listing import SORTS, fetch_page, first_request
from dynotui.core.growth.log import CrawlLog, History, LOCK, crawl_dir, now, read_json
from dynotui.core.models import DatasetMeta, DatasetRef, Verdict
from dynotui.core.sources import load_meta
from dynotui.core.sources.assemble import card_features, config_names
from dynotui.core.sources.card import Card, card_list
from dynotui.core.sources.features import to_features
from dynotui.core.sources.hubclient import RETRYABLE, status_of, with_retries
from dynotui.core.store.layout import slug

CONCURRENCY = 8
RETRIES = 5  # per Hub call on 429/5xx/timeouts, waiting Retry-After or 0.5, 1, 2, 4, 8 s
CRAWL_ROWS = 20  # rows per split read while crawling: the verdicts, the prompt and the label check
ITEM_KEYS = ("id", "sha", "lastModified", "createdAt", "downloads", "cardData", "gated",
             "disabled", "private")


@dataclass
class CrawlReport:
    stage: int | None
    query: dict[str, Any]
    dry_run: bool = False
    resumed: bool = False
    finished: bool = False  # the listing is exhausted (or past --since)
    stopped: str = ""  # limit | cancelled | error
    error: str = ""
    pages: int = 0
    listing_calls: int = 0
    fetched: int = 0  # datasets opened (card + rows)
    seen: int = 0  # datasets recorded by this run
    queued: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # first failing rule -> count
    already: int = 0  # recorded earlier in this stage (a resumed run passes over them)
    would_fetch: int = 0  # dry run: datasets a real crawl would open
    seconds: float = 0.0
    stage_totals: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_since(text: str | None) -> str | None:
    """An ISO date or datetime -> a comparable UTC ISO string (DatasetError when malformed)."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise DatasetError(f"--since '{text}' is not a date.",
                           "Use an ISO date like 2024-05-01 or 2024-05-01T12:00.") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def premeta(item: dict[str, Any]) -> DatasetMeta:
    """What the listing's card data tells about a dataset, without opening it."""
    data = item.get("cardData") or {}
    data = data if isinstance(data, dict) else {}
    card = Card(data=data)
    try:
        features = to_features(card_features(card, config_names(card)[0]))
    except Exception:  # a malformed dataset_info: opening the dataset decides instead
        features = []
    return DatasetMeta(ref=DatasetRef("hub", item["id"], revision=item.get("sha")),
                       name=item["id"].split("/")[-1], license=card_list(data, "license"),
                       languages=card_list(data, "language"),
                       task_categories=card_list(data, "task_categories"), features=features,
                       revision=item.get("sha"))


def _errors(verdicts: list[Verdict]) -> list[str]:
    return [v.rule for v in verdicts if not v.ok and v.level == "error"]


def examine(item: dict[str, Any], settings: Any, rows: int, retries: int = RETRIES) -> tuple[dict[str, Any], DatasetMeta | None]:
    """(log record, meta to save when queued). Runs in a worker thread; never raises."""
    record: dict[str, Any] = {"t": "seen", "id": item["id"], "sha": item.get("sha"),
                              "fetched": False}
    deny, allow = settings.license_deny, settings.license_allow
    try:
        verdicts = catalog_verdicts(premeta(item), deny, allow)
    except Exception as exc:  # noqa: BLE001 - a strange card must not stop the crawl
        verdicts = [Verdict("card", False, f"unreadable card data: {exc}"[:300])]
    if _errors(verdicts):
        record.update(outcome="skipped", reasons=_errors(verdicts),
                      verdicts=[v.to_dict() for v in verdicts])
        return record, None

    ref = DatasetRef("hub", item["id"], revision=item.get("sha"))
    record["fetched"] = True
    try:
        meta = with_retries(lambda: load_meta(ref, rows=rows, settings=settings), retries)
    except Exception as exc:  # noqa: BLE001 - recorded with its reason
        message = exc.message if isinstance(exc, DynoError) else f"{type(exc).__name__}: {exc}"
        transient = status_of(exc) in RETRYABLE or "timed out" in message.lower()
        record.update(outcome="failed" if transient else "skipped", reasons=["load"],
                      verdicts=[Verdict("load", False, message[:500]).to_dict()])
        return record, None
    verdicts = meta.verdicts or catalog_verdicts(meta, deny, allow)
    record.update(key=meta.ref.key, verdicts=[v.to_dict() for v in verdicts],
                  configs=len(meta.configs) or 1)
    if _errors(verdicts):
        record.update(outcome="skipped", reasons=_errors(verdicts))
        return record, None
    record.update(outcome="queued", reasons=[])
    return record, meta


def _workspace_revisions(store: Any) -> dict[str, str | None]:
    out = {}
    for key in store.dataset_keys():
        if key.startswith("hub:"):
            meta = store.load_meta(key)
            if meta is not None and meta.revision:
                out[meta.ref.id.split(":", 1)[1]] = meta.revision
    return out


def _stage_number(store: Any, state: dict[str, Any]) -> int:
    """The stage of this crawl, created once: a kill between the two writes finds it by token."""
    for stage in store.stages():
        if stage.get("run") == state["token"]:
            return int(stage["id"])
    return int(store.add_stage({"kind": "crawl", "date": state["date"], "query": state["query"],
                                "run": state["token"]}))


def _trim(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in ITEM_KEYS if k in item}


def _state_path(workspace: Path, query: dict[str, Any]) -> Path:
    return crawl_dir(workspace) / f"cursor-{slug(json.dumps(query, sort_keys=True), 40)}.json"


class _Run:
    """One crawl invocation: the state, the log, the counters."""

    def __init__(self, store: Any, settings: Any, query: dict[str, Any], report: CrawlReport,
                 limit: int | None, rows: int, concurrency: int, on_progress, cancel,
                 retries: int = RETRIES) -> None:
        self.store, self.settings, self.query, self.report = store, settings, query, report
        self.limit, self.rows, self.concurrency = limit, rows, max(1, concurrency)
        self.on_progress, self.cancel, self.retries = on_progress, cancel, retries
        self.path = _state_path(store.workspace, query)
        self.log = CrawlLog(store.workspace)
        self.history = History(self.log.read())
        self.known = {**_workspace_revisions(store), **self.history.known()}
        self.state: dict[str, Any] = {}
        self.seen: set[str] = set()
        self.since = query.get("since")
        self.since_field = "createdAt" if query["sort"] == "created" else "lastModified"

    # -- state ----------------------------------------------------------------------------
    def begin(self) -> None:
        state = read_json(self.path)
        dry = self.report.dry_run
        if isinstance(state, dict) and not state.get("finished") and state.get("query") == self.query:
            self.report.resumed = True
        else:
            url, params = first_request(self.query["search"], self.query["task_category"],
                                        self.query["sort"])
            state = {"query": self.query, "token": secrets.token_hex(8),
                     "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "stage": None, "url": url, "params": params, "page": None,
                     "next": None, "pages": 0, "finished": False}
            if not dry:
                write_json(self.path, state)
        self.state = state
        if dry:
            self.report.stage = state.get("stage")
            return
        if state.get("stage") is None:
            state["stage"] = _stage_number(self.store, state)
            write_json(self.path, state)
        stage = int(state["stage"])
        self.report.stage = stage
        self.log.append({"t": "stage", "stage": stage, "date": state["date"], "query": self.query,
                         "resumed": self.report.resumed, "ts": now()})
        self.seen = self.history.seen_in(stage)

    def save(self) -> None:
        if not self.report.dry_run:
            write_json(self.path, self.state)

    # -- the loop -------------------------------------------------------------------------
    def cancelled(self) -> bool:
        return bool(self.cancel and self.cancel())

    def room(self, scheduled: int) -> bool:
        used = self.report.seen + self.report.would_fetch + scheduled
        return self.limit is None or used < self.limit

    def run(self) -> None:
        while True:
            if self.cancelled():
                self.report.stopped = "cancelled"
                return
            if self.state["page"] is None:
                if not self.state["url"]:
                    self.finish()
                    return
                try:
                    page = fetch_page(self.state["url"], self.state.get("params"), self.retries)
                finally:
                    self.report.listing_calls += 1
                self.state.update(page=[_trim(i) for i in page.items if i.get("id")],
                                  next=page.next_url)
                self.save()
            done = self.work_page(self.state["page"])
            if done == "page":
                self.state.update(url=self.state["next"], params=None, page=None, next=None,
                                  pages=self.state["pages"] + 1)
                self.report.pages += 1
                self.save()
                continue
            if done == "since":
                self.finish()
            return

    def finish(self) -> None:
        self.report.finished = True
        self.state["finished"] = True
        self.save()

    def pending(self, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
        """The items of a page still to examine, and why the page ends early ('' if it does not)."""
        todo, stop = [], ""
        for item in items:
            if item["id"] in self.seen:
                self.report.already += 1
                continue
            stamp = str(item.get(self.since_field) or "")[:19]
            if self.since and stamp and stamp < self.since:
                if self.query["sort"] in ("modified", "created"):
                    stop = "since"  # the listing is newest first: nothing newer follows
                    break
                continue
            if not self.room(len(todo)):
                stop = "limit"
                break
            self.seen.add(item["id"])
            if item.get("sha") and self.known.get(item["id"]) == item.get("sha"):
                self.record({"t": "seen", "id": item["id"], "sha": item["sha"],
                             "outcome": "unchanged", "reasons": [], "fetched": False}, None)
            elif self.report.dry_run:
                self.dry(item)
            else:
                todo.append(item)
        return todo, stop

    def work_page(self, items: list[dict[str, Any]]) -> str:
        todo, stop = self.pending(items)
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="crawl") as pool:
            futures = set()
            queue = list(todo)
            while queue or futures:
                while queue and len(futures) < self.concurrency * 2 and not self.cancelled():
                    item = queue.pop(0)
                    futures.add(pool.submit(examine, item, self.settings, self.rows, self.retries))
                if self.cancelled():
                    queue.clear()
                if not futures:
                    break
                finished, futures = wait(futures, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in finished:
                    self.record(*future.result())
        if self.cancelled():
            self.report.stopped = "cancelled"
            return "cancelled"
        if stop == "limit":
            self.report.stopped = "limit"
        return stop or "page"

    def dry(self, item: dict[str, Any]) -> None:
        errors = _errors(catalog_verdicts(premeta(item), self.settings.license_deny,
                                          self.settings.license_allow))
        if errors:
            self.report.skipped[errors[0]] = self.report.skipped.get(errors[0], 0) + 1
            self.report.seen += 1
        else:
            self.report.would_fetch += 1

    def record(self, record: dict[str, Any], meta: DatasetMeta | None) -> None:
        """Save the meta of a queued dataset, then its log line (a kill in between repeats it)."""
        report = self.report
        record.setdefault("sha", None)
        if report.dry_run:
            report.seen += 1
            report.unchanged += record["outcome"] == "unchanged"
            return
        if meta is not None:
            self.store.save_meta(meta)
        record.update(stage=report.stage, ts=now())
        self.log.append(record)
        report.seen += 1
        report.fetched += bool(record.get("fetched"))
        outcome = record["outcome"]
        if outcome == "skipped":
            reason = record["reasons"][0]
            report.skipped[reason] = report.skipped.get(reason, 0) + 1
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
        if self.on_progress:
            self.on_progress(report)


_UNWRITABLE = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT}


def _unwritable(folder: Path, exc: OSError) -> StoreError:
    return StoreError(f"Cannot write the crawl log in {folder}: {exc.strerror or exc}.",
                      "Check that the workspace is writable and the disk not full, or choose "
                      "another --workspace; `dynotui crawl --dry-run` writes nothing.")


def crawl(store: Any, settings: Any, search: str | None = None, task_category: str | None = None,
          since: str | None = None, sort: str = "downloads", limit: int | None = None,
          dry_run: bool = False, on_progress: Callable[[CrawlReport], None] | None = None,
          cancel: Callable[[], bool] | None = None, concurrency: int = CONCURRENCY,
          rows: int = CRAWL_ROWS, retries: int = RETRIES) -> CrawlReport:
    """One crawl run (a new stage, or the continuation of an interrupted one)."""
    from filelock import FileLock, Timeout

    if sort not in SORTS:
        raise DatasetError(f"Unknown sort '{sort}'.", f"Use one of: {', '.join(SORTS)}.")
    for name, value in (("--limit", limit), ("--concurrency", concurrency), ("--rows", rows)):
        if value is not None and value < 1:
            raise DatasetError(f"{name} must be at least 1 (got {value}).")
    query = {"search": search or None, "task_category": task_category or None,
             "since": parse_since(since), "sort": sort}
    report = CrawlReport(stage=None, query=query, dry_run=dry_run)
    started = time.monotonic()
    folder = crawl_dir(store.workspace)
    lock = FileLock(str(folder / LOCK), timeout=0)
    try:
        if not dry_run:
            folder.mkdir(parents=True, exist_ok=True)
            lock.acquire()
    except Timeout as exc:
        raise StoreError(f"Another crawl is running in {store.workspace}.",
                         "Wait for it to finish (or stop it); crawls resume where they stopped.") from exc
    except OSError as exc:
        raise _unwritable(folder, exc) from exc
    run = _Run(store, settings, query, report, limit, rows, concurrency, on_progress, cancel,
               retries)
    try:
        run.begin()
        try:
            run.run()
        except DynoError as exc:
            report.stopped, report.error = "error", str(exc)
    except OSError as exc:
        if exc.errno not in _UNWRITABLE:
            raise
        raise _unwritable(folder, exc) from exc
    finally:
        run.log.close()
        if lock.is_locked:
            lock.release()
        report.seconds = time.monotonic() - started
    if report.stage is not None and not dry_run:
        totals = [s for s in History(CrawlLog(store.workspace).read()).stages()
                  if s["stage"] == report.stage]
        report.stage_totals = totals[0] if totals else {}
    return report


__all__ = ["CONCURRENCY", "CrawlReport", "crawl", "examine", "parse_since", "premeta"]
