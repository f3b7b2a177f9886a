"""run_generation against the loopback LLM server with the real Store, and `dynotui generate`."""

from __future__ import annotations

import json
import threading

import pytest
from genmeta import reviews_meta, llm_workspace
from llmserver import HOSTILE, LLMServer, Peak, fail, reply, truncated

from dynotui.cli import main
from dynotui.config import load_settings
from dynotui.core.generation.run import cache_key, estimate, generate
from dynotui.core.llm import LLMUnavailable
from dynotui.core.llm.openai_compat import forget_modes
from dynotui.core.generation.prompts import PROMPT_VERSION, build_prompt, estimate_tokens
from dynotui.core.store import Store

GOOD = {"instruction": "Decide whether the review text is positive or negative.",
        "input_fields": ["text"], "output_field": "label"}


@pytest.fixture(autouse=True)
def _fresh_modes():
    forget_modes()


@pytest.fixture
def server():
    with LLMServer(refuse_json_schema=True) as srv:
        yield srv


@pytest.fixture
def ws(tmp_path, server, monkeypatch):
    return llm_workspace(server.base_url, tmp_path, monkeypatch)


def test_proposals_are_stored_with_their_provenance(server, ws):
    # given a dataset and a server answering one good and one overlapping task
    settings, store = ws
    bad = {**GOOD, "instruction": "Copy the label into itself.", "input_fields": ["label"]}
    server.script(reply(json.dumps({"tasks": [GOOD, bad]})), reply("[]"))
    meta = reviews_meta(revision="abc123")
    # when generating with both variants
    report = generate([meta], store, settings)
    # then both answers are stored, kept and rejected alike, with everything that made them
    props = {p.task.instruction.split(".")[0]: p for p in store.proposals("sample:reviews")}
    assert len(props) == 3
    good = props["Decide whether the review text is positive or negative"]
    assert good.valid and good.task.instruction.endswith("Answers must be one of negative, positive.")
    assert (good.dataset, good.split, good.revision, good.model, good.temperature) == (
        "sample:reviews", "train", "abc123", "gpt-4o-mini", 0.0)
    assert good.variant in ("aware", "unaware") and good.prompt_version == PROMPT_VERSION[good.variant]
    assert json.loads(good.raw_answer)["tasks"][0] == GOOD
    assert good.tokens_in > 0 and good.cost_usd > 0 and good.seconds > 0 and good.created > 0
    assert [v.rule for v in props["Copy the label into itself"].errors] == ["io_overlap"]
    empty = props[""]
    assert [v.rule for v in empty.verdicts] == ["no_tasks"] and empty.raw_answer == "[]"
    # and the tokens of a call are split over its proposals without loss
    assert sum(p.tokens_in for p in store.proposals()) == int(report.total("tokens_in"))
    assert report.rejected == {"io_overlap": 1, "no_tasks": 1} and report.total("kept") == 1


def test_the_same_revision_prompt_and_model_is_not_asked_twice(server, ws):
    settings, store = ws
    meta = reviews_meta()
    generate([meta], store, settings)
    assert len(server.chat_requests()) == 3  # one refused json_schema, then two variants
    report = generate([meta], store, settings)
    assert len(server.chat_requests()) == 3 and report.count("cached") == 2
    report = generate([meta], store, settings, force=True)
    assert len(server.chat_requests()) == 5 and report.count("done") == 2
    # forced answers repeat the tasks: rejected as duplicates and kept beside the originals,
    # except the unaware records, which are identical (same answer, variant, model) to stored ones
    assert report.rejected == {"duplicate": 4} and len(store.proposals()) == 6
    settings.llm.model = "another-model"
    generate([meta], store, settings, variants=("unaware",))
    assert len(server.chat_requests()) == 6
    assert store.generation_done(cache_key(meta, "unaware", "another-model"))


def test_aware_is_skipped_without_summary(server, ws):
    settings, store = ws
    report = generate([reviews_meta(summary="")], store, settings)
    [aware, unaware] = report.datasets[0].calls
    assert aware.status == "skipped" and aware.reason.startswith("no summary")
    assert unaware.status == "done" and len(server.chat_requests()) == 2


def test_cut_off_answers_keep_what_survives_with_a_warning(server, ws):
    settings, store = ws
    full = json.dumps({"tasks": [GOOD, {**GOOD, "instruction": "Another task about it."}]})
    server.script(truncated(full, len(full) - 30))
    generate([reviews_meta()], store, settings, variants=("aware",))
    [prop] = store.proposals()
    assert prop.valid and [v.rule for v in prop.warnings] == ["truncated_answer"]


def test_hostile_model_text_is_stored_as_data(server, ws):
    settings, store = ws
    evil = " ".join(HOSTILE)
    server.script(reply(json.dumps([{**GOOD, "instruction": f"Classify {evil} now please."}])))
    generate([reviews_meta()], store, settings, variants=("unaware",))
    [prop] = store.proposals()
    assert evil in prop.task.instruction and evil in json.loads(prop.raw_answer)[0]["instruction"]


def test_a_failing_call_is_reported_and_asked_again_next_time(server, ws):
    settings, store = ws
    server.script(fail(503), fail(503), fail(503))
    report = generate([reviews_meta()], store, settings, variants=("aware",))
    [call] = report.datasets[0].calls
    assert call.status == "failed" and "HTTP 503" in call.reason
    report = generate([reviews_meta()], store, settings, variants=("aware",))
    assert report.count("done") == 1


def test_server_down_raises_one_clear_error(ws, monkeypatch):
    settings, store = ws
    settings.llm.base_url = "http://127.0.0.1:9/v1"
    with pytest.raises(LLMUnavailable, match="Cannot reach the LLM server"):
        generate([reviews_meta(name=f"d{i}") for i in range(5)], store, settings)


def test_datasets_run_concurrently_and_progress_is_reported(ws):
    settings, store = ws
    slow = Peak(0.2, ["title", "text", "label"])
    events = []
    with LLMServer(responder=slow) as srv:
        settings.llm.base_url, settings.llm.concurrency = srv.base_url, 4
        metas = [reviews_meta(name=f"d{i}") for i in range(8)]
        generate(metas, store, settings, variants=("unaware",), on_progress=events.append)
    assert slow.peak == 4
    assert [e.done for e in events] == list(range(1, 9)) and events[-1].total == 8
    assert events[-1].tokens_in > 0 and events[-1].kept == 16


def test_cancel_stops_the_run_and_keeps_what_finished(ws):
    settings, store = ws
    cancel = threading.Event()
    with LLMServer(latency=0.3) as srv:
        settings.llm.base_url, settings.llm.concurrency = srv.base_url, 1
        metas = [reviews_meta(name=f"d{i}") for i in range(6)]
        report = generate(metas, store, settings, variants=("unaware",),
                          on_progress=lambda e: cancel.set(), cancel=cancel)
    assert report.cancelled and report.count("done") == 1 and report.count("cancelled") == 5
    assert len(store.proposals()) == 2


def test_dry_run_estimates_tokens_and_cost(ws):
    settings, store = ws
    meta = reviews_meta()
    est = estimate([meta, reviews_meta(name="x", summary="")], settings)
    expected = sum(estimate_tokens(build_prompt(m, v)) for m, v in
                   [(meta, "aware"), (meta, "unaware")]) + estimate_tokens(
        build_prompt(reviews_meta(name="x", summary=""), "unaware"))
    assert est.calls == 3 and est.tokens_in == expected and len(est.skipped) == 1
    assert est.priced and est.cost_usd == pytest.approx((est.tokens_in * 0.15 + est.tokens_out * 0.6) / 1e6)
    settings.llm.model = "my-local-model"
    assert not estimate([meta], settings).priced


def test_cli_generates_a_bundled_sample_and_summarises(server, ws, capsys):
    server.script(reply(json.dumps({"tasks": [{"instruction": " ".join(HOSTILE) + " classify",
                                               "input_fields": ["sentence"], "output_field": "label"}]})))
    assert main(["generate", "sample:sst-mini", "--variant", "aware"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sample:sst-mini") and "Total (gpt-4o-mini): kept" in out
    assert "\x1b" not in out and "\u202e" not in out
    assert main(["generate", "sample:sst-mini", "--variant", "aware", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["calls"]["cached"] == 1 and data["datasets"][0]["key"] == "sample:sst-mini/default"
    assert main(["generate", "sample:sst-mini", "--dry-run", "--json", "--force"]) == 0
    assert json.loads(capsys.readouterr().out)["calls"] == 2


def test_cli_errors_are_one_message(ws, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert main(["generate", "sample:sst-mini"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dynotui: Cannot reach the LLM server") and "Traceback" not in err
    assert main(["generate"]) == 2
    assert "Name at least one dataset" in capsys.readouterr().err
    assert main(["generate", "sample:sst-mini", "--concurrency", "0"]) == 2


class CountingStore(Store):
    writes = 0

    def add_proposals(self, props):
        self.writes += 1
        return super().add_proposals(props)


def test_answers_arriving_together_are_written_together(tmp_path):
    # given 40 datasets answered by a server that takes 0.3 s per answer, 40 at once
    with LLMServer(latency=0.3) as srv:
        settings = load_settings(workspace=tmp_path / "ws", model="m")
        settings.llm.base_url, settings.llm.concurrency = srv.base_url, 40
        store = CountingStore(settings.workspace)
        report = generate([reviews_meta(name=f"d{i}") for i in range(40)], store, settings,
                          variants=("unaware",))
    # then all are stored and cached, in fewer writes than calls
    # (how many arrive together depends on the machine's load: 3 to 23 writes seen here)
    assert report.count("done") == 40 and store.count_proposals() == 80
    assert len(store.generations()) == 40 and store.writes < 40


def test_a_fully_cached_run_starts_no_model(ws, monkeypatch):
    # given proposals already made by the embedded model's name through a server
    import sys

    from dynotui.core.llm.embedded import EMBEDDED_MODEL

    settings, store = ws
    settings.llm.model = EMBEDDED_MODEL
    both = ("aware", "unaware")  # the embedded model's default (schema) is asked elsewhere
    generate([reviews_meta()], store, settings, variants=both)
    # when asked again with no endpoint and no llama_cpp installed
    settings.llm.base_url, settings.llm.model = None, None
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    report = generate([reviews_meta()], store, settings, variants=both)
    # then nothing is started: every call is cached
    assert report.count("cached") == 2 and report.model == EMBEDDED_MODEL
