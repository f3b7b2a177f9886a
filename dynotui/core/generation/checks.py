"""Checks on what an instruction says, shared by the validator and the schema variant's
phrasing step: does it copy a demonstration (verbatim or adapted), does it ask for the
output's label, and does the action it names fit the output field.

Adapted copies: "Write a one-sentence safety tip for hikers ..." became "... safety tip for
students ..." in a library dataset. Word-sequence similarity (difflib on words) to a
demonstration instruction of at least COPY_RATIO, sharing two distinctive words of that
demonstration (not generic instruction vocabulary) that the dataset's own metadata does not
contain (one, from SURE_RATIO on), is a copy: the words came from the demonstration, not from
the data.
No torch: plain tokens.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from dynotui.core.generation.prompts import demo_instructions
from dynotui.core.models import DatasetMeta

COPY_RATIO = 0.5
SURE_RATIO = 0.6
_STOP = set("a an the of for to in on and or this these that those with by from is are be as at "
            "it its their your you given each one two described below above whose which what "
            "how who into than then there here all any some no not do does".split())
_GENERIC = set("write read answer answers question questions short long text texts sentence "
               "sentences predict classify decide identify name give provide generate create "
               "summary summarize summarise label labels category categories based following "
               "input output word words phrase review reviews passage document article title "
               "using use determine whether about such kind type correct option options choose "
               "data dataset field fields new different single brief concise simple headline "
               "headlines title titles".split())
_LABEL_ASK = re.compile(
    r"\b(classif\w*|categor\w*|labels?|labell?ed|class|classes|whether|which|decide|determine|"
    r"identify|predict|detect|sentiment|topic|rate|rating|choose|select|pick|entail\w*|"
    r"contradict\w*|true or false|yes or no|one of|is it|does it|answer)\b")
_ACTIONS = {
    "summary": re.compile(r"\bsummari[sz](e|es|ing)\b|\b(write|give|generate|create|provide|"
                          r"produce|compose)\b(\s+[\w,-]+){0,3}\s+summary\b|\bsummary of\b"),
    "question": re.compile(r"\b(write|generate|create|ask|pose|compose|formulate|form|produce|"
                           r"come up with|make up)\b(\s+[\w,-]+){0,4}\s+questions?\b"),
    "title": re.compile(r"\b(write|generate|create|suggest|give|propose|compose|come up with)"
                        r"\b(\s+[\w,-]+){0,4}\s+(title|headline)s?\b"),
    "translate": re.compile(r"\btranslat(e|es|ing|ion)\b"),
}
# A word each pattern needs, tested first (most instructions name no action: the regexes,
# slow on their optional word runs, then run for few)
_ACTION_WORDS = {"summary": ("summar",), "question": ("question",),
                 "title": ("title", "headline"), "translate": ("translat",)}


_PUNCT = re.compile(r"[^\w\s]")


def words(text: str) -> list[str]:
    return _PUNCT.sub(" ", text.lower()).split()


def _distinct(tokens: list[str]) -> set[str]:
    return {t for t in tokens if t not in _STOP and t not in _GENERIC and not t.isdigit()}


@lru_cache(maxsize=1)
def _demos() -> tuple[tuple[tuple[str, ...], frozenset[str]], ...]:
    return tuple((tuple(words(d)), frozenset(_distinct(words(d)))) for d in demo_instructions())


def meta_words(meta: DatasetMeta | None, rows: int = 20) -> set[str]:
    """Every word the dataset's metadata shows: name, summary, field names and descriptions,
    label names, sample values."""
    if meta is None:
        return set()
    cached = getattr(meta, "_words_cache", None)
    if cached is not None:
        return cached
    parts: list[Any] = [meta.name, meta.pretty_name, meta.summary, *meta.field_names,
                        *meta.field_descriptions.values(), *meta.task_categories]
    for f in meta.features:
        parts.extend(f.label_names or [])
        parts.extend(re.split(r"[_\W]+", f.name))
    for row in meta.sample_rows(rows):
        parts.extend(str(v)[:2000] for v in row.values())
    found = set(words(" ".join(str(p) for p in parts if p)))
    try:
        object.__setattr__(meta, "_words_cache", found)
    except (AttributeError, TypeError):
        pass
    return found


@lru_cache(maxsize=1)
def _lcs_search() -> tuple[Any, Any]:
    from rapidfuzz import process  # 26 ms: loaded by the first check, not at start-up
    from rapidfuzz.distance import Indel

    return process.extract_iter, Indel.normalized_similarity


def within(seq: Any, choices: Any, ratio: float) -> list[int]:
    """The indexes of the choices whose difflib ratio() with `seq` could reach `ratio`: by its
    bound 2·LCS / (sum of lengths) (the matching blocks are one common subsequence), computed
    in C by rapidfuzz for all choices in one call."""
    search, scorer = _lcs_search()
    # rapidfuzz's own cutoff drops scores just above it (0.6 with a cutoff of 0.6 - 1e-9):
    # it only prunes, with room to spare; the comparison that decides is ours
    found = search(seq, choices, scorer=scorer, score_cutoff=max(0.0, ratio - 0.01))
    return [i for _, score, i in found if score >= ratio - 1e-9]


@lru_cache(maxsize=1)
def _demo_tokens() -> tuple[tuple[str, ...], ...]:
    return tuple(demo for demo, _words in _demos())


@lru_cache(maxsize=65536)  # a pure function of the text; task lists repeat instructions
def _could_copy(instruction: str) -> bool:
    """Could some demonstration be within COPY_RATIO (difflib on words)? Cheap; False
    settles it."""
    return bool(within(words(instruction), _demo_tokens(), COPY_RATIO))


def demo_copy(instruction: str, meta: DatasetMeta | None) -> tuple[float, list[str]]:
    """(similarity, borrowed words) against the closest demonstration that lends the
    instruction words its dataset does not have; (best similarity, []) when none does."""
    tokens = words(instruction)
    if not tokens:
        return 0.0, []
    mine = _distinct(tokens)
    known = meta_words(meta)
    best, borrowed = 0.0, []
    for demo, demo_words in _demos():
        matcher = SequenceMatcher(None, tokens, demo, autojunk=False)
        if matcher.real_quick_ratio() < COPY_RATIO or matcher.quick_ratio() < COPY_RATIO:
            continue
        ratio = matcher.ratio()
        lent = sorted((mine & demo_words) - known)
        if ratio >= COPY_RATIO and lent and (not borrowed or ratio > best):
            best, borrowed = ratio, lent
        elif not borrowed:
            best = max(best, ratio)
    return best, borrowed


def is_demo_copy(instruction: str, meta: DatasetMeta | None) -> bool:
    """Close in words and borrowing two words, or closer still and borrowing one."""
    if not _could_copy(instruction):  # the common case, without difflib
        return False
    ratio, borrowed = demo_copy(instruction, meta)
    return ratio >= COPY_RATIO and (len(borrowed) >= 2 or ratio >= SURE_RATIO and bool(borrowed))


def asks_for_label(instruction: str, output_field: str, labels: list[str]) -> bool:
    """Does the instruction ask for the output's label (so that the label list fits)? Not
    when it asks to write something (a title, a summary, a question, a translation)."""
    text = instruction.lower()
    if actions(text):
        return False
    if _LABEL_ASK.search(text) or text.rstrip().endswith("?"):
        return True
    mine = set(words(text))
    name = {t for t in re.split(r"[_\W]+", output_field.lower()) if len(t) > 2}
    if name & mine:
        return True
    named = [x for x in labels if x and set(words(x)) <= mine]
    return len(named) >= 2


@lru_cache(maxsize=65536)
def actions(instruction: str) -> tuple[str, ...]:
    """The actions an instruction names: summary, question, title, translate."""
    text = instruction.lower()
    return tuple(name for name, pattern in _ACTIONS.items()
                 if any(w in text for w in _ACTION_WORDS[name]) and pattern.search(text))


def action_mismatch(instruction: str, info: Any) -> str:
    """Why the action the instruction names does not fit the output field (a fieldkinds
    FieldInfo); '' when it does or names none."""
    kind = info.kind
    for action in actions(instruction):
        if action in ("summary", "translate", "title") and kind not in ("text", "answers"):
            return f"it asks for a {action}, but '{info.name}' is a {_kind_name(kind)}"
        if action == "title" and kind == "text" and info.words > 40:
            return (f"it asks for a title, but '{info.name}' is a long text "
                    f"({info.words:.0f} words)")
        if action == "question" and not (kind == "text" and (
                info.questions >= 0.5 or {"question", "questions", "query"} & set(info.tokens))):
            return f"it asks to write a question, but '{info.name}' holds no questions"
    return ""


def _kind_name(kind: str) -> str:
    return {"label": "label", "tags": "tag sequence", "number": "number", "choices": "choice list",
            "tokens": "token list", "list": "list"}.get(kind, kind)
