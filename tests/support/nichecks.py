"""Our reading of the checks in allenai/natural-instructions `src/test_all.py`, written anew
for a folder that dynotui exported (no network at test time, no copied code).

Rules, per task file: the expected keys; more than 25 and at most 6,500 instances; the list
types; categories named in the repository's task hierarchy (doc/task-hierarchy.md, its task
categories listed below); non-English input languages named in every definition; language
names from ISO 639 (checked only when the `iso639` package works here); instances with a
unique id, a non-empty input string and a non-empty list of string outputs; at least two
positive and one negative example, each with string input/output/explanation; no input
twice; more than one distinct output; outputs not skewed (normalised entropy > 0.8 when
there are fewer than 15 distinct outputs); no positive example's input among the instances;
a lower-case file name. Across the folder: tasks/README.md names each task once, in order,
without `.json`, and only tasks that exist; the default split's train/test/excluded lists
name only those tasks, each once, with no overlap.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

# the "Task Categories" section of doc/task-hierarchy.md
NI_CATEGORIES = {
    "Translation", "Question Answering", "Program Execution", "Question Generation",
    "Sentiment Analysis", "Text Categorization", "Text Matching", "Toxic Language Detection",
    "Cause Effect Classification", "Information Extraction", "Textual Entailment",
    "Wrong Candidate Generation", "Named Entity Recognition", "Commonsense Classification",
    "Fill in The Blank", "Text Completion", "Sentence Composition", "Title Generation",
    "Language Identification", "Question Understanding", "Sentence Perturbation",
    "Answerability Classification", "Summarization", "Coreference Resolution",
    "Text Quality Evaluation", "Text to Code", "Paraphrasing", "Dialogue Generation",
    "Question Rewriting", "Word Semantics", "Pos Tagging", "Linguistic Probing",
    "Story Composition", "Speaker Identification", "Word Analogy", "Data to Text",
    "Stereotype Detection", "Negotiation Strategy Detection", "Dialogue Act Recognition",
    "Gender Classification", "Coherence Classification", "Explanation", "Ethics Classification",
    "Word Relation Classification", "Sentence Ordering", "Answer Verification", "Mathematics",
    "Intent Identification", "Keyword Tagging", "Code to Text", "Dialogue State Tracking",
    "Text Simplification", "Stance Detection", "Fact Verification", "Grammar Error Detection",
    "Section Classification", "Number Conversion", "Style Transfer",
    "Speaker Relation Classification", "Irony Detection", "Question Decomposition",
    "Overlap Extraction", "Grammar Error Correction", "Spelling Error Detection",
    "Entity Generation", "Sentence Expansion", "Discourse Connective Identification",
    "Discourse Relation Classification", "Poem Generation", "Entity Relation Classification",
    "Punctuation Error Detection", "Spam Classification", "Paper Review",
    "Sentence Compression", "Preposition Prediction", "Misc.",
}
KEYS = ["Definition", "Input_language", "Output_language", "Positive Examples",
        "Negative Examples", "Instances", "Contributors", "Categories", "Domains", "Source",
        "URL", "Reasoning"]
LISTS = ["Definition", "Source", "URL", "Contributors", "Categories", "Reasoning", "Domains",
         "Input_language", "Output_language", "Instruction_language"]


def iso_language_names() -> set[str] | None:
    try:
        from iso639 import languages

        return {x.name.replace("(individual language)", "").replace(" languages", "").strip()
                for x in list(languages)}
    except Exception:  # not installed, or needs pkg_resources: the rule is not applied
        return None


def _entropy(outputs: list[str]) -> float:
    counts = Counter(outputs)
    total = sum(counts.values())
    return -sum(n / total * math.log(n / total) for n in counts.values()) / math.log(len(counts))


def check_task(path: Path, iso: set[str] | None = None) -> list[str]:
    """Every per-file rule on one task file; returns the failures (empty: it passes)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    bad = [f"missing key {k}" for k in KEYS if k not in data]
    if bad:
        return bad
    n = len(data["Instances"])
    if not 25 < n <= 6500:
        bad.append(f"{n} instances (needs 26..6500)")
    bad += [f"{k} is not a list" for k in LISTS if not isinstance(data.get(k), list)]
    if bad:
        return bad
    bad += [f"category {c!r} not in the task hierarchy" for c in data["Categories"]
            if c not in NI_CATEGORIES]
    for d in data["Definition"]:
        if not isinstance(d, str):
            bad.append("a definition is not a string")
        elif any(lan not in d for lan in data["Input_language"] if lan != "English"):
            bad.append("a definition does not name the non-English input language")
    bad += [f"lower-case key {k}" for k in ("instruction_language", "input_language",
                                            "output_language") if k in data]
    if iso is not None:
        bad += [f"language {lan!r} is no ISO 639 name" for lan in
                data["Input_language"] + data["Output_language"] + data["Instruction_language"]
                if lan not in iso]
    ids = set()
    for x in data["Instances"]:
        if not {"id", "input", "output"} <= set(x):
            bad.append(f"instance without id/input/output: {x}")
            continue
        if x["id"] in ids:
            bad.append(f"instance id {x['id']} repeated")
        ids.add(x["id"])
        if not isinstance(x["input"], str) or not x["input"]:
            bad.append(f"instance {x['id']}: input empty or not a string")
        if not isinstance(x["output"], list) or not x["output"] or \
                not all(isinstance(o, str) for o in x["output"]):
            bad.append(f"instance {x['id']}: output is not a non-empty list of strings")
    if len(data["Positive Examples"]) < 2:
        bad.append("fewer than two positive examples")
    if len(data["Negative Examples"]) < 1:
        bad.append("no negative example")
    for x in data["Positive Examples"] + data["Negative Examples"]:
        if not all(isinstance(x.get(k), str) for k in ("input", "output", "explanation")):
            bad.append(f"example without string input/output/explanation: {x}")
    inputs = [x["input"] for x in data["Instances"]]
    bad += [f"input repeated among the instances: {i[:60]!r}"
            for i, c in Counter(inputs).items() if c > 1]
    outputs = [o for x in data["Instances"] for o in x["output"]]
    number = int(path.name.replace("task", "").split("_")[0])
    if len(set(outputs)) < 2 and number not in (902, 903):
        bad.append("every instance has the same output")
    elif 1 < len(set(outputs)) < 15 and _entropy(outputs) <= 0.8:
        bad.append(f"outputs skewed (entropy {_entropy(outputs):.2f})")
    positives = {x["input"] for x in data["Positive Examples"]}
    bad += [f"positive example repeated as instance {x['id']}" for x in data["Instances"]
            if x["input"] in positives]
    if path.stem != path.stem.lower():
        bad.append("upper case in the file name")
    return bad


def check_folder(root: Path) -> dict[str, list[str]]:
    """file or folder part -> its failures; an empty dict: everything passes."""
    root = Path(root)
    iso = iso_language_names()
    found: dict[str, list[str]] = {}
    files = sorted(p for p in (root / "tasks").iterdir() if p.suffix == ".json")
    readme_path = root / "tasks" / "README.md"
    readme = readme_path.read_text(encoding="utf-8") if readme_path.exists() else ""
    lines = [x for x in readme.split("\n") if len(x) > 5]
    problems = []
    if len(set(lines)) != len(lines):
        problems.append("repeated lines")
    numbers = [int(x.replace("`task", "").split("_")[0]) for x in lines if "`task" in x]
    if numbers != sorted(numbers):
        problems.append("task numbers out of order")
    names = [x.split("`")[1] for x in lines if "`" in x]
    problems += [f"{n} has no file" for n in names if not (root / "tasks" / f"{n}.json").exists()]
    for path in files:
        bad = check_task(path, iso)
        if path.name in readme:
            bad.append("README names the file with .json")
        if readme.count(path.stem) != 1:
            bad.append(f"README names it {readme.count(path.stem)} times")
        if bad:
            found[path.name] = bad
    if problems:
        found["tasks/README.md"] = problems
    split = root / "splits" / "default"
    lists = {k: [x.strip() for x in (split / f"{k}_tasks.txt").read_text().splitlines()]
             if (split / f"{k}_tasks.txt").exists() else None for k in ("train", "test", "excluded")}
    bad = [f"no {k}_tasks.txt" for k, v in lists.items() if v is None]
    if not bad:
        every = lists["train"] + lists["test"] + lists["excluded"]
        bad += [f"{t} is in a split but not in the README" for t in every if t not in names]
        bad += [f"{t} is in no split" for t in names if t not in every]
        if set(lists["train"]) & set(lists["test"]):
            bad.append("train and test overlap")
    if bad:
        found["splits/default"] = bad
    return found


def ni_task_names(root: Path) -> list[str]:
    return [p.stem for p in sorted((Path(root) / "tasks").glob("task*.json"))
            if re.match(r"task\d+_", p.stem)]
