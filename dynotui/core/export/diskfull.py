"""A full disk (or a file size limit) while writing an export: one message naming the device
and the path, instead of an OSError or pyarrow ArrowInvalid traceback."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from dynotui.core.errors import ExportError

_FULL = {errno.ENOSPC: "no space left", errno.EDQUOT: "disk quota exceeded",
         errno.EFBIG: "file size limit reached"}
# pyarrow re-raises C++ I/O errors as OSError/ArrowInvalid, often without errno: by message
_TEXT = {"No space left on device": errno.ENOSPC, "Disk quota exceeded": errno.EDQUOT,
         "File too large": errno.EFBIG}


def full_errno(exc: BaseException) -> int | None:
    """ENOSPC, EDQUOT or EFBIG when `exc` (or what it wraps) is a full disk, else None."""
    seen = 0
    while exc is not None and seen < 8:
        code = getattr(exc, "errno", None)
        if code in _FULL:
            return code
        text = str(exc)
        for phrase, code in _TEXT.items():
            if phrase in text:
                return code
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def device_of(path: Path) -> str:
    """The device (from /proc/self/mounts) holding `path`, else its mount point."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    mount = path
    while not os.path.ismount(mount) and mount != mount.parent:
        mount = mount.parent
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) > 1 and parts[1] == str(mount) and parts[0] not in ("none", ""):
                    return f"{parts[0]} ({mount})"
    except OSError:
        pass
    return str(mount)


def disk_full(exc: BaseException, target: Path) -> ExportError | None:
    """The ExportError to show for `exc` when it is a full disk while writing `target`."""
    code = full_errno(exc)
    if code is None:
        return None
    what = _FULL[code]
    hint = ("Raise the limit (ulimit -f) or export to another place (--out)" if code == errno.EFBIG
            else "Free some space, or export to another disk (--out)")
    return ExportError(f"{what} on {device_of(target.parent)} while writing {target}",
                       f"{hint}; nothing was written at {target} (temp files were removed).")
