"""Start-up to the first interactive screen, as whole processes in a real pseudo-terminal,
beside a bare Textual app measured in the same run (alternating, medians).

    .venv/bin/python bench/startup.py [--runs 7]

Figures: bare app (start -> first frame -> exit); the same with cyclic garbage collection
paused from its first line, as dynotui pauses it until its first frame (a second, stricter
baseline); dynotui (start -> Browse on screen -> exit); dynotui until the bundled sample list is
filled; each also as CPU seconds of the process (all threads, user + system) at that moment,
steadier than wall time on a loaded machine. The goal is against the plain bare app.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Each child writes its CPU seconds so far (user + system, all threads) to fd MARK when its
# screen is up, then exits.
BARE = """
import os, resource
{gc}
CPU = lambda: str(sum(resource.getrusage(resource.RUSAGE_SELF)[:2])).encode()
from textual.app import App
class Bare(App):
    def on_ready(self):
        self.call_after_refresh(lambda: (os.write({mark}, CPU()), self.exit()))
Bare().run()
"""

# The real CLI entry point; only the moment of exit is added.
DYNOTUI = """
import os, resource, sys
CPU = lambda: str(sum(resource.getrusage(resource.RUSAGE_SELF)[:2])).encode()
from dynotui.tui import app as m
def done(self):
    os.write({mark}, CPU())
    self.exit()
def ready(self):
    if {until_list}:
        def check():  # at the first frame, then every 5 ms until the list is filled
            browse = self.browse
            if browse is not None and browse.query_one("#datasets").entries:
                timer.stop()
                self.call_after_refresh(done, self)
                return True
        timer = self.set_interval(0.005, check)
        check()
    else:
        self.call_after_refresh(done, self)
m.DynoApp.on_ready = ready
{entry}
"""
VIA_CLI = """from dynotui.cli import main
sys.exit(main(["--workspace", {workspace!r}]))"""
# dynotui pauses cyclic garbage collection from its start to its first frame; the second
# baseline is the bare app given the same pause (collection off before Textual is imported).
GC_PAUSED = "import gc; gc.disable()"


def run_in_pty(code: str, env: dict[str, str]) -> tuple[float, float, float]:
    """(seconds to the ready mark, seconds to process exit, CPU seconds to the mark) of one
    child in a pty."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    mark_r, mark_w = os.pipe()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code.replace("{mark}", str(mark_w))],
                            stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                            pass_fds=(mark_w,))
    os.close(slave)
    os.close(mark_w)

    def drain() -> None:
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass
    threading.Thread(target=drain, daemon=True).start()
    cpu = os.read(mark_r, 64)
    ready = started if not cpu else time.perf_counter()
    status = proc.wait(timeout=60)
    ended = time.perf_counter()
    os.close(master)
    os.close(mark_r)
    if status != 0 or ready == started:
        raise SystemExit(f"process exited with {status} before it was ready")
    return ready - started, ended - started, float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    workspace = tempfile.mkdtemp(prefix="dynotui-bench-start-")
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
           "XDG_CONFIG_HOME": tempfile.mkdtemp(prefix="dynotui-bench-cfg-")}
    env.pop("DYNOTUI_CONFIG", None)
    # As an installed package runs: bytecode cached (the warm-up runs write it, outside the
    # checkout). With PYTHONDONTWRITEBYTECODE set, every start would compile our modules.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="dynotui-bench-pyc-")
    runs: dict[str, list[tuple[float, float]]] = {"bare": [], "bare_gc": [], "ready": [],
                                                  "list": []}
    cli = DYNOTUI.replace("{entry}", VIA_CLI)
    codes = {"bare": BARE.replace("{gc}", ""), "bare_gc": BARE.replace("{gc}", GC_PAUSED),
             "ready": cli.replace("{until_list}", "False"),
             "list": cli.replace("{until_list}", "True")}
    codes = {k: v.replace("{workspace!r}", repr(workspace)) for k, v in codes.items()}
    load_before = os.getloadavg()
    try:
        for code in codes.values():
            run_in_pty(code, env)  # warm the file cache once for each
        for _ in range(args.runs):
            for name, code in codes.items():
                runs[name].append(run_in_pty(code, env))
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
        shutil.rmtree(env["PYTHONPYCACHEPREFIX"], ignore_errors=True)

    def med(name: str, i: int) -> float:
        return statistics.median(r[i] for r in runs[name])
    bare, ready, filled = med("bare", 0), med("ready", 0), med("list", 0)
    load = " ".join(f"{x:.2f}" for x in load_before)
    print(f"runs: {args.runs} each, whole processes in a 120x40 pty (medians); "
          f"load average {load} before, {os.getloadavg()[0]:.2f} after")
    print(f"{'':38}{'to screen':>10}{'to exit':>10}{'CPU to screen':>15}")
    cpu_bare = med("bare", 2)
    bare_gc, cpu_bare_gc = med("bare_gc", 0), med("bare_gc", 2)
    rows = [("baseline: bare Textual app", "bare"),
            ("baseline: same, collection paused", "bare_gc"),
            ("dynotui: Browse on screen", "ready"),
            ("dynotui: bundled sample list filled", "list")]
    for label, name in rows:
        wall, cpu = med(name, 0), med(name, 2)
        ratios = "" if name == "bare" else f"   {wall / bare:.2f}x / CPU {cpu / cpu_bare:.2f}x bare"
        if name in ("ready", "list"):
            ratios += f"; {wall / bare_gc:.2f}x / {cpu / cpu_bare_gc:.2f}x paused bare"
        print(f"{label:38}{wall * 1000:8.0f}ms{med(name, 1) * 1000:8.0f}ms{cpu * 1000:13.0f}ms"
              f"{ratios}")
    ok = ready <= 1.5 * bare and filled <= 1.5 * bare
    print(f"goal: Browse on screen and the list filled <= 1.5x bare (wall): "
          f"{'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
