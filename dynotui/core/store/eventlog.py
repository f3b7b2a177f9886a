"""Decision events: an append-only JSON-lines file per session, as a TinyDB storage.

Each write appends the new events with one write() and fdatasync(): O(1) whatever the size
of the workspace (the atomic replace costs two more fsyncs, see bench/store.py). A SIGKILL
cannot split one write() of a regular file, so a line is either whole or absent; readers
only take lines that end in a newline, so a line still being written is picked up later.
A writer holds an flock on its file for as long as it writes, so no two processes ever
append to one file; the kernel drops the lock when the writer dies, and the next session of
that annotator may continue the file (fewer, fuller files) once it has read it whole.

Silent loss is noticed: after each append the writer records a checkpoint beside the file
(`.NAME.ckpt`: events, bytes and the sha256 of the file's first `bytes` bytes). A reader
that finds fewer bytes than the checkpoint says (an emptied or cut file), or other bytes,
reports the file; the events still in it count. The checkpoint is written after the events
are durable and not fsynced itself: after a power cut it can lag the file, never lead it,
so a torn last line from a crash (an event never acknowledged) stays quiet. A checkpoint
whose file is gone reports the file as missing, with all the events it held.
A line that is JSON of the wrong shape (`"ts": "yesterday"`) is reported by line and skipped.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from dynotui.core.durable import append_whole, create_exclusive, json_lines
from dynotui.core.errors import StoreError
from dynotui.core.store.files import MARKER, file_error
from dynotui.core.store.records import DamagedFile, event_problem

KIND = "events"
TABLE = "events"
CHECKPOINT_SIZE = 160  # fixed: rewritten in place, never leaves a longer old record's tail
MAX_BAD_SHOWN = 3


CKPT_SUFFIX = ".ckpt"


def checkpoint_path(path: Path) -> Path:
    return path.with_name(f".{path.name}{CKPT_SUFFIX}")


def events_path(checkpoint: Path) -> Path:
    """The events file a checkpoint describes (checkpoint_path reversed)."""
    return checkpoint.with_name(checkpoint.name[1:-len(CKPT_SUFFIX)])


def read_checkpoint(path: Path) -> dict[str, Any] | None:
    """The checkpoint beside an events file: {"events", "bytes", "sha256"}, or None."""
    try:
        with open(checkpoint_path(path), "rb") as fh:
            data = json.loads(fh.read(CHECKPOINT_SIZE * 2))
    except (OSError, ValueError):
        return None  # none yet (older workspaces) or unreadable: nothing to compare with
    ok = isinstance(data, dict) and all(isinstance(data.get(k), int) for k in ("events", "bytes")) \
        and isinstance(data.get("sha256"), str)
    return data if ok else None


def missing_problem(path: Path) -> DamagedFile | None:
    """The loss of an events file deleted while its checkpoint stayed (None: no checkpoint
    to go by, or the file is back)."""
    checkpoint = read_checkpoint(path)
    if checkpoint is None or path.exists():
        return None
    events = checkpoint["events"]
    return DamagedFile(
        f"Store file {path} is missing but its checkpoint says it held {events} decision "
        f"events: {events} lost (the file was deleted or moved).",
        f"Restore it from a backup to get them back. If it was removed on purpose, delete its "
        f"checkpoint too: rm '{checkpoint_path(path)}'")


class EventLog(Storage):
    """One events file. Reading is incremental (only bytes appended since the last read)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.header: dict[str, Any] | None = None
        self.docs: list[dict[str, Any]] = []
        self._offset = 0
        self._ino: int | None = None
        self._fd: int | None = None
        self._ckpt_fd: int | None = None
        self._hash = hashlib.sha256()  # of the bytes [0, _offset)
        self.lines = 0  # whole event lines read or written (bad ones included)
        self.bad: list[str] = []  # "line N: what is wrong" for skipped records
        self.loss: str | None = None  # what the checkpoint says is missing or changed
        self._checked = False

    # -- creating -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, header: dict[str, Any]) -> EventLog | None:
        """Claim a new file (None when another process already has that name)."""
        head = {MARKER: KIND, **header}
        line = (json.dumps(head, ensure_ascii=False) + "\n").encode()
        if not create_exclusive(path, line):
            return None
        log = cls(path)
        log.load_new()
        return log

    # -- reading --------------------------------------------------------------------------
    def load_new(self) -> tuple[bool, list[dict[str, Any]]]:
        """(reset, events appended since the last call); reset=True: re-read from the start."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False, []
        reset = self._ino is not None and (st.st_ino != self._ino or st.st_size < self._offset)
        if st.st_size == self._offset and not reset and self._checked:
            return False, []
        if reset:
            self.header, self.docs, self._offset, self.lines = None, [], 0, 0
            self._hash, self.bad, self.loss = hashlib.sha256(), [], None
        self._ino = st.st_ino
        # the checkpoint first: read before the bytes, it can only describe fewer of them
        checkpoint = read_checkpoint(self.path)
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self._offset)
                chunk = fh.read()
        except OSError as exc:
            raise StoreError(f"Cannot read store file {self.path}: {exc.strerror}.",
                             "Check the file's permissions.") from exc
        end = chunk.rfind(b"\n") + 1  # a line without its newline is still being written
        start = self._offset
        new = self._parse(chunk[:end])
        if self.header is None and end == 0 and chunk:
            # files are created whole with their header line, so this is damage or foreign
            raise file_error(self.path, "has no complete header line (truncated or foreign)")
        self._compare(checkpoint, start, chunk[:end])
        self._offset += end
        self._hash.update(chunk[:end])
        self._checked = True
        self.docs.extend(new)
        return reset, new

    def _parse(self, block: bytes) -> list[dict[str, Any]]:
        new: list[dict[str, Any]] = []
        pos = self._offset
        for raw in block.split(b"\n")[:-1]:
            where, pos = pos, pos + len(raw) + 1
            lineno = (self.header is not None) + self.lines + 1
            try:
                doc = json.loads(raw)
            except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                error = file_error(self.path, f"is corrupt at line {lineno}, byte {where} ({exc})")
                # the lines before and after it are good decisions: moving it aside drops them
                error.hint = (f"dynotui never overwrites it. Fix or delete line {lineno}"
                              " with a text editor, then run again; the rest of the workspace "
                              "stays usable.")
                raise error from exc
            if self.header is None:
                if not isinstance(doc, dict) or doc.get(MARKER) != KIND:
                    raise file_error(self.path, "is not a dynotui events file (foreign content)")
                self.header = doc
                continue
            self.lines += 1
            problem = event_problem(doc)
            if problem:
                self.bad.append(f"line {lineno}: {problem}")
            else:
                new.append(doc)
        return new

    def _compare(self, checkpoint: dict[str, Any] | None, start: int, block: bytes) -> None:
        """Note what the checkpoint says is missing (fewer bytes) or changed (other bytes)."""
        if checkpoint is None:
            return
        have, said = start + len(block), checkpoint["bytes"]
        if have < said:
            events = max(checkpoint["events"] - self.lines, 1)
            self.loss = (f"holds {self.lines} decision events but its checkpoint says "
                         f"{checkpoint['events']}: at least {events} lost (the file was emptied "
                         "or cut short)")
        elif start <= said:  # the checkpoint falls in what was just read: compare the hash
            digest = self._hash.copy()
            digest.update(block[:said - start])
            if digest.hexdigest() != checkpoint["sha256"]:
                self.loss = (f"differs from its checkpoint in its first {said} bytes (events "
                             "were changed or removed)")

    def problem(self) -> DamagedFile | None:
        """What is wrong with this file's content (it is read all the same), or None."""
        if self.loss is None and not self.bad:
            return None
        parts = [self.loss] if self.loss else []
        if self.bad:
            shown = "; ".join(self.bad[:MAX_BAD_SHOWN])
            more = f" (+{len(self.bad) - MAX_BAD_SHOWN} more)" if len(self.bad) > MAX_BAD_SHOWN else ""
            parts.append(f"has {len(self.bad)} record{'s' if len(self.bad) > 1 else ''} of the "
                         f"wrong shape, skipped: {shown}{more}")
        hint = ("dynotui never rewrites it and counts the events still in it. Restore it from a "
                "backup to get the lost ones back." if self.loss else
                "dynotui never rewrites it and counts its other events. Fix or delete those lines "
                "with a text editor to count them too.")
        return DamagedFile(f"Store file {self.path} {'; it '.join(parts)}.", hint)

    def read(self) -> dict[str, Any]:
        self.load_new()
        return {MARKER: {"1": self.header or {}},
                TABLE: {str(i): doc for i, doc in enumerate(self.docs, 1)}}

    # -- writing --------------------------------------------------------------------------
    def write(self, data: dict[str, Any]) -> None:
        table = data.get(TABLE, {})
        new = [table[key] for key in sorted(table, key=int) if int(key) > len(self.docs)]
        if len(table) - len(new) != len(self.docs):
            raise StoreError(f"Refusing to rewrite events in {self.path}: events are append-only.",
                             "This is a bug in dynotui; nothing was written.")
        self.append(new)

    def own(self) -> bool:
        """Become the file's only writer (False when a live process writes it)."""
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def complete(self) -> bool:
        """Every byte read as whole lines: appending cannot glue onto a torn line."""
        return (self.header is not None and self._fd is not None
                and os.fstat(self._fd).st_size == self._offset)

    def append(self, docs: list[dict[str, Any]]) -> None:
        """Append events; durable (fdatasync) when this returns. Call own() first."""
        if not docs:
            return
        blob = json_lines(docs)
        if self._fd is None:
            raise StoreError(f"Not the writer of {self.path}.", "This is a bug in dynotui.")
        try:
            append_whole(self._fd, blob)  # one write: a kill leaves all or nothing
        except OSError as exc:
            raise StoreError(f"Cannot save the decision to {self.path}: {exc.strerror}.",
                             "Check free disk space and permissions; the decision was not "
                             "saved.") from exc
        self._offset += len(blob)
        self._hash.update(blob)
        self.lines += len(docs)
        self.docs.extend(docs)
        self._write_checkpoint()

    def _write_checkpoint(self) -> None:
        """Events, bytes and hash so far, in place beside the file (after the data is durable)."""
        record = json.dumps({"events": self.lines, "bytes": self._offset,
                             "sha256": self._hash.hexdigest()}).encode()
        record = record.ljust(CHECKPOINT_SIZE - 1) + b"\n"
        try:
            if self._ckpt_fd is None:
                self._ckpt_fd = os.open(checkpoint_path(self.path), os.O_WRONLY | os.O_CREAT, 0o644)
            os.pwrite(self._ckpt_fd, record, 0)
        except OSError:
            pass  # the events are saved; a missing checkpoint only means less is checked

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._ckpt_fd is not None:
            os.close(self._ckpt_fd)
            self._ckpt_fd = None
