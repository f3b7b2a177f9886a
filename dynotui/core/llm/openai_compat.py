"""A client for any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp) on `openai.AsyncOpenAI`.

Retries are the openai client's own (408/409/429/5xx, timeouts and dropped connections, with
jittered backoff, honouring Retry-After). Ours: structured output negotiated per server
(json_schema -> json_object with the schema -> plain text, remembered per base_url; a format
refusal is not retried), a refused connection or unknown host failing at once, and a
Retry-After longer than MAX_WAIT failing with the wait it asks for.
"""

from __future__ import annotations

import asyncio
import contextvars
import email.utils
import json
import time
from pathlib import Path
from typing import Any

from dynotui.core.durable import write_json
from dynotui.core.errors import LLMError
from dynotui.core.llm.answer import Answer, LLMUnavailable, MODES
from dynotui.core.text import clean, one_line

MAX_WAIT = 120.0  # the openai client's limit too: a longer Retry-After (a spent quota) fails
# per call (each asyncio task has its own context): requests sent, counted by the HTTP client's
# request hook (one per attempt), and whether the call is negotiating the response format
_SENT: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("llm_sent", default=None)
_NEGOTIATING: contextvars.ContextVar[bool] = contextvars.ContextVar("llm_negotiating",
                                                                    default=False)
_MEMORY: dict[str, tuple[str, bool]] = {}  # base_url -> (mode, confirmed by a success)
_FORMAT_WORDS = ("response_format", "json_schema", "schema", "json_object", "grammar")


def retried(status: int) -> bool:
    """Statuses the openai client retries by itself."""
    return status in (408, 409, 429) or status >= 500


async def _count_attempt(_request: Any) -> None:
    sent = _SENT.get()
    if sent is not None:
        sent[0] += 1


async def _format_refusal_final(response: Any) -> None:
    """While negotiating, a 5xx that names the response format (llama.cpp refusing json_schema)
    is an answer, not a fault: `x-should-retry: false` tells the openai client not to retry it."""
    if _NEGOTIATING.get() and response.status_code in (500, 501):
        await response.aread()
        if any(word in response.text.lower() for word in _FORMAT_WORDS):
            response.headers["x-should-retry"] = "false"


def _http_client():
    """The openai client's HTTP client with a transport that fails fast on a refused connection:
    raised as an openai error, which the client passes on instead of retrying."""
    import httpx2
    import openai

    class Refused(openai.APIConnectionError):
        pass

    class FailFast(httpx2.AsyncHTTPTransport):
        async def handle_async_request(self, request):
            try:
                return await super().handle_async_request(request)
            except httpx2.ConnectError as exc:  # refused, unknown host: a wrong or dead endpoint
                raise Refused(message=f"Cannot connect: {exc}", request=request) from exc

    # the openai client's default pool size: --concurrency may be far above httpx's 100
    limits = httpx2.Limits(max_connections=1000, max_keepalive_connections=100)
    return openai.DefaultAsyncHttpxClient(transport=FailFast(limits=limits),
                                          event_hooks={"request": [_count_attempt],
                                                       "response": [_format_refusal_final]}), Refused


def retry_after(headers: Any) -> float | None:
    """Seconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date)."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    try:
        if ms is not None:
            return max(0.0, float(ms) / 1000)
    except ValueError:
        pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, when.timestamp() - time.time()) if when else None


def check_base_url(url: str) -> str:
    """The base URL, or LLMUnavailable when it is no http(s) URL (else 6 slow retries follow)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise LLMUnavailable(f"The LLM base URL '{url}' is not an http(s) URL.",
                             "Write it as http://HOST:PORT/v1 in OPENAI_BASE_URL (or "
                             "llm.base_url in the config).")
    return url


class OpenAICompatClient:
    """`await complete(messages, schema) -> Answer`; at most `concurrency` requests in flight."""

    def __init__(self, llm, modes_file: Path | None = None, base_url: str | None = None,
                 model: str | None = None, first_mode: str | None = None) -> None:
        import openai

        self.base_url = check_base_url((base_url or llm.base_url or "").rstrip("/"))
        self.model = model or llm.model or ""
        self.temperature = llm.temperature
        self.max_tokens = llm.max_tokens
        self.timeout = float(llm.timeout)
        self.retries = max(0, int(llm.retries))
        self.modes_file = modes_file
        http, self._refused = _http_client()
        self._client = openai.AsyncOpenAI(base_url=self.base_url, api_key=llm.api_key or "none",
                                          max_retries=self.retries, timeout=self.timeout,
                                          http_client=http)
        self._sem = asyncio.Semaphore(max(1, int(llm.concurrency)))
        self._lock: asyncio.Lock | None = None
        if self.base_url not in _MEMORY:
            _MEMORY[self.base_url] = self._load_mode() or (first_mode or MODES[0], False)

    # -- mode memory ---------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return _MEMORY[self.base_url][0]

    @property
    def mode_confirmed(self) -> bool:
        return _MEMORY[self.base_url][1]

    def _load_mode(self) -> tuple[str, bool] | None:
        try:
            data = json.loads(self.modes_file.read_text()) if self.modes_file else {}
        except (OSError, ValueError):
            return None
        mode = data.get(self.base_url) if isinstance(data, dict) else None
        return (mode, True) if mode in MODES else None

    def _confirm(self, mode: str) -> None:
        _MEMORY[self.base_url] = (mode, True)
        if not self.modes_file:
            return
        try:
            data = json.loads(self.modes_file.read_text()) if self.modes_file.exists() else {}
            data = data if isinstance(data, dict) else {}
            if data.get(self.base_url) == mode:
                return
            data[self.base_url] = mode
            write_json(self.modes_file, data)
        except (OSError, ValueError):
            pass  # remembering is an optimisation only

    def _downgrade(self, mode: str) -> None:
        nxt = MODES[min(MODES.index(mode) + 1, len(MODES) - 1)]
        _MEMORY[self.base_url] = (nxt, False)

    # -- requests ------------------------------------------------------------------------
    def _format(self, mode: str, schema: dict | None) -> dict | None:
        if schema is None or mode == "text":
            return None
        if mode == "json_schema":
            return {"type": "json_schema",
                    "json_schema": {"name": "tasks", "schema": schema, "strict": False}}
        return {"type": "json_object", "schema": schema}

    async def ready(self) -> str:
        """The model name, asked from the server's /models when none is configured."""
        await self._resolve_model()
        return self.model

    async def _resolve_model(self) -> None:
        if self.model:
            return
        if "api.openai.com" in self.base_url:  # its /models lists dozens: never guess a paid model
            raise LLMUnavailable("No model set for the OpenAI API.",
                                 "Set --model or DYNOTUI_MODEL, e.g. gpt-4o-mini.")
        import openai

        try:
            page = await self._client.models.list(timeout=self.timeout)
            ids = [m.id for m in page.data]
        except openai.APIStatusError as exc:  # it answered: not "cannot reach"
            if exc.status_code in (401, 403):
                raise self._key_refused(exc.status_code) from None
            raise LLMUnavailable(f"The LLM server at {self.base_url} could not list its models "
                                 f"(HTTP {exc.status_code}).",
                                 "Set the model with --model or DYNOTUI_MODEL.") from None
        except Exception as exc:  # noqa: BLE001 (reported below as one clear message)
            raise self._unavailable(exc) from None
        if not ids:
            raise LLMUnavailable(f"The LLM server at {self.base_url} lists no models.",
                                 "Set the model with --model or DYNOTUI_MODEL.")
        self.model = ids[0]

    def _key_refused(self, status: int) -> LLMUnavailable:
        return LLMUnavailable(
            f"The LLM server at {self.base_url} refused the API key (HTTP {status}).",
            "Set OPENAI_API_KEY (or llm.api_key in the config).")

    def _unavailable(self, exc: BaseException) -> LLMUnavailable:
        if isinstance(exc, self._refused) and exc.__cause__ is not None:
            exc = exc.__cause__  # name what happened (ConnectError), not our wrapper
        return LLMUnavailable(
            f"Cannot reach the LLM server at {self.base_url} ({type(exc).__name__}).",
            "Start the server, or set OPENAI_BASE_URL (or llm.base_url in the config); "
            "unset it to use the embedded model.")

    async def complete(self, messages: list[dict[str, str]], schema: dict | None = None,
                       max_tokens: int | None = None, stop: list[str] | None = None) -> Answer:
        """One chat completion; max_tokens (default: the setting) and stop sequences let a
        caller size a short answer."""
        extra: dict[str, Any] = {"max_tokens": max_tokens or self.max_tokens}
        if stop:
            extra["stop"] = list(stop)
        async with self._sem:
            await self._resolve_model()
            if self.mode_confirmed or schema is None:
                return await self._complete(messages, schema, extra)
            if self._lock is None:
                self._lock = asyncio.Lock()
            async with self._lock:  # the first request negotiates; the others wait for its mode
                if not self.mode_confirmed:
                    return await self._complete(messages, schema, extra)
            return await self._complete(messages, schema, extra)

    async def _complete(self, messages: list[dict[str, str]], schema: dict | None,
                        extra: dict[str, Any] | None = None) -> Answer:
        start = time.monotonic()
        sent = [0]
        counting, negotiating = _SENT.set(sent), _NEGOTIATING.set(False)
        try:
            return await self._attempts(messages, schema, extra, start, sent)
        finally:
            _SENT.reset(counting)
            _NEGOTIATING.reset(negotiating)

    async def _attempts(self, messages, schema: dict | None, extra: dict[str, Any] | None,
                        start: float, sent: list[int]) -> Answer:
        import openai

        while True:
            mode = self.mode if schema is not None else "text"
            _NEGOTIATING.set(schema is not None and mode != "text" and not self.mode_confirmed)
            kwargs: dict[str, Any] = dict(extra or {"max_tokens": self.max_tokens})
            fmt = self._format(mode, schema)
            if fmt:
                kwargs["response_format"] = fmt
            try:
                resp = await self._client.chat.completions.create(
                    model=self.model, messages=messages, temperature=self.temperature,
                    timeout=self.timeout, **kwargs)
            except openai.APIStatusError as exc:
                if schema is not None and self._format_refused(exc, mode):
                    self._downgrade(mode)
                    continue
                raise self._status_error(exc, sent[0]) from None
            except openai.APITimeoutError:
                raise LLMError(f"The LLM server at {self.base_url} did not answer within "
                               f"{self.timeout:g} s ({sent[0]} attempt(s)).",
                               "Raise llm.timeout in the config or lower --concurrency.") from None
            except self._refused as exc:
                raise self._unavailable(exc) from None
            except openai.APIConnectionError:
                raise LLMError(f"The connection to the LLM server at {self.base_url} kept "
                               f"dropping ({sent[0]} attempt(s)).",
                               "Check the server's logs; try again later.") from None
            except openai.APIError as exc:
                raise LLMError(f"The LLM server at {self.base_url} sent an unusable answer: "
                               f"{_brief(exc)}") from None
            if schema is not None and not self.mode_confirmed:
                self._confirm(mode)
            return self._answer(resp, messages, mode, start, sent[0])

    def _status_error(self, exc, attempts: int) -> LLMError:
        status = exc.status_code
        if status in (401, 403):
            return self._key_refused(status)
        if status == 404:
            return LLMUnavailable(
                f"The LLM server at {self.base_url} has no model '{self.model}' "
                "or no /chat/completions route (HTTP 404).",
                "Check --model / DYNOTUI_MODEL and that the base URL ends in /v1.")
        after = retry_after(exc.response.headers)
        if after is not None and after > MAX_WAIT:
            return LLMError(f"The LLM server at {self.base_url} asks to wait {after:.0f} s "
                            f"(HTTP {status}).", "Try again later.")
        what = "kept failing" if retried(status) else "rejected the request"
        return LLMError(f"The LLM server at {self.base_url} {what} (HTTP {status}) "
                        f"after {attempts} attempt(s): {_brief(exc)}",
                        "Try again later, or lower --concurrency.")

    def _format_refused(self, exc, mode: str) -> bool:
        """A server that does not support this response_format (llama.cpp: HTTP 500)."""
        if mode == "text" or self.mode_confirmed or exc.status_code not in (400, 422, 500, 501):
            return False
        text = _brief(exc).lower()
        return exc.status_code in (400, 422) or any(w in text for w in _FORMAT_WORDS)

    def _answer(self, resp, messages, mode: str, start: float, attempts: int) -> Answer:
        choice = resp.choices[0] if resp.choices else None
        text = clean((choice.message.content if choice and choice.message else None) or "")
        usage = resp.usage
        tin = getattr(usage, "prompt_tokens", None) if usage else None
        tout = getattr(usage, "completion_tokens", None) if usage else None
        if tin is None:  # no usage reported: estimate as characters / 4
            tin = sum(len(m.get("content", "")) for m in messages) // 4
        if tout is None:
            tout = len(text) // 4
        return Answer(text=text, tokens_in=int(tin), tokens_out=int(tout),
                      model=self.model or resp.model or "", mode=mode,
                      finish_reason=(choice.finish_reason or "") if choice else "",
                      seconds=time.monotonic() - start, attempts=max(attempts, 1))

    async def aclose(self) -> None:
        await self._client.close()


def _brief(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, (dict, list)):
        text = json.dumps(body)
    else:  # a plain-text error page says more than "Error code: 400"
        response = getattr(exc, "response", None)
        try:
            text = body if isinstance(body, str) else (response.text if response else "")
        except Exception:  # noqa: BLE001 (a streamed body that was not read)
            text = ""
        text = f"{exc}: {text}" if text and text not in str(exc) else str(exc)
    return one_line(text.replace("\n", " "), 300)  # the server's words: controls escaped


def forget_modes() -> None:
    """Clear the per-process mode memory (tests)."""
    _MEMORY.clear()
