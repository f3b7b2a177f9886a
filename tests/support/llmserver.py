"""A loopback OpenAI-compatible server (stdlib, threaded) that scripts answers and faults.

    with LLMServer(latency=0.0) as server:
        server.script(fail(429, retry_after="0.1"), reply('{"tasks": []}'))
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="x")

Routes: POST /v1/chat/completions, GET /v1/models; more with `add_route`. Each request takes
the next scripted Step; when the script is empty, `responder(body) -> text` answers (by default
a valid task list built from the schema's enum or the prompt's allowed fields).
`refuse_json_schema=True` answers response_format json_schema with HTTP 500, as llama.cpp does.
Every request is recorded in `requests` (path, body, headers).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

HOSTILE = ["[@click=app.quit]x[/]", "\x1b]52;c;aGk=\x07", "\x1b]0;pwned\x07", "\x1b[31mred\x1b[0m",
           "\u202egnp.exe"]


@dataclass
class Step:
    kind: str = "reply"  # reply | status | drop | hang
    text: str | None = None  # None: the responder answers
    status: int = 200
    retry_after: str | None = None
    body: Any = None
    delay: float = 0.0
    finish_reason: str = "stop"
    usage: bool = True


def reply(text: str | None = None, finish_reason: str = "stop", delay: float = 0.0,
          usage: bool = True) -> Step:
    return Step("reply", text=text, finish_reason=finish_reason, delay=delay, usage=usage)


def fail(status: int, retry_after: str | None = None, body: Any = None) -> Step:
    return Step("status", status=status, retry_after=retry_after, body=body)


def drop() -> Step:
    """Close the connection without answering."""
    return Step("drop")


def hang(seconds: float, text: str | None = None) -> Step:
    """Answer only after `seconds` (a client timeout fires first)."""
    return Step("reply", text=text, delay=seconds)


def truncated(text: str, keep: int) -> Step:
    """The answer cut after `keep` characters, as with max_tokens too small."""
    return Step("reply", text=text[:keep], finish_reason="length")


def tasks_json(fields: list[str], n: int = 2, prefix: str = "") -> str:
    """A well-formed answer over the given fields (output = the last field)."""
    fields = fields or ["text", "label"]
    out = fields[-1]
    inputs = [f for f in fields if f != out][:2] or [fields[0]]
    tasks = [{"instruction": f"{prefix}Given the {', '.join(inputs)}, write the {out} (variant {i + 1}).",
              "input_fields": inputs, "output_field": out} for i in range(n)]
    return json.dumps({"tasks": tasks})


def fields_of(body: dict) -> list[str]:
    """The allowed field names of a request: the schema's enum, else the prompt's list."""
    fmt = body.get("response_format") or {}
    schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")
    try:
        return list(schema["properties"]["tasks"]["items"]["properties"]["output_field"]["enum"])
    except (TypeError, KeyError):
        pass
    text = (body.get("messages") or [{}])[-1].get("content", "")
    match = re.search(r"allowed fields are: (\[[^\]]*\])", text)
    return json.loads(match.group(1)) if match else []


def default_responder(body: dict) -> str:
    return tasks_json(fields_of(body))


class Peak:
    """A responder that takes `seconds` per answer and records the most requests in flight."""

    def __init__(self, seconds: float, fields: list[str] | None = None) -> None:
        self.seconds, self.fields = seconds, fields
        self.active = self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, body: dict) -> str:
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(self.seconds)
        with self._lock:
            self.active -= 1
        return tasks_json(self.fields or fields_of(body))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _body(self) -> dict:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return {"_raw": raw.decode(errors="replace")}

    def _route(self, method: str) -> None:
        body = self._body() if method == "POST" else {}
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        owner._record(path, method, body, dict(self.headers))
        handler = owner.routes.get((method, path))
        if handler is None:
            self.send_json(404, {"error": {"message": f"no route {method} {path}"}})
            return
        try:
            handler(self, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)
        self.wfile.flush()

    def drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    owner: LLMServer


class LLMServer:
    """Scriptable OpenAI-compatible server on 127.0.0.1 (port 0); stops itself after max_life."""

    def __init__(self, latency: float = 0.0, refuse_json_schema: bool = False,
                 responder: Callable[[dict], str] | None = None, model: str = "test-model",
                 max_life: float = 600.0) -> None:
        self.latency = latency
        self.refuse_json_schema = refuse_json_schema
        self.responder = responder or default_responder
        self.model = model
        self.max_life = max_life
        self.requests: list[dict] = []
        self.routes: dict[tuple[str, str], Callable[[_Handler, dict], None]] = {
            ("POST", "/v1/chat/completions"): self._chat,
            ("GET", "/v1/models"): self._models,
        }
        self._steps: deque[Step] = deque()
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._timer: threading.Timer | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> LLMServer:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        self._timer = threading.Timer(self.max_life, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if self._timer:
            self._timer.cancel()
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd else 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting ---------------------------------------------------------------------
    def script(self, *steps: Step) -> None:
        with self._lock:
            self._steps.extend(steps)

    def add_route(self, method: str, path: str, fn: Callable[[_Handler, dict], None]) -> None:
        self.routes[(method, path)] = fn

    def _record(self, path: str, method: str, body: dict, headers: dict) -> None:
        with self._lock:
            self.requests.append({"path": path, "method": method, "body": body,
                                  "headers": headers, "t": time.monotonic()})

    def chat_requests(self) -> list[dict]:
        return [r["body"] for r in self.requests if r["path"] == "/v1/chat/completions"]

    def _next(self) -> Step:
        with self._lock:
            return self._steps.popleft() if self._steps else Step()

    # -- routes ------------------------------------------------------------------------
    def _models(self, h: _Handler, body: dict) -> None:
        h.send_json(200, {"object": "list", "data": [{"id": self.model, "object": "model",
                                                       "owned_by": "test"}]})

    def _chat(self, h: _Handler, body: dict) -> None:
        fmt = (body.get("response_format") or {}).get("type")
        if self.refuse_json_schema and fmt == "json_schema":
            msg = ("1 validation error: ('body', 'response_format', 'type') Input should be "
                   "'text' or 'json_object'")
            h.send_json(500, {"error": {"message": msg, "type": "internal_server_error"}})
            return
        step = self._next()
        if self.latency:
            time.sleep(self.latency)
        if step.kind == "drop":
            h.drop()
            return
        if step.kind == "status":
            headers = {"retry-after": step.retry_after} if step.retry_after else {}
            h.send_json(step.status, step.body or {"error": {"message": f"scripted {step.status}",
                                                             "type": "scripted"}}, headers)
            return
        if step.delay:
            time.sleep(step.delay)
        text = step.text if step.text is not None else self.responder(body)
        prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages") or [])
        data = {"id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model") or self.model,
                "choices": [{"index": 0, "finish_reason": step.finish_reason,
                             "message": {"role": "assistant", "content": text}}]}
        if step.usage:
            data["usage"] = {"prompt_tokens": prompt // 4, "completion_tokens": len(text) // 4,
                             "total_tokens": prompt // 4 + len(text) // 4}
        h.send_json(200, data)
