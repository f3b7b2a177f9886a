"""Hub dataset listing one page at a time, with the next-page cursor exposed so a crawl can resume.

huggingface_hub's `list_datasets` hides the cursor inside a generator; this uses the same
route, headers and retrying client (`http_backoff`: 429/5xx with backoff, honouring
Retry-After), but hands each page and its `Link: next` URL back to the caller. A refused
connection is not retried five times (23 s for a mistyped HF_ENDPOINT): see `get`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dynotui.core.errors import DatasetError
from dynotui.core.sources.hubclient import endpoint as hub_endpoint, get, sync_env

SORTS = {"downloads": "downloads", "modified": "lastModified", "created": "createdAt"}


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_url: str | None


def endpoint() -> str:
    """The Hub URL from HF_ENDPOINT now (the libraries read it, and offline mode, at import)."""
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
