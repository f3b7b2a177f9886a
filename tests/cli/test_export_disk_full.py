"""A disk that fills up during export: `dynotui: no space left on DEVICE while writing PATH`,
exit 2, nothing at PATH and no temp file left, for every format.

The full disk is made two ways, neither needing root: a subprocess whose file size limit
(RLIMIT_FSIZE, SIGXFSZ ignored) makes every write past 8 KB fail with EFBIG in the kernel,
pyarrow's writes included; and, in process, ENOSPC raised by the writers' own file writes
(io.FileIO.write and pyarrow's output stream) once a byte budget is spent."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap

import pytest
from exportkit import sample_workspace

from dynotui.cli import main
from dynotui.core.export.options import FORMATS

FORMAT_LIST = list(FORMATS)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    path = tmp_path_factory.mktemp("full") / "ws"
    store, _ = sample_workspace(path)
    store.close()
    return path


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


CHILD = textwrap.dedent("""
    import resource, signal, sys
    from dynotui.cli import main
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (8 * 1024, 8 * 1024))
    sys.exit(main(sys.argv[1:]))
""")


@pytest.mark.parametrize("fmt", FORMAT_LIST)
def test_a_file_size_limit_during_export_is_one_message(ws, tmp_path, fmt):
    out = tmp_path / "out" / ("data" if fmt in ("superni", "hf") else f"data.{fmt}")
    out.parent.mkdir()
    env = {**os.environ, "DYNOTUI_CONFIG": os.devnull}
    proc = subprocess.run([sys.executable, "-c", CHILD, "export", "--workspace", str(ws),
                           "--format", fmt, "--out", str(out), "--max-output", "100000",
                           "--no-dedupe"],
                          capture_output=True, text=True, env=env, timeout=240)
    first = proc.stderr.strip().splitlines()[-2] if proc.returncode == 2 else proc.stderr
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert first.startswith("dynotui: file size limit reached on ")
    assert first.endswith(f" while writing {out}")
    assert "Traceback" not in proc.stderr
    assert _leftovers(out.parent) == []  # nothing at PATH, no temp beside it


@pytest.mark.parametrize("raised", [
    lambda: OSError(errno.ENOSPC, "No space left on device"),
    lambda: __import__("pyarrow").lib.ArrowInvalid("IOError: [Errno 28] No space left on device"),
    lambda: OSError("Parquet write failed: No space left on device"),  # pyarrow, no errno
])
def test_enospc_from_a_writer_is_no_space_left(ws, tmp_path, capsys, monkeypatch, raised):
    # given a disk that fills up when the files are closed (in process: the writer raises it)
    from dynotui.core.export import output as output_module
    from dynotui.core.export.diskfull import device_of

    def full(self, *args, **kwargs):
        raise raised()

    monkeypatch.setattr(output_module.Output, "finish", full)
    monkeypatch.setenv("DYNOTUI_CONFIG", os.devnull)
    out = tmp_path / "out" / "data.jsonl"
    out.parent.mkdir()
    # when exporting, then one line names the device and the path, exit 2, nothing left
    assert main(["export", "--workspace", str(ws), "--format", "jsonl", "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"dynotui: no space left on {device_of(out.parent)} while writing {out}"
    assert err[1].startswith("Free some space, or export to another disk (--out)")
    assert _leftovers(out.parent) == []
