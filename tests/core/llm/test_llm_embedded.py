"""The embedded SmolLM2 model: a clear message without it; end to end and never orphaned with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from dynotui.config import LLMSettings, load_settings
from dynotui.core.errors import LLMError
from dynotui.core.llm import make_client
from dynotui.core.llm.embedded import EMBEDDED_MODEL, find_gguf, stop_embedded
from dynotui.core.generation.prompts import PROMPT_VERSION


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_without_llama_cpp_the_message_says_what_to_do(monkeypatch):
    # given llama-cpp-python is not importable and no endpoint is configured
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(LLMError) as info:
        make_client(LLMSettings())
    assert "llama-cpp-python" in info.value.message
    assert "pip install 'dynotui[local]'" in info.value.hint and "OPENAI_BASE_URL" in info.value.hint


@pytest.mark.model
@pytest.mark.timeout(900)  # a 135M model on a busy 2-core machine: ~5 s idle, minutes loaded
def test_embedded_model_generates_stored_proposals_with_verdicts(tmp_path):
    # given no endpoint configured: the embedded SmolLM2 server on loopback, the real openai client
    pytest.importorskip("llama_cpp")
    from dynotui.core.generation.run import generate
    from dynotui.core.store import Store

    settings = load_settings(workspace=tmp_path / "ws")
    assert settings.llm.base_url is None
    store = Store(settings.workspace)
    try:
        # when generating for a bundled sample (one variant keeps the test short)
        report = generate(["sample:news-topics"], store, settings, variants=("aware",))
    finally:
        stop_embedded()
    # then the model answered in a negotiated structured mode and every proposal has verdicts
    assert report.model == EMBEDDED_MODEL and report.count("done") == 1
    props = store.proposals()
    assert props and all(p.model == EMBEDDED_MODEL and p.raw_answer for p in props)
    assert {(p.variant, p.prompt_version) for p in props} == {("aware", PROMPT_VERSION["aware"])}
    assert {c.mode for d in report.datasets for c in d.calls} == {"json_object"}
    assert all(p.tokens_in > 0 and p.cost_usd == 0.0 for p in props)
    assert report.priced and report.total("cost_usd") == 0.0  # the local model is priced at zero
    fields = set(store.load_meta("sample:news-topics/default").field_names)
    for prop in props:  # the enum keeps fields inside the dataset; content is the reviewer's job
        assert prop.valid or prop.errors
        if prop.task.output_field:
            assert {prop.task.output_field, *prop.task.input_fields} <= fields


@pytest.mark.model
def test_the_model_server_never_outlives_its_parent(tmp_path):
    # given a process that starts the embedded server, prints its pid, then exits or is killed
    pytest.importorskip("llama_cpp")
    find_gguf()
    script = textwrap.dedent("""
        import sys, time
        from dynotui.core.llm.embedded import embedded_server
        server = embedded_server()
        print(server.proc.pid, flush=True)
        if sys.argv[1] == "wait":
            time.sleep(60)
    """)
    for how in ("exit", "kill"):
        parent = subprocess.Popen([sys.executable, "-c", script, "exit" if how == "exit" else "wait"],
                                  stdout=subprocess.PIPE, text=True)
        child = int(parent.stdout.readline())
        assert _alive(child)
        if how == "kill":
            parent.send_signal(signal.SIGKILL)
        parent.wait(30)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        # then the server is gone in both cases
        assert not _alive(child), f"server {child} outlived its parent ({how})"


@pytest.mark.model
@pytest.mark.timeout(300)  # ~10 s on a quiet machine (server start + two short calls)
def test_the_default_variant_gives_sensible_tasks_with_the_embedded_model(tmp_path):
    # given no endpoint configured: the default variant is schema, on the embedded model
    pytest.importorskip("llama_cpp")
    from answerkey import sensible

    from dynotui.core.generation.run import generate
    from dynotui.core.store import Store

    settings = load_settings(workspace=tmp_path / "ws")
    store = Store(settings.workspace)
    try:
        # when generating for a bundled sample with the defaults
        report = generate(["sample:news-topics"], store, settings)
    finally:
        stop_embedded()
    # then every proposal passes the checks and is a task the answer key keeps
    props = store.proposals()
    assert report.count("done") == 1 and {p.variant for p in props} == {"schema"}
    assert len(props) >= 2
    for p in props:
        assert p.valid, p.errors
        assert sensible("sample:news-topics", p.task.instruction, p.task.input_fields,
                        p.task.output_field), p.task
        assert p.model == EMBEDDED_MODEL and p.raw_answer and p.tokens_in > 0
