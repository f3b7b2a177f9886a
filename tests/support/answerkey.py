"""A hand-written answer key for the bundled samples: which tasks a reviewer would keep.

A task is sensible when some entry of its dataset matches: the output field; every required
input (the ones the output cannot be had without) present and no input outside the allowed
set; the instruction saying what to do (one of the entry's keywords) and naming no action
that contradicts the output (a label is no summary, no headline, no translation).
Written from the samples' cards, independent of the skeleton code.
"""

from __future__ import annotations

from dataclasses import dataclass

CLASSIFY = ("classif", "categor", "label", "whether", "which", "decide", "determine",
            "identify", "predict", "what is the", "what kind", "assign")
NOT_A_LABEL = ("summar", "headline for", "title for", "translat", "write a", "write an",
               "generate a", "rewrite", "paraphrase")


@dataclass(frozen=True)
class Entry:
    output: str
    required: frozenset[str]
    allowed: frozenset[str]
    keywords: tuple[str, ...]
    forbidden: tuple[str, ...] = ()


def _e(output: str, required: set[str], allowed: set[str], keywords: tuple[str, ...],
       forbidden: tuple[str, ...] = ()) -> Entry:
    return Entry(output, frozenset(required), frozenset(allowed | required), keywords, forbidden)


KEY: dict[str, list[Entry]] = {
    "sample:sst-mini": [
        _e("label", {"text"}, set(), CLASSIFY + ("sentiment", "positive", "negative", "opinion",
                                                  "feel", "like"), NOT_A_LABEL)],
    "sample:news-topics": [
        _e("label", {"text"}, {"title"}, CLASSIFY + ("topic", "subject", "about", "section"),
           NOT_A_LABEL),
        _e("label", {"title"}, {"text"}, CLASSIFY + ("topic", "subject", "about", "section"),
           NOT_A_LABEL),
        _e("title", {"text"}, set(), ("headline", "title")),
        _e("text", {"title"}, set(), ("write", "story", "article", "expand", "report"),
           ("summar",))],
    "sample:entailment-pairs": [
        _e("label", {"premise", "hypothesis"}, set(),
           ("entail", "contradict", "neutral", "follow", "relation", "whether", "true",
            "infer", "impl", "label", "classif", "support"), NOT_A_LABEL)],
    "sample:reading-qa": [
        _e("answers", {"context", "question"}, {"title"}, ("answer",), ("write a question",)),
        _e("question", {"context"}, {"answers", "title"}, ("question",)),
        _e("title", {"context"}, set(), ("title", "topic", "headline", "name"), ("question",))],
    "sample:science-choice": [
        _e("answer", {"question", "choices"}, set(),
           ("answer", "choos", "choice", "correct", "option", "select", "pick", "letter"),
           NOT_A_LABEL)],
    "sample:ner-tokens": [
        _e("ner_tags", {"tokens"}, set(), ("tag", "entit", "label", "ner"), NOT_A_LABEL)],
    "sample:local-news-summaries": [
        _e("summary", {"document"}, set(), ("summar", "one sentence", "one-sentence", "key fact",
                                            "main point", "brief")),
        _e("document", {"summary"}, set(), ("write", "story", "article", "expand", "report"),
           ("summar" + "ize", "summarise"))],
    "sample:support-tickets/intent": [
        _e("intent", {"text"}, set(), CLASSIFY + ("intent", "topic", "type", "kind", "about",
                                                   "want", "purpose", "reason"), NOT_A_LABEL)],
    "sample:support-tickets/replies": [
        _e("reply", {"ticket"}, set(), ("reply", "respon", "answer", "write"), ("summar",))],
}


def entries(dataset_key: str) -> list[Entry]:
    return KEY.get(dataset_key, [])


def sensible(dataset_key: str, instruction: str, input_fields: list[str], output_field: str
             ) -> bool:
    """Would a reviewer keep this task on this bundled sample (dataset key with config)?"""
    text = instruction.lower()
    inputs = set(input_fields)
    for e in entries(dataset_key):
        if (e.output == output_field and e.required <= inputs <= e.allowed
                and any(k in text for k in e.keywords)
                and not any(f in text for f in e.forbidden)):
            return True
    return False
