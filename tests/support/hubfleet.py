"""A generated fleet of Hub datasets for crawl tests: a few hundred repos in Hub layout (card with
YAML front matter + a JSONL data file), with a known catalog outcome for each.

    fleet = make_fleet(300, seed=1)
    fleet[i].files -> {"README.md": bytes, "data/train.jsonl": bytes}; fleet[i].expect -> rule

`expect` is the first catalog rule the dataset fails ("" when it passes), so a test can add up
verdict counts without trusting the code under test.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field

WORDS = ("the river carried old letters to a town where every window faced the sea and the "
         "people read them aloud in the evening while the children counted boats").split()

# (weight, kind): what each generated dataset is, and the rule it should fail ("" = passes)
KINDS = [
    (50, "ok"),
    (8, "no_license"),
    (8, "other_license"),
    (6, "nd_license"),
    (8, "french"),
    (5, "translation"),
    (7, "one_field"),
    (8, "image"),
]
EXPECT = {"ok": "", "no_license": "license", "other_license": "license", "nd_license": "license",
          "french": "english", "translation": "english", "one_field": "fields", "image": "media"}


@dataclass
class Repo:
    id: str
    kind: str
    sha: str
    files: dict[str, bytes] = field(default_factory=dict)
    downloads: int = 0
    last_modified: str = "2024-01-01T00:00:00.000Z"
    created_at: str = "2023-01-01T00:00:00.000Z"

    @property
    def expect(self) -> str:
        return EXPECT[self.kind]

    def card_data(self) -> dict:
        """The YAML front matter as a dict (what the Hub listing returns as cardData)."""
        import yaml

        text = self.files["README.md"].decode()
        return yaml.safe_load(text.split("---")[1]) or {}


def _sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _card(kind: str, name: str, features: list[dict]) -> str:
    lines = ["---"]
    license_ = {"no_license": None, "other_license": "other", "nd_license": "cc-by-nd-4.0"}.get(
        kind, "mit")
    if license_:
        lines.append(f"license: {license_}")
    lines.append(f"language:\n- {'fr' if kind == 'french' else 'en'}")
    task = "translation" if kind == "translation" else "text-classification"
    lines.append(f"task_categories:\n- {task}")
    lines.append("dataset_info:\n  features:")
    for feat in features:
        lines.append(f"  - name: {feat['name']}")
        for key, value in feat.items():
            if key != "name":
                lines.append(f"    {key}: {value}")
    lines += ["---", f"# {name}", "", f"{name} holds short English sentences about rivers and "
              "letters, each paired with a topic label, for classification practice.", ""]
    return "\n".join(lines) + "\n"


def _rows(kind: str, rng: random.Random, n: int = 12) -> tuple[list[dict], list[dict]]:
    if kind == "one_field":
        return [{"name": "text", "dtype": "string"}], [{"text": _sentence(rng)} for _ in range(n)]
    if kind == "image":
        feats = [{"name": "caption", "dtype": "string"}, {"name": "image", "dtype": "image"}]
        return feats, [{"caption": _sentence(rng), "image": None} for _ in range(n)]
    feats = [{"name": "text", "dtype": "string"}, {"name": "topic", "dtype": "string"},
             {"name": "summary", "dtype": "string"}]
    rows = [{"text": _sentence(rng), "topic": rng.choice(["boats", "letters", "town", "sea"]),
             "summary": _sentence(rng, 5)} for _ in range(n)]
    return feats, rows


def make_repo(index: int, kind: str, rng: random.Random, version: int = 1) -> Repo:
    rid = f"org{index % 7}/set-{index:04d}"
    feats, rows = _rows(kind, rng)
    card = _card(kind, rid.split("/")[1], feats)
    data = "".join(json.dumps(r) + "\n" for r in rows)
    files = {"README.md": card.encode(), "data/train.jsonl": data.encode()}
    sha = hashlib.sha1(f"{rid}:{version}:{card}:{data}".encode()).hexdigest()
    return Repo(rid, kind, sha, files, downloads=10_000 - index,
                last_modified=f"2024-{1 + index % 12:02d}-{1 + index % 28:02d}T00:00:00.000Z")


def make_fleet(n: int, seed: int = 0, ok_weight: int | None = None) -> list[Repo]:
    """n repos; ok_weight (default 50 of ~100) sets how many pass the catalog (each costs a load)."""
    rng = random.Random(seed)
    weights = [(ok_weight if k == "ok" and ok_weight is not None else w, k) for w, k in KINDS]
    kinds = [k for w, k in weights for _ in range(w)]
    return [make_repo(i, rng.choice(kinds), rng) for i in range(n)]


def serve(hub, repos: list[Repo]) -> None:
    """Put the repos on a tests/hubserver.HubServer."""
    for repo in repos:
        hub.add_dataset(repo.id, repo.files, sha=repo.sha, downloads=repo.downloads,
                        last_modified=repo.last_modified, created=repo.created_at)


def bump(repo: Repo) -> Repo:
    """The same dataset at a new revision (one more row)."""
    rng = random.Random(repo.sha)
    new = make_repo(int(repo.id.rsplit("-", 1)[1]), repo.kind, rng, version=2)
    new.files["data/train.jsonl"] += (json.dumps(json.loads(
        new.files["data/train.jsonl"].splitlines()[0])) + "\n").encode()
    new.sha = hashlib.sha1(repo.sha.encode() + b"+1").hexdigest()
    return new
