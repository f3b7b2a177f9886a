"""Hugging Face dataset folder: `data/{split}-NNNNN-of-NNNNN.parquet` shards plus a README.md
card whose YAML `configs` tells `datasets.load_dataset(folder)` where each split is; and the
push of such a folder to a Hub repo.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from dynotui.core.errors import ExportError
from dynotui.core.export.writers import TaskInfo
from dynotui.core.sources.hubclient import api as hub_api

COLUMNS = ("instruction", "input", "output", "license", "website", "taskname")
BATCH = 20_000
SHARD_ROWS = 250_000
HUB_SPLIT = {"train": "train", "held_out": "test"}


class ParquetWriter:
    """One split, written as parquet shards of at most SHARD_ROWS rows."""

    def __init__(self, root: Path, split: str) -> None:
        self.root, self.split = root, HUB_SPLIT.get(split, split)
        (root / "data").mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.licenses: set[str] = set()
        self.shards: list[Path] = []
        self._rows: list[tuple[TaskInfo, str, str]] = []
        self._writer: Any = None
        self._shard_rows = 0
        self.nbytes = 0

    def start_task(self, info: TaskInfo) -> None:
        if info.license:
            self.licenses.add(info.license)

    def sink(self, info: TaskInfo) -> Callable[[str, str], None]:
        def add(inp: str, out: str) -> None:
            self._rows.append((info, inp, out))
            self.count += 1
            if len(self._rows) >= BATCH:
                self._flush()
        return add

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._rows:
            return
        rows, self._rows = self._rows, []
        cols = {"instruction": [r[0].instruction for r in rows], "input": [r[1] for r in rows],
                "output": [r[2] for r in rows], "license": [r[0].license for r in rows],
                "website": [r[0].website for r in rows], "taskname": [r[0].taskname for r in rows]}
        table = pa.table({c: pa.array(cols[c], pa.string()) for c in COLUMNS})
        if rows[0][0].stage is not None:  # staged export: every row says its stage and replay
            table = table.append_column("stage", pa.array([r[0].stage for r in rows], pa.int64()))
            table = table.append_column("replay", pa.array([bool(r[0].replay) for r in rows]))
        if self._writer is None:
            path = self.root / "data" / f"{self.split}-{len(self.shards):05d}.parquet"
            self.shards.append(path)
            self._writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        self._writer.write_table(table)
        self.nbytes += table.nbytes
        self._shard_rows += table.num_rows
        if self._shard_rows >= SHARD_ROWS:
            self._writer.close()
            self._writer, self._shard_rows = None, 0

    def close(self) -> None:
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        total = len(self.shards)
        for i, path in enumerate(self.shards):
            os.replace(path, path.with_name(f"{self.split}-{i:05d}-of-{total:05d}.parquet"))

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _yaml_license(licenses: set[str]) -> str:
    names = sorted({part.strip() for text in licenses for part in text.split(",") if part.strip()})
    if len(names) == 1:
        return names[0]
    return "other"


def write_card(root: Path, writers: list[ParquetWriter], tasks: list[TaskInfo]) -> None:
    """README.md with YAML configs (splits -> shard globs), features and a short summary."""
    import yaml

    splits = [w for w in writers if w.shards]
    licenses = set().union(*(w.licenses for w in writers)) if writers else set()
    meta: dict[str, Any] = {
        "license": _yaml_license(licenses),
        "task_categories": ["text-generation"],
        "language": ["en"],
        "tags": ["dynosaur", "instruction-tuning", "dynotui"],
        "configs": [{"config_name": "default", "data_files": [
            {"split": w.split, "path": f"data/{w.split}-*"} for w in splits]}],
        "dataset_info": {
            "features": [{"name": c, "dtype": "string"} for c in COLUMNS] + (
                [{"name": "stage", "dtype": "int64"}, {"name": "replay", "dtype": "bool"}]
                if any(t.stage is not None for t in tasks) else []),
            "splits": [{"name": w.split, "num_bytes": w.nbytes, "num_examples": w.count}
                       for w in splits],
        },
    }
    datasets = sorted({t.dataset for t in tasks})
    held = sum(1 for t in tasks if t.split != "train")
    lines = [
        "---", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).rstrip(), "---", "",
        "# Instruction-tuning data exported by dynotui", "",
        "Tasks proposed by an LLM from each dataset's metadata (the Dynosaur method), reviewed "
        "and accepted by people, then applied to the dataset rows.", "",
        f"- tasks: {len(tasks)} over {len(datasets)} dataset configs",
        *[f"- {w.split}: {w.count} instances" for w in splits],
    ]
    if held:
        lines.append(f"- the `test` split holds {held} tasks that never appear in `train` "
                     "(split by task, not by row)")
    lines += ["", "Each row carries the license and website of the dataset it came from; check "
              "them before use.", "", "## Source datasets", ""]
    by_dataset: dict[str, str] = {}
    for t in tasks:
        by_dataset.setdefault(t.dataset, t.license or "unknown")
    lines += [f"- {name} (license: {lic})" for name, lic in sorted(by_dataset.items())]
    (root / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def push_folder(folder: Path, repo: str, private: bool = False) -> str:
    """Create the dataset repo if needed and upload the folder; returns the commit URL.

    The endpoint comes from HF_ENDPOINT and the token from HF_TOKEN (huggingface_hub's own).
    """
    from huggingface_hub.errors import HfHubHTTPError

    api = hub_api()  # endpoint, token and offline mode as the environment says now
    try:
        api.create_repo(repo, repo_type="dataset", exist_ok=True, private=private)
        info = api.upload_folder(folder_path=str(folder), repo_id=repo, repo_type="dataset",
                                 commit_message="Export from dynotui",
                                 ignore_patterns=[".dynotui-*"])
    except HfHubHTTPError as exc:
        raise ExportError(f"Pushing to the Hub repo '{repo}' failed: {exc}",
                          f"The export is kept at {folder}. Check HF_TOKEN and the repo name, "
                          "then push again.") from exc
    except Exception as exc:  # network (httpx), refused card YAML (ValueError), disk
        raise ExportError(f"Pushing to the Hub repo '{repo}' failed: {exc or type(exc).__name__}",
                          f"The export is kept at {folder}; check the network and push again."
                          ) from exc
    return str(getattr(info, "commit_url", None) or info)
