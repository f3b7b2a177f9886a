"""The OpenAI-compatible client (real `openai` package) against the loopback server's faults."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest
from llmserver import HOSTILE, LLMServer, Peak, drop, fail, hang, reply

from dynotui.config import LLMSettings
from dynotui.core.errors import LLMError
from dynotui.core.llm import LLMUnavailable, cost_usd, make_client
from dynotui.core.llm.openai_compat import OpenAICompatClient, forget_modes, retry_after
from dynotui.core.generation.prompts import response_schema

MESSAGES = [{"role": "user", "content": "Propose tasks. The allowed fields are: [\"a\", \"b\"]."}]
SCHEMA = response_schema(["a", "b"])


@pytest.fixture(autouse=True)
def _fresh_modes():
    forget_modes()
    yield
    forget_modes()


@pytest.fixture
def server():
    with LLMServer() as srv:
        yield srv


def client_for(url: str, **kw) -> OpenAICompatClient:
    opts = {"timeout": 5.0, "retries": 3, "model": "m"}
    opts.update({k: kw.pop(k) for k in list(kw) if k in ("timeout", "retries", "model", "concurrency")})
    return OpenAICompatClient(LLMSettings(base_url=url, api_key="k", **opts), **kw)


def run(coro):
    return asyncio.run(coro)


async def _complete(client, n=1, schema=SCHEMA):
    try:
        return await asyncio.gather(*(client.complete(MESSAGES, schema) for _ in range(n)))
    finally:
        await client.aclose()


def test_json_schema_refused_falls_back_to_json_object_and_is_remembered(tmp_path):
    # given a server that rejects json_schema with HTTP 500 like llama.cpp
    with LLMServer(refuse_json_schema=True) as srv:
        modes = tmp_path / "llm_modes.json"
        [answer] = run(_complete(client_for(srv.base_url, modes_file=modes)))
        # then the answer came in json_object mode with the schema, after one refused try
        assert answer.mode == "json_object" and json.loads(answer.text)["tasks"]
        kinds = [b["response_format"]["type"] for b in srv.chat_requests()]
        assert kinds == ["json_schema", "json_object"]
        assert srv.chat_requests()[1]["response_format"]["schema"] == SCHEMA
        # when asked again in this process, and in a "new process" reading the workspace file
        run(_complete(client_for(srv.base_url, modes_file=modes), n=3))
        forget_modes()
        run(_complete(client_for(srv.base_url, modes_file=modes)))
        assert [b["response_format"]["type"] for b in srv.chat_requests()][2:] == ["json_object"] * 4
        assert json.loads(modes.read_text()) == {srv.base_url: "json_object"}


def test_a_server_without_response_format_gets_plain_text(server):
    server.script(fail(400, body={"error": {"message": "response_format is not supported"}}),
                  fail(400, body={"error": {"message": "unknown field schema"}}))
    [answer] = run(_complete(client_for(server.base_url)))
    assert answer.mode == "text"
    assert "response_format" not in server.chat_requests()[-1]


def test_json_schema_accepted_is_used(server):
    [answer] = run(_complete(client_for(server.base_url)))
    assert answer.mode == "json_schema" and answer.attempts == 1
    assert server.chat_requests()[0]["response_format"]["json_schema"]["schema"] == SCHEMA


def test_429_waits_for_retry_after(server):
    server.script(fail(429, retry_after="0.4"))
    start = time.monotonic()
    [answer] = run(_complete(client_for(server.base_url)))
    assert time.monotonic() - start >= 0.4 and answer.attempts == 2


def test_a_429_with_retry_after_1_then_200_succeeds_through_the_openai_client(server):
    # Given a server that answers 429 with Retry-After: 1 once, then 200
    server.script(fail(429, retry_after="1"), reply('{"tasks": []}'))
    start = time.monotonic()
    # When one request is made, then the openai client waits the second and retries itself
    [answer] = run(_complete(client_for(server.base_url)))
    took = time.monotonic() - start
    assert answer.text == '{"tasks": []}' and answer.attempts == 2 and 1.0 <= took < 5
    sent = [r for r in server.requests if r["path"] == "/v1/chat/completions"]
    assert [r["headers"].get("x-stainless-retry-count") for r in sent] == ["0", "1"]
    assert sent[1]["t"] - sent[0]["t"] >= 1.0


def test_a_long_retry_after_fails_at_once(server):
    server.script(fail(429, retry_after="3600"))
    start = time.monotonic()
    with pytest.raises(LLMError, match="asks to wait 3600 s"):
        run(_complete(client_for(server.base_url)))
    assert len(server.chat_requests()) == 1 and time.monotonic() - start < 3


def test_only_the_first_of_many_concurrent_requests_negotiates():
    with LLMServer(refuse_json_schema=True) as srv:
        answers = run(_complete(client_for(srv.base_url, concurrency=8), n=8))
        kinds = [b["response_format"]["type"] for b in srv.chat_requests()]
    assert {a.mode for a in answers} == {"json_object"}
    assert kinds.count("json_schema") == 1 and kinds.count("json_object") == 8


def test_transient_500_and_dropped_connection_are_retried(server):
    server.script(fail(500), drop(), fail(503))
    [answer] = run(_complete(client_for(server.base_url)))
    assert answer.attempts == 4 and answer.mode == "json_schema"
    assert len(server.chat_requests()) == 4


def test_retries_run_out_with_one_clear_error(server):
    server.script(*[fail(503)] * 10)
    with pytest.raises(LLMError, match=r"kept failing \(HTTP 503\) after 3 attempt"):
        run(_complete(client_for(server.base_url, retries=2)))
    assert len(server.chat_requests()) == 3  # retries=2: the openai client's own, no more


def test_a_hung_request_times_out_then_succeeds(server):
    server.script(hang(3.0))
    start = time.monotonic()
    [answer] = run(_complete(client_for(server.base_url, timeout=0.5)))
    assert answer.attempts == 2 and time.monotonic() - start < 2.5


def test_timeouts_without_retries_name_the_limit(server):
    server.script(hang(2.0))
    with pytest.raises(LLMError, match=r"did not answer within 0.3 s"):
        run(_complete(client_for(server.base_url, timeout=0.3, retries=0)))


def test_server_down_is_one_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(LLMUnavailable) as info:
        run(_complete(client_for(f"http://127.0.0.1:{port}/v1")))
    assert f"Cannot reach the LLM server at http://127.0.0.1:{port}/v1" in info.value.message
    assert "OPENAI_BASE_URL" in info.value.hint and time.monotonic() - start < 3


def test_bad_key_and_unknown_model_are_unavailable(server):
    server.script(fail(401))
    with pytest.raises(LLMUnavailable, match="refused the API key"):
        run(_complete(client_for(server.base_url)))
    server.script(fail(404))
    with pytest.raises(LLMUnavailable, match="no model 'm'"):
        run(_complete(client_for(server.base_url)))


def test_concurrency_is_limited():
    slow = Peak(0.15)
    with LLMServer(responder=slow) as srv:
        answers = run(_complete(client_for(srv.base_url, concurrency=3), n=9))
    assert len(answers) == 9 and slow.peak == 3


def test_cancellation_stops_a_request_promptly(server):
    server.script(hang(5.0))

    async def go():
        client = client_for(server.base_url)
        task = asyncio.ensure_future(client.complete(MESSAGES, SCHEMA))
        await asyncio.sleep(0.3)
        task.cancel()
        start = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        await client.aclose()
        return time.monotonic() - start

    assert run(go()) < 0.5


def test_usage_cut_answers_and_hostile_text_come_back_as_data(server):
    hostile = json.dumps({"tasks": [{"instruction": " ".join(HOSTILE), "input_fields": ["a"],
                                     "output_field": "b"}]})
    server.script(reply(hostile), reply("{\"tasks\": [", finish_reason="length", usage=False))
    first, cut = run(_complete(client_for(server.base_url, concurrency=1), n=2))
    assert json.loads(first.text)["tasks"][0]["instruction"] == " ".join(HOSTILE)
    assert first.tokens_in > 0 and first.tokens_out == len(hostile) // 4
    assert cut.finish_reason == "length" and cut.tokens_in > 0  # estimated without usage


def test_model_comes_from_the_server_when_not_configured(server):
    async def go():
        client = OpenAICompatClient(LLMSettings(base_url=server.base_url))
        try:
            return await client.ready()
        finally:
            await client.aclose()

    assert run(go()) == "test-model"


def test_make_client_uses_the_configured_endpoint(server):
    client = make_client(LLMSettings(base_url=server.base_url, model="x", retries=4))
    assert isinstance(client, OpenAICompatClient) and client._client.max_retries == 4
    run(client.aclose())


def test_retry_after_forms():
    assert retry_after({"retry-after": "2"}) == 2.0
    assert retry_after({"retry-after-ms": "250"}) == 0.25
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after({}) is None


def test_cost_from_the_price_table():
    prices = {"gpt-4o-mini": [0.15, 0.6], "gpt-4o": [2.5, 10.0]}
    assert cost_usd("gpt-4o", 1_000_000, 100_000, prices) == (3.5, True)
    cost, priced = cost_usd("gpt-4o-mini-2024-07-18", 2_000_000, 0, prices)
    assert priced and cost == pytest.approx(0.3)
    assert cost_usd("SmolLM2-135M-Instruct", 10_000, 10_000, prices) == (0.0, False)


def test_the_openai_api_needs_a_model_named():
    async def go():
        client = OpenAICompatClient(LLMSettings(base_url="https://api.openai.com/v1"))
        try:
            await client.ready()
        finally:
            await client.aclose()

    with pytest.raises(LLMUnavailable, match="No model set"):
        run(go())
