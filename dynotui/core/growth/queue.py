"""Working through the crawl queue: live generation (`generate --queued`) and settling the queue
after live or batch answers arrive. A queued dataset is done when every prompt variant it can
be asked has a generation record at its revision and current prompt version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from dynotui.core.generation.prompts import PROMPT_VERSION, VARIANTS, default_variants, skip_reason
from dynotui.core.generation.run import generate, revision_of
from dynotui.core.growth.log import CrawlLog, History, history, now
from dynotui.core.models import DatasetMeta


def variants_done(meta: DatasetMeta, done_keys: set[str] | list[str],
                  variants: tuple[str, ...] | None = None) -> bool:
    """Every variant (default: the two Dynosaur prompts, as the batch API sends them) that
    can be asked for this dataset has a generation record."""
    for variant in variants or VARIANTS:
        if skip_reason(meta, variant):
            continue
        prefix = f"{meta.ref.key}@{revision_of(meta)}|{variant}|{PROMPT_VERSION[variant]}|"
        if not any(k.startswith(prefix) for k in done_keys):
            return False
    return True


def queued_metas(store: Any) -> tuple[list[DatasetMeta], list[str]]:
    """Metadata of the crawl queue's datasets (keys without stored metadata listed apart)."""
    metas, missing = [], []
    for item in history(store.workspace).queue():
        meta = store.load_meta(item.key)
        if meta is None:
            missing.append(item.key)
        else:
            metas.append(meta)
    return metas, missing


def settle_queue(store: Any, variants: tuple[str, ...] | None = None) -> int:
    """Mark queued datasets whose generation is complete (for `variants`, default the
    Dynosaur two); returns how many were marked."""
    log = CrawlLog(store.workspace)
    try:
        queue = History(log.read()).queue()
        if not queue:
            return 0
        done_keys = list(store.generations())
        records = []
        for item in queue:
            meta = store.load_meta(item.key)
            if meta is not None and variants_done(meta, done_keys, variants):
                records.append({"t": "generated", "key": item.key, "sha": item.sha,
                                "stage": item.stage, "ts": now()})
        if records:
            log.append(*records)
        return len(records)
    finally:
        log.close()


@dataclass
class QueuedReport:
    queued: int = 0
    missing: list[str] = field(default_factory=list)  # queued keys without stored metadata
    settled: int = 0
    generation: Any = None  # generate.GenerationReport

    def to_dict(self) -> dict[str, Any]:
        return {"queued": self.queued, "missing": self.missing, "settled": self.settled,
                "generation": self.generation.to_dict() if self.generation else None}


def generate_queued(store: Any, settings: Any, concurrency: int | None = None,
                    on_progress: Callable[..., Any] | None = None, cancel: Any = None,
                    client: Any = None, refs: list | None = None, **kwargs: Any) -> QueuedReport:
    """Live generation for every queued dataset, then settle the queue. `refs`: datasets named
    beside the queue (`generate --queued NAME...`), generated in the same run; given (even
    empty), the run happens with an empty queue too, so the caller always gets a report."""
    metas, missing = queued_metas(store)
    report = QueuedReport(queued=len(metas) + len(missing), missing=missing)
    if concurrency:
        settings.llm.concurrency = concurrency
    if metas or refs is not None:
        report.generation = generate([*(refs or []), *metas], store, settings,
                                     on_progress=on_progress, cancel=cancel, client=client,
                                     **kwargs)
    report.settled = settle_queue(store, tuple(kwargs.get("variants") or
                                              default_variants(settings)))
    return report
