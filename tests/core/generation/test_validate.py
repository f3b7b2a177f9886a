"""The tolerant parser and each named validation rule."""

from __future__ import annotations

import json

import pytest
from genmeta import meta_with, reviews_meta

from dynotui.core.models import Feature, Task, content_hash
from dynotui.core.generation.prompts import demo_instructions
from dynotui.core.generation.validate import RULES, check_answer, parse_answer, validate_tasks

TASK = {"instruction": "Decide whether the review is positive or negative.",
        "input_fields": ["text"], "output_field": "label"}


@pytest.mark.parametrize("text, form", [
    (json.dumps({"tasks": [TASK]}), "json"),
    (json.dumps([TASK]), "json"),
    (json.dumps(TASK), "json"),
    ("```json\n" + json.dumps({"tasks": [TASK]}) + "\n```", "fenced"),
    ("Sure! Here are the tasks:\n" + json.dumps([TASK]) + "\nHope this helps.", "embedded"),
    (repr([TASK]), "python"),
    (repr({"tasks": [TASK], "note": None}), "python"),
    ('{"Tasks": [' + json.dumps(TASK) + "]}", "json"),
])
def test_parser_accepts_the_forms_models_produce(text, form):
    items, got = parse_answer(text)
    assert items == [TASK] and got == form


def test_parser_salvages_complete_tasks_from_a_cut_off_answer():
    # given an answer cut at max_tokens in the middle of the second task
    text = json.dumps({"tasks": [TASK, TASK]})[:-40]
    items, form = parse_answer(text)
    assert items == [TASK] and form == "salvaged"


@pytest.mark.parametrize("text, rule", [
    ("", "unparseable"), ("   ", "unparseable"), ("I cannot help with that.", "unparseable"),
    ('{"tasks": [', "unparseable"), ("[1, 2", "unparseable"), ('{"answer": 42}', "unparseable"),
    ('{"tasks": []}', "no_tasks"), ("[]", "no_tasks"), (None, "unparseable"),
])
def test_parser_names_the_reason_when_it_fails(text, rule):
    items, reason = parse_answer(text)
    assert items is None and reason.split(":")[0] == rule


def _rules(items, meta=None, **kw):
    checked = validate_tasks(items, meta or reviews_meta(), **kw)
    return [sorted(v.rule for v in c.verdicts if not v.ok) for c in checked]


def test_a_good_task_passes_and_gets_the_label_list():
    [checked] = validate_tasks([TASK], reviews_meta())
    assert checked.valid
    assert checked.task.instruction.endswith("Answers must be one of negative, positive.")
    assert [v.rule for v in checked.verdicts] == ["label_space"]


@pytest.mark.parametrize("change, rule", [
    ({"instruction": ""}, "missing_instruction"),
    ({"instruction": 7}, "missing_instruction"),
    ({"input_fields": []}, "missing_input_fields"),
    ({"input_fields": [1]}, "missing_input_fields"),
    ({"output_field": ""}, "missing_output_field"),
    ({"output_field": ["text", "title"], "input_fields": ["url"]}, "multiple_output_fields"),
    ({"input_fields": ["body"]}, "unknown_field"),
    ({"input_fields": ["text", "label"]}, "io_overlap"),
    ({"extra": "x"}, "unexpected_keys"),
    ({"instruction": demo_instructions()[0]}, "copies_demonstration"),
])
def test_each_error_rule_rejects_with_its_name(change, rule):
    item = {**TASK, **change}
    [checked] = validate_tasks([item], reviews_meta())
    assert not checked.valid
    assert rule in [v.rule for v in checked.verdicts if not v.ok and v.level == "error"]
    assert rule in RULES


def test_missing_keys_are_named():
    assert _rules([{"instruction": "Do something useful here."}])[0] == [
        "missing_input_fields", "missing_output_field"]


def test_non_object_items_are_kept_as_rejected_records():
    checked = validate_tasks(["just text", 3], reviews_meta())
    assert [c.verdicts[0].rule for c in checked] == ["not_a_task", "not_a_task"]


def test_repeated_instruction_within_one_answer():
    other = {**TASK, "input_fields": ["title"]}
    assert _rules([TASK, other])[1] == ["repeated_instruction"]


def test_exact_duplicate_of_a_workspace_task():
    meta = reviews_meta()
    [first] = validate_tasks([TASK], meta)
    existing = {content_hash(meta.ref.id, meta.ref.config, meta.revision, first.task)}
    assert _rules([TASK], meta, existing_ids=existing) == [["duplicate"]]
    assert existing == {content_hash(meta.ref.id, meta.ref.config, meta.revision, first.task)}


def test_metadata_outputs_are_warned_not_rejected():
    [checked] = validate_tasks([{**TASK, "output_field": "url"}], reviews_meta())
    assert checked.valid and [v.rule for v in checked.verdicts if not v.ok] == ["metadata_output"]


@pytest.mark.parametrize("name", ["license", "repo_name", "path", "size", "file_id", "homepage"])
def test_metadata_field_names_are_warned(name):
    rows = [{"text": f"t{i}", name: f"value {i % 7}"} for i in range(20)]
    meta = meta_with([Feature("text", "string"), Feature(name, "string")], rows)
    [checked] = validate_tasks([{**TASK, "output_field": name}], meta)
    assert "metadata_output" in [v.rule for v in checked.warnings]


def test_url_like_values_are_metadata_even_under_another_name():
    rows = [{"text": f"t{i}", "where": f"https://x.org/{i}"} for i in range(5)]
    meta = meta_with([Feature("text", "string"), Feature("where", "string")], rows)
    assert _rules([{**TASK, "output_field": "where"}], meta) == [["metadata_output"]]


def test_single_valued_output_is_rejected():
    rows = [{"text": f"t{i}", "lang": "en"} for i in range(20)]
    meta = meta_with([Feature("text", "string"), Feature("lang", "string")], rows)
    assert "single_valued_output" in _rules([{**TASK, "output_field": "lang"}], meta)[0]


@pytest.mark.parametrize("labels, counts, dropped", [
    (["a", "b"], [15, 5], True),  # 75% > 70%
    (["a", "b"], [14, 6], False),  # 70% is not > 70%
    (["a", "b", "c"], [11, 5, 4], True),  # 55% > 50%
    (["a", "b", "c"], [10, 5, 5], False),
])
def test_label_imbalance_rule(labels, counts, dropped):
    rows = [{"text": f"t{i}-{j}", "label": lab} for lab, n in zip(labels, counts) for j in range(n)
            for i in [0]]
    meta = meta_with([Feature("text", "string"), Feature("label", "string")], rows)
    [checked] = validate_tasks([TASK], meta)
    assert ("label_imbalance" in [v.rule for v in checked.verdicts]) is dropped
    assert checked.task.instruction.endswith(f"Answers must be one of {', '.join(labels)}.") is not dropped


def test_labels_come_in_classlabel_order_else_sorted_numerically():
    meta = reviews_meta(labels=["pos", "neg", "neutral"], n=30)
    [checked] = validate_tasks([TASK], meta)
    assert checked.task.instruction.endswith("Answers must be one of pos, neg, neutral.")
    rows = [{"text": f"t{i}", "stars": str(s)} for i in range(4) for s in (10, 9, 2, 1)]
    meta = meta_with([Feature("text", "string"), Feature("stars", "string")], rows)
    [checked] = validate_tasks([{**TASK, "output_field": "stars"}], meta)
    assert checked.task.instruction.endswith("Answers must be one of 1, 2, 9, 10.")


def test_long_labels_are_not_appended_and_few_rows_are_not_a_label_space():
    rows = [{"text": f"t{i}", "ans": ("long answer " * 10) + str(i % 2)} for i in range(20)]
    meta = meta_with([Feature("text", "string"), Feature("ans", "string")], rows)
    [checked] = validate_tasks([{**TASK, "output_field": "ans"}], meta)
    assert checked.valid and "Answers must" not in checked.task.instruction
    meta = meta_with([Feature("text", "string"), Feature("ans", "string")],
                     [{"text": "a", "ans": "Paris"}, {"text": "b", "ans": "Lyon"}])
    [checked] = validate_tasks([{**TASK, "output_field": "ans"}], meta)
    assert checked.task.instruction == TASK["instruction"]


def test_answers_already_listing_labels_are_left_alone():
    item = {**TASK, "instruction": "Classify it. Answers must be one of positive, negative."}
    [checked] = validate_tasks([item], reviews_meta())
    assert checked.task.instruction == item["instruction"]


def test_list_outputs_are_kept_with_a_warning_and_dicts_are_rejected():
    rows = [{"text": f"t{i}", "tags": ["a", "b"], "info": {"k": i}} for i in range(5)]
    meta = meta_with([Feature("text", "string"), Feature("tags", "list[string]"),
                      Feature("info", "dict")], rows)
    lists, dicts = validate_tasks([{**TASK, "output_field": "tags"},
                                   {**TASK, "instruction": "Other words here please.",
                                    "output_field": "info"}], meta)
    assert lists.valid and [v.rule for v in lists.verdicts] == ["list_output"]
    assert "non_scalar_output" in [v.rule for v in dicts.errors]


def test_answer_dicts_render_as_the_first_answer():
    rows = [{"question": f"q{i}", "answers": {"text": [f"a{i}", "alt"], "answer_start": [0, 3]}}
            for i in range(5)]
    meta = meta_with([Feature("question", "string"), Feature("answers", "dict")], rows)
    [checked] = validate_tasks([{**TASK, "input_fields": ["question"], "output_field": "answers"}], meta)
    assert checked.valid and [v.rule for v in checked.verdicts] == ["answer_output"]


def test_soft_signs_are_warnings():
    item = {"instruction": "Label it", "input_fields": "review_id", "output_field": "title"}
    [checked] = validate_tasks([item, TASK, TASK, TASK][:1], reviews_meta())
    rules = sorted(v.rule for v in checked.warnings)
    assert rules == ["id_input", "input_fields_text", "short_instruction"]
    assert checked.valid
    many = [{**TASK, "instruction": f"Task number {i} for the reviews."} for i in range(4)]
    assert [v.rule for v in validate_tasks(many, reviews_meta())[3].warnings] == [
        "more_than_three", "label_not_asked"]


def test_released_format_with_output_in_a_list_is_read():
    item = {"instruction": "Decide the sentiment of the review text.", "input_fields": ["text"],
            "output_field": ["label"], "task_name": "reviews"}
    [checked] = validate_tasks([item], reviews_meta())
    assert checked.valid and checked.task.output_field == "label"


def test_check_answer_turns_a_parse_failure_into_one_record():
    checked, reason = check_answer("no json at all", reviews_meta())
    assert len(checked) == 1 and checked[0].task == Task("", [], "")
    assert checked[0].verdicts[0].rule == "unparseable" and reason.startswith("unparseable")


def test_every_rule_is_described():
    assert all(RULES[name] for name in RULES)


def test_an_input_with_two_outputs_is_ambiguous():
    # given NLI rows: each premise appears with several hypotheses and labels
    rows = [{"premise": f"premise {i // 3}", "hypothesis": f"hypothesis {i}",
             "label": ["entailment", "neutral", "contradiction"][i % 3]} for i in range(12)]
    meta = meta_with([Feature("premise", "string"), Feature("hypothesis", "string"),
                      Feature("label", "string")], rows)
    nli = {"instruction": "Does the premise entail the hypothesis? Answer with the label.",
           "output_field": "label"}
    premise_only, both = validate_tasks([{**nli, "input_fields": ["premise"]},
                                         {**nli, "input_fields": ["premise", "hypothesis"],
                                          "instruction": nli["instruction"] + " Be brief."}], meta)
    assert [v.rule for v in premise_only.errors] == ["ambiguous_target"]
    assert "4 input(s)" in premise_only.errors[0].reason
    assert "ambiguous_target" not in [v.rule for v in both.verdicts]


def test_several_questions_on_one_context_are_references_not_ambiguity():
    rows = [{"context": f"passage {i // 4}", "question": f"question number {i}?"} for i in range(12)]
    meta = meta_with([Feature("context", "string"), Feature("question", "string")], rows)
    task = {"instruction": "Write a question that the passage answers.",
            "input_fields": ["context"], "output_field": "question"}
    assert "ambiguous_target" not in _rules([task], meta)[0]


def test_a_classlabel_seen_with_two_values_for_one_input_is_ambiguous():
    rows = [{"text": f"text {i // 2}", "label": ["no", "yes"][i % 2]} for i in range(4)]
    meta = meta_with([Feature("text", "string"), Feature("label", "ClassLabel", ["no", "yes"])],
                     rows)
    assert "ambiguous_target" in _rules([TASK], meta)[0]


def test_a_repeated_input_with_the_same_output_is_not_ambiguous():
    rows = [{"text": f"text {i % 5}", "label": f"label {i % 5}"} for i in range(20)]
    meta = meta_with([Feature("text", "string"), Feature("label", "string")], rows)
    assert "ambiguous_target" not in _rules([TASK], meta)[0]


def test_near_demo_check_agrees_with_plain_difflib():
    # given the demonstrations and edited copies of them, near and far
    import random
    from difflib import SequenceMatcher

    from dynotui.core.generation import validate

    rnd = random.Random(7)
    keys = []
    for demo in sorted(validate._DEMOS):
        for _ in range(30):
            words = demo.split()
            for _ in range(rnd.randint(1, 6)):
                words[rnd.randrange(len(words))] = rnd.choice(["the", "text", "", "review"])
            keys.append(" ".join(w for w in words if w))

    def plain(key):
        return any(SequenceMatcher(None, key, d).ratio() >= validate.NEAR_DEMO
                   for d in validate._DEMOS)

    # when the fast check (bounds first) judges them, then it says what difflib says
    assert [validate._close_to_demo(k) for k in keys] == [plain(k) for k in keys]
    assert 0 < sum(map(plain, keys)) < len(keys)
