"""Generation through batch engines: queued requests out as an OpenAI Batch input file, results in.

The input file has one `{custom_id, method, url, body}` per line, which OpenAI's Batch API and
`vllm run-batch` both accept. The custom_id names what the answer is for, so a results file
produced anywhere can be ingested: `dynotui|KEY@REVISION|VARIANT|PROMPT_VERSION|MODEL`.
Answers go through the same parser, validator and proposal builder as live generation; a line
that cannot be used is kept in WORKSPACE/batches/failed.jsonl with its reason.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dynotui.core.durable import JsonLines, atomic_write
from dynotui.core.errors import ConfigError, DatasetError, LLMError
from dynotui.core.generation.prompts import (PROMPT_VERSION, VARIANTS, build_prompt, prompt_fields,
                                             response_schema, skip_reason)
from dynotui.core.generation.run import build_proposals, cache_key, revision_of
from dynotui.core.generation.validate import check_answer
from dynotui.core.growth.queue import queued_metas, settle_queue
from dynotui.core.llm.answer import Answer
from dynotui.core.llm.cost import cost_usd
from dynotui.core.models import DatasetMeta

PREFIX = "dynotui"
URL = "/v1/chat/completions"
FOLDER = "batches"
FAILED = "failed.jsonl"
MODES = ("json_schema", "json_object", "text")


def custom_id(meta: DatasetMeta, variant: str, model: str) -> str:
    return "|".join((PREFIX, f"{meta.ref.key}@{revision_of(meta)}", variant,
                     PROMPT_VERSION[variant], model))


def parse_custom_id(text: Any) -> tuple[str, str, str, str, str]:
    """(key, revision, variant, prompt_version, model); ValueError naming the problem."""
    if not isinstance(text, str):
        raise ValueError("custom_id is missing")
    parts = text.split("|")
    if len(parts) < 5 or parts[0] != PREFIX:
        raise ValueError(f"custom_id {text[:120]!r} was not written by dynotui batch write")
    keyrev, variant, version = parts[1], parts[2], parts[3]
    model = "|".join(parts[4:])
    key, sep, revision = keyrev.rpartition("@")
    if not sep or not key:
        raise ValueError(f"custom_id {text[:120]!r} has no @revision")
    return key, revision, variant, version, model


def _format(mode: str, schema: dict) -> dict | None:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "tasks", "schema": schema,
                                                       "strict": False}}
    if mode == "json_object":
        return {"type": "json_object", "schema": schema}
    return None


def request_line(meta: DatasetMeta, variant: str, llm: Any, mode: str = "json_schema") -> dict:
    """One Batch API request: the same messages, schema and sampling as a live call."""
    body: dict[str, Any] = {"model": llm.model, "messages": build_prompt(meta, variant),
                            "temperature": llm.temperature, "max_tokens": llm.max_tokens}
    fmt = _format(mode, response_schema([f.name for f in prompt_fields(meta)]))
    if fmt:
        body["response_format"] = fmt
    return {"custom_id": custom_id(meta, variant, llm.model), "method": "POST", "url": URL,
            "body": body}


@dataclass
class WriteReport:
    path: str
    requests: int = 0
    datasets: int = 0
    cached: int = 0
    skipped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # queued but no metadata in the store

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_requests(store: Any, settings: Any, out: str | Path, metas: list[DatasetMeta] | None = None,
                   variants: tuple[str, ...] | None = None, force: bool = False,
                   mode: str = "json_schema") -> WriteReport:
    """Write the queued (or given) datasets' requests; already generated ones are left out."""
    if not settings.llm.model:
        raise ConfigError("A batch needs a model name.",
                          "Pass --model NAME (or set DYNOTUI_MODEL / llm.model in the config).")
    if mode not in MODES:
        raise ConfigError(f"Unknown response format mode '{mode}'.", f"Use one of: {', '.join(MODES)}.")
    report = WriteReport(str(out))
    if metas is None:
        metas, report.missing = queued_metas(store)
    lines = []
    for meta in metas:
        wrote = False
        for variant in variants or VARIANTS:
            why = skip_reason(meta, variant)
            if why:
                report.skipped.append(f"{meta.ref.key} {variant}: {why}")
                continue
            if not force and store.generation_done(cache_key(meta, variant, settings.llm.model)):
                report.cached += 1
                continue
            lines.append(json.dumps(request_line(meta, variant, settings.llm, mode),
                                    ensure_ascii=False))
            wrote = True
        report.datasets += wrote
    report.requests = len(lines)
    path = Path(out).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, ("\n".join(lines) + ("\n" if lines else "")).encode())
    except OSError as exc:
        raise DatasetError(f"Cannot write {path}: {exc.strerror}.", "Choose another --out.") from exc
    return report


@dataclass
class IngestReport:
    path: str
    lines: int = 0
    answers: int = 0  # lines that carried an answer and were validated
    cached: int = 0  # answers for requests already generated (not stored twice)
    proposals: int = 0
    kept: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)  # reason -> lines kept in failed.jsonl
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    generated: int = 0  # queued datasets now complete
    failed_file: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _answer(record: dict, model: str):
    """An llm Answer from one results line (OpenAI / vLLM batch output)."""
    if record.get("error"):
        err = record["error"]
        raise ValueError(f"the engine reported an error: {json.dumps(err)[:300]}")
    response = record.get("response")
    if not isinstance(response, dict):
        raise ValueError("the line has no response object")
    status = response.get("status_code", 200)
    body = response.get("body")
    if status != 200 or not isinstance(body, dict):
        detail = json.dumps(body)[:300] if body is not None else ""
        raise ValueError(f"the request failed with HTTP {status} {detail}".strip())
    choices = body.get("choices") or []
    choice = choices[0] if choices and isinstance(choices[0], dict) else {}
    text = (choice.get("message") or {}).get("content") or ""
    usage = body.get("usage") or {}
    return Answer(text=text, tokens_in=int(usage.get("prompt_tokens") or 0),
                  tokens_out=int(usage.get("completion_tokens") or 0), model=model,
                  mode="batch", finish_reason=choice.get("finish_reason") or "")


class _Ingest:
    def __init__(self, store: Any, settings: Any, report: IngestReport, force: bool) -> None:
        self.store, self.settings, self.report, self.force = store, settings, report, force
        self.metas: dict[str, DatasetMeta | None] = {}
        self.existing: dict[str, set[str]] = {}
        self.failures: list[dict] = []

    def fail(self, number: int, line: str, reason: str, cid: str = "") -> None:
        rule = reason.split(":", 1)[0]
        self.report.failed[rule] = self.report.failed.get(rule, 0) + 1
        self.failures.append({"file": self.report.path, "line": number, "custom_id": cid,
                              "reason": reason, "raw": line[:20000], "ts": time.time()})

    def meta(self, key: str) -> DatasetMeta | None:
        if key not in self.metas:
            self.metas[key] = self.store.load_meta(key)
        return self.metas[key]

    def line(self, number: int, line: str) -> None:
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("the line is not a JSON object")
        except ValueError as exc:
            return self.fail(number, line, f"bad line: {exc}")
        cid = record.get("custom_id")
        try:
            key, revision, variant, version, model = parse_custom_id(cid)
        except ValueError as exc:
            return self.fail(number, line, f"unknown request: {exc}", str(cid or ""))
        meta = self.meta(key)
        if meta is None:
            return self.fail(number, line, f"unknown dataset: {key} has no metadata in this "
                             "workspace", cid)
        if revision_of(meta) != revision or PROMPT_VERSION.get(variant) != version:
            return self.fail(number, line, "stale request: the dataset revision or the prompt "
                             f"changed since it was written ({revision}, {version})", cid)
        try:
            answer = _answer(record, model)
        except ValueError as exc:
            return self.fail(number, line, f"no answer: {exc}", cid)
        report = self.report
        report.answers += 1
        ckey = cache_key(meta, variant, model)
        if not self.force and self.store.generation_done(ckey):
            report.cached += 1
            return None
        if meta.ref.id not in self.existing:
            self.existing[meta.ref.id] = {p.id for p in self.store.proposals(meta.ref.id)}
        existing = self.existing[meta.ref.id]
        checked, _form = check_answer(answer.text, meta, existing)
        cost, _priced = cost_usd(model, answer.tokens_in, answer.tokens_out,
                                 self.settings.llm.prices)
        props = build_proposals(meta, variant, answer, checked, self.settings.llm.temperature,
                                cost, time.time(), existing)
        for prop in props:
            prop.source = "batch"
        self.store.add_proposals(props)
        self.store.mark_generation(ckey, {
            "model": model, "variant": variant, "prompt_version": version, "source": "batch",
            "proposals": [p.id for p in props], "tokens_in": answer.tokens_in,
            "tokens_out": answer.tokens_out, "cost_usd": cost, "mode": "batch"})
        report.proposals += len(props)
        report.tokens_in += answer.tokens_in
        report.tokens_out += answer.tokens_out
        report.cost_usd += cost
        for prop in props:
            if prop.valid:
                report.kept += 1
            else:
                rule = prop.errors[0].rule
                report.rejected[rule] = report.rejected.get(rule, 0) + 1
        return None


def ingest(store: Any, settings: Any, path: str | Path, force: bool = False) -> IngestReport:
    """Validate and store every answer of a Batch results file; bad lines are kept with a reason."""
    path = Path(path).expanduser()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LLMError(f"Cannot read the results file {path}: {exc.strerror}.",
                       "Give the path of a Batch output file (.jsonl).") from exc
    report = IngestReport(str(path))
    job = _Ingest(store, settings, report, force)
    for number, blob in enumerate(raw.splitlines(), 1):
        text = blob.decode("utf-8", errors="replace")
        if not text.strip():
            continue
        report.lines += 1
        job.line(number, text)
    if job.failures:
        log = JsonLines(Path(store.workspace) / FOLDER / FAILED)
        try:
            log.append(*job.failures)
        finally:
            log.close()
        report.failed_file = str(log.path)
    report.generated = settle_queue(store)
    return report
