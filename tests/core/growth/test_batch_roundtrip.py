"""Batch generation: write the queue as an OpenAI Batch file, run it through a loopback Batch
API, collect -> the same proposals as a live run on the same answers; results files from
elsewhere are ingested with bad lines kept and explained."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from batchserver import BatchAPI  # noqa: E402
from llmserver import LLMServer, fields_of, tasks_json  # noqa: E402

SAMPLES = ["sst-mini", "news-topics", "reading-qa", "entailment-pairs"]
COMPARED = ("id", "dataset", "config", "revision", "task", "variant", "prompt_version", "model",
            "verdicts", "raw_answer", "tokens_in", "tokens_out", "cost_usd", "temperature")


def responder(body: dict) -> str:
    """Deterministic answers; one dataset gets prose, which must fail the same way everywhere."""
    prompt = body["messages"][-1]["content"]
    if '"name": "reading-qa"' in prompt:
        return "I am sorry, I cannot propose tasks for this dataset."
    return tasks_json(fields_of(body), n=2, prefix="Read carefully. ")


@pytest.fixture
def llm():
    with LLMServer(responder=responder, model="test-model") as server:
        server.batch = BatchAPI(server)
        yield server


def _settings(workspace: Path, llm: LLMServer):
    from dynotui.config import load_settings

    settings = load_settings(workspace=workspace)
    settings.llm.base_url, settings.llm.api_key, settings.llm.model = llm.base_url, "sk-test", "test-model"
    settings.llm.prices = {"test-model": [1.0, 2.0]}
    return settings


def queue_samples(workspace: Path, names: list[str]):
    """A workspace whose crawl queue holds these bundled samples (as a crawl would leave it)."""
    from dynotui.core.growth.log import CrawlLog
    from dynotui.core.sources import load_meta, parse_ref
    from dynotui.core.store import Store

    store = Store(workspace)
    log = CrawlLog(workspace)
    log.append({"t": "stage", "stage": 1, "date": "2026-01-01", "query": {}})
    metas = []
    for name in names:
        meta = load_meta(parse_ref(f"sample:{name}"), rows=20)
        store.save_meta(meta)
        log.append({"t": "seen", "stage": 1, "id": meta.ref.id, "sha": meta.revision,
                    "key": meta.ref.key, "outcome": "queued", "reasons": []})
        metas.append(meta)
    log.close()
    return store, metas


def _view(store) -> dict[str, dict]:
    out = {}
    for p in store.proposals():
        data = p.to_dict()
        out[p.id] = {k: data[k] for k in COMPARED}
    return out


def test_batch_round_trip_equals_a_live_run(llm, tmp_path):
    from dynotui.core.growth import batchapi
    from dynotui.core.growth.batch import write_requests
    from dynotui.core.growth.log import history
    from dynotui.core.generation.run import generate

    # given the same queue in two workspaces
    live_store, metas = queue_samples(tmp_path / "live", SAMPLES)
    batch_store, _ = queue_samples(tmp_path / "batch", SAMPLES)
    # when one is generated live and the other written, submitted and collected as a batch
    live_settings = _settings(tmp_path / "live", llm)
    # One call at a time: when both variants answer the same task, which call's tokens the
    # kept proposal carries depends on arrival order, as it does for a batch file's order.
    live_settings.llm.concurrency = 1
    generate(metas, live_store, live_settings)
    settings = _settings(tmp_path / "batch", llm)
    llm.batch.hold()
    written = write_requests(batch_store, settings, tmp_path / "requests.jsonl")
    assert written.requests == 2 * len(SAMPLES) and written.datasets == len(SAMPLES)
    entry = batchapi.submit(batch_store, settings, tmp_path / "requests.jsonl")
    assert batchapi.status(batch_store, settings)["status"] in ("validating", "in_progress")
    with pytest.raises(Exception, match="not finished"):
        batchapi.collect(batch_store, settings)
    llm.batch.release()
    entry, reports = batchapi.collect(batch_store, settings, wait=True, poll=0.05, timeout=30)
    # then the batch produced exactly the live run's proposals, answer for answer
    assert entry["status"] == "completed" and entry["collected"]
    live, batch = _view(live_store), _view(batch_store)
    assert len(live) == len(batch) > 0
    assert live == batch
    assert {p.source for p in batch_store.proposals()} == {"batch"}
    # and the unparseable answer was kept with its reason, like a live one
    bad = [p for p in batch_store.proposals() if p.dataset == "sample:reading-qa"]
    assert bad and all(p.errors[0].rule == "unparseable" for p in bad)
    (report,) = reports
    assert report.answers == 2 * len(SAMPLES) and report.failed == {}
    assert report.cost_usd > 0 and report.tokens_in > 0
    # and the queue is settled: every dataset generated, counted in its stage
    assert history(batch_store.workspace).queue() == []
    (stage,) = history(batch_store.workspace).stages()
    assert stage["generated"] == len(SAMPLES)
    # and the request file is what the Batch API expects
    lines = [json.loads(x) for x in (tmp_path / "requests.jsonl").read_text().splitlines()]
    assert {tuple(sorted(x)) for x in lines} == {("body", "custom_id", "method", "url")}
    assert all(x["method"] == "POST" and x["url"] == "/v1/chat/completions" for x in lines)
    assert len({x["custom_id"] for x in lines}) == len(lines)
    # and the API key went to the server but was written nowhere in the workspace
    assert any("sk-test" in str(r["headers"]) for r in llm.requests)
    for path in batch_store.workspace.rglob("*"):
        if path.is_file():
            assert b"sk-test" not in path.read_bytes(), path


def _results(llm: LLMServer, requests_file: Path) -> list[str]:
    """What `vllm run-batch` would write: the answers in the Batch output format."""
    import urllib.request

    out = []
    for n, line in enumerate(requests_file.read_text().splitlines()):
        request = json.loads(line)
        req = urllib.request.Request(llm.base_url + "/chat/completions",
                                     data=json.dumps(request["body"]).encode(),
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = json.loads(resp.read())
        out.append(json.dumps({"id": f"vllm-{n}", "custom_id": request["custom_id"],
                               "response": {"status_code": 200, "request_id": f"r{n}",
                                            "body": body}, "error": None}))
    return out


def test_ingest_keeps_bad_lines_with_their_reasons(llm, tmp_path):
    from dynotui.core.growth.batch import ingest, write_requests
    from dynotui.core.durable import JsonLines

    store, metas = queue_samples(tmp_path / "ws", ["sst-mini", "news-topics"])
    settings = _settings(tmp_path / "ws", llm)
    write_requests(store, settings, tmp_path / "requests.jsonl")
    good = _results(llm, tmp_path / "requests.jsonl")
    first = json.loads(good[0])
    # given a results file with good answers and four kinds of bad line
    stale = dict(first, custom_id=first["custom_id"].replace("@", "@old-"))
    failed = dict(first, response={"status_code": 500, "body": {"error": "boom"}})
    lines = good[1:] + ["{not json", json.dumps(dict(first, custom_id="someone-else-1")),
                        json.dumps(stale), json.dumps(failed), ""]
    (tmp_path / "results.jsonl").write_text("\n".join(lines) + "\n")
    # when it is ingested
    report = ingest(store, settings, tmp_path / "results.jsonl")
    # then the good answers became proposals and each bad line was kept with its reason
    assert report.answers == len(good) - 1
    assert report.proposals == 2 * (len(good) - 1)
    assert report.failed == {"bad line": 1, "unknown request": 1, "stale request": 1,
                             "no answer": 1}
    kept = JsonLines(report.failed_file).read()
    assert [k["line"] for k in kept] == [len(good), len(good) + 1, len(good) + 2, len(good) + 3]
    assert "HTTP 500" in kept[-1]["reason"] and kept[0]["raw"] == "{not json"
    # and ingesting the same file again stores nothing twice
    before = store.count_proposals()
    again = ingest(store, settings, tmp_path / "results.jsonl")
    assert again.cached == again.answers and store.count_proposals() == before
    # and the missing answer can come later from another file; then the queue is settled
    (tmp_path / "rest.jsonl").write_text(good[0] + "\n")
    from dynotui.core.growth.log import history

    assert report.generated == 1 and len(history(store.workspace).queue()) == 1
    last = ingest(store, settings, tmp_path / "rest.jsonl")
    assert last.proposals == 2 and last.generated == 1
    assert history(store.workspace).queue() == []


def test_generate_queued_works_through_the_queue(llm, tmp_path):
    from dynotui.core.growth.log import history
    from dynotui.core.growth.queue import generate_queued

    store, metas = queue_samples(tmp_path / "ws", ["sst-mini", "ner-tokens"])
    report = generate_queued(store, _settings(tmp_path / "ws", llm), concurrency=4)
    assert report.queued == 2 and report.settled == 2 and report.missing == []
    assert report.generation.count("done") == 4
    assert history(store.workspace).queue() == []
    assert len(llm.chat_requests()) == 4
    again = generate_queued(store, _settings(tmp_path / "ws", llm))
    assert again.queued == 0 and len(llm.chat_requests()) == 4


def test_cli_write_and_ingest(llm, tmp_path):
    workspace = tmp_path / "ws"
    queue_samples(workspace, ["sst-mini"])
    env = {**os.environ, "DYNOTUI_WORKSPACE": str(workspace), "OPENAI_BASE_URL": llm.base_url,
           "OPENAI_API_KEY": "sk-test"}
    cmd = [sys.executable, "-m", "dynotui", "batch"]
    out = subprocess.run(cmd + ["write", "--out", str(tmp_path / "req.jsonl"), "--json",
                                "--model", "test-model"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["requests"] == 2
    (tmp_path / "res.jsonl").write_text("\n".join(_results(llm, tmp_path / "req.jsonl")) + "\nnope\n")
    out = subprocess.run(cmd + ["ingest", str(tmp_path / "res.jsonl")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Ingested" in out.stdout and "failed line 1: bad line" in out.stdout
    missing = subprocess.run(cmd + ["write", "--out", str(tmp_path / "x.jsonl")],
                             env={**env, "DYNOTUI_MODEL": ""}, capture_output=True, text=True,
                             timeout=120)
    assert missing.returncode == 2 and "needs a model name" in missing.stderr


def test_an_unreachable_batch_api_is_a_clear_error(tmp_path):
    import socket

    from dynotui.core.growth import batchapi
    from dynotui.core.errors import ConfigError, LLMError

    store, _ = queue_samples(tmp_path / "ws", ["sst-mini"])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens here now
    from dynotui.config import load_settings

    settings = load_settings(workspace=tmp_path / "ws")
    settings.llm.base_url, settings.llm.retries, settings.llm.model = \
        f"http://127.0.0.1:{port}/v1", 0, "m"
    (tmp_path / "r.jsonl").write_text('{"custom_id": "x"}\n')
    with pytest.raises(LLMError, match=f"Submitting the batch at http://127.0.0.1:{port}/v1 failed"):
        batchapi.submit(store, settings, tmp_path / "r.jsonl")
    with pytest.raises(ConfigError, match="No submitted batch"):
        batchapi.status(store, settings)
    with pytest.raises(ConfigError, match="No requests in"):
        batchapi.submit(store, settings, tmp_path / "missing.jsonl")


def test_cli_generate_queued_empties_the_queue(llm, tmp_path, monkeypatch, capsys):
    from dynotui.cli import main
    from dynotui.core.growth.log import history

    workspace = tmp_path / "ws"
    queue_samples(workspace, ["sst-mini", "news-topics"])
    monkeypatch.setenv("OPENAI_BASE_URL", llm.base_url)
    monkeypatch.setenv("DYNOTUI_MODEL", "test-model")
    assert main(["generate", "--queued", "--workspace", str(workspace), "--json"]) == 0
    assert len(llm.chat_requests()) == 4
    assert history(workspace).queue() == []
    (stage,) = history(workspace).stages()
    assert stage["generated"] == 2
    # and `dynotui stats` shows the stage with its counts
    capsys.readouterr()
    assert main(["stats", "--workspace", str(workspace)]) == 0
    shown = [x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("stage 1 ")]
    assert len(shown) == 1 and "queued 2" in shown[0] and "generated 2" in shown[0]
