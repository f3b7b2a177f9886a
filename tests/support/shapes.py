"""Hand-made DatasetMeta of shapes the bundled samples do not have (for skeleton tests).

Each builder returns a small dataset of one well-known shape: rows are varied enough that
field kinds are read as they would be on the real dataset (labels repeat, texts differ).
"""

from __future__ import annotations

from typing import Any

from dynotui.core.models import DatasetMeta, DatasetRef, Feature

N = 12
WORDS = ("river", "market", "teacher", "garden", "engine", "harbour", "violin", "winter",
         "bakery", "satellite", "forest", "bicycle")


def _w(i: int, k: int = 0) -> str:
    return WORDS[(i + k) % len(WORDS)]


def _sentence(i: int, n: int = 8) -> str:
    return " ".join(_w(i, k) for k in range(n)).capitalize() + "."


def _meta(name: str, features: list[Feature], rows: list[dict[str, Any]], summary: str = "",
          categories: list[str] | None = None, task_ids: list[str] | None = None,
          descriptions: dict[str, str] | None = None) -> DatasetMeta:
    meta = DatasetMeta(ref=DatasetRef("hub", f"someone/{name}"), name=name, summary=summary,
                       license=["mit"], features=features, rows={"train": rows},
                       task_categories=list(categories or []), task_ids=list(task_ids or []),
                       field_descriptions=dict(descriptions or {}))
    return meta


def nli() -> DatasetMeta:
    labels = ["entailment", "neutral", "contradiction"]
    rows = [{"premise": _sentence(i, 10), "hypothesis": _sentence(i + 3, 5), "label": labels[i % 3]}
            for i in range(N)]
    return _meta("mnli-like", [Feature("premise", "string"), Feature("hypothesis", "string"),
                               Feature("label", "ClassLabel", labels)], rows)


def choice_int() -> DatasetMeta:
    rows = [{"question": f"Which of these is a {_w(i)}?", "choices": [_w(i + k) for k in range(4)],
             "answer": i % 4} for i in range(N)]
    return _meta("mc-int", [Feature("question", "string"), Feature("choices", "list[string]"),
                            Feature("answer", "int64")], rows, categories=["multiple-choice"])


def document_summary() -> DatasetMeta:
    rows = [{"id": f"d{i}", "document": " ".join(_sentence(i + k, 12) for k in range(5)),
             "summary": _sentence(i, 12)} for i in range(N)]
    return _meta("xsum-like", [Feature("id", "string"), Feature("document", "string"),
                               Feature("summary", "string")], rows, categories=["summarization"])


def tokens_tags() -> DatasetMeta:
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    rows = []
    for i in range(N):
        toks = [_w(i, k).capitalize() for k in range(6)]
        rows.append({"tokens": toks, "pos_tags": ["NN"] * 6,
                     "ner_tags": [tags[(i + k) % 5] for k in range(6)]})
    return _meta("conll-like", [Feature("tokens", "list[string]"),
                                Feature("pos_tags", "list[string]"),
                                Feature("ner_tags", "Sequence[ClassLabel]", tags)], rows)


def paraphrase() -> DatasetMeta:
    labels = ["not_equivalent", "equivalent"]
    rows = [{"idx": i, "sentence1": _sentence(i, 9), "sentence2": _sentence(i + 1, 9),
             "label": labels[i % 2]} for i in range(N)]
    return _meta("mrpc-like", [Feature("idx", "int32"), Feature("sentence1", "string"),
                               Feature("sentence2", "string"),
                               Feature("label", "ClassLabel", labels)], rows)


def string_labels() -> DatasetMeta:
    moods = ["joy", "anger", "sadness", "fear"]
    rows = [{"text": _sentence(i, 11), "label": moods[i % 4]} for i in range(N)]
    return _meta("emotion-strings", [Feature("text", "string"), Feature("label", "string")], rows,
                 categories=["text-classification"], task_ids=["sentiment-classification"])


def code_docstring() -> DatasetMeta:
    rows = [{"repo": f"org/{_w(i)}", "path": f"src/{_w(i)}.py", "url": f"https://example.org/{i}",
             "code": f"def {_w(i)}_{i}(x):\n    return x * {i} + len('{_w(i + 1)}')\n",
             "docstring": f"Scale x by {i} and add the length of a word about {_w(i + 1)}.",
             "language": "python"} for i in range(N)]
    return _meta("code-docs", [Feature(n, "string") for n in
                               ("repo", "path", "url", "code", "docstring", "language")], rows)


def dialogue_response() -> DatasetMeta:
    rows = [{"dialogue": f"A: Have you seen the {_w(i)}? B: Not yet. A: {_sentence(i, 7)}",
             "response": f"I will look at the {_w(i)} tomorrow, {_sentence(i + 2, 6).lower()}"}
            for i in range(N)]
    return _meta("chat-replies", [Feature("dialogue", "string"), Feature("response", "string")],
                 rows)


def id_url_text() -> DatasetMeta:
    rows = [{"id": str(i), "url": f"https://example.org/page/{i}", "text": _sentence(i, 20)}
            for i in range(N)]
    return _meta("web-text", [Feature("id", "string"), Feature("url", "string"),
                              Feature("text", "string")], rows)


def boolq() -> DatasetMeta:
    rows = [{"question": f"is the {_w(i)} near the {_w(i + 1)}", "passage": _sentence(i, 40),
             "answer": bool(i % 2)} for i in range(N)]
    return _meta("boolq-like", [Feature("question", "string"), Feature("passage", "string"),
                                Feature("answer", "bool")], rows)


def trivia() -> DatasetMeta:
    rows = [{"question": f"What is the name of the {_w(i)} in the story of {_w(i + 2)}?",
             "answer": f"{_w(i + 5).capitalize()} {_w(i + 7)}"} for i in range(N)]
    return _meta("trivia-like", [Feature("question", "string"), Feature("answer", "string")], rows)


def similarity_score() -> DatasetMeta:
    rows = [{"sentence1": _sentence(i, 8), "sentence2": _sentence(i + 2, 8),
             "score": round(i * 0.41, 2)} for i in range(N)]
    return _meta("stsb-like", [Feature("sentence1", "string"), Feature("sentence2", "string"),
                               Feature("score", "float32")], rows)


def instruction_output() -> DatasetMeta:
    rows = [{"instruction": f"Describe the {_w(i)} in one sentence.", "input": "",
             "output": _sentence(i, 14)} for i in range(N)]
    return _meta("alpaca-like", [Feature("instruction", "string"), Feature("input", "string"),
                                 Feature("output", "string")], rows)


SHAPES = {f.__name__: f for f in (nli, choice_int, document_summary, tokens_tags, paraphrase,
                                  string_labels, code_docstring, dialogue_response, id_url_text,
                                  boolq, trivia, similarity_score, instruction_output)}


def stsb_label() -> DatasetMeta:
    rows = [{"sentence1": _sentence(i, 8), "sentence2": _sentence(i + 2, 8),
             "label": round(i * 0.41, 2)} for i in range(N)]
    return _meta("glue-stsb-like", [Feature("sentence1", "string"), Feature("sentence2", "string"),
                                    Feature("label", "float32")], rows,
                 task_ids=["semantic-similarity-scoring"])


def article_highlights() -> DatasetMeta:
    rows = [{"id": f"{i:040x}", "article": " ".join(_sentence(i + k, 14) for k in range(6)),
             "highlights": _sentence(i, 10) + " " + _sentence(i + 4, 9)} for i in range(N)]
    return _meta("cnn-like", [Feature("article", "string"), Feature("highlights", "string"),
                              Feature("id", "string")], rows)


def instruction_input_output() -> DatasetMeta:
    rows = [{"instruction": f"Describe the {_w(i)} in one sentence.",
             "input": _sentence(i, 6) if i % 2 else "", "output": _sentence(i, 14)}
            for i in range(N)]
    return _meta("alpaca-input", [Feature("instruction", "string"), Feature("input", "string"),
                                  Feature("output", "string")], rows)


SHAPES.update({f.__name__: f for f in (stsb_label, article_highlights, instruction_input_output)})
