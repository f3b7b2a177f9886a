"""What an export is asked to do (ExportOptions) and what it did (ExportReport)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from dynotui.core.errors import ExportError
from dynotui.core.instances import STYLES

FORMATS = ("alpaca", "jsonl", "sharegpt", "messages", "trl", "superni", "hf")
FOLDER_FORMATS = ("superni", "hf")
POLICIES = ("any", "majority", "unanimous", "latest", "adjudicated")  # adjudicated: core/team
TRL_STYLES = ("conversational", "plain")
HELD_OUT_BY = ("task", "dataset")
TRAIN, HELD_OUT = "train", "held_out"


@dataclass
class ExportOptions:
    format: str
    out: str
    policy: str = "any"
    style: str = "clean"  # instance style: clean, or dynosaur (the released pipeline's rows)
    annotator: str | None = None
    adjudicators: list[str] = field(default_factory=list)  # settings.adjudicators
    datasets: list[str] = field(default_factory=list)  # DatasetRef id, key or name; empty: all
    per_task: int | None = None  # at most N instances per task, sampled with `seed`
    seed: int = 0
    max_input: int = 2000
    max_output: int = 2000
    held_out: float | None = None  # fraction of TASKS written to the held-out split
    held_out_by: str = "task"  # task | dataset: a dataset's tasks all land in one split
    include_invalid: bool = False  # also tasks whose checks found errors
    trl_style: str = "conversational"  # trl: message lists (chat template) or plain text
    dedupe: bool = True  # drop exact (instruction, input, output) repeats
    max_rows: int | None = None  # rows read per dataset config (None: all)
    push_to_hub: str | None = None  # repo id, hf format only
    private: bool = False
    # selection hooks, applied over the accepted tasks by select_tasks()
    diverse: int | None = None  # K tasks chosen for diverse instruction embeddings
    max_per_dataset: int | None = None
    embed_model: str | None = None  # settings.embed_model; None: all-MiniLM-L6-v2
    # continual-learning stages (dynotui.core.export.replay): stage K's tasks + N replayed earlier ones
    stage: int | None = None
    replay: int | None = None
    replay_by: str = "diverse"  # diverse | similar | random

    def check(self) -> None:
        """Raise ExportError naming the first bad option."""
        if self.format not in FORMATS:
            raise ExportError(f"Unknown export format '{self.format}'.",
                              f"Use one of: {', '.join(FORMATS)}.")
        if not str(self.out).strip():
            raise ExportError("No output path given.", "Pass --out PATH.")
        if self.style not in STYLES:
            raise ExportError(f"Unknown instance style '{self.style}'.",
                              f"Use one of: {', '.join(STYLES)}.")
        if self.style == "dynosaur" and self.max_rows is not None:
            raise ExportError("--max-rows does not apply to --style dynosaur.",
                              "Its rows are the original's: 100 from each train/validation "
                              "split. Drop --max-rows, or use --style clean.")
        if self.policy not in POLICIES:
            raise ExportError(f"Unknown policy '{self.policy}'.", f"Use one of: {', '.join(POLICIES)}.")
        for name in ("per_task", "max_rows", "diverse", "max_per_dataset"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ExportError(f"--{name.replace('_', '-')} must be at least 1 (got {value}).")
        for name in ("max_input", "max_output"):
            if getattr(self, name) < 1:
                raise ExportError(f"--{name.replace('_', '-')} must be at least 1 character.")
        if self.held_out is not None and not 0 < self.held_out < 1:
            raise ExportError(f"--held-out must be a fraction between 0 and 1 (got {self.held_out}).",
                              "For example --held-out 0.1 keeps 10% of the tasks apart.")
        if self.held_out_by not in HELD_OUT_BY:
            raise ExportError(f"Unknown --held-out-by '{self.held_out_by}'.",
                              "Use --held-out-by task or --held-out-by dataset.")
        if self.trl_style not in TRL_STYLES:
            raise ExportError(f"Unknown --trl-style '{self.trl_style}'.",
                              "Use --trl-style conversational or --trl-style plain.")
        if self.replay is not None and self.replay < 0:
            raise ExportError(f"--replay must be 0 or more (got {self.replay}).")
        if self.replay_by not in ("diverse", "similar", "random"):
            raise ExportError(f"Unknown replay rule '{self.replay_by}'.",
                              "Use --replay-by diverse, similar or random.")
        if self.push_to_hub and self.format != "hf":
            raise ExportError("--push-to-hub works with --format hf only.",
                              "Add --format hf, or drop --push-to-hub.")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Progress:
    """Sent to on_progress from the exporting thread."""

    datasets_done: int
    datasets_total: int
    dataset: str
    rows: int
    instances: int
    skipped: int


@dataclass
class ExportReport:
    format: str
    paths: list[str] = field(default_factory=list)
    tasks: int = 0  # tasks selected for export
    tasks_written: int = 0  # tasks with at least one instance
    held_out_tasks: int = 0
    held_out_pairs: int = 0  # distinct (input, output) pairs written to the held-out split
    held_out_overlap: int = 0  # of those, pairs also written to train (another task's rows)
    left_out_invalid: int = 0  # accepted tasks left out for error-level checks
    left_out_rules: dict[str, int] = field(default_factory=dict)  # their rules -> tasks
    left_out_format: dict[str, str] = field(default_factory=dict)  # task -> why the format refused it
    datasets: int = 0
    rows_read: int = 0
    instances: int = 0
    by_split: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # instances not written, by reason
    tasks_dropped: dict[str, int] = field(default_factory=dict)  # --style dynosaur, by rule
    dropped: dict[str, str] = field(default_factory=dict)  # proposal id -> why it was dropped
    cut: int = 0  # instances whose input or output hit a cap
    failed_datasets: dict[str, str] = field(default_factory=dict)  # key -> why it was not read
    seconds: float = 0.0
    cancelled: bool = False
    pushed: str | None = None  # commit URL on the Hub
    push_error: str | None = None

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    def drop(self, proposal_id: str, reason: str) -> None:
        """A task the dynosaur style left out; reason = "rule: detail"."""
        rule = reason.split(":", 1)[0]
        self.tasks_dropped[rule] = self.tasks_dropped.get(rule, 0) + 1
        self.dropped[proposal_id] = reason

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
