"""Plain dataclasses for the domain: datasets, tasks, proposals, decisions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from dynotui.core.errors import DatasetError

SOURCES = ("sample", "local", "hub")


@dataclass(frozen=True)
class DatasetRef:
    """Which dataset: `sample:NAME`, `local:PATH` or `hub:ORG/NAME`, plus config/split/revision."""

    source: str
    name: str
    config: str | None = None
    split: str | None = None
    revision: str | None = None

    @property
    def id(self) -> str:
        """Canonical id without config/split/revision, e.g. `sample:sst-mini`."""
        return f"{self.source}:{self.name}"

    @property
    def key(self) -> str:
        """Id plus config: one Dynosaur 'dataset config'."""
        return f"{self.id}/{self.config}" if self.config else self.id

    def __str__(self) -> str:
        text = self.key
        if self.revision:
            text += f"@{self.revision}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DatasetRef:
        return cls(**{k: data.get(k) for k in ("source", "name", "config", "split", "revision")})

    @classmethod
    def from_id(cls, dataset_id: str, config: str | None = None, split: str | None = None,
                revision: str | None = None) -> DatasetRef:
        """The ref of a stored id (`source:name`, as `.id` wrote it) plus what the id leaves out."""
        source, sep, name = dataset_id.partition(":")
        if not sep or not source or not name:
            raise DatasetError(f"'{dataset_id}' is not a dataset id (source:name).",
                               "The store holds a proposal written by another tool; "
                               "check its 'dataset' field.")
        return cls(source, name, config, split, revision)


@dataclass
class Feature:
    """One field of a dataset. `type` is a readable string: `string`, `int64`,
    `ClassLabel`, `Sequence[ClassLabel]`, `list[string]`, `dict`, `Image`, `Audio`..."""

    name: str
    type: str
    label_names: list[str] | None = None
    description: str = ""

    @property
    def is_media(self) -> bool:
        kind = self.type
        return "Image" in kind or "Audio" in kind or "Video" in kind

    @property
    def is_nested(self) -> bool:
        return self.type.startswith(("dict", "Sequence[dict", "list[dict"))


@dataclass
class Verdict:
    """One catalog or validation rule's outcome. level: `error` rejects, `warning` informs."""

    rule: str
    ok: bool
    reason: str = ""
    level: str = "error"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        return cls(data["rule"], bool(data["ok"]), data.get("reason", ""), data.get("level", "error"))


class Judged:
    """Reading a `verdicts` list: errors reject, warnings inform."""

    verdicts: list[Verdict]

    @property
    def valid(self) -> bool:
        return all(v.ok for v in self.verdicts if v.level == "error")

    @property
    def errors(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.ok and v.level == "error"]

    @property
    def warnings(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.ok and v.level == "warning"]


@dataclass
class DatasetMeta:
    """Everything known about one dataset config, with sample rows (ClassLabel as names)."""

    ref: DatasetRef
    name: str
    pretty_name: str = ""
    summary: str = ""
    card: str = ""
    field_descriptions: dict[str, str] = field(default_factory=dict)
    license: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    task_categories: list[str] = field(default_factory=list)
    task_ids: list[str] = field(default_factory=list)  # the card's, e.g. extractive-qa
    features: list[Feature] = field(default_factory=list)
    configs: list[str] = field(default_factory=list)
    splits: dict[str, int | None] = field(default_factory=dict)
    revision: str | None = None
    website: str | None = None
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    truncated: list[str] = field(default_factory=list)  # "split/row/field" cells cut for size
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.features]

    @property
    def feature_map(self) -> dict[str, Feature]:
        return {f.name: f for f in self.features}

    @property
    def passes(self) -> bool:
        return all(v.ok for v in self.verdicts if v.level == "error")

    def sample_rows(self, n: int | None = None) -> list[dict[str, Any]]:
        """Rows of the preferred split (train, then validation, then any)."""
        for split in ("train", "validation", *self.rows):
            if self.rows.get(split):
                return self.rows[split][:n] if n else self.rows[split]
        return []

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ref"] = self.ref.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DatasetMeta:
        data = dict(data)
        data["ref"] = DatasetRef.from_dict(data["ref"])
        data["features"] = [Feature(**f) for f in data.get("features", [])]
        data["verdicts"] = [Verdict.from_dict(v) for v in data.get("verdicts", [])]
        return cls(**data)


@dataclass
class DatasetEntry:
    """One line of a dataset listing (cheap: no rows). `fields` is empty when unknown."""

    ref: DatasetRef
    name: str
    pretty_name: str = ""
    license: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    task_categories: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    downloads: int | None = None
    likes: int | None = None
    last_modified: str | None = None
    revision: str | None = None
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.ref.id

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = self.id
        return data


@dataclass
class Task:
    """What the LLM proposes: an instruction, the input fields, the output field."""

    instruction: str
    input_fields: list[str]
    output_field: str

    def to_dict(self) -> dict[str, Any]:
        return {"instruction": self.instruction, "input_fields": list(self.input_fields),
                "output_field": self.output_field}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Task:
        return cls(str(data.get("instruction", "")), list(data.get("input_fields") or []),
                   str(data.get("output_field", "")))


_encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(x, ensure_ascii=False)


def content_hash(dataset: str, config: str | None, revision: str | None, task: Task) -> str:
    """Stable id of a task on a dataset revision: imports and regenerations dedupe on it."""
    payload = _encode([dataset, config or "", revision or "", task.instruction.strip(),
                       sorted(task.input_fields), task.output_field])
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass
class Proposal(Judged):
    """A task proposed for a dataset, with its provenance and validation verdicts."""

    dataset: str  # DatasetRef.id
    task: Task
    config: str | None = None
    split: str | None = None
    revision: str | None = None
    variant: str = ""  # "aware" | "unaware" | "import" | "edit"
    prompt_version: str = ""
    model: str = ""
    temperature: float = 0.0
    source: str = "llm"  # "llm", "import:NAME", "edit", "batch"
    verdicts: list[Verdict] = field(default_factory=list)
    raw_answer: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    created: float = 0.0
    parent: str | None = None  # id of the proposal this one edits
    version: int = 1
    task_name: str = ""
    stage: int | None = None
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = content_hash(self.dataset, self.config, self.revision, self.task)

    @property
    def ref(self) -> DatasetRef:
        """The exact rows the task was made for: dataset, config, split and revision."""
        return DatasetRef.from_id(self.dataset, self.config, self.split, self.revision)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["task"] = self.task.to_dict()
        data["verdicts"] = [v.to_dict() for v in self.verdicts]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Proposal:
        data = dict(data)
        data["task"] = Task.from_dict(data["task"])
        data["verdicts"] = [Verdict.from_dict(v) for v in data.get("verdicts", [])]
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


ACTIONS = ("accept", "reject", "skip", "flag", "unflag", "edit", "undo")


@dataclass
class Decision:
    """An append-only event on a proposal. State is derived from the events; nothing is overwritten.

    `edit` carries the new proposal's id in `edited`; `undo` carries the undone event's id in `target`.
    """

    proposal: str
    action: str
    annotator: str
    session: str = ""
    ts: float = 0.0
    seconds: float = 0.0
    reason: str = ""
    note: str = ""
    edited: str | None = None
    target: str | None = None
    dataset: str = ""
    id: str = ""
    role: str = ""  # "adjudicator": this decision settles a disagreement (dynotui.core.team)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not data["role"]:  # most events have none: keep the lines as they were
            del data["role"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})
