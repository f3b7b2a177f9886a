"""The files of one export: a writer per split, written to temps, swapped in by commit()."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from dynotui.core.export.atomic import (MANIFEST, check_target, clean_stale, commit, discard,
                                        temp_path)
from dynotui.core.export.hf import ParquetWriter, write_card
from dynotui.core.export.options import FOLDER_FORMATS, HELD_OUT, TRAIN
from dynotui.core.export.superni import SuperNIWriter, finish_folder
from dynotui.core.export.writers import FileWriter, TaskInfo, held_out_path


class Output:
    def __init__(self, fmt: str, target: Path, held_out: bool,
                 trl_style: str = "conversational", include_invalid: bool = False) -> None:
        self.fmt, self.target, self.trl_style = fmt, target, trl_style
        self.include_invalid = include_invalid
        self.folder = fmt in FOLDER_FORMATS
        self.pairs: list[tuple[Path, Path]] = []  # (temp, final)
        self.writers: dict[str, Any] = {}
        splits = [TRAIN, HELD_OUT] if held_out else [TRAIN]
        try:
            self._open(splits)
        except BaseException:
            self.abort()
            raise

    def _open(self, splits: list[str]) -> None:
        if self.folder:
            check_target(self.target, folder=True)
            clean_stale(self.target)
            tmp = temp_path(self.target)
            self.pairs.append((tmp, self.target))
            tmp.mkdir()
            if self.fmt == "hf":
                self.writers = {s: ParquetWriter(tmp, s) for s in splits}
            else:
                numbers = itertools.count(1)  # task files numbered across both splits
                self.writers = {s: SuperNIWriter(tmp, s, numbers, self.include_invalid)
                                for s in splits}
            return
        for split in splits:
            final = self.target if split == TRAIN else held_out_path(self.target)
            check_target(final, folder=False)
            clean_stale(final)
            tmp = temp_path(final)
            self.pairs.append((tmp, final))
            self.writers[split] = FileWriter(self.fmt, tmp, self.trl_style)

    def end_tasks(self, ids: list[str]) -> None:
        for writer in self.writers.values():
            if hasattr(writer, "end_tasks"):
                writer.end_tasks(ids)

    def settle(self, report: Any, written: list[TaskInfo]) -> list[TaskInfo]:
        """Fold what a folder writer changed into the report: superni merges repeated inputs
        and leaves out tasks the NI checks would refuse. Returns the tasks still written."""
        left: set[str] = set()
        for split, writer in self.writers.items():
            removed = getattr(writer, "removed", 0)
            report.instances -= removed
            if removed:
                report.by_split[split] = report.by_split.get(split, 0) - removed
            for reason, n in getattr(writer, "skipped", {}).items():
                report.skip(reason, n)
            report.left_out_format.update(getattr(writer, "left_out", {}))
            left |= getattr(writer, "left_out_ids", set())
        kept = [t for t in written if t.id not in left]
        report.tasks_written = len(kept)
        return kept

    def finish(self, tasks: list[TaskInfo], summary: dict[str, Any]) -> None:
        """Close every writer and add the folder extras (card, manifest)."""
        for writer in self.writers.values():
            writer.close()
        if not self.folder:
            return
        root = self.pairs[0][0]
        if self.fmt == "superni":
            finish_folder(root, list(self.writers.values()))
        if self.fmt == "hf":
            write_card(root, list(self.writers.values()), tasks)
        # marks the folder as ours, so a later export may replace it
        (root / MANIFEST).write_text(json.dumps(summary, ensure_ascii=False, indent=1, default=str),
                                     encoding="utf-8")

    def commit(self) -> list[str]:
        commit(self.pairs)
        return [str(final) for _tmp, final in self.pairs]

    def abort(self) -> None:
        for writer in self.writers.values():
            try:
                writer.abort()
            except Exception:  # cleanup must go on
                pass
        discard([tmp for tmp, _final in self.pairs])
