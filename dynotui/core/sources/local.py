"""Local data: a folder in Hub layout, a save_to_disk folder, or one parquet/jsonl/json/csv file."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from dynotui.core.errors import DatasetError
from dynotui.core.models import DatasetEntry, DatasetMeta, DatasetRef
from dynotui.core.sources.assemble import (build_meta, card_features, card_split_sizes,
                                           choose_splits, config_names, light_datasets,
                                           pick_config, pick_split, stream_rows,
                                           resolve_streamed, take, wrap_load_error)
from dynotui.core.sources.card import Card, card_list, parse_card, parse_yaml, split_front_matter
from dynotui.core.sources.cardfeatures import card_feature_list
from dynotui.core.sources.filecheck import (COMPRESSED, TEXT_SUFFIXES, check_text, csv_options,
                                            data_suffix, explain_json_failure,
                                            json_object_splits)

BUILDERS = {".parquet": "parquet", ".jsonl": "json", ".json": "json", ".ndjson": "json",
            ".csv": "csv", ".tsv": "csv"}
HINT = ("Give a folder in Hub layout (README.md + data files), a save_to_disk folder, or a "
        "parquet/jsonl/json/csv/tsv file (jsonl/json/csv/tsv may be .gz, .bz2 or .xz).")


def kind(path: Path) -> str:
    """'disk' (save_to_disk), 'folder' (Hub layout) or 'file'."""
    if path.is_dir():
        if (path / "dataset_dict.json").exists() or (path / "state.json").exists():
            return "disk"
        return "folder"
    if data_suffix(path) in BUILDERS:
        return "file"
    raise DatasetError(f"'{path}' is not a data file dynotui can read ({path.suffix or 'no suffix'}).",
                       HINT)


def read_card(path: Path) -> Card | None:
    readme = (path if path.is_dir() else path.parent) / "README.md"
    if not readme.is_file():
        return None
    try:
        text = readme.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise DatasetError(f"Cannot read the card {readme}: {exc.strerror}.") from exc
    return parse_card(text, str(readme))


def display_name(path: Path) -> str:
    return path.stem if path.is_file() else path.name


def _file_dataset(path: Path) -> tuple[dict[str, Any], dict[str, int | None]]:
    """Splits of a single file ({'train': IterableDataset} mostly) and their sizes if known."""
    from datasets import load_dataset

    head = check_text(path) if data_suffix(path) in TEXT_SUFFIXES else ""
    shaped = json_object_splits(path, head)
    if shaped is not None:  # one JSON object holding the rows: read in memory
        return shaped, {s: len(d) for s, d in shaped.items()}
    builder = BUILDERS[data_suffix(path)]
    kwargs = csv_options(path, head) if builder == "csv" else {}
    dd = load_dataset(builder, data_files={"train": str(path)}, streaming=True, **kwargs)
    return dict(dd), {"train": None}


def _load_error(exc: Exception, path: Path) -> DatasetError:
    """A read failure as a DatasetError; for a JSON file, naming the bad line."""
    if path.is_file() and not isinstance(exc, DatasetError):
        try:
            explained = explain_json_failure(path)
        except OSError:
            explained = None
        if explained is not None:
            return explained
    return wrap_load_error(exc, str(path), HINT)


def _open(ref: DatasetRef, card: Card | None) -> tuple[str, Any, list[str], dict]:
    """(config, {split: dataset}, configs, split sizes) for a local ref."""
    light_datasets()
    path = Path(ref.name)
    what = kind(path)
    if what == "disk":
        from datasets import Dataset, load_from_disk

        loaded = load_from_disk(str(path))
        dd = {"train": loaded} if isinstance(loaded, Dataset) else dict(loaded)
        pick_config(ref, ["default"])
        return "default", dd, ["default"], {s: len(d) for s, d in dd.items()}
    if what == "file":
        pick_config(ref, ["default"])
        dd, sizes = _file_dataset(path)
        return "default", dd, ["default"], sizes
    from datasets import load_dataset

    _check_one_dataset(path)
    if card is not None and card.problem:  # datasets cannot read such a card either
        raise DatasetError(card.problem, "Fix the YAML between the two '---' lines of the "
                           "README.md (or move README.md aside to read the data files alone).")
    configs = config_names(card)
    config = pick_config(ref, configs)
    name = None if configs == ["default"] and ref.config is None else config
    features = card_features(card, config)
    dd = load_dataset(str(path), name=name, streaming=True,
                      **({"features": features} if features is not None else {}))
    sizes = card_split_sizes(card, config)
    return config, dict(dd), configs, {s: sizes.get(s) for s in dd}


def load_meta(ref: DatasetRef, rows: int = 100, settings: Any = None,
              name: str | None = None) -> DatasetMeta:
    path = Path(ref.name)
    if not path.exists():
        raise DatasetError(f"No such file or folder: {path}.", HINT)
    card = read_card(path)
    try:
        config, dd, configs, sizes = _open(ref, card)
        splits = choose_splits(ref, list(dd))
        raw: dict[str, list] = {}
        features = None
        for split in splits:
            ds = resolve_streamed(dd[split])
            if hasattr(ds, "_resolve_features"):
                raw[split] = take(ds, rows)
            else:  # an in-memory Dataset from save_to_disk: read only the first rows
                raw[split] = ds.select(range(min(rows, len(ds)))).to_list()
            features = features or ds.features
    except DatasetError:
        raise
    except Exception as exc:
        raise _load_error(exc, path) from exc
    resolved = DatasetRef(ref.source, ref.name, config, ref.split, None)
    return build_meta(resolved, name or display_name(path), card, features,
                      {s: sizes.get(s) for s in splits}, raw, configs, settings)


def iter_rows(ref: DatasetRef, split: str | None = None, limit: int | None = None
              ) -> Iterator[dict[str, Any]]:
    path = Path(ref.name)
    card = read_card(path) if path.exists() else None
    try:
        config, dd, _, _ = _open(ref, card)
    except DatasetError:
        raise
    except Exception as exc:
        raise _load_error(exc, path) from exc
    split = pick_split(dd, ref, split)
    try:  # a bad line deep in a file fails here, mid-stream, not when opened
        yield from stream_rows(dd, split, limit)
    except DatasetError:
        raise
    except Exception as exc:
        raise _load_error(exc, path) from exc


_FACTS: dict[str, tuple[tuple, tuple]] = {}  # README path -> (its stat, what a listing shows)
_FACTS_MAX = 100_000


def card_facts(path: Path) -> tuple[str, list[str], list[str], list[str], list[str]]:
    """(pretty name, licenses, languages, task categories, fields) from the card beside PATH,
    front matter only; kept per README until its size or mtime changes (searches re-list)."""
    readme = (path if path.is_dir() else path.parent) / "README.md"
    try:
        st = os.stat(readme)
    except OSError:
        st = None
    if st is None or not stat.S_ISREG(st.st_mode):
        return "", [], [], [], []
    key = (st.st_mtime_ns, st.st_size, st.st_ino, path.is_dir())
    known = _FACTS.get(str(readme))
    if known is not None and known[0] == key:
        return known[1]
    try:
        text = readme.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise DatasetError(f"Cannot read the card {readme}: {exc.strerror}.") from exc
    yaml_text = split_front_matter(text)[0]
    try:  # a malformed front matter lists as a card without data (load_meta says why)
        card = Card(data=parse_yaml(yaml_text, str(readme)) if yaml_text is not None else {})
    except DatasetError:
        card = Card()
    configs = config_names(card) if path.is_dir() else ["default"]
    features = card_feature_list(card, configs[0])  # no datasets import
    facts = (str(card.data.get("pretty_name") or ""), card_list(card.data, "license"),
             card_list(card.data, "language"), card_list(card.data, "task_categories"),
             [f.name for f in features or []])
    if len(_FACTS) >= _FACTS_MAX:
        _FACTS.clear()
    _FACTS[str(readme)] = (key, facts)
    return facts


def entry(path: Path, source: str = "local", name: str | None = None,
          resolved: str | None = None) -> DatasetEntry:
    """A cheap listing line: from the card and the declared features, no rows read."""
    pretty, licenses, languages, tasks, fields = card_facts(path)
    ref = DatasetRef(source, name or resolved or str(path.resolve()))
    return DatasetEntry(ref=ref, name=name or display_name(path), pretty_name=pretty,
                        license=list(licenses), languages=list(languages),
                        task_categories=list(tasks), fields=list(fields))


FILTERS = {"task_category": "task_categories", "license": "license", "language": "languages"}


def matches(item: DatasetEntry, search: str | None, filters: dict[str, Any] | None) -> bool:
    """Whether a listing line passes the search (name or pretty name) and the filters."""
    if search and search.lower() not in item.name.lower() \
            and search.lower() not in item.pretty_name.lower():
        return False
    for key, attr in FILTERS.items():
        wanted = (filters or {}).get(key)
        if wanted and wanted not in getattr(item, attr):
            return False
    return True


def _split_name(name: str) -> tuple[str, str]:
    """(stem, suffix) of a file name as pathlib gives them, without building a Path."""
    dot = name.rfind(".")
    return (name[:dot], name[dot:]) if 0 < dot < len(name) - 1 else (name, "")


@dataclass
class Child:
    """One entry of a folder, from a single os.scandir pass (is_dir/is_file follow links)."""

    name: str
    is_dir: bool
    is_file: bool
    is_link: bool
    data_file: bool = False  # named like a data file dynotui reads (data_suffix in BUILDERS)
    shown: str = ""  # the listing name: a file's stem, a folder's name (as display_name)

    def __post_init__(self) -> None:
        stem, suffix = _split_name(self.name)
        if suffix.lower() in COMPRESSED:
            suffix = _split_name(stem)[1]
        self.data_file = suffix.lower() in BUILDERS
        self.shown = stem if self.is_file else self.name


def scan(folder: Path) -> list[Child]:
    with os.scandir(folder) as found:
        children = [Child(e.name, e.is_dir(), e.is_file(), e.is_symlink()) for e in found]
    return sorted(children, key=lambda c: c.name)


SPLIT_WORDS = ("train", "test", "valid", "validation", "dev", "eval")


def _one_dataset(folder: Path, children: list[Child] | None = None) -> bool:
    """A folder is one dataset (not a folder of them) when laid out like one."""
    if (folder / "README.md").exists() or kind(folder) == "disk" or (folder / "data").is_dir():
        return True
    children = scan(folder) if children is None else children
    files = [c for c in children if c.is_file and c.data_file]
    dirs = [c for c in children if c.is_dir and not c.name.startswith(".")]
    if not files and not dirs:
        return True
    return any(f.name.lower().split(".")[0].split("-")[0].split("_")[0] in SPLIT_WORDS for f in files)


def _datasets_in(children: list[Child]) -> list[Child]:
    """The children a folder of datasets lists: folders and data files, hidden ones left out."""
    return [c for c in children if not c.name.startswith(".") and (c.is_dir or c.data_file)]


def _check_one_dataset(folder: Path) -> None:
    """A folder the listing shows as several datasets is not read as one (datasets would merge)."""
    children = scan(folder)
    if _one_dataset(folder, children):
        return
    names = [c.name for c in _datasets_in(children)]
    if len(names) > 1:
        raise DatasetError(f"{folder} holds {len(names)} datasets ({', '.join(names[:5])}"
                           f"{', ...' if len(names) > 5 else ''}), not one.",
                           f"Name one of them, e.g. {folder / names[0]}; "
                           f"`dynotui datasets {folder}` lists them.")


def _child_entry(base: Path, child: Child) -> DatasetEntry:
    path = base / child.name
    resolved = str(path.resolve()) if child.is_link else str(path)
    if not child.is_dir:  # a data file in a folder without a card: nothing more to read
        return DatasetEntry(ref=DatasetRef("local", resolved), name=child.shown)
    return entry(path, resolved=resolved)


def list_local(path: str | Path | None, search: str | None = None,
               filters: dict[str, Any] | None = None, offset: int = 0,
               limit: int | None = None) -> list[DatasetEntry]:
    """The dataset at PATH, or each dataset directly inside the folder PATH, searched and
    filtered, lines [offset:offset+limit]. Names are scanned once; cards are read only for the
    lines returned (and, when filtering or a name does not match the search, for folders)."""
    root = Path(path or ".").expanduser()
    if not root.exists():
        raise DatasetError(f"No such file or folder: {root}.", HINT)
    children = scan(root) if root.is_dir() else []
    if root.is_dir() and not any(not c.name.startswith(".") for c in children):
        return []  # an empty folder holds no dataset ("No datasets found")
    end = None if limit is None else offset + limit
    if root.is_file() or _one_dataset(root, children):
        return [e for e in [entry(root)] if matches(e, search, filters)][offset:end]
    base, needle = root.resolve(), (search or "").lower()
    filtering = any((filters or {}).get(key) for key in FILTERS)
    out: list[DatasetEntry] = []
    found = 0
    for child in _datasets_in(children):
        if end is not None and found >= end:
            break
        item = None
        if filtering or needle not in child.shown.lower():  # the card decides
            if not child.is_dir:  # a file has no card: no license etc., its name did not match
                continue
            item = _child_entry(base, child)
            if not matches(item, search, filters):
                continue
        if found >= offset:
            out.append(item or _child_entry(base, child))
        found += 1
    return out
