"""Instance building: a task applied to plain rows (no store, no files)."""

from __future__ import annotations

from dynotui.core.instances import (SKIP_EMPTY_INPUT, SKIP_EMPTY_OUTPUT, SKIP_MISSING_FIELD,
                                    build, build_instance)
from dynotui.core.models import Feature, Task


def test_one_input_field_gives_its_value():
    task = Task("Classify the sentiment.", ["sentence"], "label")
    inst = build_instance(task, {"sentence": "A fine film.", "label": "positive"}, None)
    assert inst == {"instruction": "Classify the sentiment.", "input": "A fine film.",
                    "output": "positive"}


def test_several_fields_are_named_in_the_tasks_order():
    # given a task listing question before context (not the row's order)
    task = Task("Answer.", ["question", "context"], "answer")
    row = {"context": "Paris is in France.", "question": "Where is Paris?", "answer": "France"}
    # when built
    inst = build_instance(task, row, None)
    # then fields appear as `field is 'value'. ` in the task's order
    assert inst["input"] == "question is 'Where is Paris?'. context is 'Paris is in France.'."


def test_choice_lists_become_lettered_options():
    task = Task("Pick the answer.", ["question", "choices"], "answer")
    row = {"question": "2+2?", "choices": ["3", "4", "5"], "answer": "4"}
    inst = build_instance(task, row, None)
    assert inst["input"] == "question is '2+2?'. choices is A. '3', B. '4', C. '5'."
    alone = build_instance(Task("Pick.", ["options"], "answer"), row | {"options": ["x", "y"]}, None)
    assert alone["input"] == "A. 'x', B. 'y'."


def test_arc_style_choice_dict_uses_its_own_labels():
    row = {"q": "Sky?", "choices": {"text": ["blue", "green"], "label": ["1", "2"]}, "key": "1"}
    inst = build_instance(Task("Answer.", ["q", "choices"], "key"), row, None)
    assert inst["input"] == "q is 'Sky?'. choices is 1. 'blue', 2. 'green'."


def test_squad_answers_take_the_first_text():
    row = {"question": "Who?", "answers": {"text": ["Ada", "Ada Lovelace"], "answer_start": [0, 0]}}
    inst = build_instance(Task("Answer.", ["question"], "answers"), row, None)
    assert inst["output"] == "Ada"
    as_list = build_instance(Task("Answer.", ["question"], "answers"),
                             {"question": "Who?", "answers": ["", "Bob", "Rob"]}, None)
    assert as_list["output"] == "Bob"


def test_other_lists_and_dicts_are_joined_readably():
    row = {"text": "t", "tags": ["a", "b"], "meta": {"x": 1, "y": None, "z": "q"}}
    assert build_instance(Task("Tag.", ["text"], "tags"), row, None)["output"] == "a, b"
    assert build_instance(Task("Meta.", ["meta"], "tags"), row, None)["input"] == "x: 1; z: q"


def test_classlabel_integers_become_names_when_rows_hold_integers():
    features = [Feature("label", "ClassLabel", ["negative", "positive"]),
                Feature("labels", "Sequence[ClassLabel]", ["a", "b", "c"])]
    task = Task("Classify.", ["text"], "label")
    assert build_instance(task, {"text": "x", "label": 1}, features)["output"] == "positive"
    multi = Task("Tag.", ["text"], "labels")
    assert build_instance(multi, {"text": "x", "labels": [0, 2]}, features)["output"] == "a, c"
    # and names pass through unchanged
    assert build_instance(task, {"text": "x", "label": "negative"}, features)["output"] == "negative"


def test_caps_cut_input_and_output():
    task = Task("Summarise.", ["doc"], "summary")
    built = build(task, {"doc": "x" * 5000, "summary": "y" * 300}, {}, max_input=100, max_output=50)
    assert built.cut
    assert len(built.instance["input"]) == 100 and len(built.instance["output"]) == 50
    fits = build(task, {"doc": "short", "summary": "s"}, {}, max_input=100, max_output=50)
    assert not fits.cut


def test_empty_input_or_output_is_skipped_with_a_reason():
    task = Task("Do.", ["a", "b"], "out")
    assert build(task, {"a": " ", "b": None, "out": "x"}).reason == SKIP_EMPTY_INPUT
    assert build(task, {"a": "v", "b": "w", "out": "  "}).reason == SKIP_EMPTY_OUTPUT
    assert build(task, {"a": "v", "b": "w", "out": float("nan")}).reason == SKIP_EMPTY_OUTPUT
    assert build(task, {"a": "v", "out": "x"}).reason == SKIP_MISSING_FIELD
    # one empty field among several is left out, not the instance
    assert build(task, {"a": "", "b": "w", "out": "x"}).instance["input"] == "b is 'w'."


def test_numbers_and_bools_are_text():
    row = {"n": 3, "f": 2.5, "ok": True}
    assert build_instance(Task("Add.", ["n", "f"], "ok"), row, None) == {
        "instruction": "Add.", "input": "n is '3'. f is '2.5'.", "output": "True"}
