"""`dynotui export --diverse K --max-per-dataset N` with the real embedding model, every format."""

import json
import os

os.environ["HF_HUB_OFFLINE"] = "1"

import pytest  # noqa: E402

from dynotui.cli import main  # noqa: E402
from dynotui.core.export.options import FORMATS  # noqa: E402
from dynotui.core.models import Task  # noqa: E402
from exportkit import SAMPLE_TASKS, add_task, read_jsonl, sample_workspace  # noqa: E402

pytestmark = [pytest.mark.embeddings, pytest.mark.timeout(600)]
pytest.importorskip("sentence_transformers", reason="needs the embeddings extra")

SENTIMENT = "Classify the sentiment of the text as positive or negative."
PARAPHRASES = ["Classify the sentiment of the text as either positive or negative.",
               "Classify the text's sentiment as positive or negative.",
               "Decide whether the sentiment of the text is positive or negative."]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    path = tmp_path_factory.mktemp("diverse") / "ws"
    store, _ = sample_workspace(path)
    for text in PARAPHRASES:  # near-duplicates of the accepted sst-mini task
        add_task(store, "sample:sst-mini", Task(text, ["text"], "label"))
    return path


def export(workspace, out, *flags, capsys):
    rc = main(["export", "--workspace", str(workspace), "--out", str(out), "--json", *flags])
    return rc, json.loads(capsys.readouterr().out)


def test_given_paraphrases_when_exporting_diverse_tasks_then_at_most_one_of_them(workspace, tmp_path, capsys):
    rc, report = export(workspace, tmp_path / "d.jsonl", "--format", "jsonl", "--diverse", "5",
                        capsys=capsys)
    assert rc == 0 and report["tasks"] == 5
    chosen = {row["instruction"].split(" Answers must")[0] for row in read_jsonl(tmp_path / "d.jsonl")}
    assert len(chosen) == 5
    assert len(chosen & {SENTIMENT, *PARAPHRASES}) <= 1


def test_given_a_cap_when_exporting_diverse_tasks_then_one_task_per_dataset(workspace, tmp_path, capsys):
    rc, report = export(workspace, tmp_path / "d.jsonl", "--format", "jsonl", "--diverse", "20",
                        "--max-per-dataset", "1", capsys=capsys)
    configs = {(name, config) for name, config, _ in SAMPLE_TASKS}
    assert len(configs) == 7 and rc == 0 and report["tasks"] == report["datasets"] == len(configs)


@pytest.mark.parametrize("fmt", [f for f in FORMATS])
def test_given_any_format_when_exporting_diverse_tasks_then_k_tasks_written(workspace, tmp_path, capsys, fmt):
    out = tmp_path / ("out" if fmt in ("superni", "hf") else f"out.{fmt}")
    rc, report = export(workspace, out, "--format", fmt, "--diverse", "3", "--max-per-dataset", "1",
                        "--seed", "4", capsys=capsys)
    assert rc == 0 and report["tasks"] == 3 and report["datasets"] == 3
    assert out.exists()


def test_given_a_bad_k_when_exporting_then_a_clear_error(workspace, tmp_path, capsys):
    rc = main(["export", "--workspace", str(workspace), "--out", str(tmp_path / "x.jsonl"),
               "--format", "jsonl", "--diverse", "0"])
    assert rc == 2 and "--diverse must be at least 1" in capsys.readouterr().err
