"""The instruction checks: adapted demonstration copies, labels only when asked, actions that
do not fit the output."""

from __future__ import annotations

import json

import pytest
from genmeta import meta_with, reviews_meta
from shapes import SHAPES
from shareddata import release_file

from dynotui.core.generation.checks import asks_for_label, demo_copy, is_demo_copy
from dynotui.core.generation.validate import validate_tasks
from dynotui.core.models import Feature


def _library():
    rows = [{"name": f"Halvorsen Library {i}", "description": f"A reading room with {i} desks "
             "and a quiet study area.", "opening_hours": f"{8 + i % 3}:00-18:00"} for i in range(10)]
    return meta_with([Feature("name", "string"), Feature("description", "string"),
                      Feature("opening_hours", "string")], rows, summary="Libraries of a town.")


def _rules(instruction, meta, inputs=("description",), output="opening_hours"):
    [checked] = validate_tasks([{"instruction": instruction, "input_fields": list(inputs),
                                 "output_field": output}], meta)
    return checked


@pytest.mark.parametrize("instruction", [
    "Write a one-sentence safety tip for students planning to visit the Halvorsen Library.",
    "Write a one-sentence safety tip for a movie reviewer.",
    "Write a one-sentence safety tip for hikers planning to walk the trail described below.",
    "Read the customer review of a kitchen appliance and predict the opening hours.",
])
def test_adapted_demonstration_copies_are_rejected(instruction):
    checked = _rules(instruction, _library())
    assert [v.rule for v in checked.errors] == ["copies_demonstration"]


@pytest.mark.parametrize("instruction", [
    "Read the description of the library and give its opening hours.",
    "Answer the question with a short span copied from the passage.",
    "Write a headline for the story.",
    "Classify the sentiment of the review.",
])
def test_instructions_of_their_own_are_not_copies(instruction):
    assert not is_demo_copy(instruction, _library())


def test_a_demonstration_word_the_dataset_has_is_not_borrowed():
    # "Answer the trivia question." on a trivia dataset: close in words, but nothing borrowed
    meta = meta_with([Feature("question", "string"), Feature("answer", "string")],
                     [{"question": f"Trivia question {i}?", "answer": str(i)} for i in range(5)],
                     summary="Pub trivia questions.")
    ratio, lent = demo_copy("Answer the trivia question.", meta)
    assert ratio > 0.5 and lent == []
    assert lent == [] and demo_copy("Answer the trivia question.", None)[1] == ["trivia"]


def test_the_released_task_list_is_almost_never_a_copy_of_our_demonstrations():
    path = release_file()
    if not path.exists():
        pytest.skip(f"the released task list is not at {path}")
    tasks = json.loads(path.read_text())
    hits = [t["instruction"] for t in tasks if is_demo_copy(t["instruction"], None)]
    assert len(hits) <= 5, hits  # without metadata: worst case; with it, fewer


@pytest.mark.parametrize("instruction, appended", [
    ("Decide whether the review is positive or negative.", True),
    ("Is this review positive or negative?", True),
    ("Give the label of the review.", True),
    ("Predict the star rating.", True),
    ("A man has a cat.", False),
    ("Write something nice.", False),
])
def test_labels_are_appended_only_when_the_instruction_asks_for_one(instruction, appended):
    [checked] = validate_tasks([{"instruction": instruction, "input_fields": ["text"],
                                 "output_field": "label"}], reviews_meta())
    assert checked.task.instruction.endswith("Answers must be one of negative, positive.") == appended
    assert ("label_not_asked" in {v.rule for v in checked.warnings}) == (not appended)
    assert checked.valid


def test_asks_for_label_reads_label_names_and_the_field_name():
    assert asks_for_label("Positive or negative, you tell me", "label", ["positive", "negative"])
    assert asks_for_label("Give the intent of the message", "intent", ["billing", "refund"])
    assert not asks_for_label("A man has a cat", "label", ["entailment", "neutral"])


@pytest.mark.parametrize("instruction, output, warned", [
    ("Write a short summary for the review.", "label", True),
    ("Summarize the review.", "label", True),
    ("Write a headline for the review.", "label", True),
    ("Translate the review into French.", "label", True),
    ("Write a short headline for the review.", "title", False),
    ("Summarize the review in a few words.", "title", False),
    ("Write a question about the review.", "title", True),
    ("Classify the review as positive or negative.", "label", False),
])
def test_an_action_that_does_not_fit_the_output_is_a_warning(instruction, output, warned):
    [checked] = validate_tasks([{"instruction": instruction, "input_fields": ["text"],
                                 "output_field": output}], reviews_meta())
    assert ("action_mismatch" in {v.rule for v in checked.warnings}) == warned, checked.verdicts
    assert checked.valid


def test_writing_a_question_fits_a_question_field():
    meta = SHAPES["boolq"]()
    [checked] = validate_tasks([{"instruction": "Write a question about the passage.",
                                 "input_fields": ["passage"], "output_field": "question"}], meta)
    assert "action_mismatch" not in {v.rule for v in checked.warnings}


def test_a_writing_task_gets_no_label_list_even_on_a_few_valued_field():
    meta = reviews_meta(labels=["Alpha", "Beta", "Gamma"])
    [checked] = validate_tasks([{"instruction": "Write a title for the label.",
                                 "input_fields": ["text"], "output_field": "label"}], meta)
    assert "Answers must be one of" not in checked.task.instruction
    assert not {"label_not_asked", "label_imbalance"} & {v.rule for v in checked.verdicts}


def test_the_cheap_bounds_never_change_the_copy_verdict():
    # given the demonstrations with words swapped in and out, near and far from them
    import random

    from dynotui.core.generation import checks
    from dynotui.core.generation.prompts import demo_instructions

    rnd = random.Random(5)
    texts = []
    for demo in demo_instructions():
        for _ in range(25):
            w = demo.split()
            for _ in range(rnd.randint(1, 5)):
                w[rnd.randrange(len(w))] = rnd.choice(["students", "the", "recipe", "data", ""])
            texts.append(" ".join(x for x in w if x))

    def plain(text):
        ratio, lent = checks.demo_copy(text, None)
        return ratio >= checks.COPY_RATIO and (len(lent) >= 2 or ratio >= checks.SURE_RATIO and bool(lent))

    # when judged with the bounds first, then the verdict is the one difflib alone gives
    assert [checks.is_demo_copy(t, None) for t in texts] == [plain(t) for t in texts]
    assert 0 < sum(map(plain, texts)) < len(texts)
