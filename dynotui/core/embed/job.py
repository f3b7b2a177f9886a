"""Embedding in a worker process (worker.py), so a UI stays responsive and can cancel it.

    job = EmbedJob(workspace, model, texts)
    job.run(on_progress)   # blocks (call it from a thread); raises Cancelled after job.cancel()

cancel() kills the worker's whole process group; the vector cache then holds only the whole
shards written before (see worker.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable

from dynotui.core.embed.cache import cache_for, text_key
from dynotui.core.errors import DynoError


class Cancelled(Exception):
    """The job was cancelled (its process killed)."""


def missing_texts(workspace: str | Path, model: str | None, texts: list[str]) -> list[str]:
    """The distinct texts (stripped) whose vectors are not cached yet, shortest first."""
    distinct = {text_key(t): t.strip() for t in texts}
    found = cache_for(workspace, model).lookup(list(distinct))
    return sorted((t for k, t in distinct.items() if k not in found), key=len)


def _env() -> dict[str, str]:
    # the worker must import this same dynotui, also from a checkout that is not installed
    root = str(Path(__file__).resolve().parents[3])
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else ""),
            "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1")}


class EmbedJob:
    def __init__(self, workspace: str | Path, model: str | None, texts: list[str]) -> None:
        self.workspace, self.model, self.texts = str(workspace), model, texts
        self.proc: subprocess.Popen | None = None
        self.cancelled = False
        self._lock = threading.Lock()

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "dynotui.core.embed.worker", "--workspace", self.workspace]
        return cmd + (["--model", self.model] if self.model else [])

    def run(self, on_progress: Callable[[int, int], Any] | None = None) -> int:
        """Embed the texts in a worker process; returns how many were embedded."""
        with self._lock:
            if self.cancelled:
                raise Cancelled()
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, text=True, encoding="utf-8",
                                         env=_env(), start_new_session=True)
        proc = self.proc
        error: dict[str, str] | None = None
        done = 0
        try:
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(json.dumps(self.texts))
                proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass  # died early: its exit code says so below
            for line in proc.stdout:
                word, _, rest = line.strip().partition(" ")
                if word == "progress" and on_progress is not None:
                    n, _, total = rest.partition(" ")
                    if n.isdigit() and total.isdigit():
                        on_progress(int(n), int(total))
                elif word == "done" and rest.isdigit():
                    done = int(rest)
                elif word == "error":
                    try:
                        error = json.loads(rest)
                    except ValueError:
                        error = {"message": rest}
        finally:
            code = proc.wait()
        if self.cancelled:
            raise Cancelled()
        if error is not None:
            raise DynoError(str(error.get("message", "")), str(error.get("hint", "")))
        if code != 0:
            raise DynoError(f"The embedding worker stopped (exit code {code}).",
                            "Run `dynotui similar --groups` in a terminal to see why.")
        return done

    def cancel(self) -> None:
        """Kill the worker (and anything it started); run() then raises Cancelled."""
        with self._lock:
            self.cancelled = True
            proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the worker leads its own group
            except (AttributeError, ProcessLookupError, PermissionError):
                proc.kill()
