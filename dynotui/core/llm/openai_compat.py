"""A client for any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp) on `openai.AsyncOpenAI`.

Our own retries (the openai client's are off): exponential backoff with full jitter on 429, 5xx,
timeouts and dropped connections, honouring Retry-After. Structured output is negotiated per
server: json_schema -> json_object with the schema -> plain text, remembered per base_url.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import time
from pathlib import Path
from typing import Any

from dynotui.core.durable import write_json
from dynotui.core.errors import LLMError
from dynotui.core.llm.answer import MODES, Answer, LLMUnavailable
from dynotui.core.text import clean, one_line

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
MAX_WAIT = 120.0  # a longer Retry-After (a spent quota) fails at once instead of hanging
_MEMORY: dict[str, tuple[str, bool]] = {}  # base_url -> (mode, confirmed by a success)
_FORMAT_WORDS = ("response_format", "json_schema", "schema", "json_object", "grammar")


def _cause_names(exc: BaseException) -> set[str]:
    names = set()
    while exc is not None and len(names) < 10:
        names.add(type(exc).__name__)
        exc = exc.__cause__ or exc.__context__
    return names


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
                 model: str | None = None, backoff: float = 0.5, max_backoff: float = 30.0,
                 first_mode: str | None = None) -> None:
        import openai

        self.base_url = check_base_url((base_url or llm.base_url or "").rstrip("/"))
        self.model = model or llm.model or ""
        self.temperature = llm.temperature
        self.max_tokens = llm.max_tokens
        self.timeout = float(llm.timeout)
        self.retries = max(0, int(llm.retries))
        self.backoff, self.max_backoff = backoff, max_backoff
        self.modes_file = modes_file
        self._client = openai.AsyncOpenAI(base_url=self.base_url, api_key=llm.api_key or "none",
                                          max_retries=0, timeout=self.timeout)
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

    def _delay(self, attempt: int, after: float | None) -> float:
        if after is not None:
            return min(after, MAX_WAIT)
        return random.uniform(0, min(self.max_backoff, self.backoff * 2 ** attempt))

    async def _complete(self, messages: list[dict[str, str]], schema: dict | None,
                        extra: dict[str, Any] | None = None) -> Answer:
        import openai

        start = time.monotonic()
        attempt = 0
        while True:
            mode = self.mode if schema is not None else "text"
            kwargs: dict[str, Any] = dict(extra or {"max_tokens": self.max_tokens})
            fmt = self._format(mode, schema)
            if fmt:
                kwargs["response_format"] = fmt
            try:
                resp = await self._client.chat.completions.create(
                    model=self.model, messages=messages, temperature=self.temperature,
                    timeout=self.timeout, **kwargs)
            except openai.APIStatusError as exc:
                status = exc.status_code
                if schema is not None and self._format_refused(exc, mode):
                    self._downgrade(mode)
                    continue
                if status in (401, 403):
                    raise self._key_refused(status) from None
                if status == 404:
                    raise LLMUnavailable(
                        f"The LLM server at {self.base_url} has no model '{self.model}' "
                        "or no /chat/completions route (HTTP 404).",
                        "Check --model / DYNOTUI_MODEL and that the base URL ends in /v1.") from None
                after = retry_after(exc.response.headers)
                if after is not None and after > MAX_WAIT:
                    raise LLMError(f"The LLM server at {self.base_url} asks to wait {after:.0f} s "
                                   f"(HTTP {status}).", "Try again later.") from None
                if status in RETRY_STATUS and attempt < self.retries:
                    await asyncio.sleep(self._delay(attempt, after))
                    attempt += 1
                    continue
                what = "kept failing" if status in RETRY_STATUS else "rejected the request"
                raise LLMError(f"The LLM server at {self.base_url} {what} (HTTP {status}) "
                               f"after {attempt + 1} attempt(s): {_brief(exc)}",
                               "Try again later, or lower --concurrency.") from None
            except openai.APITimeoutError:
                if attempt < self.retries:
                    await asyncio.sleep(self._delay(attempt, None))
                    attempt += 1
                    continue
                raise LLMError(f"The LLM server at {self.base_url} did not answer within "
                               f"{self.timeout:g} s ({attempt + 1} attempt(s)).",
                               "Raise llm.timeout in the config or lower --concurrency.") from None
            except openai.APIConnectionError as exc:
                refused = "ConnectError" in _cause_names(exc)
                if attempt < (1 if refused else self.retries):
                    await asyncio.sleep(self._delay(attempt, None))
                    attempt += 1
                    continue
                if refused:
                    raise self._unavailable(exc) from None
                raise LLMError(f"The connection to the LLM server at {self.base_url} kept "
                               f"dropping ({attempt + 1} attempt(s)).",
                               "Check the server's logs; try again later.") from None
            except openai.APIError as exc:
                raise LLMError(f"The LLM server at {self.base_url} sent an unusable answer: "
                               f"{_brief(exc)}") from None
            if schema is not None and not self.mode_confirmed:
                self._confirm(mode)
            return self._answer(resp, messages, mode, start, attempt)

    def _format_refused(self, exc, mode: str) -> bool:
        """A server that does not support this response_format (llama.cpp: HTTP 500)."""
        if mode == "text" or self.mode_confirmed or exc.status_code not in (400, 422, 500, 501):
            return False
        text = _brief(exc).lower()
        return exc.status_code in (400, 422) or any(w in text for w in _FORMAT_WORDS)

    def _answer(self, resp, messages, mode: str, start: float, attempt: int) -> Answer:
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
                      seconds=time.monotonic() - start, attempts=attempt + 1)

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
