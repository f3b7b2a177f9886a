"""Task skeletons: which output field a dataset's rows can teach, and the inputs it needs,
derived from the metadata alone (feature types, field names, sample values, the card's
task_categories / task_ids). The schema variant asks the model only to phrase each skeleton's
instruction; the skeleton's own plain template is the fallback.

Kinds: classify, nli, paraphrase, tagging, choice, qa, question (the reverse of qa),
summarize, headline, expand (the reverse of both), respond, describe (code -> docstring),
code (the reverse). Id-like, url/metadata, constant, empty, nested and media fields are never
used (fieldkinds.profile says why).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from dynotui.core.generation.fieldkinds import FieldInfo, name_tokens, profile
from dynotui.core.instances import output_text
from dynotui.core.models import DatasetMeta

MAX_SKELETONS = 3
QUESTION_NAMES = {"question", "questions", "query", "queries", "stem"}
CONTEXT_NAMES = {"context", "ctx", "passage", "document", "article", "paragraph", "story", "text",
                 "evidence", "background", "doc", "body", "content", "support", "premise"}
ANSWER_NAMES = {"answer", "answers", "ans", "correct", "gold", "target", "label"}
SUMMARY_NAMES = {"summary", "summaries", "abstract", "tldr", "highlights", "synopsis", "gist"}
TITLE_NAMES = {"title", "headline", "heading", "subject"}
RESPONSE_NAMES = {"reply", "response", "responses", "output", "completion", "answer",
                  "chosen", "assistant", "rewrite", "target"}
REQUEST_NAMES = {"ticket", "message", "query", "prompt", "instruction", "input", "post", "email",
                 "utterance", "dialogue", "dialog", "conversation", "history", "context",
                 "user", "request", "comment", "review", "question", "source"}
CODE_NAMES = {"code", "function", "func", "snippet", "program", "solution", "implementation"}
DOC_NAMES = {"docstring", "docstrings", "documentation", "comment", "comments", "description",
             "summary", "nl", "intent", "doc"}
_SCORE_NAMES = {"score", "rating", "similarity", "stars", "relatedness", "grade"}
_GENERIC_LABEL = {"label", "labels", "class", "classes", "target", "y", "gold", "output",
                  "category", "tag", "value", "answer"}
# base priority of a kind; the card's hints add to it
_PRIORITY = {"classify": 5, "nli": 6, "paraphrase": 6, "tagging": 6, "choice": 6, "qa": 6,
             "summarize": 5, "respond": 5, "describe": 5, "headline": 4, "code": 3,
             "question": 3, "expand": 2, "rate": 5}
_HINTS = {
    "classify": ("text-classification", "classification", "sentiment", "topic", "intent",
                 "emotion", "hate", "toxic", "spam", "acceptability", "fact-checking"),
    "nli": ("natural-language-inference", "text-classification", "entailment"),
    "paraphrase": ("semantic-similarity", "paraphrase", "text-classification", "sentence-similarity"),
    "tagging": ("token-classification", "named-entity", "part-of-speech", "parsing"),
    "choice": ("multiple-choice",),
    "rate": ("semantic-similarity", "text-scoring", "sentiment-scoring", "sentence-similarity"),
    "qa": ("question-answering", "extractive-qa", "open-domain-qa", "closed-domain-qa"),
    "question": ("question-generation", "text2text-generation"),
    "summarize": ("summarization",),
    "headline": ("summarization", "text2text-generation"),
    "respond": ("text-generation", "conversational", "dialogue", "text2text-generation"),
    "describe": ("summarization", "text2text-generation", "text-generation"),
    "code": ("text-generation", "text2text-generation"),
    "expand": ("text-generation", "text2text-generation"),
}


@dataclass(frozen=True)
class Skeleton:
    """A task before its wording: output field, the inputs it needs, a plain instruction."""

    kind: str
    input_fields: tuple[str, ...]
    output_field: str
    template: str
    labels: tuple[str, ...] = ()
    priority: int = 0

    def item(self, instruction: str | None = None) -> dict:
        """The task as an answer item (what the validator reads)."""
        return {"instruction": instruction or self.template,
                "input_fields": list(self.input_fields), "output_field": self.output_field}


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _hints(meta: DatasetMeta) -> str:
    return " ".join([*meta.task_categories, *meta.task_ids]).lower()


def noun(meta: DatasetMeta, name: str) -> str:
    """How to call a field in an instruction: the card's short description ('the review,
    one sentence' -> 'review') when it is one to three plain words, else the field's name."""
    text = (meta.field_descriptions.get(name) or "").strip().strip("`")
    head = re.split(r"[,.;:()\-\u2014]| of | with | in | that | which | from ", text, maxsplit=1)[0]
    words = head.lower().split()
    while words and words[0] in ("a", "an", "the", "one", "each"):
        words = words[1:]
    whole = re.match(r"(?:the |a |an )?(?:body|text|content|contents|rest) of (?:the |a |an )?(\w+)",
                     text.lower())
    if whole:  # 'the body of the story' -> 'story'
        words = [whole.group(1)]
    if 1 <= len(words) <= 3 and all(w.isalpha() for w in words):
        return " ".join(words)
    return " ".join(name_tokens(name)) or name


def _nouns(meta: DatasetMeta, names: list[str]) -> str:
    parts = [noun(meta, n) for n in names]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _named(info: FieldInfo, names: set[str]) -> bool:
    return bool(set(info.tokens) & names)


def _label_noun(meta: DatasetMeta, info: FieldInfo, hints: str) -> str:
    if not set(info.tokens) <= _GENERIC_LABEL:
        return " ".join(info.tokens)
    for word in ("sentiment", "topic", "intent", "emotion", "toxicity", "stance", "language"):
        if word in hints:
            return word
    desc = noun(meta, info.name)
    return desc if desc != " ".join(info.tokens) and len(desc.split()) <= 2 else "category"


def _tag_noun(info: FieldInfo, hints: str) -> str:
    tokens = set(info.tokens)
    if tokens & {"ner", "entity", "entities"} or "named-entity" in hints:
        return "named-entity tag"
    if tokens & {"pos", "upos", "xpos"} or "part-of-speech" in hints:
        return "part-of-speech tag"
    if "chunk" in tokens:
        return "chunk tag"
    words = [t for t in info.tokens if t not in ("tags", "tag", "labels", "label")]
    return (" ".join(words) + " tag").strip()


class _Builder:
    def __init__(self, meta: DatasetMeta) -> None:
        self.meta = meta
        self.info = profile(meta)
        self.hints = _hints(meta)
        self.out: list[Skeleton] = []
        self.outputs: set[str] = set()

    def of(self, kind: str) -> list[FieldInfo]:
        return [i for i in self.info.values() if i.kind == kind]

    def add(self, kind: str, inputs: list[str], output: str, template: str,
            labels: list[str] | None = None) -> None:
        if output in inputs or not inputs or output in self.outputs:
            return
        bonus = 3 if any(h in self.hints for h in _HINTS.get(kind, ())) else 0
        self.out.append(Skeleton(kind, tuple(inputs), output, template, tuple(labels or ()),
                                 _PRIORITY[kind] + bonus))
        self.outputs.add(output)

    def n(self, name: str) -> str:
        return noun(self.meta, name)

    # -- the shapes ------------------------------------------------------------------------
    def tagging(self) -> None:
        for tags in self.of("tags"):
            partners = [i for i in self.info.values() if i.kind in ("tokens", "list")
                        and i.name != tags.name]
            same = [i for i in partners if i.lengths == tags.lengths] or partners
            if same:
                self.add("tagging", [same[0].name], tags.name,
                         f"Tag each token with its {_tag_noun(tags, self.hints)}.", tags.labels)

    def choice(self) -> None:
        choices = self.of("choices")
        if not choices:
            return
        texts = self.of("text")
        question = next((i for i in texts if _named(i, QUESTION_NAMES | {"goal", "sentence",
                                                                         "prompt"})
                         or i.questions > 0.5), texts[0] if texts else None)
        answer = next((i for i in self.info.values() if i.kind in ("label", "text", "number")
                       and _named(i, ANSWER_NAMES) and i is not question), None)
        if question is None or answer is None:
            return
        context = next((i for i in texts if i is not question and _named(i, CONTEXT_NAMES
                                                                          | {"fact"})), None)
        inputs = ([context.name] if context else []) + [question.name, choices[0].name]
        what = "question" if _named(question, QUESTION_NAMES) or question.questions > 0.5 \
            else self.n(question.name)
        text = f"Answer the {what} by choosing the correct option."
        labels = answer.labels
        if labels and all(len(x) == 1 and x.isalpha() for x in labels):
            text += " Give the letter of the correct option."
        elif answer.int_labels:
            start = "0" if "0" in labels else "1"
            text += f" Give the number of the correct option, counting from {start}."
        self.add("choice", inputs, answer.name, text, labels)

    def qa(self) -> None:
        texts = [i for i in self.of("text") if i.name not in self.outputs]
        question = next((i for i in texts if _named(i, QUESTION_NAMES)), None) or next(
            (i for i in texts if i.questions > 0.6), None)
        if question is None or question.name in self.outputs:
            return
        answer = next((i for i in self.info.values() if i.kind in ("answers", "text", "label")
                       and i is not question and _named(i, ANSWER_NAMES - {"label"})), None)
        others = [i for i in texts if i is not question and i is not answer
                  and not _named(i, TITLE_NAMES)]
        context = next((i for i in others if _named(i, CONTEXT_NAMES)), None) or max(
            (i for i in others if i.words >= 25), key=lambda i: i.words, default=None)
        if answer is None:
            if context is not None:
                self.add("question", [context.name], question.name,
                         f"Write a question that can be answered from the {self.n(context.name)}.")
            return
        if context is None:
            self.add("qa", [question.name], answer.name,
                     "Answer the question in a few words." if answer.words <= 5
                     else "Answer the question.", answer.labels)
            return
        where = self.n(context.name)
        if answer.kind == "label":
            text = f"Answer the question about the {where}."
        elif self._extractive(answer.name, context.name):
            text = f"Answer the question with a short span copied from the {where}."
        else:
            text = f"Answer the question using the {where}."
        self.add("qa", [context.name, question.name], answer.name, text, answer.labels)
        if answer.kind in ("text", "answers") and not self._one_each(context.name, question.name):
            # several questions per passage: the answer tells which one to write
            self.add("question", [context.name, answer.name], question.name,
                     f"Write a question about the {where} whose answer is the given "
                     f"{'answer' if answer.kind == 'answers' else self.n(answer.name)}.")
        elif self._one_each(context.name, question.name):
            self.add("question", [context.name], question.name,
                     f"Write a question that can be answered from the {where}.")

    def _one_each(self, source: str, target: str) -> bool:
        """Each value of `source` comes with one value of `target` in the samples."""
        seen: dict[str, str] = {}
        for row in self.meta.sample_rows():
            key, value = str(row.get(source)), str(row.get(target))
            if seen.setdefault(key, value) != value:
                return False
        return True

    def _extractive(self, answer: str, context: str) -> bool:
        rows = [r for r in self.meta.sample_rows(20) if r.get(answer) and r.get(context)]
        hits = [output_text(answer, r[answer]).strip() in str(r[context]) for r in rows]
        return bool(hits) and sum(hits) * 4 >= len(hits) * 3

    def classify(self) -> None:
        texts = [i.name for i in self.of("text") if i.name not in self.outputs]
        for label in self.of("label"):
            if label.name in self.outputs or not texts:
                continue
            inputs = texts[:3]
            names = {x.lower().replace("_", " ").replace("-", " ") for x in label.labels}
            nli = bool(names & {"entailment", "contradiction", "not entailment"}) or (
                "natural-language-inference" in self.hints and len(inputs) == 2)
            para = bool(names & {"equivalent", "not equivalent", "paraphrase", "duplicate",
                                 "not duplicate"}) or (
                ("paraphrase" in self.hints or "semantic-similarity" in self.hints)
                and len(inputs) == 2)
            if nli and len(inputs) == 2:
                a, b = self.n(inputs[0]), self.n(inputs[1])
                self.add("nli", inputs, label.name, f"Decide whether the {a} entails the {b}, "
                                                    "contradicts it, or neither.", label.labels)
            elif para and len(inputs) == 2:
                self.add("paraphrase", inputs, label.name,
                         f"Decide whether the {self._both(inputs)} mean the same thing.",
                         label.labels)
            else:
                what = _label_noun(self.meta, label, self.hints)
                text = (f"Classify the {what} of the {self.n(inputs[0])}." if len(inputs) == 1
                        else f"Read the {_nouns(self.meta, inputs)} and classify the {what}.")
                if label.int_labels and not set(label.labels) <= {"0", "1"}:
                    text = text.replace("Classify", "Predict").replace("classify", "predict")
                self.add("classify", inputs, label.name, text, label.labels)

    def _both(self, names: list[str]) -> str:
        """'sentence1', 'sentence2' -> 'two sentences'; else 'premise and hypothesis'."""
        bases = {re.sub(r"[\W_]*\d+$", "", n).lower() for n in names}
        if len(bases) == 1 and bases != {""}:
            return f"two {bases.pop()}s"
        return _nouns(self.meta, names)

    def rate(self) -> None:
        texts = [i.name for i in self.of("text") if i.name not in self.outputs]
        for score in self.of("number"):
            if not _named(score, _SCORE_NAMES | {"label", "target"}) or not texts \
                    or score.name in self.outputs:
                continue
            low, high = math.floor(score.span[0]), math.ceil(score.span[1])
            inputs = texts[:2]
            if "similarity" in score.tokens or "similarity" in self.hints and len(inputs) == 2:
                text = f"Rate how similar the {self._both(inputs)} are, from {low} to {high}."
            else:
                what = " ".join(score.tokens) if _named(score, _SCORE_NAMES) else "score"
                text = f"Give the {what} of the {self._both(inputs)}, a number from {low} to {high}."
            self.add("rate", inputs, score.name, text)

    def pairs(self) -> None:
        texts = [i for i in self.of("text")]
        # a qa's question and answer are no text pair; its context may be
        taken = set(self.outputs) | {s.input_fields[-1] for s in self.out if s.kind == "qa"}
        free = [i for i in texts if i.name not in taken]
        longest = lambda pool, than: max((i for i in pool if i.words >= than),  # noqa: E731
                                         key=lambda i: i.words, default=None)
        for short in free:
            rest = [i for i in free if i is not short]
            if _named(short, SUMMARY_NAMES) and not any(_named(i, CODE_NAMES) for i in rest):
                long = longest(rest, 1.5 * short.words)
                if long:
                    self.add("summarize", [long.name], short.name, self._summarize(long, short))
                    self.add("expand", [short.name], long.name,
                             f"Write {_a(self.n(long.name))} {self.n(long.name)} based on the "
                             f"{self.n(short.name)}.")
            elif _named(short, TITLE_NAMES):
                long = longest(rest, max(8.0, 2 * short.words))
                if long:
                    what = self.n(short.name)
                    what = what if what in TITLE_NAMES else "title"
                    self.add("headline", [long.name], short.name,
                             f"Write {_a(what)} {what} for the {self.n(long.name)}.")
        codes = [i for i in free if _named(i, CODE_NAMES)]
        docs = [i for i in free if _named(i, DOC_NAMES) and i not in codes]
        if codes and docs:
            c, d = codes[0].name, docs[0].name
            self.add("describe", [c], d, f"Write {_a(self.n(d))} {self.n(d)} that describes what the "
                                         f"{self.n(c)} does.")
            self.add("code", [d], c, f"Write the {self.n(c)} described by the {self.n(d)}.")
        responses = [i for i in free if _named(i, RESPONSE_NAMES) and i not in codes]
        for resp in responses:
            asks = [i for i in free if i is not resp and _named(i, REQUEST_NAMES)]
            if not asks and len(free) == 2:
                asks = [i for i in free if i is not resp]
            if asks:
                what = self.n(resp.name)
                what = "response" if what in ("output", "completion", "target", "chosen",
                                              "assistant") else what
                names = [a.name for a in asks[:2]]  # an instruction and its input
                self.add("respond", names, resp.name,
                         f"Write {_a(what)} {what} to the {_nouns(self.meta, names)}.")
        if not any(s.kind in ("summarize", "headline", "respond", "describe") for s in self.out):
            self._by_length(free)

    def _summarize(self, long: FieldInfo, short: FieldInfo) -> str:
        if short.words <= 30:
            return f"Summarize the {self.n(long.name)} in one sentence."
        return f"Write a short summary of the {self.n(long.name)}."

    def _by_length(self, free: list[FieldInfo]) -> None:
        """Two texts of one record, one at least three times longer: summary or title."""
        if len(free) != 2:
            return
        short, long = sorted(free, key=lambda i: i.words)
        if long.words < 3 * short.words or short.words < 2 or long.words < 25:
            return
        if short.words <= 12 and short.questions < 0.5:
            self.add("headline", [long.name], short.name,
                     f"Write a title for the {self.n(long.name)}.")
        elif short.questions < 0.5:
            self.add("summarize", [long.name], short.name, self._summarize(long, short))


def derive(meta: DatasetMeta, limit: int = MAX_SKELETONS) -> list[Skeleton]:
    """The dataset's task skeletons, most fitting first (at most `limit`)."""
    b = _Builder(meta)
    b.tagging()
    b.choice()
    b.qa()
    b.classify()
    b.rate()
    b.pairs()
    ranked = sorted(enumerate(b.out), key=lambda p: (-p[1].priority, p[0]))
    return [s for _, s in ranked][:limit]


def unused_fields(meta: DatasetMeta) -> dict[str, str]:
    """Fields no skeleton may use, with the reason (id-like, url, constant...)."""
    return {i.name: i.why for i in profile(meta).values() if i.kind == "skip"}
