"""A folder of datasets listed page by page (names scanned once, cards read for the page)
gives exactly the lines of the plain way: every child's entry built, then searched, filtered
and sliced."""

import time

import pytest

from dynotui.core.sources import list_datasets
from dynotui.core.sources.local import BUILDERS, entry, list_local, matches
from dynotui.core.sources.filecheck import data_suffix


def _card(folder, pretty="", license="mit", language="en", task="text-classification"):
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(
        f"---\npretty_name: {pretty or folder.name}\nlicense: {license}\nlanguage: {language}\n"
        f"task_categories: [{task}]\ndataset_info:\n  features:\n  - name: text\n"
        "    dtype: string\n---\n# Card\n")
    (folder / "data.jsonl").write_text('{"text": "x"}\n')


@pytest.fixture
def mixed(tmp_path):
    root = tmp_path / "many"
    _card(root / "alpha", pretty="Movie reviews")
    _card(root / "Beta", license="apache-2.0", language="fr")
    _card(root / "gamma", task="question-answering")
    (root / "plain").mkdir()  # a folder without a card
    (root / "plain" / "rows.jsonl").write_text('{"a": 1}\n')
    for name in ("reviews.jsonl", "z.csv", "packed.jsonl.gz", "notes.txt", ".hidden.jsonl",
                 "movie.tsv", "trailing."):
        (root / name).write_text("x\n")
    (root / ".git").mkdir()
    (root / "link.jsonl").symlink_to(root / "reviews.jsonl")
    (root / "linked-dir").symlink_to(root / "gamma")
    (root / "broken.jsonl").symlink_to(root / "nowhere.jsonl")
    return root


def _plain_way(root, search=None, filters=None, offset=0, limit=None):
    """The listing as it was: an entry for every child, then the search, filters and slice."""
    children = [c for c in sorted(root.iterdir()) if not c.name.startswith(".")
                and (c.is_dir() or data_suffix(c) in BUILDERS)]
    found = [e for e in (entry(c) for c in children) if matches(e, search, filters)]
    return found[offset:None if limit is None else offset + limit]


QUERIES = [dict(), dict(search="movie"), dict(search="REVIEW"), dict(search="a"),
           dict(filters={"license": "mit"}), dict(filters={"language": "fr"}),
           dict(filters={"task_category": "question-answering"}, search="g"),
           dict(filters={"license": None}), dict(search="zzz"),
           dict(offset=2, limit=3), dict(offset=0, limit=0), dict(offset=50, limit=5),
           dict(search="a", offset=1, limit=2), dict(filters={"license": "mit"}, offset=1, limit=1)]


@pytest.mark.parametrize("query", QUERIES, ids=[str(q) for q in QUERIES])
def test_paged_listing_equals_the_plain_way(mixed, query):
    """Given a folder mixing carded folders, files, links and hidden entries, when listed with
    a search, filters and a page, then the lines equal the plain way's, in order."""
    assert list_local(mixed, **query) == _plain_way(mixed, **query)


def test_names_and_refs_of_a_mixed_folder(mixed):
    listed = list_local(mixed)
    assert [e.name for e in listed] == ["Beta", "alpha", "broken.jsonl", "gamma", "link",
                                        "linked-dir", "movie", "packed.jsonl", "plain",
                                        "reviews", "z"]
    refs = {e.name: e.ref.name for e in listed}
    assert refs["link"] == str((mixed / "reviews.jsonl").resolve())
    assert refs["linked-dir"] == str((mixed / "gamma").resolve())
    assert {e.name: e.pretty_name for e in listed}["alpha"] == "Movie reviews"


def test_first_page_of_10k_files_reads_no_card_beyond_the_page(tmp_path, monkeypatch):
    """Given 10k data files, when the first 50 are listed, then only 50 entries are built and
    it stays fast (the timing itself is bench/browse.py's: tests run on loaded machines)."""
    from dynotui.core.sources import local

    root = tmp_path / "many"
    root.mkdir()
    for i in range(10_000):
        (root / f"set{i:05d}.jsonl").write_text("{}\n")
    built = []
    real = local._child_entry
    monkeypatch.setattr(local, "_child_entry", lambda base, c: built.append(c) or real(base, c))
    start = time.perf_counter()
    page = list_datasets("local", path=root, limit=50, offset=100)
    took = time.perf_counter() - start
    assert [e.name for e in page] == [f"set{i:05d}" for i in range(100, 150)]
    assert len(built) == 50
    assert took < 5, took  # the figure lives in bench/browse.py; this only catches a full scan
    built.clear()
    assert [e.name for e in list_datasets("local", path=root, search="set0999")] == \
        [f"set0999{i}" for i in range(10)]
    assert len(built) == 10


def test_listing_lines_equal_the_full_card_reading(mixed):
    """Given carded folders, when listed, then each line holds what the full card parse (and
    datasets' reading of its features) gives."""
    from dynotui.core.sources.assemble import card_features
    from dynotui.core.sources.card import card_list
    from dynotui.core.sources.local import read_card

    for item in list_local(mixed):
        card = read_card(mixed / item.ref.name.split("/")[-1])  # None for the files
        if card is None:
            continue
        assert item.license == card_list(card.data, "license")
        assert item.languages == card_list(card.data, "language")
        assert item.task_categories == card_list(card.data, "task_categories")
        assert item.pretty_name == card.data["pretty_name"]
        assert item.fields == list(card_features(card, "default"))


def test_a_card_changed_after_a_listing_shows_in_the_next(mixed):
    """Given a listing (cards kept in memory), when a card is rewritten with the same size,
    then the next listing shows the new card."""
    import os

    readme = mixed / "alpha" / "README.md"
    assert list_local(mixed, search="alpha")[0].license == ["mit"]
    readme.write_text(readme.read_text().replace("license: mit", "license: bsd"))
    later = readme.stat().st_mtime_ns + 10**9
    os.utime(readme, ns=(later, later))
    assert list_local(mixed, search="alpha")[0].license == ["bsd"]
    readme.write_text("---\nlicense: [broken\n---\n")
    assert list_local(mixed, search="alpha")[0].license == []
