"""QA regressions: a bad base URL and a refused key when listing models get the right message."""

import asyncio

import pytest

from dynotui.config import LLMSettings
from dynotui.core.llm import LLMUnavailable
from dynotui.core.llm.openai_compat import OpenAICompatClient
from llmserver import LLMServer


@pytest.mark.parametrize("url", ["notaurl", "localhost:8000/v1", "http://127.0.0.1:abc/v1",
                                 "ftp://host/v1"])
def test_a_base_url_that_is_no_http_url_is_named_at_once(url):
    # Given OPENAI_BASE_URL set to something that is not an http(s) URL
    # When a client is made, then it says so (no six slow retries of a "dropping" connection)
    with pytest.raises(LLMUnavailable, match="not an http"):
        OpenAICompatClient(LLMSettings(base_url=url, model="m"))


def test_a_refused_key_while_listing_models_says_key_not_unreachable():
    # Given a server that answers /models with 401 (llama.cpp started with --api_key)
    with LLMServer() as server:
        server.add_route("GET", "/v1/models", lambda h, body: h.send_json(
            401, {"error": {"message": "Invalid API key", "type": "invalid_request_error"}}))
        async def ask() -> None:
            client = OpenAICompatClient(LLMSettings(base_url=server.base_url, api_key="wrong"))
            try:
                await client.ready()
            finally:
                await client.aclose()

        # When no model is configured and the client asks the server for one
        with pytest.raises(LLMUnavailable) as err:
            asyncio.run(ask())
    # Then the message is about the key, with what to set
    assert "refused the API key (HTTP 401)" in err.value.message
    assert "OPENAI_API_KEY" in err.value.hint


def test_a_servers_error_text_reaches_messages_with_controls_escaped():
    # Given a server whose plain-text error body carries terminal escapes
    from dynotui.core.errors import LLMError

    with LLMServer() as server:
        def chat(h, body):
            raw = b"bad \x1b]0;pwn\x07 \x1b[31mred\n second line"
            h.send_response(400)
            h.send_header("content-type", "text/plain")
            h.send_header("content-length", str(len(raw)))
            h.end_headers()
            h.wfile.write(raw)

        server.add_route("POST", "/v1/chat/completions", chat)

        async def ask() -> None:
            client = OpenAICompatClient(LLMSettings(base_url=server.base_url, model="m",
                                                    retries=0))
            try:
                await client.complete([{"role": "user", "content": "hi"}], None)
            finally:
                await client.aclose()

        # When the request fails, then the message holds the text with escapes made visible
        with pytest.raises(LLMError) as err:
            asyncio.run(ask())
    assert "\x1b" not in err.value.message and "\\x1b]0;pwn" in err.value.message


def test_a_damaged_dataset_file_stops_only_its_own_generation(tmp_path, monkeypatch, capsys):
    # Given a workspace where one sample's store file was truncated after a first run
    from dynotui.cli import main
    from dynotui.core.llm.openai_compat import forget_modes
    from dynotui.core.store.layout import dataset_path

    forget_modes()
    ws = tmp_path / "ws"
    with LLMServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("DYNOTUI_MODEL", "m")
        args = ["generate", "sample:news-topics", "sample:sst-mini", "--variant", "unaware",
                "--workspace", str(ws)]
        assert main(args) == 0
        bad = dataset_path(ws, "sample:news-topics")
        bad.write_bytes(bad.read_bytes()[:100])
        before = bad.read_bytes()
        capsys.readouterr()
        # When generating again for both, then sst-mini is asked and news-topics is named
        assert main(args + ["--force"]) == 1
    out = capsys.readouterr().out
    assert "sample:sst-mini/default: kept" in out and "calls: 1 done" in out
    assert str(bad) in out and bad.read_bytes() == before


def test_a_dataset_that_cannot_be_opened_keeps_its_hint_in_the_summary(tmp_path, capsys,
                                                                      monkeypatch):
    # Given a config name the sample does not have
    from dynotui.cli import main

    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # never called
    monkeypatch.setenv("DYNOTUI_MODEL", "m")
    # When generating, then the summary line says which configs exist
    assert main(["generate", "sample:sst-mini", "--config", "nope",
                 "--workspace", str(tmp_path / "ws")]) == 1
    assert "Configs: default" in capsys.readouterr().out
