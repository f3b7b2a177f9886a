"""core.durable: atomic replace and append-only JSON lines, on real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from dynotui.core import durable


def test_atomic_write_replaces_whole_and_leaves_no_temp(tmp_path):
    target = tmp_path / "state.json"
    durable.write_json(target, {"n": 1})
    durable.atomic_write(target, b'{"n": 2}')
    assert json.loads(target.read_text()) == {"n": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_create_exclusive_refuses_a_taken_name(tmp_path):
    path = tmp_path / "claim"
    assert durable.create_exclusive(path, b"first\n")
    assert not durable.create_exclusive(path, b"second\n")
    assert path.read_bytes() == b"first\n"


def test_temps_of_dead_writers_are_removed_and_live_ones_kept(tmp_path):
    # Given a temp left by a process that has exited and one of this live process
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    left = tmp_path / f".x.json{durable.TMP_MARK}{dead}-abcd"
    live = durable.temp_name(tmp_path / "y.json")
    left.write_bytes(b"{")
    live.write_bytes(b"{")
    # When the folder is cleaned, then only the dead writer's temp goes
    assert durable.clean_temp_files(tmp_path) == [left]
    assert live.exists() and durable.temp_pid(live.name) == os.getpid()


def test_json_lines_ignore_a_torn_tail_and_end_it_before_appending(tmp_path):
    # Given a log whose last writer was killed mid-line
    path = tmp_path / "log.jsonl"
    path.write_bytes(durable.json_lines([{"a": 1}]) + b'{"a": 2, "hal')
    log = durable.JsonLines(path)
    # Then readers see only the whole line
    assert log.read() == [{"a": 1}]
    # When a new record is appended, then the half line is cut off and every line reads
    log.append({"a": 3}, {"a": "é\u202e"})
    log.close()
    assert log.read() == [{"a": 1}, {"a": 3}, {"a": "é\u202e"}]
    assert b"hal" not in path.read_bytes()
    # And a file holding only half a line is emptied by the next writer
    half = tmp_path / "half.jsonl"
    half.write_bytes(b'{"x"')
    second = durable.JsonLines(half)
    second.append({"x": 1})
    second.close()
    assert half.read_bytes() == b'{"x":1}\n'


def test_append_whole_writes_all_lines_in_one_go(tmp_path):
    path = tmp_path / "events.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        durable.append_whole(fd, durable.json_lines([{"i": i} for i in range(3)]))
    finally:
        os.close(fd)
    assert [json.loads(x) for x in path.read_bytes().splitlines()] == [{"i": 0}, {"i": 1}, {"i": 2}]
