"""What a generation run did, per dataset and variant, and its dry-run estimate."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CallResult:
    """One (dataset, variant): status done | cached | skipped | failed | cancelled."""

    variant: str
    status: str
    reason: str = ""
    kept: int = 0
    rejected: Counter = field(default_factory=Counter)  # rule -> tasks rejected by it
    warnings: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    priced: bool = True
    seconds: float = 0.0
    mode: str = ""
    proposals: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["rejected"] = dict(self.rejected)
        return data


@dataclass
class DatasetReport:
    key: str
    dataset: str
    calls: list[CallResult] = field(default_factory=list)
    error: str = ""  # the dataset could not be loaded

    def total(self, name: str) -> float:
        return sum(getattr(c, name) for c in self.calls)

    @property
    def rejected(self) -> Counter:
        out: Counter = Counter()
        for call in self.calls:
            out.update(call.rejected)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "dataset": self.dataset, "error": self.error,
                "kept": int(self.total("kept")), "rejected": dict(self.rejected),
                "tokens_in": int(self.total("tokens_in")), "tokens_out": int(self.total("tokens_out")),
                "cost_usd": self.total("cost_usd"), "seconds": self.total("seconds"),
                "calls": [c.to_dict() for c in self.calls]}


@dataclass
class GenerationReport:
    model: str = ""
    datasets: list[DatasetReport] = field(default_factory=list)
    cancelled: bool = False
    wall_seconds: float = 0.0

    def total(self, name: str) -> float:
        return sum(d.total(name) for d in self.datasets)

    @property
    def rejected(self) -> Counter:
        out: Counter = Counter()
        for d in self.datasets:
            out.update(d.rejected)
        return out

    @property
    def priced(self) -> bool:
        return all(c.priced for d in self.datasets for c in d.calls if c.status == "done")

    def count(self, status: str) -> int:
        return sum(1 for d in self.datasets for c in d.calls if c.status == status)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "cancelled": self.cancelled, "wall_seconds": self.wall_seconds,
                "kept": int(self.total("kept")), "rejected": dict(self.rejected),
                "tokens_in": int(self.total("tokens_in")), "tokens_out": int(self.total("tokens_out")),
                "cost_usd": self.total("cost_usd"), "priced": self.priced,
                "calls": {s: self.count(s) for s in ("done", "cached", "skipped", "failed", "cancelled")},
                "datasets": [d.to_dict() for d in self.datasets]}


@dataclass
class Estimate:
    """A dry run: what would be asked, and roughly what it would cost."""

    model: str
    calls: int = 0
    cached: int = 0
    skipped: list[str] = field(default_factory=list)
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    priced: bool = True

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Progress:
    """Sent to on_progress after each (dataset, variant) finishes; sums are for the run so far."""

    done: int
    total: int
    dataset: str
    variant: str
    status: str
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    kept: int = 0
    rejected: int = 0
