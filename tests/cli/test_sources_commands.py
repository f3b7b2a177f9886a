"""`dynotui datasets` and `dynotui show`, in process and as a real subprocess against the Hub."""

import json
import os
import subprocess
import sys

from dynotui.cli import main
from dynotui.core.sources import SAMPLES_DIR, sample_names
from hubserver import HubServer

HOSTILE = "[@click=app.quit]x[/] \x1b]52;c;SGVsbG8=\x07 \x1b]0;title\x07 \x1b[31mred\x1b[0m \u202eevil"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_datasets_json_lists_samples_with_verdicts(capsys):
    code, out, _ = run(capsys, "datasets", "--json")
    data = json.loads(out)
    assert code == 0 and [d["name"] for d in data] == sample_names()
    first = data[0]
    assert {"id", "name", "license", "fields", "verdicts"} <= set(first)
    assert [v["rule"] for v in first["verdicts"]] == ["license", "english", "fields", "media"]


def test_datasets_table_and_local_path(capsys, tmp_path):
    code, out, _ = run(capsys, "datasets")
    assert code == 0 and "sample:sst-mini" in out and "passes" in out
    (tmp_path / "one.jsonl").write_text('{"q": "a", "a": "b"}\n')
    code, out, _ = run(capsys, "datasets", str(tmp_path), "--json")
    assert code == 0 and [d["name"] for d in json.loads(out)] == ["one"]
    code, _, err = run(capsys, "datasets", str(tmp_path), "--source", "hub")
    assert code == 2 and "only used with --source local" in err


def test_show_json_has_the_contract_keys(capsys):
    code, out, _ = run(capsys, "show", "sample:ner-tokens", "--rows", "3", "--json")
    data = json.loads(out)
    assert code == 0
    assert {"id", "config", "license", "summary", "features", "label_names", "splits", "rows",
            "verdicts", "card", "field_descriptions", "truncated", "revision"} <= set(data)
    assert data["id"] == "sample:ner-tokens" and data["config"] == "default"
    assert data["features"]["ner_tags"] == "Sequence[ClassLabel]"
    assert data["label_names"]["ner_tags"][:3] == ["O", "B-PER", "I-PER"]
    assert len(data["rows"]["train"]) == 3 and data["rows"]["train"][0]["ner_tags"][0] in \
        data["label_names"]["ner_tags"]


def test_show_human_output_keeps_hostile_text_inert(capsys, tmp_path):
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps({"text": HOSTILE, "label": HOSTILE}) + "\n")
    (tmp_path / "README.md").write_text(f"---\nlicense: mit\n---\n\n{HOSTILE} summary words here\n")
    code, out, _ = run(capsys, "show", str(path))
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "[@click=app.quit]x[/]" in out  # shown literally, not run as markup
    assert "\\x1b]52;c;" in out and "\\u202e" in out


def test_show_errors_exit_2_with_the_accepted_forms(capsys):
    code, _, err = run(capsys, "show", "nonsense")
    assert code == 2 and "sample:NAME" in err and "hub:ORG/NAME" in err
    code, _, err = run(capsys, "show", "sample:support-tickets", "--config", "nope")
    assert code == 2 and "Configs: intent, replies" in err


def test_hub_commands_in_a_subprocess_with_the_env_set(tmp_path):
    with HubServer() as hub:
        repo = hub.add_folder("acme/sst-mini", SAMPLES_DIR / "sst-mini", downloads=3)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
        env.update(hub.env(tmp_path / "hf"))
        cmd = [sys.executable, "-m", "dynotui"]
        listing = subprocess.run(cmd + ["datasets", "--source", "hub", "--search", "sst",
                                        "--json"], env=env, capture_output=True, text=True,
                                 timeout=120)
        assert listing.returncode == 0, listing.stderr
        assert [d["id"] for d in json.loads(listing.stdout)] == ["hub:acme/sst-mini"]
        shown = subprocess.run(cmd + ["show", "acme/sst-mini", "--rows", "2", "--json"], env=env,
                               capture_output=True, text=True, timeout=120)
        assert shown.returncode == 0, shown.stderr
        data = json.loads(shown.stdout)
        assert data["revision"] == repo.sha and data["id"] == "hub:acme/sst-mini"
        assert data["label_names"] == {"label": ["negative", "positive"]}
        missing = subprocess.run(cmd + ["show", "hub:acme/missing"], env=env,
                                 capture_output=True, text=True, timeout=120)
        assert missing.returncode == 2 and "was not found" in missing.stderr
        assert "Traceback" not in missing.stderr
