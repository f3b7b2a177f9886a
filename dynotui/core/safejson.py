"""JSON from outside (task lists, local data files) read with a bounded depth and stored-safe
strings: nesting beyond Python's recursion limit (~1,000 levels) is a ValueError naming it,
not a RecursionError, and lone surrogates from escapes like "\\ud800" become U+FFFD (they
cannot be encoded, hashed or written; text.clean is the one rule)."""

from __future__ import annotations

import json
import re
from typing import Any

from dynotui.core.text import clean

# a \\uD800-\\uDFFF escape in the raw text: the only way JSON yields a lone surrogate
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class TooDeep(ValueError):
    """Nested deeper than the parser goes."""


def loads(text: str | bytes) -> Any:
    """json.loads, with TooDeep instead of RecursionError and every string clean()ed."""
    try:
        data = json.loads(text)
    except RecursionError as exc:
        raise TooDeep("nested more than about 1,000 levels deep") from exc
    raw = text if isinstance(text, str) else text.decode("utf-8", "replace")
    return clean_strings(data) if _SURROGATE_ESCAPE.search(raw) else data


def clean_strings(data: Any) -> Any:
    """`data` with clean() applied to every string and key (iterative: no depth limit)."""
    if isinstance(data, str):
        return clean(data)
    root = [data]
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, str):
                    node[i] = clean(value)
                elif isinstance(value, (list, dict)):
                    stack.append(value)
        else:
            for key in list(node):
                value = node[key]
                if isinstance(value, str):
                    value = clean(value)
                elif isinstance(value, (list, dict)):
                    stack.append(value)
                if isinstance(key, str) and clean(key) != key:
                    del node[key]
                    key = clean(key)
                node[key] = value
    return root[0]
