"""core.text: the one policy for untrusted text, fed hostile strings."""

from __future__ import annotations

import json
import unicodedata

import pytest

from dynotui.core import text

HOSTILE = [
    "[@click=app.quit]x[/]",
    "\x1b]52;c;aGk=\x07",  # OSC 52: write the clipboard
    "\x1b]0;title\x07",  # OSC 0: set the window title
    "\x1b[31mred\x1b[0m",  # ANSI colour
    "\x9b31mC1 CSI",
    "abc\u202edcba\u202c",  # bidi override
    "\u2066isolate\u2069 \u200eLRM \u061cALM",
    "zero\u200bwidth\u200d\u2060joiner",
    "\ufeffbom",
    "lone \ud800 and \udfff surrogates",
    "\x00nul \x7fdel \u2028line\u2029para \ufff9ann\ufffb",
    "tag \U000e0069\U000e0067\U000e006e smuggled",
]


def _active(s: str) -> list[str]:
    """Characters of s that a terminal acts on or that hide text (what must never pass)."""
    return [c for c in s if c not in "\n\t" and (unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp"))]


@pytest.mark.parametrize("raw", HOSTILE)
def test_inert_replaces_every_active_character_with_a_visible_stand_in(raw):
    # Given hostile text, when it is made inert for display
    shown = text.inert(raw)
    # Then nothing active is left and the readable parts survive
    assert _active(shown) == []
    assert shown.encode("utf-8")  # lone surrogates would not even encode


@pytest.mark.parametrize("raw", HOSTILE)
def test_escape_leaves_only_printable_text(raw):
    shown = text.escape(raw)
    assert _active(shown) == []
    shown.encode("utf-8")


def test_stand_ins_say_which_character_was_there():
    assert text.inert("\x1b]0;title\x07") == "␛]0;title␇"
    assert text.inert("a\u202eb") == "a<U+202E>b"
    assert text.inert("\ufeffx\u200b") == "<U+FEFF>x<U+200B>"
    assert text.inert("\x7f") == "␡"
    assert text.inert("\ud800") == "<U+D800>"
    assert text.escape("\x1b]52;c;x\x07") == "\\x1b]52;c;x\\x07"
    assert text.escape("\x9b\u202e\ufeff\ud800") == "\\x9b\\u202e\\ufeff\\ud800"
    tag = "\U000e0069"
    assert text.escape(tag) == tag.encode("unicode_escape").decode() == "\\U000e0069"


def test_markup_is_left_as_text_and_newlines_and_tabs_are_kept():
    # markup is inert because output is built from Text; the characters are not altered
    assert text.inert("[@click=app.quit]x[/]") == "[@click=app.quit]x[/]"
    assert text.escape("a\tb\nc") == "a\tb\nc"
    assert text.inert("a\tb\nc") == "a\tb\nc"


def test_plain_text_and_non_ascii_pass_unchanged():
    for s in ("héllo wörld", "日本語", "emoji 🦕", "Ελληνικά", ""):
        assert text.inert(s) == s and text.escape(s) == s and text.clean(s) == s


def test_escape_takes_any_value_and_cuts_long_text():
    assert text.escape({"k": "\x1b"}) == '{"k": "\\u001b"}'  # JSON spells it
    cut = text.escape("x" * 50 + "\x1b", limit=10)
    assert cut == "x" * 10 + "… (+41 chars)"


def test_one_line_takes_the_first_line_cut_and_escaped():
    assert text.one_line("  first \x1b[2J\u200b line\nsecond") == "first \\x1b[2J\\u200b line"
    assert text.one_line("y" * 500, 20) == "y" * 20
    assert text.one_line("") == ""


def test_json_escape_keeps_the_value_and_removes_active_characters():
    data = {"row": "\x1b]0;t\x07 \x9b \u202e \ufeff \u200b \u2028 é \ud800 \U000e0069"}
    out = text.json_escape(json.dumps(data, ensure_ascii=False))
    assert _active(out) == []
    out.encode("utf-8")
    assert json.loads(out) == data and "é" in out


def test_clean_makes_lone_surrogates_storable_and_keeps_the_rest_as_data():
    stored = text.clean("a\ud800b\udc00 \x1b ok")
    assert stored == "a\ufffdb\ufffd \x1b ok"
    stored.encode("utf-8")
    # a proper pair is one character, not a surrogate
    assert text.clean("🦕") == "🦕"
