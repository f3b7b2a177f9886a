"""Export test helpers: a real workspace Store with accepted tasks on real datasets."""

from __future__ import annotations

import json
from pathlib import Path

from dynotui.core import sources
from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store

# tasks on the bundled samples, as a reviewer would accept them
SAMPLE_TASKS = [
    ("sst-mini", None, Task("Classify the sentiment of the text as positive or negative.",
                            ["text"], "label")),
    ("reading-qa", None, Task("Answer the question using the context.",
                              ["question", "context"], "answers")),
    ("reading-qa", None, Task("Write a question that the context answers.",
                              ["context"], "question")),
    ("science-choice", None, Task("Choose the letter of the correct answer.",
                                  ["question", "choices"], "answer")),
    ("news-topics", None, Task("Give the topic of the news article.", ["title", "text"], "label")),
    ("local-news-summaries", None, Task("Summarise the news report in one sentence.",
                                        ["document"], "summary")),
    ("entailment-pairs", None, Task("Does the premise entail the hypothesis?",
                                    ["premise", "hypothesis"], "label")),
    ("support-tickets", "intent", Task("Name the intent of the support ticket.",
                                       ["text"], "intent")),
]


def add_task(store: Store, ref_text: str, task: Task, config: str | None = None,
             accept: bool = True) -> Proposal:
    """Read the dataset's metadata through the sources, store it and the proposal, accept it."""
    meta = sources.load_meta(sources.parse_ref(ref_text, config=config), rows=3)
    store.save_meta(meta)
    prop = Proposal(meta.ref.id, task, config=meta.ref.config, revision=meta.ref.revision,
                    source="test", variant="aware")
    store.add_proposals([prop])
    if accept:
        store.decide(prop.id, "accept")
    return store.proposal(prop.id)


def sample_workspace(path: Path, annotator: str = "ann") -> tuple[Store, list[Proposal]]:
    store = Store(path, annotator=annotator)
    props = [add_task(store, f"sample:{name}", task, config) for name, config, task in SAMPLE_TASKS]
    return store, props


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path: str | Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
