"""The OpenAI Batch API through the `openai` package: submit an input file, poll, collect.

Submitted batches are remembered in WORKSPACE/batches/batches.json (replaced atomically), so
`status` and `collect` need no id when there is one open batch. The API key comes from the
environment or config and is never written.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from dynotui.core.durable import atomic_write, write_json
from dynotui.core.errors import ConfigError, LLMError
from dynotui.core.growth.batch import FOLDER, URL, IngestReport, ingest
from dynotui.core.growth.log import read_json

REGISTRY = "batches.json"
DONE = ("completed", "failed", "expired", "cancelled")


def _client(settings: Any):
    import openai

    llm = settings.llm
    if not llm.base_url:
        raise ConfigError("The Batch API needs a server URL.",
                          "Set OPENAI_BASE_URL (or llm.base_url in the config), e.g. "
                          "https://api.openai.com/v1.")
    return openai.OpenAI(base_url=llm.base_url, api_key=llm.api_key or "none",
                         timeout=llm.timeout, max_retries=max(0, int(llm.retries)))


def _api_error(what: str, settings: Any, exc: Exception) -> LLMError:
    status = getattr(exc, "status_code", None)
    code = f" (HTTP {status})" if status else ""
    return LLMError(f"{what} at {settings.llm.base_url} failed{code}: "
                    f"{str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}",
                    "Check the server URL and API key; nothing was lost, run the command again.")


def _registry_path(store: Any) -> Path:
    return Path(store.workspace) / FOLDER / REGISTRY


def registry(store: Any) -> list[dict[str, Any]]:
    data = read_json(_registry_path(store))
    return data if isinstance(data, list) else []


def _save(store: Any, entries: list[dict[str, Any]]) -> None:
    write_json(_registry_path(store), entries)


def _pick(store: Any, batch_id: str | None) -> dict[str, Any]:
    entries = registry(store)
    if batch_id:
        for entry in entries:
            if entry["id"] == batch_id:
                return entry
        return {"id": batch_id}  # submitted elsewhere: still usable
    open_ = [e for e in entries if not e.get("collected")]
    if len(open_) == 1:
        return open_[0]
    if not open_:
        raise ConfigError("No submitted batch is waiting to be collected.",
                          "Submit one with `dynotui batch submit FILE.jsonl`, or pass --id.")
    raise ConfigError(f"{len(open_)} batches are open: "
                      f"{', '.join(e['id'] for e in open_)}.", "Pass --id BATCH_ID.")


def _remember(store: Any, entry: dict[str, Any]) -> None:
    entries = [e for e in registry(store) if e["id"] != entry["id"]]
    _save(store, [*entries, entry])


def submit(store: Any, settings: Any, path: str | Path, window: str = "24h") -> dict[str, Any]:
    """Upload the input file (purpose=batch) and create the batch; returns the registry entry."""
    path = Path(path).expanduser()
    if not path.is_file() or path.stat().st_size == 0:
        raise ConfigError(f"No requests in {path}.",
                          "Write them first with `dynotui batch write --out FILE.jsonl`.")
    client = _client(settings)
    try:
        with path.open("rb") as fh:
            uploaded = client.files.create(file=fh, purpose="batch")
        batch = client.batches.create(input_file_id=uploaded.id, endpoint=URL,
                                      completion_window=window,
                                      metadata={"source": "dynotui", "file": path.name})
    except Exception as exc:  # noqa: BLE001 - one clear message
        raise _api_error("Submitting the batch", settings, exc) from None
    finally:
        client.close()
    entry = {"id": batch.id, "input": str(path), "input_file_id": uploaded.id,
             "status": batch.status, "submitted": time.time(), "collected": False}
    _remember(store, entry)
    return entry


def status(store: Any, settings: Any, batch_id: str | None = None) -> dict[str, Any]:
    """The batch's status and request counts from the server (the registry is updated)."""
    entry = _pick(store, batch_id)
    client = _client(settings)
    try:
        batch = client.batches.retrieve(entry["id"])
    except Exception as exc:  # noqa: BLE001
        raise _api_error(f"Asking for batch {entry['id']}", settings, exc) from None
    finally:
        client.close()
    counts = batch.request_counts
    entry.update(status=batch.status, output_file_id=batch.output_file_id,
                 error_file_id=batch.error_file_id,
                 counts={"total": counts.total, "completed": counts.completed,
                         "failed": counts.failed} if counts else {})
    entry.setdefault("collected", False)
    _remember(store, entry)
    return entry


def collect(store: Any, settings: Any, batch_id: str | None = None, wait: bool = False,
            poll: float = 10.0, timeout: float | None = None) -> tuple[dict[str, Any], list[IngestReport]]:
    """Download the output (and error) file of a finished batch and ingest them."""
    started = time.monotonic()
    entry = status(store, settings, batch_id)
    while wait and entry["status"] not in DONE:
        if timeout is not None and time.monotonic() - started > timeout:
            break
        time.sleep(poll)
        entry = status(store, settings, entry["id"])
    if entry["status"] not in DONE:
        raise LLMError(f"Batch {entry['id']} is {entry['status']}, not finished.",
                       "Check again later with `dynotui batch status`, or pass --wait.")
    folder = Path(store.workspace) / FOLDER
    reports = []
    client = _client(settings)
    try:
        for kind in ("output_file_id", "error_file_id"):
            file_id = entry.get(kind)
            if not file_id:
                continue
            try:
                blob = client.files.content(file_id).read()
            except Exception as exc:  # noqa: BLE001
                raise _api_error(f"Downloading {file_id}", settings, exc) from None
            target = folder / f"{entry['id']}-{kind.split('_')[0]}.jsonl"
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(target, blob)
            reports.append(ingest(store, settings, target))
    finally:
        client.close()
    entry.update(collected=True, collected_at=time.time())
    _remember(store, entry)
    return entry, reports
