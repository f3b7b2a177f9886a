"""Crawl a loopback Hub of a few hundred generated datasets: killed mid-way and run again, every
dataset is seen exactly once, verdict counts add up, nothing is queued twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from hubfleet import make_fleet, serve  # noqa: E402
from hubserver import HubServer  # noqa: E402

N = 240
PAGE = 40


@pytest.fixture(scope="module")
def fleet():
    return make_fleet(N, seed=7, ok_weight=15)


@pytest.fixture(scope="module")
def server(fleet, tmp_path_factory):
    from huggingface_hub import HfFileSystem

    # one endpoint for the module: fsspec keeps HfFileSystem state made for earlier endpoints
    HfFileSystem.clear_instance_cache()
    with HubServer(page_size=PAGE) as hub:
        serve(hub, fleet)
        hub.home = tmp_path_factory.mktemp("hf")
        yield hub


@pytest.fixture
def hub(server, fleet, monkeypatch):
    """The module's Hub, reset: the generated fleet, no faults or hooks, an empty request log."""
    serve(server, fleet)
    server.clear_faults()
    server.hooks.clear()
    server.requests.clear()
    for key, value in server.env(server.home).items():
        monkeypatch.setenv(key, value)
    yield server
    server.clear_faults()
    server.hooks.clear()


def _log(workspace: Path) -> list[dict]:
    from dynotui.core.growth.log import CrawlLog

    return CrawlLog(workspace).read()


def _crawl(workspace: Path, **kwargs):
    from dynotui.config import load_settings
    from dynotui.core.growth.crawl import crawl
    from dynotui.core.store import Store

    settings = load_settings(workspace=workspace)
    return crawl(Store(workspace), settings, **kwargs)


def _detail_calls(hub: HubServer) -> Counter:
    """Per dataset id: how many times it was opened (its info route)."""
    out: Counter = Counter()
    for method, path, _ in hub.requests:
        if method == "GET" and "/revision/" in path and path.startswith("/api/datasets/"):
            out[path.split("/api/datasets/")[1].split("/revision/")[0]] += 1
    return out


def _listing_calls(hub: HubServer) -> int:
    return sum(1 for m, p, _ in hub.requests if m == "GET" and p.split("?")[0] == "/api/datasets")


def test_killed_crawl_resumes_and_sees_every_dataset_once(hub, fleet, tmp_path):
    # given a crawl running as the real command in its own process
    workspace = tmp_path / "ws"
    env = {**os.environ, "DYNOTUI_WORKSPACE": str(workspace)}
    proc = subprocess.Popen([sys.executable, "-m", "dynotui", "crawl", "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # when it is SIGKILLed once it has recorded a good part of the listing
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        seen = [r for r in _log(workspace) if r["t"] == "seen"]
        if len(seen) >= N // 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, f"the crawl ended before it could be killed: {proc.stderr.read()!r}"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    first = [r for r in _log(workspace) if r["t"] == "seen"]
    assert N // 3 <= len(first) < N
    opened_before = _detail_calls(hub)
    # and the same crawl is run again
    report = _crawl(workspace)
    # then the second run continued the same stage and finished the listing
    assert report.resumed and report.finished and report.stage == 1, report.error
    assert report.seen == N - len(first)  # it recorded only what the killed run had not
    records = [r for r in _log(workspace) if r["t"] == "seen"]
    ids = Counter(r["id"] for r in records)
    assert set(ids) == {r.id for r in fleet}
    assert max(ids.values()) == 1, [i for i, n in ids.items() if n > 1]
    # and the verdict counts add up to what each generated dataset was made to fail
    expected = Counter(r.expect for r in fleet)
    outcomes = Counter(r["outcome"] for r in records)
    reasons = Counter(r["reasons"][0] for r in records if r["outcome"] == "skipped")
    assert outcomes["queued"] == expected[""]
    assert dict(reasons) == {k: v for k, v in expected.items() if k}
    assert sum(outcomes.values()) == N
    # and no dataset was opened twice, except those in flight when the kill came
    opened = _detail_calls(hub)
    again = [i for i in opened_before if opened[i] > opened_before[i]]
    assert len(again) <= 8 * 2, again
    assert all(opened[r.id] == 0 for r in fleet if r.expect), "a listing verdict cost a call"
    # and the stage summary agrees with the log
    from dynotui.core.growth.log import history

    (stage,) = history(workspace).stages()
    assert stage["seen"] == N and stage["queued"] == expected[""] and stage["runs"] == 2
    queue = history(workspace).queue()
    assert len(queue) == expected[""] == len({q.key for q in queue})
    # and generating the queue asks once per dataset and variant, and never again
    _generate_queue_once(workspace, len(queue))


def _generate_queue_once(workspace: Path, queued: int) -> None:
    from llmserver import LLMServer

    from dynotui.config import load_settings
    from dynotui.core.growth.log import history
    from dynotui.core.growth.queue import generate_queued
    from dynotui.core.store import Store

    with LLMServer() as llm:
        settings = load_settings(workspace=workspace)
        settings.llm.base_url, settings.llm.model = llm.base_url, "test-model"
        store = Store(workspace)
        report = generate_queued(store, settings)
        asked = [(r["messages"][-1]["content"], r["messages"][0]["content"])
                 for r in llm.chat_requests()]
        assert report.settled == queued and len(asked) == len(set(asked)) == 2 * queued
        assert history(workspace).queue() == []
        assert generate_queued(store, settings).queued == 0
        assert len(llm.chat_requests()) == 2 * queued
        ids = [p.id for p in store.proposals()]
        assert len(ids) == len(set(ids)) and {p.dataset for p in store.proposals()} == \
            {f"hub:{q}" for q in {r["id"] for r in _log(workspace) if r.get("outcome") == "queued"}}


def test_second_crawl_skips_unchanged_and_requeues_new_revisions(hub, fleet, tmp_path):
    from hubfleet import bump

    from dynotui.core.growth.log import history
    from dynotui.core.store import Store

    workspace = tmp_path / "ws"
    # given a finished crawl
    first = _crawl(workspace, search="org1")
    subset = [r for r in fleet if "org1" in r.id]
    assert first.finished and first.seen == len(subset)
    # when two passing datasets get a new revision and the crawl is run again
    changed = [r for r in subset if not r.expect][:2]
    for repo in changed:
        new = bump(repo)
        hub.add_dataset(new.id, new.files, sha=new.sha, downloads=new.downloads)
    calls = len(hub.requests)
    second = _crawl(workspace, search="org1")
    # then it is a new stage that re-opened only the changed datasets
    assert second.stage == first.stage + 1 and not second.resumed
    why = [r["verdicts"] for r in _log(workspace) if r.get("stage") == second.stage and r.get("fetched")]
    assert second.unchanged == len(subset) - 2 and second.queued == 2, why
    opened = Counter(p.split("/revision/")[0] for _, p, _ in hub.requests[calls:] if "/revision/" in p)
    assert set(opened) == {f"/api/datasets/{r.id}" for r in changed}
    # and the queue holds each dataset once, at its newest revision
    queue = history(workspace).queue()
    assert len(queue) == first.queued
    newest = {q.id: q.sha for q in queue}
    assert all(newest[r.id] != r.sha for r in changed)
    assert Store(workspace).load_meta(f"hub:{changed[0].id}/default").revision == newest[changed[0].id]


def test_rate_limits_and_server_errors_are_retried(hub, fleet, tmp_path):
    workspace = tmp_path / "ws"
    # given a Hub that rate-limits the listing and fails some file downloads
    hub.fault(r"^/api/datasets$", status=429, times=2, headers={"Retry-After": "0"})
    hub.fault(r"/resolve/.*/data/train\.jsonl$", status=503, times=3, method="GET")
    # when crawling
    report = _crawl(workspace, search="org2", retries=4)
    # then nothing was lost: every dataset was recorded and the passing ones queued
    subset = [r for r in fleet if "org2" in r.id]
    assert report.finished and report.error == "" and report.failed == 0
    assert report.seen == len(subset)
    assert report.queued == sum(1 for r in subset if not r.expect)
    assert sum(1 for m, p, _ in hub.requests if p.startswith("/api/datasets?")) >= 3


def test_a_listing_that_keeps_failing_stops_cleanly_and_resumes(hub, fleet, tmp_path):
    workspace = tmp_path / "ws"
    # given a Hub whose second listing page keeps failing
    def second_page_fails(handler) -> bool:
        if handler.path.startswith("/api/datasets?") and "cursor=" in handler.path:
            handler._error(500, "internal error")
            return True
        return False

    hub.hooks.insert(0, second_page_fails)
    # when crawling
    report = _crawl(workspace, retries=1)
    # then the crawl stops with a clear error after the first page, keeping its place
    assert report.stopped == "error" and not report.finished
    assert "run the same command again" in report.error
    assert report.seen == PAGE and report.pages == 1
    # and once the Hub recovers, the same crawl continues from the failed page
    hub.hooks.remove(second_page_fails)
    again = _crawl(workspace)
    assert again.resumed and again.finished and again.stage == report.stage
    ids = Counter(r["id"] for r in _log(workspace) if r["t"] == "seen")
    assert len(ids) == N and max(ids.values()) == 1


def test_dry_run_opens_and_writes_nothing(hub, fleet, tmp_path):
    workspace = tmp_path / "ws"
    report = _crawl(workspace, dry_run=True, limit=60)
    assert report.dry_run and report.stage is None
    assert report.seen + report.would_fetch == 60
    assert sum(report.skipped.values()) == sum(1 for r in fleet[:60] if r.expect)
    assert _detail_calls(hub) == Counter()
    assert not (workspace / "crawl").exists()


def test_limit_stops_and_the_next_run_continues(hub, fleet, tmp_path):
    workspace = tmp_path / "ws"
    first = _crawl(workspace, search="org3", limit=10)
    assert first.stopped == "limit" and first.seen == 10 and not first.finished
    second = _crawl(workspace, search="org3")
    subset = [r for r in fleet if "org3" in r.id]
    assert second.resumed and second.finished and second.seen == len(subset) - 10
    assert second.stage == first.stage


def test_since_with_newest_first_sort_stops_early(hub, fleet, tmp_path):
    workspace = tmp_path / "ws"
    report = _crawl(workspace, sort="modified", since="2024-11-01", dry_run=True)
    recent = [r for r in fleet if r.last_modified[:10] >= "2024-11-01"]
    assert report.finished
    assert report.seen + report.would_fetch == len(recent)


def test_bad_options_are_clear_errors(tmp_path):
    from dynotui.core.errors import DynoError

    with pytest.raises(DynoError, match="--since 'yesterday' is not a date"):
        _crawl(tmp_path / "ws", since="yesterday")
    with pytest.raises(DynoError, match="Unknown sort"):
        _crawl(tmp_path / "ws", sort="stars")


def test_cli_json_report(hub, fleet, tmp_path, capsys):
    workspace = tmp_path / "ws"
    out = subprocess.run([sys.executable, "-m", "dynotui", "crawl", "--json", "--search", "org4",
                          "--limit", "12"], env={**os.environ, "DYNOTUI_WORKSPACE": str(workspace)},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["seen"] == 12 and data["stage"] == 1 and data["stopped"] == "limit"
    from dynotui.cli import main

    assert main(["crawl", "--stages", "--workspace", str(workspace)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("stage 1 ") and "[search=org4, sort=downloads]" in lines[0]
    assert "seen 12," in lines[0] and "generated 0" in lines[0]


def test_a_second_crawl_at_the_same_time_is_refused(hub, tmp_path):
    from filelock import FileLock

    from dynotui.core.errors import StoreError

    workspace = tmp_path / "ws"
    (workspace / "crawl").mkdir(parents=True)
    with FileLock(str(workspace / "crawl" / ".lock")):
        with pytest.raises(StoreError, match="Another crawl is running"):
            _crawl(workspace, search="org5")
    assert _crawl(workspace, search="org5").finished


def test_task_category_filters_the_listing(hub, fleet, tmp_path):
    report = _crawl(tmp_path / "ws", task_category="translation", dry_run=True)
    translations = [r for r in fleet if r.kind == "translation"]
    assert translations and report.finished
    assert report.seen == len(translations) and report.skipped == {"english": len(translations)}
    assert all("filter=task_categories%3Atranslation" in p for _, p, _ in hub.requests)
