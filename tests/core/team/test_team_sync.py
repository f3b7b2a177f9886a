"""Two annotators in two folders share a workspace through the loopback Hub, with the real
huggingface_hub client (create_repo, preupload, commit, snapshot_download)."""

from __future__ import annotations

import json

import pytest

from dynotui.cli import main
from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store
from hubserver import HubServer
from teamkit import TABLE, decide_table, team_proposals

WRITE, READ = "hf_write_token", "hf_read_token"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def hub(tmp_path, monkeypatch):
    with HubServer(token=WRITE) as server:
        server.add_token(READ, "read")
        for key, value in server.env(tmp_path / "hf").items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("HF_TOKEN", WRITE)
        yield server


def stats(capsys, ws) -> dict:
    code, out, _ = cli(capsys, "stats", "--json", "--workspace", str(ws))
    assert code == 0
    return json.loads(out)


def fail_nth(hub, wanted, n: int, status: int, text: str) -> list[str]:
    """The loopback Hub answers the n-th request `wanted` picks with an error; returns the
    paths of the picked requests, as they arrive."""
    seen: list[str] = []

    def hook(handler) -> bool:
        if wanted(handler):
            seen.append(handler.path)
            if len(seen) == n:
                handler._error(status, text)
                return True
        return False

    hub.hooks.append(hook)
    return seen


def sync(capsys, ws, who: str, *extra: str) -> tuple[int, dict | str]:
    code, out, err = cli(capsys, "sync", "--hub", "team/curation", "--workspace", str(ws),
                         "--annotator", who, "--json", *extra)
    return code, json.loads(out) if code == 0 else err


def test_given_two_annotators_when_they_sync_both_ways_then_both_hold_the_same_state(
        hub, tmp_path, capsys):
    a, b = tmp_path / "alice", tmp_path / "bob"
    with Store(a, annotator="alice") as store:
        props = team_proposals(store)
    decide_table(a, props, {"alice": TABLE["alice"]})
    extra = Proposal("sample:sst-mini", Task("Is the review positive?", ["text"], "label"))
    with Store(b, annotator="bob") as store:  # two of alice's proposals, made here too
        store.add_proposals([Proposal(p.dataset, p.task, config=p.config, revision=p.revision)
                             for p in props[:2]] + [extra])
    decide_table(b, props[:2] + [extra], {"bob": ["accept", ("reject", "vague"), "accept"]})

    code, first = sync(capsys, a, "alice")
    assert code == 0 and first["pushed_files"] == 6 and first["pulled_files"] == 0
    code, second = sync(capsys, b, "bob")
    assert code == 0 and second["proposals"] == 4 and second["event_files"] == 1
    code, third = sync(capsys, a, "alice")
    assert code == 0 and third["proposals"] == 1 and third["event_files"] == 1
    assert stats(capsys, a) == stats(capsys, b)
    assert stats(capsys, a)["proposals"] == 7  # the two made in both places count once
    assert stats(capsys, a)["decisions"]["by_annotator"] == {"alice": 5, "bob": 3}

    # more work on one side travels on the next round; nothing is pushed twice
    decide_table(b, props, {"bob": TABLE["bob"]})
    assert sync(capsys, b, "bob")[1]["pushed_files"] == 1
    assert sync(capsys, a, "alice")[1]["pushed_files"] == 0
    assert stats(capsys, a) == stats(capsys, b)
    code, agreement, _ = cli(capsys, "agreement", "--json", "--workspace", str(a))
    assert json.loads(agreement)["pairs"][0]["both"] == 5
    with Store(a) as sa, Store(b) as sb:  # cached metadata came along: rows render offline
        assert sb.dataset_keys() == sa.dataset_keys() and len(sa.dataset_keys()) == 5
    paths = {p for repo, _, paths in hub.commits for p in paths}
    assert {p.split("/")[0] for p in paths} == {"decisions", "datasets"}
    assert len(hub.commits) == 3


def test_given_a_read_only_token_then_sync_pulls_and_says_it_cannot_write(hub, tmp_path,
                                                                          capsys, monkeypatch):
    a, c = tmp_path / "alice", tmp_path / "carol"
    with Store(a, annotator="alice") as store:
        props = team_proposals(store)[:2]
        store.decide(props[0].id, "accept")
    assert sync(capsys, a, "alice")[0] == 0
    with Store(c, annotator="carol") as store:
        store.add_proposals(props)
        store.decide(props[0].id, "reject")
    monkeypatch.setenv("HF_TOKEN", READ)
    code, err = sync(capsys, c, "carol")
    assert code == 2 and "cannot write to team/curation" in err and "write access" in err
    assert "Traceback" not in err
    with Store(c, annotator="carol") as store:  # the pull was merged; carol's own work kept
        assert store.annotators() == ["alice", "carol"]
        assert store.status(props[0].id) == "rejected"
    monkeypatch.delenv("HF_TOKEN")
    code, err = sync(capsys, c, "carol")
    assert code == 2 and "Without a token, you cannot write" in err


def test_given_a_sync_interrupted_between_commits_then_running_it_again_finishes(
        hub, tmp_path, capsys, monkeypatch):
    from dynotui.core.team import sync as team_sync

    monkeypatch.setattr(team_sync, "CHUNK_FILES", 2)  # 6 files: three commits
    a = tmp_path / "alice"
    with Store(a, annotator="alice") as store:
        props = team_proposals(store)
        store.decide_many([p.id for p in props], "accept")
    fail_nth(hub, lambda handler: "/commit/" in handler.path, 2, 500, "the Hub fell over")
    code, err = sync(capsys, a, "alice")
    assert code == 2 and "server error (500)" in err and "Traceback" not in err
    assert len(hub.commits) == 1 and len(hub.commits[0][2]) == 2
    code, report = sync(capsys, a, "alice")
    assert code == 0 and report["pushed_files"] == 4  # only what had not arrived
    assert sync(capsys, a, "alice")[1]["pushed_files"] == 0
    b = tmp_path / "bob"
    assert sync(capsys, b, "bob")[1]["proposals"] == 6
    assert stats(capsys, a) == stats(capsys, b)


def test_given_a_bad_repo_id_or_offline_mode_then_a_clear_error(hub, tmp_path, capsys,
                                                               monkeypatch):
    code, _, err = cli(capsys, "sync", "--hub", "no-slash", "--workspace", str(tmp_path))
    assert code == 2 and "not a Hub repo id" in err
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, _, err = cli(capsys, "sync", "--hub", "team/x", "--workspace", str(tmp_path))
    assert code == 2 and "offline" in err and "Traceback" not in err


def test_given_a_pull_interrupted_midway_then_the_next_sync_downloads_only_the_rest(
        hub, tmp_path, capsys):
    a, b = tmp_path / "alice", tmp_path / "bob"
    with Store(a, annotator="alice") as store:
        props = team_proposals(store)
        store.decide_many([p.id for p in props], "accept")
    assert sync(capsys, a, "alice")[1]["pushed_files"] == 6
    served = fail_nth(hub, lambda handler: handler.command == "GET" and "/resolve/" in handler.path,
                      3, 403, "connection to the storage dropped")
    code, err = sync(capsys, b, "bob")
    assert code == 2 and "Traceback" not in err
    got = len(served) - 1
    hub.hooks.clear()
    served.clear()
    hub.hooks.append(lambda handler: served.append(handler.path) if handler.command == "GET"
                     and "/resolve/" in handler.path else False)
    code, report = sync(capsys, b, "bob")
    assert code == 0 and report["pulled_files"] == 6 - got == len(served)
    assert stats(capsys, a)["by_status"] == stats(capsys, b)["by_status"]


def test_given_private_then_the_repo_is_private_and_a_tokenless_pull_says_so(
        hub, tmp_path, capsys, monkeypatch):
    a = tmp_path / "alice"
    with Store(a, annotator="alice") as store:
        store.add_proposals([Proposal("sample:sst-mini", Task("Say it.", ["text"], "label"))])
    assert sync(capsys, a, "alice", "--private")[0] == 0
    assert hub.repos["team/curation"].private
    monkeypatch.delenv("HF_TOKEN")
    code, err = sync(capsys, tmp_path / "bob", "bob", "--pull-only")
    assert code == 2 and "not found" in err and "private" in err and "HF_TOKEN" in err
    monkeypatch.setenv("HF_TOKEN", READ)  # a read token is enough to pull
    code, report = sync(capsys, tmp_path / "bob", "bob", "--pull-only")
    assert code == 0 and report["proposals"] == 1 and report["pushed_files"] == 0
