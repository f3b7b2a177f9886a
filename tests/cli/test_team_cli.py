"""`dynotui agreement`, `decide --conflicts` and `export --policy adjudicated`."""

from __future__ import annotations

import json

import pytest

from dynotui.cli import main
from exportkit import read_jsonl
from teamkit import team_workspace


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def team(tmp_path):
    ws = tmp_path / "ws"
    return ws, team_workspace(ws)


def test_given_a_team_then_agreement_prints_the_figures(team, capsys):
    ws, _ = team
    code, out, _ = cli(capsys, "agreement", "--workspace", str(ws))
    assert code == 0
    assert "alpha       0.297" in out
    assert "alice / bob" in out and "60.0%" in out and "0.167" in out
    assert "conflicts   3 open, 0 settled" in out
    assert "     6  vague instruction  (5 / 1 / 5)" in out
    code, out, _ = cli(capsys, "agreement", "--json", "--workspace", str(ws))
    assert json.loads(out)["alpha"] == 0.2969


def test_given_conflicts_when_adjudicated_then_the_export_follows_the_adjudicator(
        team, capsys, tmp_path):
    ws, p = team

    def export(policy: str) -> set[str]:
        out_file = tmp_path / f"{policy}.jsonl"
        code, _, err = cli(capsys, "export", "--format", "jsonl", "--out", str(out_file),
                           "--policy", policy, "--workspace", str(ws))
        assert code == 0, err
        return {row["instruction"] for row in read_jsonl(out_file)}

    instr = [x.task.instruction for x in p]
    majority = export("majority")
    assert majority == {instr[0], instr[3], instr[4]} == export("adjudicated")
    code, out, err = cli(capsys, "decide", "--conflicts", "--workspace", str(ws))
    assert code == 0 and "3 open conflicts" in err
    assert out.count("\n  alice ") == 3 and "bob            reject  vague instruction" in out
    code, out, _ = cli(capsys, "decide", "--conflicts", "--json", "--workspace", str(ws))
    assert [c["id"] for c in json.loads(out)] == [p[1].id, p[3].id, p[4].id]

    # the lead settles P2 (majority rejected it) and P4 (majority accepted it)
    code, out, _ = cli(capsys, "decide", p[1].id[:8], "accept", "--conflicts", "--adjudicate",
                       "--annotator", "lead", "--workspace", str(ws))
    assert code == 0 and out == f"{p[1].id}\taccept\n"
    code, _, err = cli(capsys, "decide", p[3].id, "reject", "--conflicts", "--adjudicate",
                       "--note", "asks for a url", "--annotator", "lead", "--workspace", str(ws))
    assert code == 0
    code, out, err = cli(capsys, "decide", "--conflicts", "--all", "--workspace", str(ws))
    assert "1 open conflicts, 2 settled" in err and "=> lead" in out and "asks for a url" in out
    code, _, err = cli(capsys, "decide", p[0].id, "accept", "--conflicts", "--workspace", str(ws))
    assert code == 2 and "not in an open conflict" in err

    assert export("adjudicated") == {instr[0], instr[1], instr[4]}


def test_given_a_non_adjudicator_then_deciding_a_conflict_is_one_more_vote(team, capsys):
    ws, p = team
    code, _, err = cli(capsys, "decide", p[4].id, "reject", "--conflicts", "--annotator", "erin",
                       "--workspace", str(ws))
    assert code == 0 and "erin is not an adjudicator" in err
    code, out, _ = cli(capsys, "agreement", "--json", "--workspace", str(ws))
    assert "erin" in json.loads(out)["annotators"]
    assert json.loads(out)["conflicts"]["open"] == 3


def test_given_adjudicators_in_the_config_then_their_decisions_settle(team, capsys, tmp_path,
                                                                      monkeypatch):
    ws, p = team
    config = tmp_path / "config.toml"
    config.write_text('adjudicators = ["lead"]\noverlap = 2\n')
    monkeypatch.setenv("DYNOTUI_CONFIG", str(config))
    code, _, err = cli(capsys, "decide", p[4].id, "accept", "--conflicts", "--annotator", "lead",
                       "--workspace", str(ws))
    assert code == 0 and "not an adjudicator" not in err
    code, out, _ = cli(capsys, "agreement", "--json", "--workspace", str(ws))
    data = json.loads(out)
    assert data["adjudicators"] == ["lead"] and data["conflicts"] == {"open": 2, "settled": 1}
    config.write_text("overlap = -1\n")
    code, _, err = cli(capsys, "agreement", "--workspace", str(ws))
    assert code == 2 and "overlap" in err
