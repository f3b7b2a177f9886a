"""Write to temp paths next to the target and swap them in at the end.

An export killed at any moment leaves nothing at PATH: only a hidden temp beside it, which
the next export into the same folder removes once its process is gone.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dynotui.core.durable import fsync_path, pid_alive, temp_name, temp_pid
from dynotui.core.errors import ExportError

TMP_MARK = ".dynotui-tmp-"
SYNC_ALL_ABOVE = 16
MANIFEST = ".dynotui-export.json"


def temp_path(target: Path) -> Path:
    return temp_name(target, TMP_MARK)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def clean_stale(target: Path) -> int:
    """Remove temps of `target` left by exports whose process died (SIGKILL, power loss)."""
    removed = 0
    if not target.parent.is_dir():
        return 0
    for path in target.parent.glob(f".{target.name}{TMP_MARK}*"):
        pid = temp_pid(path.name, TMP_MARK)
        if pid > 0 and pid != os.getpid() and not pid_alive(pid):
            _remove(path)
            removed += 1
    return removed


def check_target(target: Path, folder: bool) -> None:
    """Refuse targets we must not replace: a folder for a file, or a folder that is not ours."""
    if not target.parent.exists():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"Cannot create the folder {target.parent}: {exc.strerror}.") from exc
    if not os.access(target.parent, os.W_OK):
        raise ExportError(f"Cannot write into {target.parent}.", "Choose another --out.")
    # the finished temp is renamed onto PATH: that would replace a link or a device node itself
    if target.is_symlink():
        real = target.resolve()
        plain = real.is_file() or real.is_dir()
        raise ExportError(f"{target} is a symbolic link (to {os.readlink(target)}); export "
                          "replaces PATH whole, which would replace the link.",
                          f"Give the real path instead: --out {real}" if plain else
                          "Give a file path for --out, then read that file.")
    if target.exists() and not (target.is_file() or target.is_dir()):
        raise ExportError(f"{target} is not a regular file (a device, pipe or socket); export "
                          "writes a file and swaps it in.",
                          "Give a file path for --out, then read that file.")
    if folder:
        if target.exists() and not target.is_dir():
            raise ExportError(f"{target} is a file; this format writes a folder.",
                              "Choose a folder path for --out.")
        if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).exists():
            raise ExportError(f"{target} is a folder that holds files not written by dynotui export.",
                              "Choose an empty or new folder for --out; nothing was changed.")
    elif target.is_dir():
        raise ExportError(f"{target} is a folder; this format writes one file.",
                          "Give a file path for --out, e.g. out/data.json.")


def fsync_tree(path: Path) -> None:
    """Flush every file under a temp folder before it is swapped in."""
    files = [os.path.join(root, name) for root, _dirs, names in os.walk(path) for name in names]
    if len(files) > SYNC_ALL_ABOVE:
        os.sync()  # one flush for thousands of task files instead of an fsync each
    else:
        for name in files:
            fsync_path(Path(name))
    for root, _dirs, _names in os.walk(path):
        fsync_path(Path(root))


def commit(pairs: list[tuple[Path, Path]]) -> None:
    """Move each finished temp onto its target; an old folder target goes aside first."""
    for tmp, target in pairs:
        if tmp.is_dir():
            fsync_tree(tmp)
            old = None
            if target.is_dir():
                old = temp_path(target)
                os.replace(target, old)
            os.replace(tmp, target)
            if old is not None:
                _remove(old)
        else:
            os.replace(tmp, target)
        fsync_path(target.parent)


def discard(paths: list[Path]) -> None:
    for path in paths:
        _remove(path)
