"""`dynotui serve` in a subprocess on a free loopback port, for the serve tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_pids(pid: int) -> list[int]:
    """Direct children of `pid` (the workbench processes of a serve)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Served:
    """A running `dynotui serve`: its port, the printed address, and how to stop it."""

    def __init__(self, workspace: Path, *extra: str, env: dict | None = None) -> None:
        self.port = free_port()
        self.workspace = workspace
        environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dynotui", "serve", "--port", str(self.port),
             "--workspace", str(workspace), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            text=True, env=environ, cwd=ROOT)
        self.banner = self.proc.stdout.readline()
        found = re.search(r"http://\S+", self.banner)
        self.url = found.group(0) if found else ""
        self.base = f"http://127.0.0.1:{self.port}"
        self._wait_listening()

    def _wait_listening(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited: {self.banner}{self.proc.stdout.read()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("serve did not start listening")

    @property
    def token(self) -> str:
        return self.url.split("token=", 1)[1] if "token=" in self.url else ""

    def sigterm(self, timeout: float = 10.0) -> float:
        """Send SIGTERM; seconds until the process was gone."""
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        return time.monotonic() - start

    def stop(self) -> None:
        kids = child_pids(self.proc.pid) if self.proc.poll() is None else []
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for kid in kids:  # a workbench left behind would outlive the test
            if alive(kid):
                os.kill(kid, signal.SIGKILL)
        if self.proc.stdout:
            self.proc.stdout.close()
