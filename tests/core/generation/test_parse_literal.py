"""The original pipeline's answer shape, a Python literal of numbered tasks, parses into tasks."""

from __future__ import annotations

import json
import time

import pytest

from dynotui.core.generation.parse import parse_answer
from dynotui.core.generation.validate import check_answer
from dynotui.core.models import Feature
from genmeta import meta_with
from shareddata import release_file

ANSWER = ("{'task1': {'instruction': 'Natural language inference: does the premise entail the "
          "hypothesis?', 'input_fields': ['premise', 'hypothesis'], 'output_field': ['label']}, "
          "'task2': {'instruction': \"Write a premise that the hypothesis follows from.\", "
          "'input_fields': ['label', 'hypothesis'], 'output_field': 'premise'}}")


def test_numbered_task_map_parses_in_order():
    items, form = parse_answer(ANSWER)
    assert form == "python"
    assert [i["output_field"] for i in items] == [["label"], "premise"]
    assert items[1]["instruction"] == "Write a premise that the hypothesis follows from."


def test_it_validates_into_tasks_with_one_output_field():
    fields = ["premise", "hypothesis", "label"]
    rows = [{"premise": f"p{i}", "hypothesis": f"h{i}", "label": "yes" if i % 2 else "no"}
            for i in range(10)]
    meta = meta_with([Feature(f, "string") for f in fields], rows)
    checked, form = check_answer("Tasks:\n" + ANSWER + "\nThat is all.", meta)
    assert form == "embedded"
    assert [(c.task.input_fields, c.task.output_field) for c in checked] == [
        (["premise", "hypothesis"], "label"), (["label", "hypothesis"], "premise")]


def test_hostile_literals_fail_cleanly_and_fast():
    for text in ("[" * 100_000, "{'task1': " * 500 + "1" + "}" * 500, "__import__('os')",
                 "{'task1': {'instruction': f'{1}'}}"):
        started = time.perf_counter()
        items, reason = parse_answer(text)
        assert items is None and reason.startswith("unparseable"), text[:30]
        assert time.perf_counter() - started < 10  # bounded, not exponential (loaded CI)


def test_a_map_of_non_tasks_is_no_task_list():
    assert parse_answer("{'a': {'b': 1}, 'c': {'d': 2}}")[0] is None


def test_the_released_task_list_round_trips_through_the_original_answer_shape():
    path = release_file()
    if not path.exists():
        pytest.skip(f"released task list not found at {path}")
    released = json.loads(path.read_text(encoding="utf-8"))
    answers: dict[str, dict] = {}
    for task in released:
        mine = answers.setdefault(task["task_name"], {})
        mine[f"task{len(mine) + 1}"] = {k: task[k] for k in ("instruction", "input_fields",
                                                             "output_field")}
    failed = []
    for name, answer in answers.items():
        items, form = parse_answer(str(answer))  # str(): the shape the original model wrote
        if items != list(answer.values()):
            failed.append((name, form))
    assert not failed, f"{len(failed)} of {len(answers)} answers: {failed[:3]}"
    assert len(released) == sum(len(a) for a in answers.values()) > 5000
