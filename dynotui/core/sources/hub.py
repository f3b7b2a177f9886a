"""Hugging Face Hub datasets through huggingface_hub (search, info, card) and datasets (rows)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

from dynotui.core.errors import DatasetError
from dynotui.core.models import DatasetEntry, DatasetMeta, DatasetRef
from dynotui.core.sources.assemble import (build_meta, card_features, card_split_sizes,
                                           choose_splits, config_names, light_datasets,
                                           pick_config, pick_split, stream_rows,
                                           resolve_streamed, take)
from dynotui.core.sources.card import Card, parse_card, plain

SORTS = {"downloads": "downloads", "likes": "likes", "trending": "trending_score",
         "trending_score": "trending_score", "last_modified": "last_modified",
         "modified": "last_modified", "created": "created_at", "created_at": "created_at"}
HUB_SORT = {"last_modified": "lastModified", "trending_score": "trendingScore",
            "created_at": "createdAt"}  # the API's names, as HfApi.list_datasets sends them
DEFAULT_ENDPOINT = "https://huggingface.co"


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
    first = plain(str(exc)) or name
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


def _tags(tags: list[str] | None, key: str) -> list[str]:
    return [t.split(":", 1)[1] for t in tags or [] if t.startswith(key + ":")]


def to_entry(info: Any) -> DatasetEntry:
    card = getattr(info, "card_data", None)
    data = card.to_dict() if card is not None and hasattr(card, "to_dict") else (card or {})
    tags = info.tags or []

    def pick(key: str, tag: str) -> list[str]:
        value = data.get(key)
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and value:
            return [str(v) for v in value]
        return _tags(tags, tag)

    infos = data.get("dataset_info")
    first = infos[0] if isinstance(infos, list) and infos else infos
    feats = [f.get("name") for f in (first or {}).get("features") or [] if isinstance(f, dict)] \
        if isinstance(first, dict) else []
    modified = info.last_modified.isoformat() if getattr(info, "last_modified", None) else None
    return DatasetEntry(ref=DatasetRef("hub", info.id), name=info.id,
                        pretty_name=str(data.get("pretty_name") or ""),
                        license=pick("license", "license"),
                        languages=pick("language", "language"),
                        task_categories=pick("task_categories", "task_categories"),
                        fields=[f for f in feats if f], downloads=info.downloads,
                        likes=info.likes, last_modified=modified, revision=info.sha)


def list_hub(search: str | None = None, limit: int = 50, offset: int = 0, sort: str | None = None,
             filters: dict[str, Any] | None = None) -> list[DatasetEntry]:
    if sort is not None and sort not in SORTS:
        raise DatasetError(f"Unknown sort '{sort}'.", "Sort by downloads, likes, trending or "
                           "last_modified.")
    filters = dict(filters or {})
    unknown = set(filters) - {"task_category", "task_categories", "license", "language"}
    if unknown:
        raise DatasetError(f"Unknown filter {', '.join(sorted(unknown))}.",
                           "Filters: task_category, license, language.")
    tag_filters = [f"license:{filters['license']}"] if filters.get("license") else []
    for key in ("task_categories", "language"):
        value = filters.get("task_category" if key == "task_categories" else key) or \
            filters.get(key)
        if value:
            tag_filters.append(value if value.startswith(key + ":") else f"{key}:{value}")
    # The route HfApi.list_datasets(full=True) asks, paged by hublist so a dead endpoint
    # fails in a second instead of five backoff retries.
    params: dict[str, Any] = {"full": True, "limit": offset + limit}
    if search:
        params["search"] = search
    if sort:
        params["sort"] = HUB_SORT.get(SORTS[sort], SORTS[sort])
    if tag_filters:
        params["filter"] = tag_filters
    try:
        from huggingface_hub.hf_api import DatasetInfo

        from dynotui.core.hublist import get

        items: list[dict[str, Any]] = []
        url: str | None = f"{endpoint()}/api/datasets"
        while url and len(items) < offset + limit:
            response = get(url, params)
            page = response.json()
            if not isinstance(page, list):
                raise DatasetError(f"The Hub at {endpoint()} did not return a list of datasets.",
                                   "Check that HF_ENDPOINT points at a Hugging Face Hub.")
            items.extend(page)
            url, params = response.links.get("next", {}).get("url"), None
        return [to_entry(DatasetInfo(**{"siblings": None, **item}))
                for item in items[offset:offset + limit]]
    except Exception as exc:
        raise translate(exc, "the dataset list") from exc


def _card(repo: str, sha: str) -> Card | None:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    try:
        path = hf_hub_download(repo, "README.md", repo_type="dataset", revision=sha,
                               endpoint=endpoint(), token=token(), cache_dir=hub_cache())
    except EntryNotFoundError:
        return None
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    return parse_card(text, f"README.md of {repo}")


def _stream(ref: DatasetRef, sha: str, card: Card | None, configs: list[str], config: str,
            features: Any) -> dict[str, Any]:
    """{split: IterableDataset}: nothing is downloaded until rows are taken."""
    from datasets import load_dataset

    light_datasets()
    sync_env(with_datasets=True)
    if card is not None and card.problem:  # datasets cannot read such a card either
        raise DatasetError(card.problem, "Ask the dataset's owner to fix the card, or pin an "
                           "earlier revision with @REVISION.")
    name = None if configs == ["default"] and ref.config is None else config
    return dict(load_dataset(ref.name, name=name, streaming=True, revision=sha,
                             cache_dir=datasets_cache(), token=token(),
                             **({"features": features} if features is not None else {})))


def _info(ref: DatasetRef):
    info = api().dataset_info(ref.name, revision=ref.revision, timeout=timeout())
    return info, info.sha or ref.revision


def load_meta(ref: DatasetRef, rows: int = 100, settings: Any = None) -> DatasetMeta:
    what = f"hub:{ref.name}" + (f"@{ref.revision}" if ref.revision else "")
    try:
        info, sha = _info(ref)
        card = _card(ref.name, sha)
        configs = config_names(card)
        config = pick_config(ref, configs)
        features = card_features(card, config)
        dd = _stream(ref, sha, card, configs, config, features)
        splits = choose_splits(ref, list(dd))
        sizes = card_split_sizes(card, config)
        raw = {}
        for split in splits:
            ds = resolve_streamed(dd[split])
            features = features or ds.features
            raw[split] = take(ds, rows)
    except Exception as exc:
        raise translate(exc, what) from exc
    resolved = DatasetRef("hub", ref.name, config, ref.split, sha)
    website = f"{endpoint()}/datasets/{ref.name}"
    meta = build_meta(resolved, ref.name, card, features, {s: sizes.get(s) for s in splits}, raw,
                      configs, settings, website=website, revision=sha)
    if not meta.summary and getattr(info, "description", None):
        meta.summary = str(info.description)
    listed = to_entry(info)  # the Hub's own tags fill what the card leaves out
    gaps = [a for a in ("license", "languages", "task_categories")
            if not getattr(meta, a) and getattr(listed, a)]
    if gaps:
        from dynotui.core.catalog import catalog_verdicts

        for attr in gaps:
            setattr(meta, attr, getattr(listed, attr))
        extra = [v for v in meta.verdicts if v.rule not in ("license", "english", "fields", "media")]
        meta.verdicts = catalog_verdicts(meta, getattr(settings, "license_deny", None),
                                         getattr(settings, "license_allow", None)) + extra
    return meta


def iter_rows(ref: DatasetRef, split: str | None = None, limit: int | None = None
              ) -> Iterator[dict[str, Any]]:
    what = f"hub:{ref.name}"
    try:
        info, sha = _info(ref)
        card = _card(ref.name, sha)
        configs = config_names(card)
        config = pick_config(ref, configs)
        dd = _stream(ref, sha, card, configs, config, card_features(card, config))
        yield from stream_rows(dd, pick_split(dd, ref, split), limit)
    except Exception as exc:
        raise translate(exc, what) from exc
