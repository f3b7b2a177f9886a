"""Given the core package, when any of its modules is imported, then no UI or torch loads."""

import subprocess
import sys

CHECK = """
import importlib, pkgutil, sys
import dynotui.core as core
for m in pkgutil.walk_packages(core.__path__, "dynotui.core."):
    importlib.import_module(m.name)
import dynotui.config, dynotui.cli
bad = [n for n in ("textual", "rich", "torch", "sentence_transformers", "llama_cpp")
       if n in sys.modules]
print(",".join(bad))
"""


def test_core_imports_no_ui_or_torch():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"dynotui.core pulls in: {out.stdout.strip()}"


def test_cli_help_is_light():
    """Building the CLI parser must not import the heavy libraries either."""
    code = ("import sys; from dynotui.cli import build_parser; build_parser(); "
            "print(','.join(n for n in ('textual','datasets','openai','torch','pyarrow') "
            "if n in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_stats_loads_numpy_only_for_near_duplicates(tmp_path):
    """`stats` on a workspace with no near-duplicate groups on file does not import numpy;
    with a groups file it reads them (and numpy may load)."""
    code = ("import sys; from dynotui.core.store import Store; from dynotui.core.stats import "
            "compute; s = Store(sys.argv[1]); d = compute(s); "
            "print(d['duplicates']['near'], 'numpy' in sys.modules)")
    run = [sys.executable, "-c", code, str(tmp_path)]
    out = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["None", "False"]
    groups = tmp_path / "embeddings" / "some-model" / "groups-0.9000.json"
    groups.parent.mkdir(parents=True)
    groups.write_text("{}")  # not for these proposals: stats says nothing, but looks
    out = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["None", "True"]
