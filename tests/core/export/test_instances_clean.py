"""The `clean` style's two fixes over the earlier output: values stripped, list items quoted."""

from __future__ import annotations

from dynotui.core.instances import SKIP_EMPTY_OUTPUT, build, build_instance
from dynotui.core.models import Feature, Task


def test_every_value_is_stripped():
    row = {"premise": "  A man sleeps. ", "hypothesis": "\tHe rests.\n", "label": " yes "}
    inst = build_instance(Task("NLI.", ["premise", "hypothesis"], "label"), row)
    assert inst["input"] == "premise is 'A man sleeps.'. hypothesis is 'He rests.'."
    assert inst["output"] == "yes"
    assert build_instance(Task("Echo.", ["premise"], "label"), row)["input"] == "A man sleeps."
    assert build(Task("E.", ["premise"], "o"), {"premise": "x", "o": " \n"}).reason == \
        SKIP_EMPTY_OUTPUT


def test_lists_quote_each_stripped_item_like_choices_do():
    row = {"q": "Tags?", "tags": [" a", "b ", "", 3], "choices": [" x ", "y"], "o": "z"}
    assert build_instance(Task("T.", ["tags"], "o"), row)["input"] == "'a', 'b', '3'"
    assert build_instance(Task("T.", ["q", "tags"], "o"), row)["input"] == \
        "q is 'Tags?'. tags is 'a', 'b', '3'."
    assert build_instance(Task("T.", ["q", "choices", "tags"], "o"), row)["input"] == \
        "q is 'Tags?'. choices is A. 'x', B. 'y'. tags is 'a', 'b', '3'."


def test_label_lists_are_quoted_names_and_dict_lists_stay_readable():
    features = [Feature("labels", "Sequence[ClassLabel]", ["a", "b", "c"])]
    row = {"t": "x", "labels": [0, 2], "spans": [{"s": 1}], "o": "y"}
    assert build_instance(Task("L.", ["t", "labels"], "o"), row, features)["input"] == \
        "t is 'x'. labels is 'a', 'c'."
    assert build_instance(Task("S.", ["spans"], "o"), row)["input"] == "s: 1"
