"""Fuzzing the doors: any config file and any task list ends in exit 0 or 2, never a traceback."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dynotui.cli import main
from dynotui.config import _LLM, _SETTINGS

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

texts = st.one_of(st.text(max_size=12), st.sampled_from(["\ud800", "a\udfffb", "\x1b]0;x\x07", ""]))
scalars = st.one_of(st.booleans(), st.integers(-10**20, 10**20), texts,
                    st.floats(allow_nan=True, allow_infinity=True))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=12)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") \
            if math.isinf(value) else repr(value)
    if isinstance(value, (int, str)):
        return json.dumps(value)  # a TOML basic string, or invalid TOML (lone surrogates)
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


keys = st.one_of(st.sampled_from(sorted(_SETTINGS)), st.text(min_size=1, max_size=6))
llm_keys = st.one_of(st.sampled_from(sorted(_LLM)), st.text(min_size=1, max_size=6))
configs = st.one_of(
    st.builds(lambda top, llm, header: "\n".join(
        [f"{json.dumps(k)} = {toml_value(v)}" for k, v in top.items()]
        + ([header] + [f"{json.dumps(k)} = {toml_value(v)}" for k, v in llm.items()]
           if llm is not None else [])),
        st.dictionaries(keys, values, max_size=5),
        st.none() | st.dictionaries(llm_keys, values, max_size=5),
        st.sampled_from(["[llm]", "[[llm]]", "[llm.prices]", "llm = 1"])),
    st.binary(max_size=80).map(lambda b: b.decode("latin-1")),
)


def _run(argv: list[str], env: dict[str, str]) -> int:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return main(argv)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@FUZZ
@given(configs)
def test_any_config_file_gives_a_result_or_one_message(text):
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "config.toml"
        cfg.write_bytes(text.encode("utf-8", "surrogateescape"))
        code = _run(["stats", "--workspace", str(Path(tmp) / "ws")], {"DYNOTUI_CONFIG": str(cfg)})
        assert code in (0, 2)


entry_values = st.one_of(values, st.text(max_size=30))
entries = st.one_of(
    st.fixed_dictionaries({"task_name": entry_values, "instruction": entry_values,
                           "input_fields": entry_values, "output_field": entry_values},
                          optional={"extra": values}),
    values)
task_lists = st.one_of(
    st.lists(entries, max_size=6).map(lambda x: json.dumps(x)),
    st.dictionaries(st.sampled_from(["tasks", "data", "x"]), st.lists(entries, max_size=3),
                    max_size=2).map(json.dumps),
    st.integers(900, 120_000).map(lambda n: "[" * n + "]" * n),
    st.integers(900, 60_000).map(lambda n: '[{"task_name": "a-b", "instruction": "x", "input_fields": '
                                 + "[" * n + "]" * n + ', "output_field": "y"}]'),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
)


@FUZZ
@given(task_lists)
def test_any_task_list_imports_or_gives_one_message(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tasks.json"
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        empty = Path(tmp) / "empty.toml"
        empty.write_text("")
        code = _run(["import-tasks", str(path), "--workspace", str(Path(tmp) / "ws")],
                    {"DYNOTUI_CONFIG": str(empty)})
        assert code in (0, 2)
        if code == 0:  # what was imported reads back and counts
            assert _run(["stats", "--workspace", str(Path(tmp) / "ws"), "--json"],
                        {"DYNOTUI_CONFIG": str(empty)}) == 0
