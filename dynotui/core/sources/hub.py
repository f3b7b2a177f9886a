"""Hugging Face Hub datasets through huggingface_hub (search, info, card) and datasets (rows)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

from dynotui.core.catalog import catalog_verdicts
from dynotui.core.errors import DatasetError
from dynotui.core.models import DatasetEntry, DatasetMeta, DatasetRef
from dynotui.core.sources.assemble import (build_meta, card_features, card_split_sizes,
                                           choose_splits, config_names, light_datasets, pick_config,
                                           pick_split, resolve_streamed, stream_rows, take)
from dynotui.core.sources.card import Card, parse_card
from dynotui.core.sources.cardfeatures import card_feature_nodes
from dynotui.core.sources.hubclient import (api, datasets_cache, endpoint, file_url, get,
                                            hub_cache, sync_env, timeout, token, translate)
from dynotui.core.sources.hubplan import plan, readable
from dynotui.core.sources.hubread import Reading, Unsupported, read_failure
from dynotui.core.sources.litefeatures import from_nodes

SORTS = {"downloads": "downloads", "likes": "likes", "trending": "trending_score",
         "trending_score": "trending_score", "last_modified": "last_modified",
         "modified": "last_modified", "created": "created_at", "created_at": "created_at"}
HUB_SORT = {"last_modified": "lastModified", "trending_score": "trendingScore",
            "created_at": "createdAt"}  # the API's names, as HfApi.list_datasets sends them


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


_CARDS: dict[tuple[str, str, str], Card | None] = {}  # (endpoint, repo, sha): a sha never changes


def direct_on() -> bool:
    return os.environ.get("DYNOTUI_HUB_DIRECT", "1") != "0"


def _card(repo: str, sha: str, files: list[str] | None = None) -> Card | None:
    """The card at a commit. For a repo we may read directly: one GET, kept for the process,
    none when the file list shows no README.md; else through the Hub cache, where datasets
    finds it again."""
    from huggingface_hub.errors import EntryNotFoundError

    if files is None or not direct_on() or not readable(files):
        return _cached_card(repo, sha)
    key = (endpoint(), repo, sha)
    known = _CARDS.get(key, _CARDS)  # the dict itself stands for "not read yet"
    if known is not _CARDS:
        return known
    card = None
    if "README.md" in files:
        try:
            text = get(file_url(repo, "README.md", sha)).content
            card = parse_card(text.decode("utf-8", "replace"), f"README.md of {repo}")
        except EntryNotFoundError:
            card = None
    if len(_CARDS) > 256:  # crawl workers share it: plain dict steps, each atomic
        _CARDS.clear()
    _CARDS[key] = card
    return card


def _cached_card(repo: str, sha: str) -> Card | None:
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


def _direct(ref: DatasetRef, info: Any, sha: str, card: Card | None, config: str, rows: int
            ) -> tuple[Any, dict[str, list[dict[str, Any]]]] | None:
    """(features, {split: rows}) read straight from the repo's files, as datasets would give
    them; None when datasets should read this one (DYNOTUI_HUB_DIRECT=0: always)."""
    if not direct_on() or (card is not None and card.problem):
        return None
    files = _files(info)
    layout = plan(files, card, config) if files is not None else None
    if layout is None:
        return None
    names = list(layout.splits)
    chosen = choose_splits(ref, names)
    urls = {s: [file_url(ref.name, f, sha) for f in layout.splits[s]] for s in names}
    try:
        nodes = card_feature_nodes(card, config)
        reading = Reading(layout.reader, from_nodes(nodes) if nodes is not None else None,
                          layout.sep)
        if reading.features is None and names[0] not in chosen:
            reading.split(urls[names[0]], 0)  # datasets infers from the first split's file
        raw = {split: reading.split(urls[split], rows) for split in chosen}
    except Exception as exc:  # noqa: BLE001 - a layout we do not mirror: datasets reads it
        if isinstance(exc, Unsupported) or read_failure(exc):
            return None
        raise
    return reading.features, raw


def _files(info: Any) -> list[str] | None:
    siblings = getattr(info, "siblings", None)
    return None if siblings is None else [s.rfilename for s in siblings]


def _info(ref: DatasetRef):
    info = api().dataset_info(ref.name, revision=ref.revision, timeout=timeout())
    return info, info.sha or ref.revision


def load_meta(ref: DatasetRef, rows: int = 100, settings: Any = None) -> DatasetMeta:
    what = f"hub:{ref.name}" + (f"@{ref.revision}" if ref.revision else "")
    try:
        info, sha = _info(ref)
        card = _card(ref.name, sha, _files(info))
        configs = config_names(card)
        config = pick_config(ref, configs)
        sizes = card_split_sizes(card, config)
        direct = _direct(ref, info, sha, card, config, rows)
        if direct is not None:
            features, raw = direct
            splits = list(raw)
        else:
            features = card_features(card, config)
            dd = _stream(ref, sha, card, configs, config, features)
            splits = choose_splits(ref, list(dd))
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
        card = _card(ref.name, sha, _files(info))
        configs = config_names(card)
        config = pick_config(ref, configs)
        dd = _stream(ref, sha, card, configs, config, card_features(card, config))
        yield from stream_rows(dd, pick_split(dd, ref, split), limit)
    except Exception as exc:
        raise translate(exc, what) from exc
