"""Decision events: an append-only JSON-lines file per session, as a TinyDB storage.

Each write appends the new events with one write() and fdatasync(): O(1) whatever the size
of the workspace (the atomic replace costs two more fsyncs, see bench/store.py). A SIGKILL
cannot split one write() of a regular file, so a line is either whole or absent; readers
only take lines that end in a newline, so a line still being written is picked up later.
A writer holds an flock on its file for as long as it writes, so no two processes ever
append to one file; the kernel drops the lock when the writer dies, and the next session of
that annotator may continue the file (fewer, fuller files) once it has read it whole.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from dynotui.core.errors import StoreError
from dynotui.core.store.files import MARKER, create_exclusive, file_error

KIND = "events"
_datasync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync
TABLE = "events"


class EventLog(Storage):
    """One events file. Reading is incremental (only bytes appended since the last read)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.header: dict[str, Any] | None = None
        self.docs: list[dict[str, Any]] = []
        self._offset = 0
        self._ino: int | None = None
        self._fd: int | None = None

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
        if reset:
            self.header, self.docs, self._offset = None, [], 0
        self._ino = st.st_ino
        if st.st_size == self._offset:
            return reset, []
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self._offset)
                chunk = fh.read(st.st_size - self._offset)
        except OSError as exc:
            raise StoreError(f"Cannot read store file {self.path}: {exc.strerror}.",
                             "Check the file's permissions.") from exc
        end = chunk.rfind(b"\n") + 1  # a line without its newline is still being written
        new: list[dict[str, Any]] = []
        pos = self._offset
        before = (self.header is not None) + len(self.docs)  # whole lines read so far
        for lineno, line in enumerate(chunk[:end].split(b"\n")[:-1], 1):
            where, pos = pos, pos + len(line) + 1
            try:
                doc = json.loads(line)
            except (ValueError, UnicodeDecodeError) as exc:
                error = file_error(self.path, f"is corrupt at line {before + lineno}, byte "
                                   f"{where} ({exc})")
                # the lines before and after it are good decisions: moving it aside drops them
                error.hint = (f"dynotui never overwrites it. Fix or delete line {before + lineno}"
                              " with a text editor, then run again; the rest of the workspace "
                              "stays usable.")
                raise error from exc
            if self.header is None:
                if not isinstance(doc, dict) or doc.get(MARKER) != KIND:
                    raise file_error(self.path, "is not a dynotui events file (foreign content)")
                self.header = doc
            elif not isinstance(doc, dict) or "proposal" not in doc or "action" not in doc:
                raise file_error(self.path, f"has a foreign line {lineno} after byte {self._offset}")
            else:
                new.append(doc)
        if self.header is None and end == 0:
            # files are created whole with their header line, so this is damage or foreign
            raise file_error(self.path, "has no complete header line (truncated or foreign)")
        self._offset += end
        self.docs.extend(new)
        return reset, new

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
        blob = "".join(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n"
                       for d in docs).encode()
        if self._fd is None:
            raise StoreError(f"Not the writer of {self.path}.", "This is a bug in dynotui.")
        try:
            written = os.write(self._fd, blob)  # one write: a kill leaves all or nothing
            if written != len(blob):
                os.ftruncate(self._fd, self._offset)
                raise OSError(28, "short write (disk full?)")
            _datasync(self._fd)
        except OSError as exc:
            raise StoreError(f"Cannot save the decision to {self.path}: {exc.strerror}.",
                             "Check free disk space and permissions; the decision was not "
                             "saved.") from exc
        self._offset += len(blob)
        self.docs.extend(docs)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
