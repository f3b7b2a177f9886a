"""Helpers shared by the headless commands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from dynotui.config import Settings, load_settings
from dynotui.core.text import escape, json_escape
from dynotui.core.store import Store


safe = escape  # the commands' name for core.text.escape: untrusted text with controls escaped


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(workspace=getattr(args, "workspace", None),
                         annotator=getattr(args, "annotator", None),
                         model=getattr(args, "model", None),
                         guidelines=getattr(args, "guidelines", None))


def open_store(args: argparse.Namespace):
    settings = settings_from(args)
    return Store(settings.workspace, annotator=settings.annotator)


def dataset_matches(prop, wanted: str) -> bool:
    """--dataset accepts the id (hub:org/name), the name alone, id/config, or a task_name."""
    key = f"{prop.dataset}/{prop.config}" if prop.config else prop.dataset
    return wanted in (prop.dataset, prop.dataset.split(":", 1)[-1], key,
                      key.split(":", 1)[-1], prop.task_name)


def json_text(data: Any, indent: int | None = 2) -> str:
    """JSON with non-ASCII kept readable and every terminal-active character escaped."""
    return json_escape(json.dumps(data, ensure_ascii=False, indent=indent, default=str))


def print_json(data: Any) -> None:
    sys.stdout.write(json_text(data))
    sys.stdout.write("\n")


def console(stderr: bool = False):
    """A rich console for humans; data never goes through markup (use Text or markup=False)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def counter(text: str, last: bool) -> None:
    """A progress line on a terminal's stderr, rewritten in place (`last`: ended); nothing in
    pipes and logs."""
    if sys.stderr.isatty():
        print(f"\r{text}", end="\n" if last else "", file=sys.stderr, flush=True)
