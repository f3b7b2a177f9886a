"""Start-up stays light: the workbench and the CLI parser import no heavy libraries, and no
cyclic collection runs on the way to the first frame."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading

HEAVY = ("datasets", "openai", "torch", "sentence_transformers", "llama_cpp", "pyarrow",
         "huggingface_hub", "pandas")


def test_opening_the_workbench_imports_nothing_heavy(tmp_path):
    # Given a fresh interpreter that builds the parser and the app as `dynotui` does
    code = (
        "import sys\n"
        "from dynotui.cli import build_parser\n"
        "from dynotui.config import load_settings\n"
        "from dynotui.core.store import Store\n"
        "from dynotui.tui.app import DynoApp\n"
        "from dynotui.tui.screens import browse, review\n"
        "build_parser()\n"
        f"s = load_settings(workspace={str(tmp_path)!r})\n"
        "DynoApp(s, Store(s.workspace))\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # Then none of the heavy libraries is loaded
    assert out.stdout.strip() == "[]", out.stdout


def test_the_workbench_pauses_cyclic_gc_until_its_first_frame_then_freezes_start_up(tmp_path):
    # Given `dynotui` started as a user starts it, in a real pseudo-terminal, with a probe
    # that notes the collector's state when the app is ready and a moment later
    report = tmp_path / "gc.txt"
    code = (
        "import gc, sys\n"
        "from dynotui.tui import app as m\n"
        "def ready(self):\n"
        "    seen = [gc.isenabled()]\n"
        "    def later():\n"
        "        seen.extend([gc.isenabled(), gc.get_freeze_count() > 10000])\n"
        f"        open({str(report)!r}, 'w').write(repr(seen))\n"
        "        self.exit()\n"
        "    self.set_timer(0.5, later)\n"
        "m.DynoApp.on_ready = ready\n"
        "from dynotui.cli import main\n"
        f"main(['--workspace', {str(tmp_path / 'ws')!r}])\n")
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=slave, stdout=slave,
                            stderr=slave, env={**os.environ, "TERM": "xterm-256color"})
    os.close(slave)
    drain = threading.Thread(target=_drain, args=(master,), daemon=True)
    drain.start()
    assert proc.wait(timeout=60) == 0
    os.close(master)
    # Then collection was off on the way to the first frame, and back on after it, with the
    # objects start-up made frozen (later collections skip them)
    assert report.read_text() == "[False, True, True]"


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass
