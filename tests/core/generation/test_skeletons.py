"""Task skeletons from metadata: the bundled samples, other shapes, and fields never used."""

from __future__ import annotations

import pytest
from answerkey import KEY, sensible
from shapes import SHAPES

from dynotui.config import load_settings
from dynotui.core.generation.skeletons import derive, unused_fields
from dynotui.core.generation.validate import validate_tasks
from dynotui.core.sources import load_meta, parse_ref


def _sample(key: str):
    name, _, config = key.removeprefix("sample:").partition("/")
    settings = load_settings(workspace="unused")
    return load_meta(parse_ref(f"sample:{name}", config=config or None), 100, settings)


@pytest.fixture(scope="module")
def samples():
    return {key: _sample(key) for key in KEY}


def _shape(skeletons):
    return {(s.kind, s.input_fields, s.output_field) for s in skeletons}


@pytest.mark.parametrize("key, expected", [
    ("sample:sst-mini", {("classify", ("text",), "label")}),
    ("sample:news-topics", {("classify", ("title", "text"), "label"),
                            ("headline", ("text",), "title")}),
    ("sample:entailment-pairs", {("nli", ("premise", "hypothesis"), "label")}),
    ("sample:reading-qa", {("qa", ("context", "question"), "answers"),
                           ("question", ("context", "answers"), "question"),
                           ("headline", ("context",), "title")}),
    ("sample:science-choice", {("choice", ("question", "choices"), "answer")}),
    ("sample:ner-tokens", {("tagging", ("tokens",), "ner_tags")}),
    ("sample:local-news-summaries", {("summarize", ("document",), "summary"),
                                     ("expand", ("summary",), "document")}),
    ("sample:support-tickets/intent", {("classify", ("text",), "intent")}),
    ("sample:support-tickets/replies", {("respond", ("ticket",), "reply")}),
])
def test_each_bundled_sample_gets_the_tasks_its_shape_affords(samples, key, expected):
    meta = samples[key]
    skeletons = derive(meta)
    assert _shape(skeletons) == expected
    # and every template passes the checks and is a task the answer key keeps
    for s, checked in zip(skeletons, validate_tasks([s.item() for s in skeletons], meta)):
        assert checked.valid, (s, checked.errors)
        assert not checked.warnings or {v.rule for v in checked.warnings} <= {
            "list_output", "answer_output"}, (s, checked.warnings)
        assert sensible(key, checked.task.instruction, checked.task.input_fields,
                        checked.task.output_field), s


@pytest.mark.parametrize("shape, expected", [
    ("nli", {("nli", ("premise", "hypothesis"), "label")}),
    ("choice_int", {("choice", ("question", "choices"), "answer")}),
    ("document_summary", {("summarize", ("document",), "summary"),
                          ("expand", ("summary",), "document")}),
    ("tokens_tags", {("tagging", ("tokens",), "ner_tags")}),
    ("paraphrase", {("paraphrase", ("sentence1", "sentence2"), "label")}),
    ("string_labels", {("classify", ("text",), "label")}),
    ("code_docstring", {("describe", ("code",), "docstring"), ("code", ("docstring",), "code")}),
    ("dialogue_response", {("respond", ("dialogue",), "response")}),
    ("id_url_text", set()),
    ("boolq", {("qa", ("passage", "question"), "answer"), ("question", ("passage",), "question")}),
    ("trivia", {("qa", ("question",), "answer")}),
    ("similarity_score", {("rate", ("sentence1", "sentence2"), "score")}),
    ("instruction_output", {("respond", ("instruction",), "output")}),
    ("stsb_label", {("rate", ("sentence1", "sentence2"), "label")}),
    ("article_highlights", {("summarize", ("article",), "highlights"),
                            ("expand", ("highlights",), "article")}),
    ("instruction_input_output", {("respond", ("instruction", "input"), "output")}),
])
def test_other_shapes_get_the_tasks_a_reviewer_expects(shape, expected):
    meta = SHAPES[shape]()
    skeletons = derive(meta)
    assert _shape(skeletons) == expected
    for checked in validate_tasks([s.item() for s in skeletons], meta):
        assert checked.valid, checked.errors


def test_specific_wording_follows_the_labels_and_answers():
    choice = derive(SHAPES["choice_int"]())[0]
    assert "number of the correct option, counting from 0" in choice.template
    assert "two sentences" in derive(SHAPES["paraphrase"]())[0].template
    assert derive(SHAPES["nli"]())[0].template.startswith("Decide whether the premise entails")
    tagging = derive(SHAPES["tokens_tags"]())[0]
    assert "named-entity" in tagging.template
    expand = derive(SHAPES["article_highlights"]())[1]
    assert expand.template == "Write an article based on the highlights."
    assert derive(SHAPES["stsb_label"]())[0].template == (
        "Rate how similar the two sentences are, from 0 to 5.")  # the card says similarity


def test_ids_urls_and_constants_are_never_used():
    for make in SHAPES.values():
        meta = make()
        unused = unused_fields(meta)
        for s in derive(meta):
            assert not {*s.input_fields, s.output_field} & set(unused), (meta.name, s, unused)
    assert unused_fields(SHAPES["code_docstring"]()) == {
        "repo": "url or metadata", "path": "url or metadata", "url": "url or metadata",
        "language": "url or metadata"}
    assert unused_fields(SHAPES["tokens_tags"]())["pos_tags"] == "constant"


def test_card_hints_order_the_skeletons():
    meta = SHAPES["document_summary"]()
    assert derive(meta)[0].kind == "summarize"
    meta.task_categories = ["text-generation"]
    assert derive(meta)[0].kind == "summarize"  # a summary field still outranks expansion
    assert derive(meta, limit=1) == derive(meta)[:1]
