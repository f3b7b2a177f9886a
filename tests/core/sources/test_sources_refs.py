"""Dataset identifiers: every accepted form, and clear errors for the rest."""

import pytest

from dynotui.core.errors import DatasetError
from dynotui.core.models import DatasetRef, Proposal, Task
from dynotui.core.sources import parse_ref, sample_names


def test_sample_ref_names_a_bundled_sample():
    ref = parse_ref("sample:sst-mini", config="default", split="test")
    assert (ref.source, ref.name, ref.config, ref.split) == ("sample", "sst-mini", "default", "test")
    assert ref.id == "sample:sst-mini" and ref.key == "sample:sst-mini/default"


def test_at_least_seven_samples_are_bundled():
    assert len(sample_names()) >= 7
    assert {"sst-mini", "reading-qa", "ner-tokens", "support-tickets"} <= set(sample_names())


def test_unknown_sample_lists_the_samples():
    with pytest.raises(DatasetError) as err:
        parse_ref("sample:nope")
    assert "nope" in err.value.message and "sst-mini" in err.value.hint


def test_hub_forms_with_and_without_prefix_and_revision():
    assert parse_ref("hub:org/name").name == "org/name"
    ref = parse_ref("org/name@0123abcd")
    assert (ref.source, ref.name, ref.revision) == ("hub", "org/name", "0123abcd")
    assert parse_ref("hub:squad").name == "squad"  # legacy ids without an org
    assert str(parse_ref("hub:org/name@main", config="c")) == "hub:org/name/c@main"


def test_existing_path_is_local_even_when_it_looks_like_a_hub_id(tmp_path, monkeypatch):
    (tmp_path / "org").mkdir()
    (tmp_path / "org" / "name").mkdir()
    monkeypatch.chdir(tmp_path)
    ref = parse_ref("org/name")
    assert ref.source == "local" and ref.name == str(tmp_path / "org" / "name")
    assert parse_ref(f"local:{tmp_path}").name == str(tmp_path)


@pytest.mark.parametrize("text, needle", [
    ("", "empty"),
    ("ftp:thing", "not a known source"),
    ("local:/no/such/place", "No such file"),
    ("./missing/file.jsonl", "No such file"),
    ("hub:bad id!", "not a Hub dataset id"),
    ("hub:org/a--b", "not a Hub dataset id"),
    ("org/name@", "not a revision"),
    ("sample:sst-mini@v1", "no revisions"),
    ("sst-mini", "could be a bundled sample or a Hub dataset"),
    ("justaword", "names no source"),
    ("a\x1b[31mb", "control characters"),
])
def test_bad_identifiers_say_what_is_wrong_and_which_forms_exist(text, needle):
    with pytest.raises(DatasetError) as err:
        parse_ref(text)
    assert needle in str(err.value)
    assert "\x1b" not in str(err.value)


def test_a_stored_id_becomes_a_typed_ref_that_keeps_config_split_and_revision():
    ref = DatasetRef("hub", "org/name", "cfg", "train", "abc123")
    assert DatasetRef.from_id(ref.id, "cfg", "train", "abc123") == ref
    assert DatasetRef.from_id("local:/data/a:b.jsonl").name == "/data/a:b.jsonl"
    prop = Proposal(dataset=ref.id, config="cfg", split="train", revision="abc123",
                    task=Task("Say it.", ["q"], "a"))
    assert prop.ref == ref and str(prop.ref) == "hub:org/name/cfg@abc123"
    with pytest.raises(DatasetError):
        DatasetRef.from_id("no-source")
