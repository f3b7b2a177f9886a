"""The `dynosaur` style's rules, each expected value worked out by hand from the original
pipeline's code (WadeYin9712/Dynosaur, organize_data.py), not from our implementation."""

from __future__ import annotations

from dynotui.core.instances.dynosaur import (SKIP_EMPTY, SKIP_ENDED, SKIP_INPUT, input_text,
                                             label_step, output_text, plan)
from dynotui.core.models import Feature, Task


def test_several_fields_keep_each_trailing_space_and_strip_each_value():
    row = {"premise": "  A man sleeps. ", "hypothesis": "He rests.\n", "n": 3}
    assert input_text(row, ["premise", "hypothesis", "n"]) == \
        "premise is 'A man sleeps.'. hypothesis is 'He rests.'. n is '3'. "


def test_one_field_is_its_stripped_text():
    assert input_text({"t": "  padded\t"}, ["t"]) == "padded"
    assert input_text({"t": 2.50}, ["t"]) == "2.5"
    assert input_text({"t": True}, ["t"]) == "True"
    assert input_text({"t": 0}, ["t"]) == "0"


def test_a_choice_list_then_another_field_is_glued_on():
    row = {"question": "Q?", "answer_choices": [" x", "y "], "context": "C"}
    # `question is 'Q?'. ` + ` A. ' x', B. 'y '.` (items unstripped) + `context is 'C'. `
    assert input_text(row, ["question", "answer_choices", "context"]) == \
        "question is 'Q?'.  A. ' x', B. 'y '.context is 'C'. "


def test_a_choice_list_alone_keeps_its_leading_space():
    assert input_text({"choices": ["red", "blue"]}, ["choices"]) == " A. 'red', B. 'blue'."


def test_choice_means_lower_case_choice_in_the_name():
    row = {"Choices": ["a", "b"], "options": ["c", "d"], "multiple_choice": ["e"]}
    assert input_text(row, ["Choices"]) == "'a', 'b'. "
    assert input_text(row, ["options"]) == "'c', 'd'. "
    assert input_text(row, ["multiple_choice"]) == " A. 'e'."


def test_past_z_the_letters_run_on_through_ascii():
    items = [str(i) for i in range(28)]
    text = input_text({"choices": items}, ["choices"])
    assert text.endswith(" Z. '25', [. '26', \\. '27'.")


def test_other_lists_are_quoted_unstripped_with_no_field_name():
    row = {"q": "Why?", "tags": ["a ", " b"]}
    assert input_text(row, ["tags"]) == "'a ', ' b'. "
    assert input_text(row, ["q", "tags"]) == "q is 'Why?'. 'a ', ' b'. "


def test_values_that_skip_the_row():
    for value in (None, {"text": "x"}, [], [1, 2], ["a", None], ["a", 1]):
        assert input_text({"q": "Why?", "f": value}, ["q", "f"]) is None, value
    # a number list whose first item is text crashed the original; here: no instance


def test_output_is_stripped_text_and_empty_is_kept():
    assert output_text({"o": "  yes "}, "o") == "yes"
    assert output_text({"o": "   "}, "o") == ""
    assert output_text({"o": 7}, "o") == "7"
    for value in (None, ["a"], {"a": 1}):
        assert output_text({"o": value}, "o") is None


def rows_of(labels, field="label"):
    return [{"text": f"t{i}", field: v} for i, v in enumerate(labels)]


def test_two_labels_at_exactly_70_keep_the_task_with_its_label_space():
    rows = rows_of(["pos"] * 70 + ["neg"] * 30)
    assert label_step("Classify.", "label", rows) == (
        "Classify. Answers must be one of pos, neg.", "")


def test_two_labels_at_71_drop_the_task():
    rows = rows_of(["neg"] + ["pos"] * 71 + ["neg"] * 28)
    instruction, why = label_step("Classify.", "label", rows)
    assert instruction is None and why.startswith("imbalanced labels: one of 2 labels in 71")


def test_three_labels_at_50_and_51():
    kept = label_step("C.", "label", rows_of(["a"] * 50 + ["b"] * 25 + ["c"] * 25))
    assert kept == ("C. Answers must be one of a, b, c.", "")
    assert label_step("C.", "label", rows_of(["a"] * 51 + ["b"] * 25 + ["c"] * 24))[0] is None


def test_counts_are_absolute_not_shares():
    # 15 of 20 rows (75%) is under the 70-row limit: kept
    assert label_step("C.", "label", rows_of(["y"] * 15 + ["n"] * 5))[0] == \
        "C. Answers must be one of y, n."


def test_one_label_drops_and_eleven_labels_keep_the_instruction():
    assert label_step("C.", "label", rows_of(["same"] * 30))[0] is None
    many = rows_of([f"l{i % 11}" for i in range(100)])
    assert label_step("C.", "label", many) == ("C.", "")


def test_a_label_longer_than_15_characters_keeps_the_task_without_label_space():
    rows = rows_of(["short"] * 50 + ["sixteen chars!!!"] * 50)
    assert label_step("C.", "label", rows) == ("C.", "")


def test_labels_are_stripped_texts_of_numbers_too():
    rows = rows_of([1, " 1", 0, "0 "] * 10)
    assert label_step("C.", "label", rows)[0] == "C. Answers must be one of 1, 0."


def test_only_the_first_100_rows_are_counted():
    rows = rows_of(["a", "b"] * 50 + ["a"] * 100)  # 150 'a' of 200, 50 of the first 100
    result = plan(Task("C.", ["text"], "label"), rows)
    assert result.instruction == "C. Answers must be one of a, b." and len(result.pairs) == 200


def test_a_stated_label_space_is_not_added_twice():
    stated = "Classify. Answers must be one of neg, pos."
    assert label_step(stated, "label", rows_of(["pos", "neg"] * 20)) == (stated, "")


def test_a_none_output_in_the_first_100_rows_drops_the_task():
    rows = rows_of(["a", "b"] * 25)
    rows[40]["label"] = None
    result = plan(Task("C.", ["text"], "label"), rows)
    assert result.instruction is None and result.dropped.startswith("output not text")


def test_a_none_output_after_row_100_ends_the_rows_there():
    rows = rows_of([f"x{i}" for i in range(200)])
    rows[149]["label"] = None
    result = plan(Task("C.", ["text"], "label"), rows)
    assert len(result.pairs) == 149 and result.pairs[-1][:2] == ("t148", "x148")
    assert result.skipped == {SKIP_ENDED: 51}


def test_list_or_dict_outputs_drop_the_task():
    for value in (["a"], {"text": ["a"]}):
        rows = rows_of([value] * 5)
        assert plan(Task("C.", ["text"], "label"), rows).instruction is None


def test_rows_are_skipped_not_deduped_and_empty_output_kept():
    rows = [{"q": "same", "a": f"v{i % 11}"} for i in range(30)]
    rows[3]["q"], rows[4]["q"], rows[5]["a"] = None, "  ", ""
    result = plan(Task("Answer.", ["q"], "a"), rows)
    assert result.skipped == {SKIP_INPUT: 1, SKIP_EMPTY: 1}
    assert len(result.pairs) == 28 and ("same", "", False) in result.pairs
    assert result.pairs.count(("same", "v0", False)) == 3  # rows 0, 11, 22: no dedupe


def test_input_and_output_are_cut_after_building():
    rows = [{"a": "x" * 1995, "b": "y", "o": "z" * 2100}, {"a": "u", "b": "v", "o": "w"}] * 3
    result = plan(Task("Do.", ["a", "b"], "o"), rows)
    inp, out, cut = result.pairs[0]
    assert inp == ("a is '" + "x" * 1995)[:2000] and len(out) == 2000 and cut
    assert result.pairs[1] == ("a is 'u'. b is 'v'. ", "w", False)


def test_a_task_with_no_instance_or_missing_field_or_media_is_dropped():
    rows = [{"q": None, "a": f"v{i % 12}", "img": "<Image>"} for i in range(12)]
    assert plan(Task("A.", ["q"], "a"), rows).dropped.startswith("no instance")
    assert plan(Task("A.", ["nope"], "a"), rows).dropped == "field not in the rows: 'nope'"
    media = [Feature("img", "Image")]
    assert plan(Task("A.", ["img"], "a"), rows, media).dropped == "image/audio field: 'img'"
