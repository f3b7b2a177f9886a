"""Runs `llama_cpp.server` and exits when the parent process goes away (never orphaned).

Usage: python -m dynotui.core.llm.child PARENT_PID DEATHSIG(0|1) SERVER_ARGS...
A watchdog thread polls the parent. PR_SET_PDEATHSIG (Linux) fires when the *thread* that
started us ends, so the parent asks for it only when starting us from its main thread.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import threading
import time


def _watch(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(0.5)


def main() -> None:
    parent = int(sys.argv[1])
    if sys.argv[2] == "1" and sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        sys.exit(0)
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    sys.argv = ["llama_cpp.server", *sys.argv[3:]]
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
