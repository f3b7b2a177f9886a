"""A big task list reports its checks as they go: (done, total) every PROGRESS_EVERY tasks."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

from dynotui.core.generation.tasklist import PROGRESS_EVERY, import_tasks
from dynotui.core.store import Store


def _task_list(path, n: int) -> None:
    path.write_text(json.dumps([{"task_name": f"org/set{i % 7}", "instruction": f"Label text {i}.",
                                 "input_fields": ["text"], "output_field": "label"}
                                for i in range(n)]))


def test_import_reports_progress_through_the_checks_and_once_at_the_end(tmp_path):
    # Given a list of two and a half progress steps
    n = PROGRESS_EVERY * 2 + PROGRESS_EVERY // 2
    path = tmp_path / "tasks.json"
    _task_list(path, n)
    seen = []
    # When it is imported with a progress callback
    report = import_tasks(Store(tmp_path / "ws"), path, on_progress=lambda d, t: seen.append((d, t)))
    # Then the callback saw every step, in order, and the end, with the list's size
    assert report.imported == n
    assert seen == [(0, n), (PROGRESS_EVERY, n), (2 * PROGRESS_EVERY, n), (n, n)]


def test_the_command_counts_on_a_terminal_and_stays_quiet_in_a_pipe(tmp_path):
    path = tmp_path / "tasks.json"
    _task_list(path, 30)
    argv = [sys.executable, "-m", "dynotui", "import-tasks", str(path), "--workspace"]
    # Given stderr on a terminal
    master, slave = pty.openpty()
    proc = subprocess.Popen([*argv, str(tmp_path / "a")], stdout=subprocess.DEVNULL,
                            stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=60) == 0
    os.close(master)
    # Then the counter ends with the count and what comes next
    assert b"checked 30 tasks; writing them to the store" in seen
    # And in a pipe nothing of it is written
    piped = subprocess.run([*argv, str(tmp_path / "b")], capture_output=True, text=True, check=True)
    assert "checking" not in piped.stderr and "checked 30" not in piped.stderr
    assert "30 entries: 30 imported" in piped.stdout
