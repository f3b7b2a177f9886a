"""Super-NaturalInstructions layout: `tasks/taskNNNNN_name.json`, one file per task, and
`splits/default/{train,test}_tasks.txt` naming the task files of each split.

A task's first one or two instances become its `Positive Examples` (not repeated in
`Instances`): with n instances, min(2, n - 1) of them. Each task file is streamed: instances
are appended in chunks, so memory holds at most a chunk per task.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring as quote
import re
from pathlib import Path
from typing import Callable, Iterator

from dynotui.core.export.writers import TaskInfo

POSITIVE = 2
CHUNK = 1 << 16
LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish",
                  "zh": "Chinese", "ja": "Japanese", "ru": "Russian", "pt": "Portuguese",
                  "it": "Italian", "ar": "Arabic", "hi": "Hindi", "ko": "Korean", "nl": "Dutch"}


def slug(text: str, limit: int = 60) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()[:limit] or "task"


def languages(codes: list[str]) -> list[str]:
    # the Dynosaur crawl keeps English datasets only, so unknown means English
    return [LANGUAGE_NAMES.get(c.split("-")[0].lower(), c) for c in codes] or ["English"]


class _TaskFile:
    def __init__(self, path: Path, info: TaskInfo) -> None:
        self.path, self.info = path, info
        self.stem = path.stem  # ids: stem-N (task file stems are plain [a-z0-9_])
        self.first: list[dict[str, str]] = []  # held until we know they are positives
        self.pending: list[str] = []
        self.size = 0
        self.count = 0  # instances in `Instances`
        self.written = False  # the file exists (head written)

    def head(self, positives: list[dict[str, str]]) -> str:
        info = self.info
        data = {
            "Contributors": ["dynotui export"],
            "Source": [info.dataset],
            "URL": [info.website] if info.website else [],
            "Categories": list(info.categories),
            "Reasoning": [],
            "Definition": [info.instruction],
            "Input_language": languages(info.languages),
            "Output_language": languages(info.languages),
            "Instruction_language": ["English"],
            "Domains": [],
            "Positive Examples": [{"input": p["input"], "output": p["output"], "explanation": ""}
                                  for p in positives],
            "Negative Examples": [],
            "Instance License": [info.license or "Unknown"],
        }
        if info.stage is not None:  # staged export: the task's stage and whether it is replayed
            data.update(Stage=info.stage, Replay=bool(info.replay))
        return json.dumps(data, ensure_ascii=False, indent=1)[:-2] + ',\n "Instances": ['

    def add(self, inst: dict[str, str]) -> None:
        if len(self.first) < POSITIVE:
            self.first.append(inst)
            return
        if not self.pending and not self.written:
            self.pending.append(self.head(self.first))
        self._instance(inst)
        if self.size >= CHUNK:
            self._flush()

    def _instance(self, inst: dict[str, str]) -> None:
        text = (f'{{"id": "{self.stem}-{self.count}", "input": {quote(inst["input"])}, '
                f'"output": [{quote(inst["output"])}]}}')
        self.pending.append(("\n  " if not self.count else ",\n  ") + text)
        self.size += len(text)
        self.count += 1

    def _flush(self) -> None:
        # one open per chunk: most task files are written whole, at close
        with self.path.open("a" if self.written else "w", encoding="utf-8", errors="replace") as fh:
            fh.write("".join(self.pending))
        self.pending, self.size, self.written = [], 0, True

    def close(self) -> None:
        if not self.count:
            keep = max(0, min(POSITIVE, len(self.first) - 1))
            self.pending.append(self.head(self.first[:keep]))
            for inst in self.first[keep:]:
                self._instance(inst)
        self.pending.append("\n ]\n}\n")
        self._flush()


class SuperNIWriter:
    """One split of a superni export inside the temp folder `root`."""

    def __init__(self, root: Path, split: str, numbers: Iterator[int]) -> None:
        self.root, self.split, self.numbers = root, split, numbers
        (root / "tasks").mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.names: list[str] = []
        self._files: dict[str, _TaskFile] = {}

    def start_task(self, info: TaskInfo) -> None:
        if info.id in self._files:
            return
        name = f"task{next(self.numbers):05d}_{slug(info.taskname)}"
        self._files[info.id] = _TaskFile(self.root / "tasks" / f"{name}.json", info)

    def sink(self, info: TaskInfo) -> Callable[[str, str], None]:
        task_file = self._files[info.id]

        def add(inp: str, out: str) -> None:
            task_file.add({"input": inp, "output": out})
            self.count += 1
        return add

    def end_tasks(self, ids: list[str]) -> None:
        """Finish the files of tasks whose dataset has been read (frees their buffers)."""
        for pid in ids:
            task_file = self._files.pop(pid, None)
            if task_file is not None and (task_file.first or task_file.count):
                task_file.close()
                self.names.append(task_file.path.stem)

    def close(self) -> None:
        self.end_tasks(list(self._files))
        splits = self.root / "splits" / "default"
        splits.mkdir(parents=True, exist_ok=True)
        label = "train" if self.split == "train" else "test"
        (splits / f"{label}_tasks.txt").write_text("".join(n + "\n" for n in sorted(self.names)),
                                                   encoding="utf-8")

    def abort(self) -> None:
        self._files.clear()
