"""Which files hold each split of a Hub dataset config, from the repo's file list alone.

The same answer `datasets` gives (card `configs:` data_files, else its default split patterns),
for the layouts we read directly: parquet, json/jsonl or csv/tsv files, one format per config.
Anything else (scripts, .huggingface.yaml, media folders, compressed or mixed files, builder
options in the card) gives None, and the caller lets `datasets` decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from dynotui.core.sources.card import Card, card_configs

FORMATS = {"parquet": "parquet", "jsonl": "json", "json": "json", "ndjson": "json",
           "csv": "csv", "tsv": "csv"}
IGNORED = {"README.md", "config.json", "dataset_info.json", "dataset_infos.json",
           "dummy_data.zip", "dataset_dict.json"}
CHANGES_LAYOUT = {".huggingface.yaml", "dataset_infos.json", "dataset_info.json"}
SPLIT_WORDS = {"train": ["train", "training"], "validation": ["validation", "valid", "dev", "val"],
               "test": ["test", "testing", "eval", "evaluation"]}
SEP = "-._ 0-9"
SHARDED = "data/{split}-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*"
IN_DIR = ["**/{k}/**", "**/{k}[{s}]*/**", "**/*[{s}]{k}/**", "**/*[{s}]{k}[{s}]*/**"]
IN_NAME = ["**/{k}[{s}]*", "**/*[{s}]{k}[{s}]*"]
SPLIT_NAME = re.compile(r"^\w+(\.\w+)*$")
CONFIG_KEYS = {"config_name", "data_files", "default"}
# huggingface_hub stopped trusting a repo's `siblings` list from about 1000 files (the Hub may
# cut it short); a repo that big has its files listed by datasets instead
MAX_SIBLINGS = 1000


@dataclass
class Plan:
    """The reader ('parquet', 'json', 'csv'), csv separator, and the files of each split."""

    reader: str
    splits: dict[str, list[str]] = field(default_factory=dict)
    sep: str = ","


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern:
    """An fsspec/glob pattern as a regex: `**` as a whole part spans folders, `*` does not."""
    parts = pattern.removeprefix("./").strip("/").split("/")
    out = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append(".+" if last else "(?:[^/]+/)*")
            continue
        i, piece = 0, ""
        while i < len(part):
            char = part[i]
            if char == "*":
                while i + 1 < len(part) and part[i + 1] == "*":
                    i += 1
                piece += "[^/]*"
            elif char == "?":
                piece += "[^/]"
            elif char == "[" and part.find("]", i + 2) > 0:
                end = part.find("]", i + 2)
                body = part[i + 1:end]
                negate, body = body.startswith("!"), body.removeprefix("!")
                if not body:
                    piece += re.escape(char)
                    i += 1
                    continue
                piece += "[" + "^" * negate + "".join(
                    c if c == "-" else re.escape(c) for c in body) + "]"
                i = end
            else:
                piece += re.escape(char)
            i += 1
        out.append(piece + ("" if last else "/"))
    try:
        return re.compile("".join(out) + r"\Z")
    except re.error:
        return re.compile(r"(?!)")  # matches nothing: datasets reports the pattern


def _hidden(path: str) -> int:
    return sum(1 for p in path.split("/") if p.startswith(".") and set(p) != {"."})


def _special(path: str) -> int:
    return sum(1 for p in path.split("/")[:-1] if p.startswith("__"))


def resolve(pattern: str, files: list[str]) -> list[str]:
    """The repo files a data_files pattern names, as datasets filters them (no hidden files,
    no __special__ folders, no README.md... unless the pattern asks for them)."""
    rx = _regex(pattern)
    base = pattern.rsplit("/", 1)[-1]
    return sorted(f for f in files if rx.match(f)
                  and (f.rsplit("/", 1)[-1] not in IGNORED or f.rsplit("/", 1)[-1] == base)
                  and _hidden(f) == _hidden(pattern)
                  and _special(f) == _special(pattern))


def _suffixes(path: str) -> list[str]:
    return path.rsplit("/", 1)[-1].split(".")[1:]


def _default_patterns(files: list[str]) -> dict[str, list[str]] | None:
    """datasets' default split patterns that match this repo (sharded names first)."""
    sharded = resolve(SHARDED.replace("{split}", "*"), files)
    if sharded:
        rx = re.compile(r"^data/(.+)-\d{5}-of-\d{5}[^/]*\.[^/]*$")
        names = {m.group(1) for m in map(rx.match, sharded) if m}
        if not names or any(not SPLIT_NAME.match(n) for n in names):
            return None
        ordered = [s for s in SPLIT_WORDS if s in names] + sorted(names - set(SPLIT_WORDS))
        return {s: [SHARDED.format(split=s)] for s in ordered}
    if any(f.endswith(".eval") or f.rsplit("/", 1)[-1] in ("task.toml", "instruction.md")
           for f in files):
        return None  # logs / harbor layouts
    for bases in (IN_DIR, IN_NAME):
        found = {split: [b.format(k=k, s=SEP) for k in words for b in bases]
                 for split, words in SPLIT_WORDS.items()}
        found = {s: pats for s, pats in found.items() if any(resolve(p, files) for p in pats)}
        if found:
            return found
    return {"train": ["**"]}


def _sanitize(data_files: Any) -> dict[str, list[str]] | None:
    """A card's data_files (a path, a list, or [{split, path}]) as {split: [patterns]}."""
    if isinstance(data_files, str):
        return {"train": [data_files]}
    if isinstance(data_files, list) and all(isinstance(p, str) for p in data_files):
        return {"train": list(data_files)}
    if isinstance(data_files, list) and all(isinstance(p, dict) for p in data_files):
        out: dict[str, list[str]] = {}
        for entry in data_files:
            path, split = entry.get("path"), entry.get("split", "train")
            paths = [path] if isinstance(path, str) else path
            if not isinstance(split, str) or not isinstance(paths, list) or \
                    not all(isinstance(p, str) for p in paths) or set(entry) - {"split", "path"}:
                return None
            out.setdefault(split, []).extend(paths)
        return out
    if isinstance(data_files, dict):
        out = {}
        for split, paths in data_files.items():
            paths = [paths] if isinstance(paths, str) else paths
            if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
                return None
            out[str(split)] = list(paths)
        return out
    return None


def _data_files(files: list[str]) -> tuple[list[str], set[str]] | None:
    """The repo's data files and their suffixes, None when datasets should read the repo
    whatever its card says (a script, .huggingface.yaml, other kinds of files, mixed formats,
    a file list the Hub may have cut short)."""
    if len(files) >= MAX_SIBLINGS or any(f.rsplit("/", 1)[-1] in CHANGES_LAYOUT
                                         or f.endswith(".py") for f in files):
        return None
    data = [f for f in files if not _hidden(f) and not _special(f)
            and f.rsplit("/", 1)[-1] not in IGNORED and _suffixes(f)]
    suffixes = {_suffixes(f)[-1].lower() for f in data}
    readers = {FORMATS.get(s) for s in suffixes}
    if len(readers) != 1 or None in readers or suffixes == {"csv", "tsv"}:
        return None
    return data, suffixes


def readable(files: list[str]) -> bool:
    """Whether a repo may be read directly (its card can still send it to datasets)."""
    return _data_files(files) is not None


def plan(files: list[str], card: Card | None, config: str) -> Plan | None:
    """The files of each split of `config`, or None where datasets should decide."""
    found_data = _data_files(files)
    if found_data is None:
        return None
    data, suffixes = found_data
    reader = FORMATS[next(iter(suffixes))]
    declared = card_configs(card.data) if card else []
    if declared:
        entry = next((c for c in declared if str(c["config_name"]) == config), None)
        if entry is None or set(entry) - CONFIG_KEYS or "data_files" not in entry:
            return None
        patterns = _sanitize(entry["data_files"])
    else:
        patterns = _default_patterns(files) if config == "default" else None
    if not patterns:
        return None
    splits: dict[str, list[str]] = {}
    for split, pats in patterns.items():
        found: list[str] = []
        for pattern in pats:
            found += [f for f in resolve(pattern, files) if _suffixes(f) and f not in found]
        if not found or any(f not in data for f in found):
            return None  # datasets reports missing or odd files its own way
        splits[split] = found
    return Plan(reader, splits, "\t" if suffixes == {"tsv"} else ",")
