"""The layers are contracts: import-linter checks pyproject's [tool.importlinter] in the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter")

ROOT = Path(__file__).resolve().parents[1]
RUN = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def lint(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-c", RUN, "--no-cache", "--no-logo", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=240)


def test_every_layer_contract_is_kept():
    # Given the contracts in pyproject.toml, when import-linter checks the package
    done = lint()
    # Then none is broken (the output names the offending import chain when one is)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout and "KEPT" in done.stdout


def test_a_broken_contract_fails(tmp_path):
    # Given a contract the package cannot keep (the TUI is built on the core)
    config = tmp_path / "contracts.toml"
    config.write_text('[tool.importlinter]\nroot_package = "dynotui"\n\n'
                      '[[tool.importlinter.contracts]]\nname = "tui without core"\n'
                      'type = "forbidden"\nsource_modules = ["dynotui.tui"]\n'
                      'forbidden_modules = ["dynotui.core"]\n')
    # When import-linter checks it, then it reports the contract broken and fails
    done = lint(str(config))
    assert done.returncode != 0 and "BROKEN" in done.stdout, done.stdout + done.stderr
