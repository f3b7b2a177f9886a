"""Start-up stays light: the workbench and the CLI parser import no heavy libraries."""

from __future__ import annotations

import subprocess
import sys

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
