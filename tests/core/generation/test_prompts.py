"""Prompts: the two Dynosaur variants, metadata trimming, the response schema."""

from __future__ import annotations

import json

from genmeta import meta_with, reviews_meta

from dynotui.core.generation.demos import DEMOS
from dynotui.core.models import Feature
from dynotui.core.generation.prompts import (MAX_STRING, PROMPT_VERSION, VARIANTS, build_prompt,
                                  demo_instructions, is_id_field, metadata_block, prompt_fields,
                                  response_schema, skip_reason)


def _target(messages):
    text = messages[-1]["content"]
    body = text[text.index("{"):text.rindex("}") + 1]
    return json.loads(body), text


def test_each_variant_has_two_demonstrations_of_its_own():
    # given the demos, when the prompts are built, then each variant shows its own two demos
    assert all(len(DEMOS[v]) == 2 for v in VARIANTS)
    aware = {d["metadata"]["name"] for d in DEMOS["aware"]}
    unaware = {d["metadata"]["name"] for d in DEMOS["unaware"]}
    assert not aware & unaware
    meta = reviews_meta()
    for variant in VARIANTS:
        messages = build_prompt(meta, variant)
        roles = [m["role"] for m in messages]
        assert roles == ["system", "user", "assistant", "user", "assistant", "user"]
        for demo, reply in zip(DEMOS[variant], messages[2:5:2]):
            assert json.loads(reply["content"]) == {"tasks": demo["tasks"]}
            assert 1 <= len(demo["tasks"]) <= 3


def test_aware_prompt_shows_the_summary_and_unaware_does_not():
    meta = reviews_meta(summary="Reviews of garden tools.")
    aware, _ = _target(build_prompt(meta, "aware"))
    unaware, _ = _target(build_prompt(meta, "unaware"))
    assert aware["description"] == "Reviews of garden tools."
    assert "description" not in unaware
    assert all("description" not in d["metadata"] for d in DEMOS["unaware"])
    assert all(d["metadata"]["description"] for d in DEMOS["aware"])


def test_prompt_names_allowed_fields_and_forbids_overlap():
    _, text = _target(build_prompt(reviews_meta(), "unaware"))
    assert 'The allowed fields are: ["title", "text", "label", "url"]' in text
    assert "up to 3 tasks" in text
    assert "must not appear among the input fields" in text


def test_trimming_hides_ids_cuts_strings_drops_nested_and_keeps_two_rows():
    # given a dataset with id-like fields, a long string, nested values and many rows
    features = [Feature("doc_id", "string"), Feature("questionId", "int64"),
                Feature("video", "string"), Feature("text", "string"),
                Feature("meta", "dict"), Feature("tags", "list[string]"),
                Feature("answers", "Sequence[dict]"),
                Feature("label", "ClassLabel", label_names=["no", "yes"]),
                Feature("image", "Image")]
    rows = [{"doc_id": "d1", "questionId": 1, "video": "v", "text": "a" * 5000,
             "meta": {"k": 1}, "tags": ["x", {"deep": 1}], "answers": [{"a": 1}], "label": 1,
             "image": "<image>"} for _ in range(5)]
    block = metadata_block(meta_with(features, rows), "aware")
    # then ids, nested and media fields are gone, strings are cut and labels are names
    assert list(block["fields"]) == ["video", "text", "tags", "label"]
    assert block["fields"]["label"] == {"type": "ClassLabel", "labels": ["no", "yes"]}
    assert len(block["samples"]) == 2
    sample = block["samples"][0]
    assert len(sample["text"]) == MAX_STRING
    assert "tags" not in sample  # a list holding a dict is nested
    assert sample["label"] == "yes"


def test_id_field_detection_uses_name_tokens():
    assert all(is_id_field(n) for n in ("id", "doc_id", "questionId", "ID", "uuid", "pair-ids"))
    assert not any(is_id_field(n) for n in ("video", "idea", "valid", "width", "paid", "identity"))


def test_aware_variant_is_skipped_without_summary():
    meta = reviews_meta(summary="   ")
    assert skip_reason(meta, "aware").startswith("no summary")
    assert skip_reason(meta, "unaware") == ""


def test_one_usable_field_is_a_skip_reason():
    meta = meta_with([Feature("id", "string"), Feature("text", "string")], [{"id": 1, "text": "a"}])
    assert "fewer than two usable fields" in skip_reason(meta, "unaware")


def test_config_is_part_of_the_name():
    meta = reviews_meta()
    meta.ref = type(meta.ref)("hub", "org/glue", config="mrpc")
    meta.name = "glue"
    assert metadata_block(meta, "unaware")["name"] == "glue-mrpc"


def test_schema_puts_field_names_in_an_enum():
    schema = response_schema(["a", "b", "a"])
    item = schema["properties"]["tasks"]["items"]
    assert item["properties"]["output_field"]["enum"] == ["a", "b"]
    assert item["properties"]["input_fields"]["items"]["enum"] == ["a", "b"]
    assert schema["properties"]["tasks"]["maxItems"] == 3
    assert item["additionalProperties"] is False


def test_versions_and_demo_instructions():
    from dynotui.core.generation.prompts import ALL_VARIANTS
    from dynotui.core.generation.schema import DEMO_ANSWER, DEMO_TASK

    assert set(PROMPT_VERSION) == set(ALL_VARIANTS) and len(set(PROMPT_VERSION.values())) == 3
    assert len(demo_instructions()) == sum(len(d["tasks"]) for v in VARIANTS for d in DEMOS[v]) + 2
    assert {DEMO_TASK, DEMO_ANSWER} <= set(demo_instructions())  # the schema wording demo


def test_prompt_fields_follow_feature_order():
    assert [f.name for f in prompt_fields(reviews_meta())] == ["title", "text", "label", "url"]
