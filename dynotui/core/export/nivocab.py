"""Super-NaturalInstructions vocabulary and the task-level rules its repository checks.

The category names are those of the task hierarchy of `allenai/natural-instructions`
(doc/task-hierarchy.md); a Hub task category or task id maps to one of them, `Misc.` when
none fits. `problems` names what would make a task file fail that repository's per-file
checks for reasons in the data (too few instances, one output, skewed outputs), so the
exporter can leave such a task out and say why.
"""

from __future__ import annotations

import math
from collections import Counter

MIN_INSTANCES = 26  # "more than 25"
MAX_INSTANCES = 6500
MIN_ENTROPY = 0.8  # normalised, for tasks with fewer than SKEW_LABELS distinct outputs
SKEW_LABELS = 15

# Hub task_categories / task_ids (as cards write them) -> NI category
HUB_TO_NI = {
    "text-classification": "Text Categorization",
    "zero-shot-classification": "Text Categorization",
    "topic-classification": "Text Categorization",
    "multi-class-classification": "Text Categorization",
    "multi-label-classification": "Text Categorization",
    "sentiment-classification": "Sentiment Analysis",
    "sentiment-analysis": "Sentiment Analysis",
    "sentiment-scoring": "Sentiment Analysis",
    "natural-language-inference": "Textual Entailment",
    "multi-input-text-classification": "Textual Entailment",
    "question-answering": "Question Answering",
    "table-question-answering": "Question Answering",
    "extractive-qa": "Question Answering",
    "open-domain-qa": "Question Answering",
    "closed-domain-qa": "Question Answering",
    "multiple-choice": "Question Answering",
    "multiple-choice-qa": "Question Answering",
    "summarization": "Summarization",
    "news-articles-summarization": "Summarization",
    "translation": "Translation",
    "token-classification": "Named Entity Recognition",
    "named-entity-recognition": "Named Entity Recognition",
    "part-of-speech": "Pos Tagging",
    "coreference-resolution": "Coreference Resolution",
    "fill-mask": "Fill in The Blank",
    "sentence-similarity": "Text Matching",
    "semantic-similarity-classification": "Text Matching",
    "semantic-similarity-scoring": "Text Matching",
    "text-generation": "Text Completion",
    "language-modeling": "Text Completion",
    "conversational": "Dialogue Generation",
    "dialogue-modeling": "Dialogue Generation",
    "dialogue-generation": "Dialogue Generation",
    "fact-checking": "Fact Verification",
    "hate-speech-detection": "Toxic Language Detection",
    "intent-classification": "Intent Identification",
    "paraphrase": "Paraphrasing",
    "grammatical-error-correction": "Grammar Error Correction",
    "table-to-text": "Data to Text",
    "data-to-text": "Data to Text",
    "text2text-generation": "Misc.",
}
FALLBACK = "Misc."

LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish",
                  "zh": "Chinese", "ja": "Japanese", "ru": "Russian", "pt": "Portuguese",
                  "it": "Italian", "ar": "Arabic", "hi": "Hindi", "ko": "Korean", "nl": "Dutch",
                  "pl": "Polish", "tr": "Turkish", "sv": "Swedish", "vi": "Vietnamese",
                  "id": "Indonesian", "cs": "Czech", "fi": "Finnish", "da": "Danish"}


def categories(hub: list[str]) -> list[str]:
    """NI category names for a dataset's Hub task categories (in order, no repeats)."""
    out = [HUB_TO_NI[c.strip().lower()] for c in hub if c.strip().lower() in HUB_TO_NI]
    return list(dict.fromkeys(out)) or [FALLBACK]


def languages(codes: list[str]) -> list[str]:
    """ISO 639 language names for a card's language codes; codes not known here are left out
    (the Dynosaur crawl keeps English datasets, so none known means English)."""
    names = [LANGUAGE_NAMES.get(c.split("-")[0].split("_")[0].lower()) for c in codes]
    return list(dict.fromkeys(n for n in names if n)) or ["English"]


def entropy(outputs: list[str]) -> float:
    """Entropy of the outputs' distribution, normalised by its maximum (1.0: balanced)."""
    counts = Counter(outputs)
    if len(counts) < 2:
        return 0.0
    total = sum(counts.values())
    return -sum(n / total * math.log(n / total) for n in counts.values()) / math.log(len(counts))


def problems(instances: list[list[str]], definition: str, input_languages: list[str]) -> list[str]:
    """Why a task with these instance outputs would fail the NI per-file checks (empty: none)."""
    found = []
    if len(instances) < MIN_INSTANCES:
        found.append(f"{len(instances)} distinct inputs after the examples; NI needs more than "
                     f"{MIN_INSTANCES - 1}")
    flat = [o for outs in instances for o in outs]
    distinct = len(set(flat))
    if distinct < 2:
        found.append("every instance has the same output")
    elif distinct < SKEW_LABELS and entropy(flat) <= MIN_ENTROPY:
        found.append(f"outputs skewed (normalised entropy {entropy(flat):.2f}, NI needs more "
                     f"than {MIN_ENTROPY})")
    missing = [lan for lan in input_languages if lan != "English" and lan not in definition]
    if missing:
        found.append(f"the definition does not name its input language ({', '.join(missing)})")
    return found
