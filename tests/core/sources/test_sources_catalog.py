"""The Dynosaur catalog verdicts: one per rule, each with a reason, ok ones listed too."""

import pytest

from dynotui.core.catalog import catalog_verdicts
from dynotui.core.models import DatasetMeta, DatasetRef, Feature


def meta(license=("mit",), languages=("en",), fields=("a", "b"), types=None, tasks=(), rows=None):
    types = types or ["string"] * len(fields)
    return DatasetMeta(ref=DatasetRef("local", "/x"), name="x", license=list(license),
                       languages=list(languages), task_categories=list(tasks),
                       features=[Feature(n, t) for n, t in zip(fields, types)],
                       rows={"train": rows or []})


def verdicts(m, deny=None, allow=None):
    return {v.rule: v for v in catalog_verdicts(m, deny, allow)}


def test_a_good_dataset_passes_every_rule_and_says_why():
    got = verdicts(meta())
    assert list(got) == ["license", "english", "fields", "media"]
    assert all(v.ok and v.reason for v in got.values())


@pytest.mark.parametrize("license, ok", [
    ((), False), (("other",), False), (("unknown",), False), (("cc-by-nc-nd-4.0",), False),
    (("ofl-1.1",), False), (("mit", "other"), False), (("cc-by-4.0",), True),
    (("apache-2.0",), True), (("CC-BY-ND-4.0",), False)])
def test_license_rule_uses_the_default_deny_list(license, ok):
    v = verdicts(meta(license=license))["license"]
    assert v.ok is ok and v.reason


def test_license_allow_list_and_custom_deny_list():
    assert not verdicts(meta(license=["mit"]), allow=["apache-*"])["license"].ok
    assert verdicts(meta(license=["apache-2.0"]), allow=["apache-*"])["license"].ok
    v = verdicts(meta(license=["mit"]), deny=["m*"])["license"]
    assert not v.ok and "'m*'" in v.reason
    assert "no license" in verdicts(meta(license=[]))["license"].reason


def test_english_from_tags_translation_and_heuristic():
    assert verdicts(meta(languages=["en", "de"]))["english"].ok
    french = verdicts(meta(languages=["fr"]))["english"]
    assert not french.ok and "fr" in french.reason
    trans = verdicts(meta(languages=["en", "fr"], tasks=["translation"]))["english"]
    assert not trans.ok and "translation" in trans.reason
    english_rows = [{"a": "The cat sat on the mat and it was happy with the world of the day."}] * 3
    guessed = verdicts(meta(languages=[], rows=english_rows))["english"]
    assert guessed.ok and "no language tag" in guessed.reason and "English" in guessed.reason
    german_rows = [{"a": "Der Hund läuft schnell über die große Wiese zum alten Bauernhaus."}] * 3
    assert not verdicts(meta(languages=[], rows=german_rows))["english"].ok
    unknown = verdicts(meta(languages=[]))["english"]
    assert not unknown.ok and unknown.level == "warning"


def test_fields_and_media_rules():
    one = verdicts(meta(fields=["text"]))["fields"]
    assert not one.ok and "only 1 field" in one.reason
    media = verdicts(meta(fields=["img", "caption"], types=["Image", "string"]))["media"]
    assert not media.ok and "img (Image)" in media.reason
    nested_audio = verdicts(meta(fields=["a", "b"], types=["Sequence[Audio]", "string"]))
    assert not nested_audio["media"].ok
    unknown = verdicts(meta(fields=[]))["fields"]
    assert not unknown.ok and unknown.level == "warning"
