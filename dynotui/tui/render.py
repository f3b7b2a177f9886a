"""The one place untrusted text (dataset rows, cards, field names, model answers) becomes
renderables: never parsed as markup; which characters are made visible is core.text's policy."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

from dynotui.core.text import clip, inert


def visible(text: str, tabs: bool = True) -> str:
    """The text with every unsafe character replaced by a visible stand-in (core.text.inert)."""
    text = inert(text)
    return text.expandtabs(4) if tabs and "\t" in text else text


def one_line(text: str, limit: int = 200) -> str:
    """Visible text on a single line (newlines shown as ⏎), cut to `limit`."""
    return visible(clip(str(text), limit).replace("\r\n", "\n").replace("\n", " ⏎ "))


def value_str(value: Any, limit: int = 600) -> str:
    """A cell value as readable text: strings as they are, others as compact JSON."""
    if value is None:
        return "∅"
    if isinstance(value, str):
        return clip(value, limit)
    if isinstance(value, (bool, int, float)):
        return str(value)
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return clip(text, limit)


def text(value: Any, style: str = "", limit: int = 0) -> Text:
    """An inert Text for any untrusted value: no markup, control characters visible."""
    raw = value if isinstance(value, str) else value_str(value, limit)
    return Text(visible(clip(raw, limit) if limit else raw), style=style, end="")


def line(value: Any, style: str = "", limit: int = 200) -> Text:
    """An inert single-line Text (table cells, list entries, titles)."""
    raw = value if isinstance(value, str) else value_str(value, limit)
    return Text(one_line(raw, limit), style=style, end="", no_wrap=True, overflow="ellipsis")


def join(*parts: Text | str | tuple[Any, str]) -> Text:
    """Assemble trusted labels (str) with untrusted pieces given as (value, style) tuples."""
    out = Text(end="")
    for part in parts:
        if isinstance(part, Text):
            out.append_text(part)
        elif isinstance(part, tuple):
            out.append(visible(value_str(part[0], 0) if not isinstance(part[0], str) else part[0]),
                       style=part[1])
        else:
            out.append(part)
    return out


def message(value: Any) -> str:
    """A plain string safe for notify(markup=False) and log lines."""
    return visible(str(value))


def content(value: Any, limit: int = 200):
    """An inert single-line textual Content (option prompts, selection labels)."""
    from textual.content import Content

    return Content(one_line(value if isinstance(value, str) else value_str(value, limit), limit))
