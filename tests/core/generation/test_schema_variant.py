"""The schema variant against the loopback LLM server: skeletons worded by the model in short
calls, the template where the wording fails; regenerate with the reviewer's reasons; the
variant chosen on the command line and in the config."""

from __future__ import annotations

import json

import pytest
from genmeta import reviews_meta, llm_workspace
from llmserver import LLMServer, reply
from shapes import SHAPES

from dynotui.cli import main
from dynotui.config import load_settings
from dynotui.core.errors import ConfigError
from dynotui.core.generation.prompts import PROMPT_VERSION, default_variants
from dynotui.core.generation.run import cache_key, estimate, generate
from dynotui.core.generation.schema import MAX_TOKENS, problem
from dynotui.core.generation.skeletons import derive
from dynotui.core.llm.openai_compat import forget_modes


def polite(body: dict) -> str:
    """A model that words each task as 'Please <template, lower-cased first letter>'."""
    if body.get("response_format"):  # a Dynosaur prompt
        return json.dumps({"tasks": [{"instruction": "Decide whether the review is positive "
                                                     "or negative.", "input_fields": ["text"],
                                      "output_field": "label"}]})
    template = body["messages"][-1]["content"].splitlines()[0].removeprefix("Instruction: ")
    return "Please " + template[0].lower() + template[1:]


@pytest.fixture(autouse=True)
def _fresh_modes():
    forget_modes()


@pytest.fixture
def server():
    with LLMServer(responder=polite) as srv:
        yield srv


@pytest.fixture
def ws(tmp_path, server, monkeypatch):
    return llm_workspace(server.base_url, tmp_path, monkeypatch)


def test_each_skeleton_is_worded_in_one_short_call(server, ws):
    # given a dataset with a summary and a headline skeleton
    settings, store = ws
    meta = SHAPES["document_summary"]()
    # when generating with the schema variant
    report = generate([meta], store, settings, variants=("schema",))
    # then one short plain-text request per skeleton, sized to one sentence
    bodies = server.chat_requests()
    assert len(bodies) == len(derive(meta)) == 2
    for body in bodies:
        assert body["max_tokens"] == MAX_TOKENS and body["stop"] == ["\n"]
        assert "response_format" not in body and len(body["messages"]) == 4
        assert sum(len(m["content"]) for m in body["messages"]) < 500
    # and one proposal per skeleton, worded by the model, valid, with its own tokens
    props = store.proposals()
    assert sorted(p.task.output_field for p in props) == ["document", "summary"]
    for p in props:
        assert p.valid and p.variant == "schema" and p.prompt_version == PROMPT_VERSION["schema"]
        assert p.task.instruction.startswith("Please ") and p.raw_answer == p.task.instruction
        assert p.tokens_in > 0 and "template_instruction" not in {v.rule for v in p.verdicts}
    [call] = report.datasets[0].calls
    assert call.status == "done" and call.kept == 2 and call.tokens_in == sum(
        p.tokens_in for p in props)


def test_a_wording_that_fails_the_checks_gives_way_to_the_template(server, ws):
    settings, store = ws
    meta = SHAPES["nli"]()
    nli_template = derive(meta)[0].template
    # answered by what is asked, not by arrival order: the two datasets run concurrently
    server.responder = lambda body: ("The correct option is A." if nli_template in
                                     body["messages"][-1]["content"]
                                     else "Read the recipe and tag it.")
    generate([meta, SHAPES["tokens_tags"]()], store, settings, variants=("schema",))
    by_output = {p.task.output_field: p for p in store.proposals()}
    nli, tags = by_output["label"], by_output["ner_tags"]
    assert nli.task.instruction.startswith(derive(meta)[0].template)
    assert nli.raw_answer == "The correct option is A."  # what the model said stays on file
    note = {v.rule: v for v in nli.verdicts}["template_instruction"]
    assert note.ok and "not an instruction" in note.reason
    assert "recipe" in {v.rule: v for v in tags.verdicts}["template_instruction"].reason
    assert nli.valid and tags.valid


def test_a_dataset_without_skeletons_is_skipped_with_the_reason(server, ws):
    settings, store = ws
    report = generate([SHAPES["id_url_text"]()], store, settings, variants=("schema",))
    [call] = report.datasets[0].calls
    assert call.status == "skipped" and "no task skeleton" in call.reason
    assert "id (id-like)" in call.reason and not server.chat_requests()


def test_regenerate_sends_the_rejections_with_reasons_and_notes(server, ws):
    # given a dataset whose proposal the reviewer rejected with a reason and a note
    settings, store = ws
    meta = reviews_meta(revision="r1")
    generate([meta], store, settings, variants=("aware",))
    [prop] = store.proposals()
    store.decide(prop.id, "reject", reason="vague instruction", note="say which labels")
    first = len(server.chat_requests())
    # when regenerating
    report = generate([meta], store, settings, variants=("aware",), regenerate=True)
    # then the request carries the rejected task, its reason and note, and asks for others
    assert report.count("done") == 1
    text = server.chat_requests()[-1]["messages"][-1]["content"]
    assert prop.task.instruction in text and "vague instruction; say which labels" in text
    assert "rejected" in text and "Propose different tasks" in text
    # and the same feedback again is cached under a key that includes it
    again = generate([meta], store, settings, variants=("aware",), regenerate=True)
    assert again.count("cached") == 1 and len(server.chat_requests()) == first + 1
    keys = [k for k in store.generations() if "|aware|" in k]
    assert cache_key(meta, "aware", "gpt-4o-mini") in keys and len(keys) == 2
    assert any("|fb-" in k for k in keys)


def test_regenerate_without_rejections_asks_again(server, ws):
    settings, store = ws
    meta = reviews_meta(revision="r1")
    generate([meta], store, settings, variants=("aware",))
    report = generate([meta], store, settings, variants=("aware",), regenerate=True)
    assert report.count("done") == 1 and len(server.chat_requests()) == 2


def test_regenerating_schema_drops_a_task_rejected_for_its_fields(server, ws):
    settings, store = ws
    meta = SHAPES["document_summary"]()
    generate([meta], store, settings, variants=("schema",))
    expand = next(p for p in store.proposals() if p.task.output_field == "document")
    summary = next(p for p in store.proposals() if p.task.output_field == "summary")
    store.decide(expand.id, "reject", reason="input does not determine output")
    store.decide(summary.id, "reject", reason="vague instruction")
    server.requests.clear()
    generate([meta], store, settings, variants=("schema",), regenerate=True)
    [body] = server.chat_requests()  # the summary skeleton only, worded again
    text = body["messages"][-1]["content"]
    assert summary.task.instruction in text and "vague instruction" in text


def test_estimate_counts_one_short_call_per_skeleton(ws):
    settings, _store = ws
    est = estimate([SHAPES["document_summary"](), SHAPES["nli"]()], settings, ("schema",))
    assert est.calls == 3 and 0 < est.tokens_in < 3 * 200 and est.tokens_out == 3 * MAX_TOKENS // 2


def test_cli_variants_and_regenerate(server, ws, capsys):
    assert main(["generate", "sample:sst-mini", "--variants", "aware,schema"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sample:sst-mini") and "kept 2" in out
    bodies = server.chat_requests()
    assert len(bodies) == 2 and sum("response_format" in b for b in bodies) == 1
    assert main(["generate", "sample:sst-mini", "--variants", "aware,schema", "--regenerate",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calls"]["done"] == 2  # nothing rejected: again
    assert main(["generate", "sample:sst-mini", "--variants", "aware,nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dynotui: --variants: unknown prompt variant(s): nope")
    assert "aware, unaware, schema" in err


def test_default_variants_follow_the_model_and_the_config(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNOTUI_CONFIG", str(tmp_path / "c.toml"))
    (tmp_path / "c.toml").write_text("")
    settings = load_settings()
    assert default_variants(settings) == ("schema",)  # the embedded model
    settings.llm.base_url = "http://127.0.0.1:9/v1"
    assert default_variants(settings) == ("aware", "unaware")
    (tmp_path / "c.toml").write_text('variants = ["schema", "aware"]\n')
    assert default_variants(load_settings()) == ("schema", "aware")
    (tmp_path / "c.toml").write_text('variants = ["schema", "clever"]\n')
    with pytest.raises(ConfigError, match="variants"):
        load_settings()


@pytest.mark.parametrize("wording, why", [
    ("The correct option is A.", "not an instruction"),
    ("I'm ready to help. What's the task?", "not an instruction"),
    ("Question: What is the name of the dish?", "not an instruction"),
    ("Read the recipe and tag each token with its named-entity tag.", "uses words"),
    ("Write a headline for the sentences.", "wrong action"),
    ("Summarize the sentence.", "wrong action"),
    ("python", "1 words"),
    ("Decide whether `premise` entails {hypothesis}.", "markup"),
    ("Say which cuisine the recipe belongs to.", "uses words"),
    ("Read the premise and the hypothesis and say whether one follows from the other.", ""),
    ("Decide whether the premise entails the hypothesis.", ""),
])
def test_the_models_wording_is_checked_before_it_is_used(wording, why):
    meta = SHAPES["nli"]()
    [skeleton] = derive(meta)
    got = problem(wording, skeleton, meta, set())
    assert (why in got) if why else got == "", got


def test_a_wording_that_copies_sample_text_is_refused():
    meta = SHAPES["nli"]()
    [skeleton] = derive(meta)
    row = meta.sample_rows(1)[0]["premise"].rstrip(".")
    assert "copies text" in problem(f"Decide whether {row.lower()} entails the hypothesis.",
                                    skeleton, meta, set())


def test_stats_show_checks_and_acceptance_per_variant(server, ws, capsys):
    # given proposals of two variants, one decided each way
    settings, store = ws
    generate([SHAPES["document_summary"](), reviews_meta()], store, settings,
             variants=("schema", "aware"))
    schema = [p for p in store.proposals() if p.variant == "schema"]
    store.decide(schema[0].id, "accept")
    store.decide(schema[1].id, "reject", reason="vague instruction")
    # when asking for stats
    assert main(["stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)["by_variant"]
    # then each variant has its share passing the checks and its acceptance rate
    assert data["schema"]["checks_rate"] == 1.0 and data["schema"]["acceptance_rate"] == 0.5
    assert data["aware"]["proposals"] == 1 and data["aware"]["acceptance_rate"] is None
    assert main(["stats", "--by", "by_variant"]) == 0
    out = capsys.readouterr().out
    assert "checks" in out and "schema" in out and "50%" in out


def test_the_rejected_wording_is_not_proposed_again(server, ws):
    # given the reviewer rejected the template's wording of a classification task
    settings, store = ws
    meta = SHAPES["nli"]()
    server.script(reply("The correct option is A."))  # the template stands in
    generate([meta], store, settings, variants=("schema",))
    [first] = store.proposals()
    store.decide(first.id, "reject", reason="vague instruction")
    # when regenerating and the model offers nothing usable again
    server.script(reply("The correct option is A."))
    generate([meta], store, settings, variants=("schema",), regenerate=True)
    # then the new proposal is worded differently from the rejected one
    [second] = [p for p in store.proposals() if p.id != first.id]
    assert second.task.instruction.split(" Answers")[0] != first.task.instruction.split(" Answers")[0]
    assert second.task.output_field == "label" and second.valid
