"""`show` on a Hub dataset reads parquet/json lines/csv files directly (hubplan + hubread):
the same features and rows as the datasets path (DYNOTUI_HUB_DIRECT=0), in fewer requests."""

import io
import json
from collections import Counter

import pytest

from dynotui.core.sources import SAMPLES_DIR, load_meta, parse_ref
from dynotui.core.sources import hubclient
from hubserver import HubServer


@pytest.fixture
def hub(tmp_path, monkeypatch):
    server = HubServer().start()
    for key, value in server.env(tmp_path / "hf").items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("DYNOTUI_HUB_DIRECT", raising=False)
    monkeypatch.setenv("DYNOTUI_HUB_TIMEOUT", "5")
    yield server
    server.stop()
    monkeypatch.undo()
    hubclient.sync_env()


def parquet_bytes(columns, with_features=False, row_group_size=None):
    import pyarrow as pa
    import pyarrow.parquet as pq

    if with_features:  # written by datasets itself: its features ride in the schema metadata
        from datasets import ClassLabel, Dataset, Features, List, Value

        features = Features({"text": Value("string"), "label": ClassLabel(names=["neg", "pos"]),
                             "tags": List(Value("string"))})
        out = io.BytesIO()
        Dataset.from_dict(columns, features=features).to_parquet(out)
        return out.getvalue()
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out, row_group_size=row_group_size)
    return out.getvalue()


def jsonl(rows):
    return "".join(json.dumps(r) + "\n" for r in rows)


CARD_CSV = """---
license: mit
dataset_info:
  features:
  - name: question
    dtype: string
  - name: score
    dtype: float32
  - name: votes
    dtype: int64
---
A csv of questions with scores, for the direct reader's tests.
"""

GLOBBED = """---
configs:
- config_name: main
  data_files:
  - split: train
    path: shards/part-*.jsonl
  - split: test
    path: [holdout/a.jsonl, holdout/b.jsonl]
- config_name: flat
  data_files: shards/part-2.jsonl
---
Shards named by a glob in the card, read across files.
"""

ODD_ROWS = [{"q": "one", "n": 1, "meta": {"a": 1, "b": "x"}, "tags": ["a"]},
            {"q": "two", "n": 2.5, "meta": {"a": 2, "b": None}, "tags": [], "extra": True},
            {"q": None, "n": 3, "meta": None, "tags": None},
            {"q": "when", "n": 4, "meta": {"a": 3, "b": "z"}, "tags": ["b", "c"],
             "extra": False}]


def add_repos(hub):
    for name in ("sst-mini", "support-tickets", "reading-qa", "ner-tokens"):
        hub.add_folder(f"acme/{name}", SAMPLES_DIR / name)
    texts = [f"review {i}" for i in range(30)]
    hub.add_dataset("acme/pq-meta", {
        "README.md": "---\nlicense: mit\n---\nParquet written by datasets, labels in its "
                     "schema metadata.\n",
        "data/train-00000-of-00001.parquet": parquet_bytes(
            {"text": texts, "label": [i % 2 for i in range(30)],
             "tags": [["x"] * (i % 3) for i in range(30)]}, with_features=True),
        "data/test-00000-of-00001.parquet": parquet_bytes(
            {"text": texts[:5], "label": [1, 0, 1, 0, 1], "tags": [[], ["y"], [], [], []]},
            with_features=True)})
    hub.add_dataset("acme/pq-plain", {
        "train-a.parquet": parquet_bytes({"id": list(range(40)), "score": [i / 3 for i in range(40)],
                                          "pair": [{"a": i, "b": str(i)} for i in range(40)]},
                                         row_group_size=7),
        "train-b.parquet": parquet_bytes({"id": [99], "score": [1.5], "pair": [{"a": 1, "b": "q"}]}),
        "validation.parquet": parquet_bytes({"id": [7], "score": [0.25],
                                             "pair": [{"a": 0, "b": "v"}]})})
    hub.add_dataset("acme/json-odd", {"data/train.jsonl": jsonl(ODD_ROWS),
                                      "data/test.jsonl": jsonl(ODD_ROWS[:2])})
    hub.add_dataset("acme/json-dates", {"train.jsonl": jsonl(
        [{"at": "2024-01-02 10:00:00", "n": 1}, {"at": "2024-01-03 11:30:00", "n": 2}])})
    csv_text = "question,score,votes\nWhy?,0.1,3\nHow?,,4\n\"Who, then?\",2,5\n"
    hub.add_dataset("acme/csv-card", {"README.md": CARD_CSV, "train.csv": csv_text})
    hub.add_dataset("acme/csv-plain", {
        "train.csv": "name,age,ok,note\nann,31,True,\nbob,40,False,tall\ncid,,True,x\n",
        "test.csv": "name,age,ok,note\ndee,22,False,y\n"})
    hub.add_dataset("acme/tsv", {"data/train.tsv": "a\tb\n1\tx\n2\ty\n"})
    shards = {f"shards/part-{i}.jsonl": jsonl([{"k": i * 10 + j, "text": f"s{i} r{j}"}
                                               for j in range(8)]) for i in range(4)}
    hub.add_dataset("acme/globbed", {
        "README.md": GLOBBED, **shards,
        "holdout/a.jsonl": jsonl([{"k": 1, "text": "a"}]),
        "holdout/b.jsonl": jsonl([{"k": 2, "text": "b"}])})


CASES = [("acme/sst-mini", None), ("acme/support-tickets", "intent"),
         ("acme/support-tickets", "replies"), ("acme/reading-qa", None),
         ("acme/ner-tokens", None), ("acme/pq-meta", None), ("acme/pq-plain", None),
         ("acme/json-odd", None), ("acme/json-dates", None), ("acme/csv-card", None),
         ("acme/csv-plain", None), ("acme/tsv", None), ("acme/globbed", "main"),
         ("acme/globbed", "flat")]


def shown(meta):
    """What `show --json` prints from a meta, rows in their key order."""
    return {"features": [vars(f) for f in meta.features], "splits": meta.splits,
            "configs": meta.configs, "config": meta.ref.config, "summary": meta.summary,
            "rows": json.dumps(meta.rows, default=str), "truncated": meta.truncated,
            "verdicts": [v.to_dict() for v in meta.verdicts]}


@pytest.mark.parametrize("name, config", CASES)
def test_the_direct_read_shows_what_datasets_shows(hub, monkeypatch, name, config):
    add_repos(hub)
    ref = parse_ref(f"hub:{name}", config=config)
    direct = load_meta(ref, rows=25)
    paths = hub.paths()
    assert not any("/tree/" in p or ".huggingface.yaml" in p for p in paths), paths
    monkeypatch.setenv("DYNOTUI_HUB_DIRECT", "0")
    through_datasets = load_meta(ref, rows=25)
    assert shown(direct) == shown(through_datasets)
    assert direct.rows and all(direct.rows.values())


def test_one_split_still_takes_its_features_from_the_first(hub, monkeypatch):
    add_repos(hub)
    ref = parse_ref("hub:acme/json-odd", split="test")
    direct = load_meta(ref, rows=5)
    monkeypatch.setenv("DYNOTUI_HUB_DIRECT", "0")
    assert shown(direct) == shown(load_meta(ref, rows=5))
    assert list(direct.rows) == ["test"] and "extra" in direct.field_names


def test_show_of_a_multi_config_card_asks_each_file_once(hub):
    hub.add_folder("acme/tickets", SAMPLES_DIR / "support-tickets")
    meta = load_meta(parse_ref("hub:acme/tickets", config="replies"), rows=100)
    sha = hub.repos["acme/tickets"].sha
    counts = Counter(hub.paths())
    assert counts == Counter({
        "GET /api/datasets/acme/tickets": 1,
        f"GET /datasets/acme/tickets/resolve/{sha}/README.md": 1,
        f"GET /datasets/acme/tickets/resolve/{sha}/data/replies/train.jsonl": 1,
        f"GET /datasets/acme/tickets/resolve/{sha}/data/replies/test.jsonl": 1})
    assert meta.field_names == ["ticket", "reply"] and len(meta.rows["train"]) > 5
    before = len(hub.requests)
    again = load_meta(parse_ref("hub:acme/tickets", config="replies"), rows=100)
    assert again.rows == meta.rows  # the card of that commit is kept: no second GET
    assert sorted(hub.paths()[before:]) == [
        "GET /api/datasets/acme/tickets",
        f"GET /datasets/acme/tickets/resolve/{sha}/data/replies/test.jsonl",
        f"GET /datasets/acme/tickets/resolve/{sha}/data/replies/train.jsonl"]


def test_a_large_parquet_file_is_read_by_ranges(hub):
    import random

    noise = random.Random(7)
    texts = [f"row {i} " + noise.randbytes(150).hex() for i in range(12_000)]
    blob = parquet_bytes({"text": texts, "n": list(range(12_000))}, row_group_size=1000)
    assert len(blob) > 2 * (1 << 20)
    hub.add_dataset("acme/big", {"data/train-00000-of-00001.parquet": blob})
    meta = load_meta(parse_ref("hub:acme/big"), rows=3)
    assert [r["n"] for r in meta.rows["train"]] == [0, 1, 2]
    reads = [h.get("Range") or h.get("range") for m, p, h in hub.requests if p.endswith(".parquet")]
    assert len(reads) <= 3 and all(reads), reads  # the tail, then the first row group


def test_what_the_direct_read_does_not_mirror_goes_to_datasets(hub):
    hub.add_dataset("acme/mixed", {"train.jsonl": jsonl([{"a": {"x": 1}}, {"a": {"y": "z"}}])})
    meta = load_meta(parse_ref("hub:acme/mixed"), rows=2)  # mixed objects: datasets' Json
    assert len(meta.rows["train"]) == 2
    assert any("/tree/" in p for p in hub.paths())  # datasets' module factory ran
    hub.add_dataset("acme/logo", {"README.md": "---\nlicense: mit\n---\nWith a logo.\n",
                                  "train.jsonl": jsonl([{"a": 1}]), "logo.png": b"\x89PNG"})
    sha = hub.repos["acme/logo"].sha
    before = len(hub.requests)
    load_meta(parse_ref("hub:acme/logo"), rows=1)  # an image: datasets decides from the start
    ours = hub.paths()[before:]
    ours = ours[:next(i for i, p in enumerate(ours) if "/tree/" in p)]
    # the card went through the Hub cache (HEAD, GET), where datasets looks for it
    assert [p for p in ours if p.endswith("README.md")] == [
        f"HEAD /datasets/acme/logo/resolve/{sha}/README.md",
        f"GET /datasets/acme/logo/resolve/{sha}/README.md"]


def test_a_missing_data_file_and_offline_mode_stay_clear(hub, monkeypatch):
    from dynotui.core.errors import DatasetError

    hub.add_folder("acme/tickets", SAMPLES_DIR / "support-tickets")
    hub.fault(r"/resolve/.*/data/intent/train.jsonl$", status=403)
    with pytest.raises(DatasetError) as err:
        load_meta(parse_ref("hub:acme/tickets"), rows=2)
    assert "refused" in err.value.message and hub.url in err.value.message
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(DatasetError) as err:
        load_meta(parse_ref("hub:acme/tickets"), rows=2)
    assert "offline" in err.value.message


def test_showing_json_lines_imports_neither_datasets_nor_pyarrow(hub, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    hub.add_folder("acme/tickets", SAMPLES_DIR / "support-tickets")
    code = ("import sys; from dynotui.core.sources import load_meta, parse_ref; "
            "meta = load_meta(parse_ref('hub:acme/tickets', config='replies'), rows=3); "
            "print(len(meta.rows['train']), 'datasets' in sys.modules, 'pyarrow' in sys.modules)")
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, **hub.env(tmp_path / "child"), "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["3", "False", "False"]
