"""Task lists and local data files built to break a parser: one message, exit 2, nothing stored."""

from __future__ import annotations

import json

import pytest

from dynotui.cli import main
from dynotui.core.store import Store


@pytest.fixture(autouse=True)
def _no_config(tmp_path, monkeypatch):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    monkeypatch.setenv("DYNOTUI_CONFIG", str(empty))


def test_a_task_list_nested_100000_deep_is_one_message(tmp_path, capsys):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    ws = tmp_path / "ws"
    assert main(["import-tasks", str(path), "--workspace", str(ws)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (f"dynotui: Task list {path} is nested more than about 1,000 "
                                   "levels deep.")
    assert "Traceback" not in err and Store(ws).count_proposals() == 0


def test_a_lone_surrogate_in_a_task_list_is_stored_as_a_replacement_character(tmp_path, capsys):
    path = tmp_path / "tasks.json"
    path.write_text('[{"task_name": "glue-sst2", "instruction": "Rate \\ud800 the review.", '
                    '"input_fields": ["sentence\\udfff"], "output_field": ["label"]}]')
    ws = tmp_path / "ws"
    assert main(["import-tasks", str(path), "--workspace", str(ws)]) == 0
    [prop] = Store(ws).proposals()
    assert prop.task.instruction == "Rate \ufffd the review."
    assert prop.task.input_fields == ["sentence\ufffd"]
    assert "\\ud800" not in prop.raw_answer and json.loads(prop.raw_answer)["instruction"]


@pytest.mark.parametrize("text", ["[" * 50_000 + "]" * 50_000,
                                  '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_a_local_json_file_nested_50000_deep_is_one_message(tmp_path, capsys, text):
    path = tmp_path / "data.json"
    path.write_text(text)
    assert main(["show", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (f"dynotui: {path} is nested more than about 1,000 levels "
                                   "deep; dynotui reads rows, not structures that deep.")
    assert "Traceback" not in err
