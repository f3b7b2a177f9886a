"""Each one-file format loaded by its consumer: `datasets.load_dataset("json")`, and TRL's own
data utilities (is_conversational, maybe_apply_chat_template, and the prompt/completion
tokenization its SFT trainer does) with a real tokenizer that has a chat template."""

from __future__ import annotations

import pytest

from chattok import chat_tokenizer
from dynotui.core.export import ExportOptions, run_export
from exportkit import sample_workspace

trl_data = pytest.importorskip("trl.data_utils")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return sample_workspace(tmp_path_factory.mktemp("ws"))[0]


@pytest.fixture(scope="module")
def tok():
    return chat_tokenizer()


def export(store, tmp_path, fmt: str, **kw):
    suffix = ".json" if fmt in ("alpaca", "sharegpt") else ".jsonl"
    path = tmp_path / f"{fmt}{suffix}"
    report = run_export(store, ExportOptions(fmt, str(path), **kw))
    import datasets

    ds = datasets.load_dataset("json", data_files=str(path), split="train",
                               cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == report.instances > 0
    return ds


@pytest.mark.parametrize("fmt, columns", [
    ("alpaca", {"instruction", "input", "output", "license", "website", "taskname"}),
    ("jsonl", {"instruction", "input", "output", "license", "website", "taskname"}),
    ("messages", {"messages"}), ("sharegpt", {"conversations"}), ("trl", {"prompt", "completion"}),
])
def test_every_file_format_loads_with_datasets_json(store, tmp_path, fmt, columns):
    assert set(export(store, tmp_path, fmt).column_names) == columns


def _prompt_is_a_prefix(tok, example) -> bool:
    """What TRL's SFT trainer checks before it warns that the completion starts inside the
    prompt: the tokenized prompt is a prefix of the tokenized prompt + completion."""
    if trl_data.is_conversational(example):
        prompt = trl_data._tokenize(tok, example["prompt"], add_generation_prompt=True)
        whole = trl_data._tokenize(tok, example["prompt"] + example["completion"])
    else:
        prompt = trl_data._tokenize(tok, example["prompt"])
        whole = trl_data._tokenize(tok, example["prompt"] + example["completion"])
    ids = prompt["input_ids"]
    return trl_data.common_prefix_length(ids, whole["input_ids"]) == len(ids)


def test_trl_default_is_conversational_and_the_chat_template_applies(store, tmp_path, tok):
    ds = export(store, tmp_path, "trl")
    for row in ds:
        assert trl_data.is_conversational(row)
        text = trl_data.maybe_apply_chat_template(row, tok)
        user, answer = row["prompt"][0]["content"], row["completion"][0]["content"]
        assert text["prompt"] == f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        assert text["completion"] == f"{answer}<|im_end|>\n"
        assert _prompt_is_a_prefix(tok, row)


def test_trl_plain_separates_prompt_and_completion(store, tmp_path, tok):
    ds = export(store, tmp_path, "trl", trl_style="plain")
    for row in ds:
        assert not trl_data.is_conversational(row)
        assert row["prompt"].endswith("\n") and row["completion"][:1].isspace()
        assert trl_data.maybe_apply_chat_template(row, tok) == row  # plain text stays as is
        assert _prompt_is_a_prefix(tok, row), row


def test_a_glued_row_fails_the_prefix_check_and_plain_style_does_not(tok):
    import json

    from dynotui.core.export.writers import TaskInfo, line_encoder

    glued = {"prompt": "Rate the film.\n\nquite mode", "completion": "rate"}
    assert not _prompt_is_a_prefix(tok, glued)  # "mode" + "rate" tokenizes as "moderate"
    info = TaskInfo("id", "t", "Rate the film.", "d")
    plain = json.loads(line_encoder("trl", info, "plain")("quite mode", "rate"))
    assert _prompt_is_a_prefix(tok, plain)


def test_messages_and_sharegpt_render_with_the_chat_template(store, tmp_path, tok):
    messages = export(store, tmp_path, "messages")
    row = messages[0]
    assert trl_data.is_conversational(row)
    text = trl_data.maybe_apply_chat_template(row, tok)["text"]
    assert text.startswith("<|im_start|>user\n") and "<|im_start|>assistant\n" in text
    sharegpt = export(store, tmp_path, "sharegpt")
    row = dict(sharegpt[0])
    assert trl_data.is_conversational_from_value(row)
    chatml = trl_data.maybe_convert_to_chatml(row)
    assert trl_data.is_conversational(chatml)
    assert [m["role"] for m in chatml["messages"]] == ["human", "gpt"]
