"""The OpenAI Batch API (files + batches routes) on top of the loopback LLM server.

    with LLMServer() as llm:
        batches = BatchAPI(llm)          # adds POST /v1/files, POST /v1/batches, ...
        ... openai.OpenAI(base_url=llm.base_url).batches.create(...)

A created batch runs in a thread, like an engine would: each input line is POSTed to the
server's own /v1/chat/completions (so scripted steps and responders answer it), and the
answers become the output file in the Batch output format. `hold()` keeps new batches
`in_progress` until `release()`, to test polling.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from llmserver import LLMServer


class BatchAPI:
    def __init__(self, llm: LLMServer) -> None:
        self.llm = llm
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._gate = threading.Event()
        self._gate.set()
        llm.add_route("POST", "/v1/files", self._upload)
        llm.add_route("POST", "/v1/batches", self._create)

    def hold(self) -> None:
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    # -- files -----------------------------------------------------------------------------
    def _file_object(self, fid: str, name: str, purpose: str) -> dict[str, Any]:
        return {"id": fid, "object": "file", "bytes": len(self.files[fid]),
                "created_at": int(time.time()), "filename": name, "purpose": purpose,
                "status": "processed"}

    def add_file(self, data: bytes, name: str = "file.jsonl", purpose: str = "batch") -> dict:
        fid = f"file-{next(self._ids)}"
        self.files[fid] = data
        self.llm.add_route("GET", f"/v1/files/{fid}/content", self._content(fid))
        self.llm.add_route("GET", f"/v1/files/{fid}", lambda h, b: h.send_json(
            200, self._file_object(fid, name, purpose)))
        return self._file_object(fid, name, purpose)

    def _content(self, fid: str):
        def send(h, body) -> None:
            data = self.files[fid]
            h.send_response(200)
            h.send_header("content-type", "application/octet-stream")
            h.send_header("content-length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        return send

    def _upload(self, h, body: dict) -> None:
        raw = body.get("_raw", "").encode()
        ctype = h.headers.get("content-type", "")
        message = email.parser.BytesParser(policy=email.policy.default).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
        fields: dict[str, Any] = {}
        for part in message.iter_parts() if message.is_multipart() else []:
            name = part.get_param("name", header="content-disposition")
            fields[name] = (part.get_filename(), part.get_payload(decode=True))
        if "file" not in fields:
            h.send_json(400, {"error": {"message": "no file in the upload"}})
            return
        filename, data = fields["file"]
        purpose = (fields.get("purpose") or (None, b"batch"))[1].decode()
        h.send_json(200, self.add_file(data, filename or "file.jsonl", purpose))

    # -- batches ---------------------------------------------------------------------------
    def _create(self, h, body: dict) -> None:
        fid = body.get("input_file_id")
        if fid not in self.files:
            h.send_json(404, {"error": {"message": f"no file {fid}"}})
            return
        bid = f"batch_{next(self._ids)}"
        batch = {"id": bid, "object": "batch", "endpoint": body.get("endpoint"),
                 "input_file_id": fid, "completion_window": body.get("completion_window"),
                 "status": "validating", "created_at": int(time.time()),
                 "metadata": body.get("metadata"), "output_file_id": None, "error_file_id": None,
                 "request_counts": {"total": 0, "completed": 0, "failed": 0}}
        self.batches[bid] = batch
        self.llm.add_route("GET", f"/v1/batches/{bid}", lambda h, b: h.send_json(200, batch))
        threading.Thread(target=self._run, args=(batch,), daemon=True).start()
        h.send_json(200, batch)

    def _ask(self, request: dict) -> tuple[int, Any]:
        req = urllib.request.Request(self.llm.base_url.rsplit("/v1", 1)[0] + request["url"],
                                     data=json.dumps(request["body"]).encode(),
                                     headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def _run(self, batch: dict) -> None:
        lines = [json.loads(x) for x in self.files[batch["input_file_id"]].splitlines() if x.strip()]
        batch["request_counts"]["total"] = len(lines)
        batch["status"] = "in_progress"
        self._gate.wait(60)
        out, errors = [], []
        for n, request in enumerate(lines):
            status, body = self._ask(request)
            record = {"id": f"batch_req_{n}", "custom_id": request["custom_id"],
                      "response": {"status_code": status, "request_id": f"req_{n}", "body": body},
                      "error": None}
            (out if status == 200 else errors).append(json.dumps(record))
            batch["request_counts"]["completed" if status == 200 else "failed"] += 1
        if out:
            batch["output_file_id"] = self.add_file(("\n".join(out) + "\n").encode(),
                                                    "output.jsonl", "batch_output")["id"]
        if errors:
            batch["error_file_id"] = self.add_file(("\n".join(errors) + "\n").encode(),
                                                   "errors.jsonl", "batch_output")["id"]
        batch["status"] = "completed"
