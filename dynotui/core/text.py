"""The one policy for untrusted text (dataset rows, cards, field names, model and server answers).

UNSAFE is every character that can act on a terminal or hide what text says: C0 controls
(except newline and tab, which layout handles), DEL, C1 controls (\\x9b is CSI), bidi marks,
embeddings, overrides and isolates, zero-width characters, U+FEFF, line/paragraph separators,
interlinear annotation marks, tag characters (invisible ASCII look-alikes), and lone UTF-16 surrogates (they cannot even be encoded).
Each function applies that one set in the form its output needs:
  inert(text)    for display: each one becomes a visible stand-in (␛, ␡, <U+202E>)
  escape(text)   for messages and plain CLI output: Python escapes (\\x1b, \\u202e)
  one_line(text) escape() of the first line, cut: foreign text inside an error message
  json_escape(s) for JSON output: the same set as \\uXXXX (the same value inside a string)
  clean(text)    for stored strings: lone surrogates become U+FFFD (the rest is kept as data)
Markup is not this module's concern: rich/textual output is built from Text, never parsed.
"""

from __future__ import annotations

import json
import re
from typing import Any

_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_INVISIBLE = "\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"
_SURROGATES = "\ud800-\udfff"
UNSAFE = re.compile(f"[{_CONTROL}{_INVISIBLE}{_SURROGATES}]")
_SURROGATE = re.compile(f"[{_SURROGATES}]")
# json.dumps already escapes C0 controls (and newline/tab), so these are what is left
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_INVISIBLE}{_SURROGATES}]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode control pictures: \x1b -> ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def as_str(value: Any) -> str:
    """A string for any value: strings as they are, others as compact JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def clip(text: str, limit: int | None) -> str:
    """At most `limit` characters, with a marker saying how much was cut."""
    if limit and len(text) > limit:
        return f"{text[:limit]}… (+{len(text) - limit:,} chars)"
    return text


def inert(text: Any) -> str:
    """The text with every unsafe character replaced by a visible stand-in."""
    text = text if isinstance(text, str) else str(text)
    return UNSAFE.sub(_picture, text) if UNSAFE.search(text) else text


def escape(text: Any, limit: int | None = None) -> str:
    """The text (non-strings as JSON), cut to `limit`, unsafe characters as `\\x1b`, `\\u202e`."""
    text = clip(as_str(text), limit)
    return UNSAFE.sub(_escaped, text) if UNSAFE.search(text) else text


def one_line(text: Any, limit: int = 300) -> str:
    """The first line of foreign text, cut to `limit`, escaped: for an error message."""
    line = (str(text).strip().splitlines() or [""])[0][:limit]
    return escape(line)


def json_escape(text: str) -> str:
    """JSON text (from json.dumps) with every unsafe character left in it as \\uXXXX."""
    return _JSON_UNSAFE.sub(_json_escaped, text)


def _json_escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells astral characters as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def clean(text: str) -> str:
    """A string that can be stored: lone surrogates (from JSON escapes like \\udc00) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text
