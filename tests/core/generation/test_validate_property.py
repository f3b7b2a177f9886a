"""Property: no malformed answer crashes the parser or the rules; every failure is named."""

from __future__ import annotations

import json

from genmeta import reviews_meta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dynotui.core.generation.validate import RULES, check_answer, parse_answer

FORMS = {"json", "python", "fenced", "embedded", "salvaged"}
META = reviews_meta()
FIELDS = ["title", "text", "label", "url", "review_id", "nope", ""]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=30), st.sampled_from(FIELDS))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12)
task_like = st.fixed_dictionaries(
    {}, optional={"instruction": st.one_of(st.text(max_size=60), values),
                  "input_fields": st.one_of(st.lists(st.sampled_from(FIELDS), max_size=3), values),
                  "output_field": st.one_of(st.sampled_from(FIELDS), values),
                  "extra": values})
answers = st.one_of(st.lists(task_like, max_size=5), st.dictionaries(
    st.sampled_from(["tasks", "Tasks", "task", "answer"]),
    st.one_of(st.lists(task_like, max_size=4), task_like, values), max_size=2), task_like, values)


@st.composite
def malformed(draw) -> str:
    """A serialised answer, then damaged: cut, wrapped in prose or fences, characters flipped."""
    value = draw(answers)
    text = json.dumps(value) if draw(st.booleans()) else repr(value)
    how = draw(st.sampled_from(["cut", "prose", "fence", "flip", "junk", "asis"]))
    if how == "cut":
        text = text[:draw(st.integers(0, max(0, len(text))))]
    elif how == "prose":
        text = draw(st.text(max_size=40)) + text + draw(st.text(max_size=40))
    elif how == "fence":
        text = "```" + draw(st.sampled_from(["json", "python", ""])) + "\n" + text
        text += draw(st.sampled_from(["```", "", "``"]))
    elif how == "flip" and text:
        i = draw(st.integers(0, len(text) - 1))
        text = text[:i] + draw(st.sampled_from(list("{}[]\",:'\\\x00"))) + text[i + 1:]
    elif how == "junk":
        text = draw(st.text(max_size=200))
    return text


def _assert_named(raw: str) -> None:
    items, form = parse_answer(raw)
    if items is None:
        assert form.split(":")[0] in ("unparseable", "no_tasks")
    else:
        assert form in FORMS and isinstance(items, list) and items
    checked, _ = check_answer(raw, META, set())
    assert checked
    for c in checked:
        for verdict in c.verdicts:
            assert verdict.rule in RULES or verdict.rule == "truncated_answer"
        if not c.valid:
            assert c.errors and all(v.reason for v in c.errors)


@settings(max_examples=1200, deadline=None, suppress_health_check=list(HealthCheck))
@given(malformed())
def test_malformed_answers_never_crash_and_always_name_a_reason(raw):
    _assert_named(raw)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet=st.sampled_from(list("{}[]():,\"'` \n0aTtasksinstruction")), max_size=300))
def test_bracket_soup_never_crashes(raw):
    _assert_named(raw)


def test_pathological_inputs_are_named_not_crashes():
    for raw in ["[" * 50_000, "{" * 10_000 + "}" * 10_000, "(" * 5000, '"' * 100_000,
                "[" * 60_000 + "]" * 60_000, "{\"tasks\": " * 3000]:
        _assert_named(raw)
