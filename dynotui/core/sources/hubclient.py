"""The one Hub client: endpoint, token and offline mode read at call time, error messages,
and the retry policy (429/5xx, timeouts and dropped connections with backoff honouring
Retry-After; a refused connection or unknown host, one quick retry)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable

from dynotui.core.errors import DatasetError
from dynotui.core.text import one_line

DEFAULT_ENDPOINT = "https://huggingface.co"
RETRYABLE = (408, 429, 500, 502, 503, 504)
CONNECT_RETRIES = 1  # a refused connection / unknown host: retried once, quickly
CONNECT_WAIT = 0.3


def timeout() -> float:
    """Seconds to wait for one Hub answer (DYNOTUI_HUB_TIMEOUT, default 20)."""
    try:
        return float(os.environ.get("DYNOTUI_HUB_TIMEOUT") or 20)
    except ValueError:
        raise DatasetError("DYNOTUI_HUB_TIMEOUT must be a number of seconds.") from None


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def token() -> str | None:
    return os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN") or None


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on") or \
        os.environ.get("HF_DATASETS_OFFLINE", "").lower() in ("1", "true", "yes", "on")


class RetryChatter:
    """Drops huggingface_hub's per-attempt retry lines (they leak to the terminal, even under
    the TUI); a request that still fails is reported once by us, every other line is kept."""

    def filter(self, record) -> bool:
        message = record.getMessage()
        return not (" thrown while requesting " in message
                    or message.startswith(("Retrying in ", "Rate limited. Waiting ")))


_CHATTER = RetryChatter()


def quiet_retries() -> None:
    import logging

    logger = logging.getLogger("huggingface_hub.utils._http")
    if _CHATTER not in logger.filters:
        logger.addFilter(_CHATTER)


def sync_env(with_datasets: bool = False) -> None:
    """Apply HF_ENDPOINT / offline env at call time: both libraries read them at import."""
    import sys

    from huggingface_hub import constants

    quiet_retries()
    url = endpoint()
    offline = _offline()
    if constants.ENDPOINT != url and "huggingface_hub.hf_file_system" in sys.modules:
        # fsspec caches HfFileSystem instances, which keep the endpoint they were made with.
        from huggingface_hub import HfFileSystem

        HfFileSystem.clear_instance_cache()
    constants.ENDPOINT = url
    constants.HUGGINGFACE_CO_URL_TEMPLATE = url + "/{repo_id}/resolve/{revision}/{filename}"
    constants.HF_HUB_OFFLINE = offline
    wait = max(int(timeout()), 1)
    constants.HF_HUB_DOWNLOAD_TIMEOUT = int(os.environ.get("HF_HUB_DOWNLOAD_TIMEOUT") or wait)
    constants.HF_HUB_ETAG_TIMEOUT = int(os.environ.get("HF_HUB_ETAG_TIMEOUT") or wait)
    if with_datasets or "datasets" in sys.modules:  # importing datasets costs ~1.5 s
        import datasets.config as dconfig

        dconfig.HF_ENDPOINT = url
        dconfig.HUB_DATASETS_URL = url + "/datasets/{repo_id}/resolve/{revision}/{path}"
        dconfig.HF_HUB_OFFLINE = offline


def hub_cache() -> str | None:
    env = os.environ
    if env.get("HF_HUB_CACHE"):
        return env["HF_HUB_CACHE"]
    return str(Path(env["HF_HOME"]) / "hub") if env.get("HF_HOME") else None


def datasets_cache() -> str | None:
    env = os.environ
    if env.get("HF_DATASETS_CACHE"):
        return env["HF_DATASETS_CACHE"]
    return str(Path(env["HF_HOME"]) / "datasets") if env.get("HF_HOME") else None


def file_url(repo: str, path: str, revision: str) -> str:
    """A dataset file's resolve URL (as hf_hub_url builds it, without importing file_download)."""
    from urllib.parse import quote

    return f"{endpoint()}/datasets/{repo}/resolve/{quote(revision, safe='')}/{quote(path)}"


def api():
    from huggingface_hub import HfApi

    sync_env()
    return HfApi(endpoint=endpoint(), token=token(), library_name="dynotui")


def translate(exc: BaseException, what: str) -> DatasetError:
    """A Hub/network failure as a DatasetError saying what happened and what to do."""
    from huggingface_hub import errors as herr

    if isinstance(exc, DatasetError):
        return exc
    chain = _chain(exc)
    exc = _root_cause(exc)
    url = endpoint()
    name = type(exc).__name__
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(exc, herr.GatedRepoError):
        return DatasetError(f"{what} is gated on {url}: you must accept its conditions first.",
                            "Accept them on the dataset's Hub page, then set HF_TOKEN to a token "
                            "of that account.")
    if isinstance(exc, herr.RepositoryNotFoundError) or status == 401:
        authed = "with the HF_TOKEN given" if token() else "without a token"
        return DatasetError(f"{what} was not found on {url} or is private ({authed}).",
                            "Check the id (ORG/NAME) with `dynotui datasets --source hub --search "
                            "...`; for a private or gated dataset set HF_TOKEN.")
    if isinstance(exc, herr.RevisionNotFoundError):
        return DatasetError(f"{what}: that revision does not exist on {url}.",
                            "Drop the @REVISION part or give an existing branch, tag or sha.")
    if status == 403:
        return DatasetError(f"Access to {what} was refused by {url} (403 Forbidden).",
                            "Your HF_TOKEN lacks access: request access on the dataset page or "
                            "use a token with read permission.")
    if status == 404 or isinstance(exc, herr.EntryNotFoundError):
        return DatasetError(f"{what}: a file was not found on {url} (404).",
                            "The repository may be incomplete; try another revision or config.")
    if status == 429:
        return DatasetError(f"{url} is rate-limiting requests (429) for {what}.",
                            "Wait a minute and retry; a token (HF_TOKEN) raises the limit.")
    if status is not None and status >= 500:
        return DatasetError(f"{url} failed with a server error ({status}) for {what}.",
                            "The Hub may be down: retry later.")
    if isinstance(exc, herr.OfflineModeIsEnabled) or "offline" in str(exc).lower() and \
            _offline():
        return DatasetError(f"Cannot reach the Hub for {what}: offline mode is on.",
                            "Unset HF_HUB_OFFLINE / HF_DATASETS_OFFLINE to use the Hub.")
    if any("timeout" in type(e).__name__.lower() or "timed out" in str(e).lower()
           or isinstance(e, TimeoutError) for e in chain):
        return DatasetError(f"The Hub at {url} did not answer in time for {what}.",
                            "Check the network or HF_ENDPOINT and retry; "
                            "DYNOTUI_HUB_TIMEOUT sets the timeout in seconds.")
    if "connect" in name.lower() or "connection" in str(exc).lower():
        return DatasetError(f"Cannot connect to the Hub at {url} for {what}.",
                            "Check the network, a proxy, or HF_ENDPOINT.")
    if status is not None:
        return DatasetError(f"{url} answered {status} for {what}.", "Retry later or check the id.")
    first = one_line(str(exc)) or name
    return DatasetError(f"Cannot load {what} from {url}: {name}: {first}",
                        "Check the dataset id, config and split; retry later if the Hub is busy.")


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes (wrappers like 'Server Disconnected' hide the real one)."""
    out: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not e for e in out):
        out.append(current)
        current = current.__cause__ or current.__context__
    return out


def _root_cause(exc: BaseException) -> BaseException:
    """The first HTTP error in the chain, else the exception itself."""
    return next((e for e in _chain(exc)
                 if getattr(getattr(e, "response", None), "status_code", None) is not None), exc)


def get(url: str, params: dict[str, Any] | None = None, retries: int = 5,
        headers: dict[str, str] | None = None) -> Any:
    """GET a Hub URL (raises on an HTTP error), under the one retry policy (with_retries)."""
    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    sync_env()  # offline mode and endpoint as the environment says now, not at import
    sent = {**build_hf_headers(token=token(), library_name="dynotui"), **(headers or {})}

    def once() -> Any:
        response = get_session().get(url, params=params, timeout=timeout(), headers=sent)
        hf_raise_for_status(response)
        return response

    return with_retries(once, retries)


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
                  "WriteTimeout", "PoolTimeout", "ReadError", "WriteError", "RemoteProtocolError"))


def kind(exc: BaseException) -> str:
    """'busy' (retry with backoff), 'refused' (one quick retry: wrong or dead endpoint) or ''."""
    name = type(exc).__name__
    if status_of(exc) in RETRYABLE or name in BUSY or isinstance(exc, TimeoutError):
        return "busy"
    return "refused" if name == "ConnectError" else ""


def with_retries(fn: Callable[[], Any], retries: int = 5, base: float = 0.5, cap: float = 8.0,
                 sleep: Callable[[float], None] = time.sleep) -> Any:
    """The one Hub retry policy (listing pages through get(), dataset loads in the crawl): call
    fn; on a 429/5xx, a timeout or a dropped connection wait (Retry-After, else 0.5, 1, 2...
    up to `cap`) and retry; a refused connection or unknown host is retried once, quickly."""
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
