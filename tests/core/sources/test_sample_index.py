"""The bundled samples' index (what the first screen lists without reading cards) says what
the cards say, and is set aside as soon as a card differs from it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from dynotui.core import sampleindex
from dynotui.core.sources import list_datasets
from dynotui.core.sources.samples import build_index, from_cards


def test_the_committed_index_is_what_the_cards_give():
    # Given the index in the checkout and one built from the cards now
    committed = json.loads(sampleindex.INDEX.read_text(encoding="utf-8"))
    # Then they are the same (else: run tools/make_samples.py)
    assert committed == build_index()
    # And the listing from the index is the listing from the cards, verdicts included
    assert sampleindex.indexed_entries() == list_datasets("sample", limit=100)
    assert [e.name for e in from_cards()] == sampleindex.sample_names()


def test_the_index_is_read_without_the_yaml_parser_or_the_sources_package():
    code = ("import sys\nfrom dynotui.core.sampleindex import indexed_entries\n"
            "assert len(indexed_entries()) == 8\n"
            "print(sorted(m for m in ('yaml', 'dynotui.core.sources') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
def copied(tmp_path, monkeypatch):
    """The samples and their index copied to tmp_path, which the index module then reads."""
    folder = tmp_path / "samples"
    shutil.copytree(sampleindex.SAMPLES_DIR, folder)
    monkeypatch.setattr(sampleindex, "SAMPLES_DIR", folder)
    monkeypatch.setattr(sampleindex, "INDEX", folder / "index.json")
    assert sampleindex.read_index() is not None
    return folder


def test_a_changed_card_sets_the_index_aside(copied):
    # When one card changes after the index was built
    card = copied / "sst-mini" / "README.md"
    card.write_text(card.read_text().replace("pretty_name:", "pretty_name: Changed"))
    # Then the index is not used
    assert sampleindex.read_index() is None
    assert sampleindex.indexed_entries() is None


@pytest.mark.parametrize("damage", ["missing", "not json", "old version", "a sample more"])
def test_a_missing_or_damaged_index_is_not_used(copied, damage):
    index = copied / "index.json"
    if damage == "missing":
        index.unlink()
    elif damage == "not json":
        index.write_text("{ nope")
    elif damage == "old version":
        index.write_text(index.read_text().replace('"version": 1', '"version": 0'))
    else:
        shutil.copytree(copied / "sst-mini", copied / "sst-more")
    assert sampleindex.read_index() is None
