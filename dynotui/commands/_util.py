"""Helpers shared by the headless commands."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from dynotui.config import Settings, load_settings

# C0/C1 controls, DEL, bidi overrides/isolates and zero-width marks: shown as escapes
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def safe(text: Any, limit: int | None = None) -> str:
    """Untrusted text with control and bidi characters made visible (`\\x1b`, `\\u202e`)."""
    text = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False, default=str)
    if limit is not None and len(text) > limit:
        text = text[:limit] + f" … (+{len(text) - limit:,} chars)"
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(workspace=getattr(args, "workspace", None),
                         annotator=getattr(args, "annotator", None),
                         model=getattr(args, "model", None))


def open_store(args: argparse.Namespace):
    from dynotui.core.store import Store

    settings = settings_from(args)
    return Store(settings.workspace, annotator=settings.annotator)


# json escapes only C0 controls; C1 controls (\x9b is CSI), bidi and zero-width marks
# would reach a terminal raw. They occur only inside strings, where \uXXXX is the same value.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def json_text(data: Any, indent: int | None = 2) -> str:
    """JSON with non-ASCII kept readable and every terminal-active character escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, default=str)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def print_json(data: Any) -> None:
    sys.stdout.write(json_text(data))
    sys.stdout.write("\n")


def console(stderr: bool = False):
    """A rich console for humans; data never goes through markup (use Text or markup=False)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)
