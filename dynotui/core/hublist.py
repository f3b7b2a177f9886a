"""Hub dataset listing one page at a time, with the next-page cursor exposed so a crawl can resume.

huggingface_hub's `list_datasets` hides the cursor inside a generator; this uses the same
route, headers and retrying client (`http_backoff`: 429/5xx with backoff, honouring
Retry-After), but hands each page and its `Link: next` URL back to the caller. A refused
connection is not retried five times (23 s for a mistyped HF_ENDPOINT): see `get`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from dynotui.core.errors import DatasetError

SORTS = {"downloads": "downloads", "modified": "lastModified", "created": "createdAt"}
RETRYABLE = (408, 429, 500, 502, 503, 504)
CONNECT_RETRIES = 1  # a refused connection / unknown host: retried once, quickly
CONNECT_WAIT = 0.3


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_url: str | None


def endpoint() -> str:
    """The Hub URL from HF_ENDPOINT now (the libraries read it, and offline mode, at import)."""
    from dynotui.core.sources.hub import endpoint as hub_endpoint, sync_env

    sync_env()
    return hub_endpoint()


def first_request(search: str | None, task_category: str | None, sort: str
                  ) -> tuple[str, dict[str, Any]]:
    """URL and params of the listing's first page (what `HfApi.list_datasets(full=True)` asks;
    no `limit`, which the Hub reads as a cap on the whole listing, not a page size)."""
    if sort not in SORTS:
        raise DatasetError(f"Unknown sort '{sort}'.", f"Use one of: {', '.join(SORTS)}.")
    params: dict[str, Any] = {"full": "True", "sort": SORTS[sort]}
    if search:
        params["search"] = search
    if task_category:
        params["filter"] = task_category if ":" in task_category \
            else f"task_categories:{task_category}"
    return f"{endpoint()}/api/datasets", params


def fetch_page(url: str, params: dict[str, Any] | None = None, retries: int = 5) -> Page:
    """One listing page; transient errors are retried (see get)."""
    try:
        response = get(url, params, retries)
        items = response.json()
    except Exception as exc:  # noqa: BLE001 - every failure becomes one clear message
        raise DatasetError(f"The Hub listing at {url} failed: {str(exc).splitlines()[0][:200]}",
                           "The crawl stopped at this page and saved its place: run the same "
                           "command again to continue (check HF_ENDPOINT and the network).") from exc
    if not isinstance(items, list):
        raise DatasetError(f"The Hub listing at {url} did not return a list of datasets.",
                           "Check that HF_ENDPOINT points at a Hugging Face Hub.")
    return Page(items, response.links.get("next", {}).get("url"))


def get(url: str, params: dict[str, Any] | None = None, retries: int = 5) -> Any:
    """GET a Hub API URL (raises on an HTTP error). A busy Hub (429/5xx, a timeout, a dropped
    connection) is retried with backoff honouring Retry-After; a refused connection or an
    unknown host is a wrong or dead endpoint: one quick retry, then the error."""
    import httpx2
    from huggingface_hub.utils import build_hf_headers, hf_raise_for_status, http_backoff

    from dynotui.core.sources.hub import sync_env, timeout, token

    sync_env()  # offline mode and endpoint as the environment says now, not at import
    busy = (httpx2.TimeoutException, httpx2.ReadError, httpx2.WriteError,
            httpx2.RemoteProtocolError)
    for attempt in range(CONNECT_RETRIES + 1):
        try:
            response = http_backoff("GET", url, params=params, headers=build_hf_headers(
                token=token(), library_name="dynotui"), timeout=timeout(),
                max_retries=retries, base_wait_time=0.5, max_wait_time=8,
                retry_on_status_codes=RETRYABLE, retry_on_exceptions=busy)
            break
        except httpx2.ConnectError:
            if attempt == CONNECT_RETRIES:
                raise
            time.sleep(CONNECT_WAIT)
    hf_raise_for_status(response)
    return response


def _response(exc: BaseException | None) -> Any:
    """The HTTP response behind an exception raised by huggingface_hub/datasets, if any."""
    for _ in range(6):
        if exc is None:
            return None
        response = getattr(exc, "response", None)
        if isinstance(getattr(response, "status_code", None), int):
            return response
        exc = exc.__cause__ or exc.__context__
    return None


def status_of(exc: BaseException) -> int | None:
    response = _response(exc)
    return response.status_code if response is not None else None


def retry_after(exc: BaseException) -> float | None:
    response = _response(exc)
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


BUSY = frozenset(("TimeoutError", "TimeoutException", "ReadTimeout", "ConnectTimeout",
                  "WriteTimeout", "PoolTimeout", "ReadError", "RemoteProtocolError"))


def kind(exc: BaseException) -> str:
    """'busy' (retry with backoff), 'refused' (one quick retry: wrong or dead endpoint) or ''."""
    name = type(exc).__name__
    if status_of(exc) in RETRYABLE or name in BUSY or isinstance(exc, TimeoutError):
        return "busy"
    return "refused" if name == "ConnectError" else ""


def with_retries(fn: Callable[[], Any], retries: int = 5, base: float = 0.5, cap: float = 8.0,
                 sleep: Callable[[float], None] = time.sleep) -> Any:
    """Call fn; on a 429/5xx (or a timeout) wait (Retry-After, else exponential) and retry;
    a refused connection is retried once, quickly."""
    wait = base
    refused = 0
    for attempt in range(retries + 1):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - classified below
            what = kind(exc)
            refused += what == "refused"
            if not what or attempt == retries or refused > CONNECT_RETRIES:
                raise
            delay = CONNECT_WAIT if what == "refused" else retry_after(exc)
            sleep(min(cap, delay if delay is not None else wait))
            wait = min(cap, wait * 2)
    raise AssertionError("unreachable")
