"""Super-NaturalInstructions layout, as its repository's checks and Tk-Instruct's loader read it:
`tasks/taskNNNNN_name.json` (lower case), one file per task; `tasks/README.md` naming each
task once; `splits/default/{train,test,dev,excluded}_tasks.txt` (test and dev: the held-out
tasks, empty without --held-out).

A task's rows are gathered until its dataset has been read (at most MAX_INSTANCES distinct
inputs are kept): each input appears once, the outputs of a repeated input merged into its
`output` list. Two inputs with one output each become the `Positive Examples` (not kept among
the instances); the negative example pairs the first of them with another instance's output,
which is wrong for it. A task that would fail the NI checks for reasons in its data
(nivocab.problems) is left out and reported, unless include_invalid.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable, Iterator

from dynotui.core.export import nivocab
from dynotui.core.export.writers import TaskInfo

POSITIVE = 2
SHOWN = 120  # characters of a value quoted in an explanation


def slug(text: str, limit: int = 60) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()[:limit].strip("_") or "task"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return f"'{text[:SHOWN]}…'" if len(text) > SHOWN else f"'{text}'"


class _TaskFile:
    def __init__(self, path: Path, info: TaskInfo) -> None:
        self.path, self.info = path, info
        self.outputs: dict[str, list[str]] = {}  # input -> its outputs, in row order
        self.rows = 0
        self.merged = 0  # rows whose input was already there
        self.over = 0  # rows past the instance cap
        self.empty = 0  # rows with an empty input (NI refuses them)
        self.written = 0  # instances and positive examples in the file

    def add(self, inp: str, out: str) -> None:
        self.rows += 1
        outs = self.outputs.get(inp)
        if outs is not None:
            self.merged += 1
            if out not in outs:
                outs.append(out)
        elif not inp:
            self.empty += 1
        elif len(self.outputs) >= nivocab.MAX_INSTANCES + POSITIVE:
            self.over += 1
        else:
            self.outputs[inp] = [out]

    def examples(self) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """(positives, negatives) drawn from inputs with one output; removed from `outputs`."""
        single = [(i, o[0]) for i, o in self.outputs.items() if len(o) == 1]
        if not single:
            return [], []
        first = single[0]
        rest = [x for x in single[1:] if x[1] != first[1]] or single[1:]
        chosen = [first, *rest[:POSITIVE - 1]]
        field = self.info.output_field or "output"
        source = self.info.dataset
        positives = [{"input": i, "output": o,
                      "explanation": f"{_quote(o)} is the {field} that {source} gives for this "
                                     "input."} for i, o in chosen]
        wrong = next((o for outs in self.outputs.values() for o in outs
                      if o != first[1] and o.strip()), None)
        for inp, _out in chosen:
            del self.outputs[inp]
        if wrong is None:
            return positives, []
        negatives = [{"input": first[0], "output": wrong,
                      "explanation": f"{_quote(wrong)} is the {field} of another input; for "
                                     f"this one it is {_quote(first[1])}."}]
        return positives, negatives

    def head(self, positives: list, negatives: list) -> dict:
        info = self.info
        names = nivocab.languages(info.languages)
        data = {
            "Contributors": ["dynotui export"],
            "Source": [info.dataset],
            "URL": [info.website] if info.website else [],
            "Categories": nivocab.categories(info.categories),
            "Reasoning": [],
            "Definition": [info.instruction],
            "Input_language": names,
            "Output_language": names,
            "Instruction_language": ["English"],
            "Domains": [],
            "Positive Examples": positives,
            "Negative Examples": negatives,
            "Instance License": [info.license or "Unknown"],
        }
        if info.stage is not None:  # staged export: the task's stage and whether it is replayed
            data.update(Stage=info.stage, Replay=bool(info.replay))
        return data

    def finish(self, include_invalid: bool) -> list[str]:
        """Write the file; returns why it was not written (empty when it was)."""
        positives, negatives = self.examples()
        instances = [{"id": f"{self.path.stem}-{n}", "input": inp, "output": outs}
                     for n, (inp, outs) in enumerate(self.outputs.items())]
        why = nivocab.problems([x["output"] for x in instances], self.info.instruction,
                               nivocab.languages(self.info.languages))
        if len(positives) < POSITIVE:
            why.insert(0, "fewer than two inputs with a single output for the examples")
        elif not negatives:
            why.insert(0, "no wrong output for a negative example")
        if why and not include_invalid:
            return why
        data = self.head(positives, negatives)
        data["Instances"] = instances
        with self.path.open("w", encoding="utf-8", errors="replace") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        self.written = len(instances) + len(positives)
        return []


class SuperNIWriter:
    """One split of a superni export inside the temp folder `root`."""

    def __init__(self, root: Path, split: str, numbers: Iterator[int],
                 include_invalid: bool = False) -> None:
        self.root, self.split, self.numbers = root, split, numbers
        self.include_invalid = include_invalid
        (root / "tasks").mkdir(parents=True, exist_ok=True)
        self.count = 0  # rows received
        self.names: list[str] = []
        self.removed = 0  # rows received that are no instance or positive example
        self.skipped: dict[str, int] = {}
        self.left_out: dict[str, str] = {}  # task file name -> why
        self.left_out_ids: set[str] = set()
        self._files: dict[str, _TaskFile] = {}

    def start_task(self, info: TaskInfo) -> None:
        if info.id in self._files:
            return
        name = f"task{next(self.numbers):05d}_{slug(info.taskname)}"
        self._files[info.id] = _TaskFile(self.root / "tasks" / f"{name}.json", info)

    def sink(self, info: TaskInfo) -> Callable[[str, str], None]:
        task_file = self._files[info.id]

        def add(inp: str, out: str) -> None:
            task_file.add(inp, out)
            self.count += 1
        return add

    def _skip(self, reason: str, n: int) -> None:
        if n:
            self.skipped[reason] = self.skipped.get(reason, 0) + n

    def end_tasks(self, ids: list[str]) -> None:
        """Finish the files of tasks whose dataset has been read (frees their rows)."""
        for pid in ids:
            task = self._files.pop(pid, None)
            if task is None or not task.rows:
                continue
            why = task.finish(self.include_invalid)
            if why:
                self.left_out[task.path.stem] = "; ".join(why)
                self.left_out_ids.add(pid)
                self.removed += task.rows
                continue
            self.names.append(task.path.stem)
            self.removed += task.rows - task.written
            self._skip("superni: repeated input (outputs merged)", task.merged)
            self._skip(f"superni: past {nivocab.MAX_INSTANCES:,} instances per task", task.over)
            self._skip("superni: empty input", task.empty)

    def close(self) -> None:
        self.end_tasks(list(self._files))
        splits = self.root / "splits" / "default"
        splits.mkdir(parents=True, exist_ok=True)
        names = "".join(n + "\n" for n in sorted(self.names))
        if self.split == "train":
            (splits / "train_tasks.txt").write_text(names, encoding="utf-8")
        else:  # Tk-Instruct evaluates on test_tasks.txt (older versions: dev_tasks.txt)
            for label in ("test", "dev"):
                (splits / f"{label}_tasks.txt").write_text(names, encoding="utf-8")

    def abort(self) -> None:
        self._files.clear()


def finish_folder(root: Path, writers: list[SuperNIWriter]) -> None:
    """The files naming every task: tasks/README.md and the split lists a split lacks."""
    names = sorted(n for w in writers for n in w.names)
    (root / "tasks" / "README.md").write_text("".join(f"`{n}`\n" for n in names),
                                              encoding="utf-8")
    splits = root / "splits" / "default"
    splits.mkdir(parents=True, exist_ok=True)
    for label in ("train", "test", "dev", "excluded"):
        path = splits / f"{label}_tasks.txt"
        if not path.exists():  # no held-out split: test, dev and excluded are empty
            path.write_text("", encoding="utf-8")
