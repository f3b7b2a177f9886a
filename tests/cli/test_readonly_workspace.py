"""A workspace on a read-only file system (a read-only bind mount in a user namespace, no
root needed): crawl says what it cannot write instead of a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from dynotui.core.store import Store


def _read_only(ws, *argv):
    """Run the CLI with `ws` mounted read-only over itself; None when namespaces are refused."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    script = ('mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"')
    env = {**os.environ, "DYNOTUI_CONFIG": os.devnull, "HF_ENDPOINT": "http://127.0.0.1:9"}
    probe = subprocess.run([unshare, "-rm", "sh", "-c", script, str(ws), "true"],
                           capture_output=True, env=env)
    if probe.returncode != 0:
        return None
    return subprocess.run([unshare, "-rm", "sh", "-c", script, str(ws), sys.executable, "-m",
                           "dynotui", *argv], capture_output=True, text=True, env=env, timeout=120)


def test_crawl_on_a_read_only_workspace_is_one_message(tmp_path):
    ws = tmp_path / "ws"
    Store(ws).close()
    before = sorted(p.name for p in ws.rglob("*"))
    proc = _read_only(ws, "crawl", "--workspace", str(ws), "--limit", "3")
    if proc is None:
        pytest.skip("user namespaces (unshare -rm) are not available here")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0] == (f"dynotui: Cannot write the crawl log in {ws / 'crawl'}: Read-only file "
                        "system.")
    assert lines[1].startswith("Check that the workspace is writable")
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in ws.rglob("*")) == before
