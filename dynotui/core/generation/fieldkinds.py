"""What each field of a dataset holds, read from its feature type, its name and the sample
rows: a label, a tag sequence, the tokens they tag, answer choices, SQuAD-style answers, text
(with its length), a number, or something no task should use (id, url, constant, media...).

Shared by the skeleton derivation (which tasks a dataset affords) and the validator (does the
instruction's action fit the output field).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from dynotui.core.instances import ANSWER_KEYS, is_choice_field
from dynotui.core.models import DatasetMeta, Feature

LABEL_MAX = 20          # distinct values of a string/number field read as labels
LABEL_MAX_WORDS = 4     # ... each at most this many words on average
LABEL_MIN_ROWS = 8      # ... seen in at least this many rows
_ID_TOKENS = {"id", "ids", "uuid", "guid", "idx", "index", "hash", "sha", "md5", "checksum"}
_META_TOKENS = {"url", "urls", "uri", "link", "links", "href", "homepage", "website", "license",
                "licence", "path", "paths", "filepath", "filename", "file", "repo", "repository",
                "reponame", "bytes", "size", "timestamp", "date", "time", "created", "updated",
                "source", "split", "lang", "language", "author", "username", "user", "email"}
_NOT_LABELS = {"title", "headline", "name", "question", "summary", "answer", "text", "sentence"}
_TAG_NAMES = {"tags", "tag", "labels", "label", "ner", "pos", "upos", "xpos", "chunk", "bio", "iob"}
_URLISH = re.compile(r"^(https?://|www\.|[\w.-]+/[\w./-]+\.\w{1,6}$)")


@lru_cache(maxsize=4096)
def name_tokens(name: str) -> tuple[str, ...]:
    """`ner_tags` -> (ner, tags); `questionText` -> (question, text)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return tuple(t.lower() for t in re.split(r"[^A-Za-z0-9]+", spaced) if t)


@dataclass
class FieldInfo:
    """One field as a task would use it. kind: label | tags | tokens | choices | answers |
    text | number | list | skip."""

    name: str
    kind: str
    labels: list[str] = field(default_factory=list)
    words: float = 0.0        # average words per value (text, answers)
    questions: float = 0.0    # share of values ending in '?'
    lengths: list[int] = field(default_factory=list)  # per-row list lengths (tags, tokens)
    why: str = ""             # kind 'skip': why no task uses it
    int_labels: bool = False  # a label of bare integers without names (an index)
    span: tuple[float, float] = (0.0, 0.0)  # numbers: lowest and highest sample value

    @property
    def tokens(self) -> list[str]:
        return list(name_tokens(self.name))


def _label_value(feature: Feature, value: Any) -> Any:
    names = feature.label_names
    if names and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict, tuple)) and not value)


def _words(text: str) -> int:
    return len(text.split())


def _answer_texts(value: Any) -> list[str] | None:
    """The answer strings of a SQuAD-style dict ({"text": [...], "answer_start": [...]})."""
    if not isinstance(value, dict):
        return None
    for key in ANSWER_KEYS:
        inner = value.get(key)
        if isinstance(inner, (list, tuple)) and all(isinstance(x, (str, int, float)) for x in inner):
            return [str(x) for x in inner]
        if isinstance(inner, str):
            return [inner]
    return None


def _profile(feature: Feature, values: list[Any]) -> FieldInfo:
    name = feature.name
    tokens = set(name_tokens(name))
    if feature.is_media:
        return FieldInfo(name, "skip", why="image/audio")
    if tokens & _ID_TOKENS:
        return FieldInfo(name, "skip", why="id-like")
    filled = [v for v in values if not _empty(v)]
    strings = [v for v in filled if isinstance(v, str)]
    if tokens & _META_TOKENS or (strings and sum(bool(_URLISH.match(s.strip())) for s in strings)
                                 * 2 > len(strings)):
        return FieldInfo(name, "skip", why="url or metadata")
    if not filled:
        return FieldInfo(name, "skip", why="empty in the samples")
    if len(filled) >= 2 and len({repr(v) for v in filled}) == 1:
        return FieldInfo(name, "skip", why="constant")
    dicts = [v for v in filled if isinstance(v, dict)]
    if dicts:
        answers = [_answer_texts(v) for v in dicts]
        if len(dicts) == len(filled) and all(a is not None for a in answers):
            if all(isinstance(v.get("label"), list) and isinstance(v.get("text"), list)
                   for v in dicts):
                return FieldInfo(name, "choices")  # ARC/CommonsenseQA {"label": [...], "text": [...]}
            texts = [a[0] for a in answers if a]
            words = sum(map(_words, texts)) / max(1, len(texts))
            return FieldInfo(name, "answers", words=words)
        return FieldInfo(name, "skip", why="nested")
    lists = [v for v in filled if isinstance(v, (list, tuple))]
    if lists:
        if len(lists) != len(filled) or any(isinstance(x, (dict, list, tuple)) for v in lists for x in v):
            return FieldInfo(name, "skip", why="nested")
        items = [str(_label_value(feature, x)) for v in lists for x in v]
        lengths = [len(v) for v in lists]
        distinct = set(items)
        if is_choice_field(name) or {"options", "candidates", "endings"} & tokens:
            return FieldInfo(name, "choices", lengths=lengths)
        if feature.label_names or (tokens & _TAG_NAMES and len(distinct) <= 50
                                   and all(_words(x) <= 2 for x in distinct)):
            labels = list(feature.label_names or sorted(distinct))
            return FieldInfo(name, "tags", labels=labels, lengths=lengths)
        words = sum(map(_words, items)) / max(1, len(items))
        kind = "tokens" if words <= 1.5 else "list"
        return FieldInfo(name, kind, words=words, lengths=lengths)
    shown = [_label_value(feature, v) for v in filled]
    if feature.label_names:
        return FieldInfo(name, "label", labels=list(feature.label_names))
    if all(isinstance(v, bool) for v in shown):
        return FieldInfo(name, "label", labels=["False", "True"])
    distinct = {str(v) for v in shown}
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in shown)
    if numbers:
        ints = all(float(v).is_integer() for v in shown)
        if ints and len(distinct) <= LABEL_MAX and len(shown) >= LABEL_MIN_ROWS:
            labels = sorted(distinct, key=float)
            return FieldInfo(name, "label", labels=labels, int_labels=True)
        return FieldInfo(name, "number", span=(min(map(float, shown)), max(map(float, shown))))
    texts = [str(v) for v in shown]
    words = sum(map(_words, texts)) / len(texts)
    questions = sum(t.rstrip().endswith("?") for t in texts) / len(texts)
    if (len(texts) >= LABEL_MIN_ROWS and not tokens & _NOT_LABELS and len(distinct) <= min(LABEL_MAX, len(texts) // 2)
            and words <= LABEL_MAX_WORDS):
        digits = all(t.strip().lstrip("-").isdigit() for t in distinct)
        labels = sorted(distinct, key=float) if digits else sorted(distinct)
        return FieldInfo(name, "label", labels=labels, words=words, int_labels=digits)
    return FieldInfo(name, "text", words=words, questions=questions)


def profile(meta: DatasetMeta) -> dict[str, FieldInfo]:
    """Every field of the dataset, in its order, with what it holds."""
    rows = meta.sample_rows()
    return {f.name: _profile(f, [row.get(f.name) for row in rows]) for f in meta.features}


def field_info(meta: DatasetMeta, name: str) -> FieldInfo:
    """One field's FieldInfo (kind 'skip', why 'unknown field' when the dataset lacks it)."""
    feature = meta.feature_map.get(name)
    if feature is None:
        return FieldInfo(name, "skip", why="unknown field")
    return _profile(feature, [row.get(name) for row in meta.sample_rows()])


def profile_values(feature: Feature, values: list[Any]) -> FieldInfo:
    """A field's FieldInfo from values already read (the validator has them)."""
    return _profile(feature, values)
