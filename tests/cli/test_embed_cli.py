"""`dynotui similar` input errors and the empty workspace: answered without loading the model."""

import pytest

from dynotui.cli import main


@pytest.mark.parametrize("argv, message", [
    ([], "No TEXT given."),
    (["--k", "0", "x"], "--k must be at least 1"),
    (["--threshold", "1.5", "x"], "--threshold must be a cosine"),
    (["   "], "TEXT is empty."),
])
def test_given_bad_input_when_running_similar_then_exit_2_with_what_was_wrong(tmp_path, capsys, argv, message):
    rc = main(["similar", "--workspace", str(tmp_path), *argv])
    assert rc == 2 and message in capsys.readouterr().err


def test_given_an_empty_workspace_when_searching_then_says_so_without_the_model(tmp_path, capsys):
    assert main(["similar", "--workspace", str(tmp_path), "Classify the review."]) == 0
    assert "No proposals" in capsys.readouterr().out
    assert not (tmp_path / "embeddings").exists()  # nothing was embedded
