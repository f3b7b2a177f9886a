"""Annotation guidelines: `guidelines.md` in the workspace (or a file given with
--guidelines / `guidelines = "FILE"`). Its "## Reject reasons" list, when present, is the list
of reject reasons and keys 1-9 (first item: key 1), in place of the config's reject_reasons.

    ## Reject reasons
    1. vague instruction — could mean several different tasks
    2. **wrong output field**: the output is not what the instruction asks for

A reason is the item's text up to " — ", " -- " or ": " (the rest explains it), without
markdown emphasis.
"""

from __future__ import annotations

import re
from pathlib import Path

from dynotui.core.errors import ConfigError

FILENAME = "guidelines.md"
MAX_BYTES = 1_000_000
MAX_REASONS = 9
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,2}[.)])\s+(.+?)\s*$")
_SPLIT = re.compile(r"\s+(?:—|–|--)\s+|:\s+")


def find(workspace: Path, given: str | Path | None = None) -> Path | None:
    """The guidelines file: `given` (must exist), else the workspace's guidelines.md if any."""
    if given:
        path = Path(given).expanduser()
        if not path.is_file():
            raise ConfigError(f"Guidelines file {path} does not exist.",
                              "Create it, fix the path (--guidelines or `guidelines` in the "
                              "config), or drop it to use WORKSPACE/guidelines.md.")
        return path
    path = Path(workspace) / FILENAME
    return path if path.is_file() else None


def read(path: Path) -> str:
    try:
        data = path.read_bytes()[:MAX_BYTES]
    except OSError as exc:
        raise ConfigError(f"Cannot read the guidelines file {path}: {exc.strerror}.",
                          "Check its permissions.") from exc
    return data.decode("utf-8", "replace")


def reject_reasons(text: str) -> list[str]:
    """The items of the "Reject reasons" section (empty when there is none)."""
    reasons: list[str] = []
    inside = False
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            if inside:
                break
            inside = heading.group(2).strip().lower().rstrip(":") == "reject reasons"
            continue
        item = _ITEM.match(line) if inside else None
        if item:
            name = _SPLIT.split(item.group(1), maxsplit=1)[0]
            name = re.sub(r"[*_`]+", "", name).strip()
            if name and name not in reasons:
                reasons.append(name)
    return reasons[:MAX_REASONS]


def apply(settings) -> None:
    """Point settings.guidelines at the file in use and take its reject reasons."""
    path = find(settings.workspace, settings.guidelines)
    settings.guidelines = str(path) if path else None
    if path is not None:
        reasons = reject_reasons(read(path))
        if reasons:
            settings.reject_reasons = reasons
