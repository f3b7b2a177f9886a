"""Embedding maths and the vector cache, on plain vectors (no model needed)."""

import itertools
import os
import subprocess
import sys

import numpy as np
import pytest

from dynotui.core.embed.cache import VectorCache, text_key
from dynotui.core.embed.groups import NearGroups, near_groups
from dynotui.core.embed.workspace import swapped
from dynotui.core.models import Task
from dynotui.core.embed.model import model_label, model_slug
from dynotui.core.embed.select import farthest_point, mean_pairwise_distance, random_pick


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def brute_groups(vectors, threshold):
    n = len(vectors)
    label = list(range(n))

    def find(i):
        while label[i] != i:
            i = label[i]
        return i

    for i, j in itertools.combinations(range(n), 2):
        if float(vectors[i] @ vectors[j]) >= threshold:
            label[find(j)] = find(i)
    sets = {}
    for i in range(n):
        sets.setdefault(find(i), []).append(i)
    return sorted(sorted(g) for g in sets.values() if len(g) > 1)


def test_given_clustered_vectors_when_grouped_then_every_member_is_close_to_its_centre():
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(12, 16))
    rows = np.concatenate([centres[i % 12] + rng.normal(scale=0.25, size=16) for i in range(150)])
    vectors = unit(rows.reshape(150, 16))
    got = near_groups(vectors, 0.9, block=17)
    assert got and [len(g) for g in got] == sorted((len(g) for g in got), reverse=True)
    flat = [i for g in got for i in g]
    assert len(flat) == len(set(flat))  # disjoint
    for g in got:
        assert all(float(vectors[g[0]] @ vectors[m]) >= 0.9 for m in g[1:])
    # no row left out of every group has a close row left out too (a group was missed)
    alone = sorted(set(range(150)) - set(flat))
    assert not [(i, j) for i, j in itertools.combinations(alone, 2)
                if float(vectors[i] @ vectors[j]) >= 0.9]


def test_given_a_chain_when_grouped_then_the_ends_are_not_together():
    # a ~ b ~ c ~ d, each step 20 degrees (cos 0.94), a to d 60 degrees (cos 0.5):
    # union-find made one group of four; around a centre, d stays out
    angles = np.deg2rad([0, 20, 40, 60])
    vectors = unit(np.stack([np.cos(angles), np.sin(angles)], axis=1))
    got = near_groups(vectors, 0.9)
    assert got == [[1, 0, 2]]


def test_given_swapped_directions_when_close_then_apart():
    def task(instruction, inputs, output):
        return Task(instruction=instruction, input_fields=inputs, output_field=output)
    fr = task("Translate English to French.", ["en"], "fr")
    en = task("Translate French to English.", ["fr"], "en")
    assert swapped(fr, en)
    assert swapped(task("Answer the question.", ["question"], "answer"),
                   task("Write the question.", ["answer"], "question"))
    assert not swapped(fr, task("Translate the English text to French.", ["en"], "fr"))
    vectors = unit(np.array([[1, 0], [1, 0.01]], dtype=np.float32))
    assert near_groups(vectors, 0.9, apart=lambda i, j: True) == []


def test_given_identical_texts_when_their_scores_round_below_threshold_then_still_grouped():
    vectors = unit(np.eye(4, dtype=np.float32))
    got = near_groups(vectors, 1.0, same=["a", "b", "a", "c"])
    assert got == [[0, 2]]


def test_given_groups_when_asked_per_proposal_then_members_and_stats_agree():
    groups = NearGroups(0.9, "m", 6, [["a", "b", "c"], ["d", "e"]])
    assert groups.group_of("b") == 0 and groups.group_of("f") is None
    assert groups.members("d") == ["e"]
    assert groups.stats() == {"threshold": 0.9, "model": "m", "proposals": 5, "groups": 2, "of": 6,
                              "sizes": {"2": 1, "3": 1}, "largest": [3, 2],
                              "largest_group": {"size": 3, "centre": "a", "spread": None,
                                                "distinct": None}}
    assert NearGroups.from_dict(groups.to_dict()).groups == groups.groups


def test_given_two_tight_clusters_when_choosing_two_then_one_from_each():
    rng = np.random.default_rng(0)
    a = unit(np.array([1.0, 0, 0]) + rng.normal(scale=0.01, size=(20, 3)))
    b = unit(np.array([0, 1.0, 0]) + rng.normal(scale=0.01, size=(20, 3)))
    chosen = farthest_point(np.concatenate([a, b]), 2, seed=5)
    assert len(chosen) == 2 and {i < 20 for i in chosen} == {True, False}


def test_given_a_cap_per_label_when_choosing_then_no_label_exceeds_it():
    vectors = unit(np.random.default_rng(1).normal(size=(60, 8)))
    labels = np.array([i % 3 for i in range(60)])
    chosen = farthest_point(vectors, 30, seed=2, labels=labels, cap=4)
    assert len(chosen) == 12 and len(set(chosen)) == 12
    assert all(sum(labels[i] == lab for i in chosen) == 4 for lab in range(3))


def test_given_a_seed_when_choosing_twice_then_same_choice_and_differs_from_another_seed():
    vectors = unit(np.random.default_rng(1).normal(size=(200, 8)))
    assert farthest_point(vectors, 10, 7) == farthest_point(vectors, 10, 7)
    assert farthest_point(vectors, 10, 7)[0] != farthest_point(vectors, 10, 8)[0] or \
        farthest_point(vectors, 10, 7) != farthest_point(vectors, 10, 8)
    assert random_pick(200, 10, 7) == random_pick(200, 10, 7)


def test_given_vectors_when_mean_pairwise_distance_then_equals_the_pairwise_average():
    vectors = unit(np.random.default_rng(4).normal(size=(30, 5)))
    pairs = [1 - float(vectors[i] @ vectors[j]) for i, j in itertools.combinations(range(30), 2)]
    assert mean_pairwise_distance(vectors) == pytest.approx(np.mean(pairs), abs=1e-5)
    assert mean_pairwise_distance(vectors[:1]) == 0.0


def test_given_model_names_when_slugged_then_default_is_readable_and_paths_stay_apart():
    assert model_label(None) == model_label("sentence-transformers/all-MiniLM-L6-v2") == \
        "all-MiniLM-L6-v2" == model_slug(None)
    assert model_slug("/a/model") != model_slug("/b/model")
    assert "/" not in model_slug("/a/model")


def test_given_vectors_added_when_read_by_a_new_cache_then_found_by_text_hash(tmp_path):
    cache = VectorCache(tmp_path, None)
    keys = [text_key(f"instruction {i}") for i in range(10)]
    vectors = unit(np.random.default_rng(0).normal(size=(10, 4)))
    cache.add(keys[:6], vectors[:6])
    cache.add(keys[6:], vectors[6:])
    fresh = VectorCache(tmp_path, None)
    found = fresh.lookup(keys + [text_key("never embedded")])
    assert len(found) == 10
    assert np.allclose(np.stack([found[k] for k in keys]), vectors)
    assert text_key("  instruction 3 ") == keys[3]
    assert not [p for p in (tmp_path / "embeddings").rglob("*") if ".tmp-" in p.name]


def test_given_many_shards_when_merged_then_every_vector_kept_and_readers_follow(tmp_path, monkeypatch):
    monkeypatch.setattr("dynotui.core.embed.cache.MAX_SHARDS", 3)
    reader = VectorCache(tmp_path, "some/model")
    writer = VectorCache(tmp_path, "some/model")
    vectors = unit(np.random.default_rng(0).normal(size=(8, 4)))
    keys = [text_key(str(i)) for i in range(8)]
    for i in range(3):
        writer.add(keys[i:i + 1], vectors[i:i + 1])
    assert len(reader.lookup(keys)) == 3
    for i in range(3, 8):
        writer.add(keys[i:i + 1], vectors[i:i + 1])  # goes past 3 shards: merged
    shards = list(writer.dir.glob("shard-*.npz"))
    assert len(shards) <= 3
    found = reader.lookup(keys)
    assert len(found) == 8 and np.allclose(np.stack([found[k] for k in keys]), vectors)


def test_given_a_corrupt_shard_when_read_then_skipped_and_the_rest_still_served(tmp_path):
    cache = VectorCache(tmp_path, None)
    cache.add([text_key("a")], unit(np.ones((1, 4))))
    (cache.dir / "shard-0-bad.npz").write_bytes(b"not a zip file")
    fresh = VectorCache(tmp_path, None)
    assert list(fresh.lookup([text_key("a"), text_key("b")])) == [text_key("a")]
    assert fresh.skipped == ["shard-0-bad.npz"]


WRITER = """
import sys, numpy as np
from dynotui.core.embed.cache import VectorCache, text_key
cache = VectorCache(sys.argv[1], None)
n = int(sys.argv[2])
for i in range(20):
    key = text_key(f"{n}-{i}")
    cache.add([key], np.full((1, 4), n + i / 100, dtype=np.float32))
"""


def test_given_two_processes_adding_at_once_when_read_then_nothing_lost(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(n)], env=env)
             for n in (1, 2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    found = VectorCache(tmp_path, None).lookup([text_key(f"{n}-{i}") for n in (1, 2) for i in range(20)])
    assert len(found) == 40
    assert float(found[text_key("2-5")][0]) == pytest.approx(2.05)


def test_given_an_unwritable_cache_folder_when_caching_then_a_clear_store_error(tmp_path):
    from dynotui.core.errors import StoreError

    (tmp_path / "embeddings").write_text("a file where the folder should be")
    with pytest.raises(StoreError) as err:
        VectorCache(tmp_path, None).add([text_key("a")], unit(np.ones((1, 4))))
    assert "embedding cache" in err.value.message and "permissions" in err.value.hint
