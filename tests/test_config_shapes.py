"""A config value of the wrong shape: one message naming file and key, exit 2, before any work."""

from __future__ import annotations

import json

import pytest
from llmserver import LLMServer

from dynotui.cli import main


def _run(tmp_path, monkeypatch, capsys, text: str | bytes, argv: list[str]):
    cfg = tmp_path / "config.toml"
    cfg.write_bytes(text if isinstance(text, bytes) else text.encode())
    monkeypatch.setenv("DYNOTUI_CONFIG", str(cfg))
    code = main(argv)
    return code, capsys.readouterr().err, cfg


@pytest.mark.parametrize("text, problem, hint", [
    ('llm = "gpt"', "llm: must be a table, not 'gpt'.", "Write the LLM settings under [llm]"),
    ("[llm]\nprices = [1, 2]", "llm.prices: must be a table of model = [input, output], not [1, 2].",
     "Write prices as [llm.prices]"),
    ("[[llm]]\nmodel = 'x'", "llm: must be one [llm] table, not an array of tables ([[llm]]).",
     "Write [llm] (single brackets) once."),
    ("license_deny = [1, 2]", "license_deny: must be a list of strings; item 1 is 1.",
     "Put each entry in quotes."),
    (b"theme = \"caf\xe9\"", "line 1: not UTF-8 text (byte 0xe9).", "Save the file as UTF-8."),
    ('[llm.prices]\n"gpt-x" = "cheap"',
     "llm.prices: gpt-x: must be a pair of numbers [input, output], not 'cheap'.",
     "Write prices as [llm.prices]"),
    ('[llm.prices]\n"gpt-x" = [1, "a"]', "llm.prices: gpt-x: the price must be a number, not 'a'.",
     "Write prices as [llm.prices]"),
    ("[llm]\ntimeout = nan", "llm.timeout: must be a finite number, not nan.", "Fix 'llm.timeout'"),
    ("reject_reasons = [1, 2]", "reject_reasons: must be a list of strings; item 1 is 1.",
     "Put each entry in quotes."),
    ("keymap = { 'review.accept' = 1 }", "keymap: review.accept: must be a string of keys, not 1.",
     "Write keys as a string"),
    ("prices = 1", "prices: unknown setting.", "'prices' belongs in the [llm] table"),
])
def test_a_wrong_shape_is_named_with_file_and_key(tmp_path, monkeypatch, capsys, text, problem, hint):
    # given a config file with one value of the wrong shape
    ws = tmp_path / "ws"
    # when any command runs
    code, err, cfg = _run(tmp_path, monkeypatch, capsys, text, ["stats", "--workspace", str(ws)])
    # then one message names the file and the key, says what to do, and nothing was started
    assert code == 2
    first, second = err.splitlines()[:2]
    assert first == f"dynotui: {cfg}: {problem}"
    assert second.startswith(hint)
    assert "Traceback" not in err and not ws.exists()


def test_an_unusable_price_costs_no_llm_call(tmp_path, monkeypatch, capsys):
    # given a reachable server and a price that is not a pair of numbers
    with LLMServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("DYNOTUI_MODEL", "gpt-x")
        text = '[llm.prices]\n"gpt-x" = [0.1]\n'
        # when generating
        code, err, _ = _run(tmp_path, monkeypatch, capsys, text,
                            ["generate", "sample:sst-mini", "--workspace", str(tmp_path / "ws")])
        # then it stops before the first call
        assert code == 2 and "llm.prices: gpt-x: must be a pair of numbers" in err
        assert server.requests == []


def test_good_values_are_typed(tmp_path, monkeypatch):
    from dynotui.config import load_settings

    cfg = tmp_path / "config.toml"
    cfg.write_text('sample_rows = 5\nreject_reasons = ["a", "b"]\n[keymap]\n"review.accept" = "y"\n'
                   '[llm]\ntimeout = 3\n[llm.prices]\n"m" = [1, 2.5]\n')
    monkeypatch.setenv("DYNOTUI_CONFIG", str(cfg))
    s = load_settings()
    assert s.sample_rows == 5 and s.reject_reasons == ["a", "b"]
    assert s.keymap == {"review.accept": "y"}
    assert s.llm.timeout == 3.0 and isinstance(s.llm.timeout, float)
    assert s.llm.prices["m"] == [1.0, 2.5] and s.llm.prices["gpt-4o-mini"] == [0.15, 0.6]
    assert json.dumps(s.llm.prices)  # plain data
