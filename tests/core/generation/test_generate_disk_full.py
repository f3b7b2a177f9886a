"""A disk that fills up while generating: temps removed, the run stops, and an answer already
paid for is not asked again in the same process."""

from __future__ import annotations

import errno
import json
import os

import pytest
from genmeta import reviews_meta
from llmserver import LLMServer, reply

from dynotui.config import load_settings
from dynotui.core.errors import StoreError
from dynotui.core.generation.run import generate
from dynotui.core.llm.openai_compat import forget_modes
from dynotui.core.store import Store

GOOD = {"instruction": "Decide whether the review text is positive or negative.",
        "input_fields": ["text"], "output_field": "label"}


def _disk_full_for_temp_files(monkeypatch):
    """os.write on the store's temp files fails with ENOSPC (other writes go through)."""
    real = os.write

    def write(fd, data):
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            name = ""
        if ".tmp-" in name:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)


def _workspace(tmp_path, monkeypatch, server: LLMServer, concurrency: int):
    """Settings that call `server`, without retries, and the workspace's Store."""
    forget_modes()
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("DYNOTUI_MODEL", "gpt-4o-mini")
    monkeypatch.setenv("DYNOTUI_CONFIG", os.devnull)
    settings = load_settings(workspace=tmp_path / "ws")
    settings.llm.retries, settings.llm.concurrency = 0, concurrency
    return settings, Store(settings.workspace)


def test_a_full_disk_stops_the_run_removes_temps_and_keeps_the_answer(tmp_path, monkeypatch):
    with LLMServer() as server:
        settings, store = _workspace(tmp_path, monkeypatch, server, concurrency=1)
        server.script(reply(json.dumps({"tasks": [GOOD]})), reply(json.dumps({"tasks": [GOOD]})))
        meta = reviews_meta(revision="abc")
        # given a disk that is full when the answer is to be stored
        with monkeypatch.context() as full:
            _disk_full_for_temp_files(full)
            # when generating both variants, then the run stops at the first failed write
            with pytest.raises(StoreError) as err:
                generate([meta], store, settings)
        assert "No space left on device" in err.value.message
        # the run stopped: at most the call already waiting for its turn was made
        assert len(server.requests) <= 2
        assert not list(settings.workspace.rglob(".*.tmp-*"))  # no temp file left behind
        assert store.proposals() == []
        # when the disk has room again and the same process asks again
        report = generate([meta], store, settings)
        # then the answers already paid for are stored, not asked again: two calls in all
        assert len(server.requests) == 2
        assert len(store.proposals()) >= 1 and report.count("done") == 2


def test_an_answer_on_its_way_when_the_disk_fills_is_kept_not_paid_again(tmp_path, monkeypatch):
    with LLMServer() as server:
        settings, store = _workspace(tmp_path, monkeypatch, server, concurrency=2)
        # given two calls sent together, one answered at once and one a second later
        answer = json.dumps({"tasks": [GOOD]})
        server.script(reply(answer), reply(answer, delay=1.0))
        meta = reviews_meta(revision="abc")
        # when the first answer's write finds the disk full while the second is on its way
        with monkeypatch.context() as full:
            _disk_full_for_temp_files(full)
            with pytest.raises(StoreError):
                generate([meta], store, settings)
        assert len(server.requests) == 2
        # then, once there is room, the same process stores both answers without asking again
        report = generate([meta], store, settings)
        assert len(server.requests) == 2
        assert report.count("done") == 2 and len(store.proposals()) >= 1
