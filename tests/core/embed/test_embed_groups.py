"""Near-duplicate groups from the clustered pair search: the same groups as scoring all pairs."""

import itertools
import json
import os

import numpy as np
import pytest

from dynotui.core.embed.groups import near_groups
from dynotui.core.embed.pairs import all_pairs, close_pair_arrays
from dynotui.core.embed.workspace import apart_rule, swapped
from dynotui.core.models import Task
from shareddata import release_file


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def proposals_like(count: int, seed: int = 0) -> np.ndarray:
    """384-d vectors shaped like re-worded proposals: a few hundred tasks, each seen 1-12 times
    with small changes, some tasks close to each other, many alone."""
    rng = np.random.default_rng(seed)
    tasks = unit(rng.normal(size=(count // 4, 384)))
    near = len(tasks[1::3])  # every third task has a close cousin
    tasks[1::3] = unit(tasks[0::3][:near] + rng.normal(scale=0.02, size=(near, 384)))
    picks = rng.integers(0, len(tasks), count)
    noise = rng.normal(scale=rng.uniform(0.002, 0.02, size=(count, 1)), size=(count, 384))
    return unit(tasks[picks] + noise)


def exact_pairs(vectors, threshold):
    scores = vectors.astype(np.float64) @ vectors.T.astype(np.float64)
    i, j = np.nonzero(np.triu(scores >= threshold, 1))
    return set(zip(i.tolist(), j.tolist()))


@pytest.mark.parametrize("threshold", [0.8, 0.9, 0.97])
def test_given_proposal_like_vectors_when_searched_by_clusters_then_every_close_pair_is_found(
        threshold):
    vectors = proposals_like(900, seed=int(threshold * 100))
    i, j = close_pair_arrays(vectors, threshold, clustered=True)
    got = list(zip(i.tolist(), j.tolist()))
    assert len(got) == len(set(got)) and all(a < b for a, b in got)  # each pair once, in order
    assert set(got) == exact_pairs(vectors, threshold)
    a, b = all_pairs(vectors, threshold, block=37)
    assert set(zip(a.tolist(), b.tolist())) == set(got)


def test_given_proposal_like_vectors_when_grouped_both_ways_then_the_same_groups():
    vectors = proposals_like(1200, seed=5)
    same = [i // 3 for i in range(len(vectors))]  # three rows a text, as repeated proposals
    vectors = vectors[[3 * k for k in same]]  # the same text, the same vector
    exact = near_groups(vectors, 0.9, same=same, clustered=False)
    fast = near_groups(vectors, 0.9, same=same, clustered=True)
    assert fast == exact and len(exact) > 20
    for g in fast:  # around a centre: members need not be close to each other
        assert all(float(vectors[g[0]] @ vectors[m]) >= 0.9 - 1e-6 for m in g[1:])


def test_given_a_long_chain_in_384_dimensions_when_grouped_then_no_group_spans_it():
    # 40 steps along half a great circle, each 4 degrees from the last: neighbours are close
    # (cos 0.998), the ends opposite; union-find made one group of all 40
    rng = np.random.default_rng(2)
    a, b = unit(rng.normal(size=(2, 384)))
    b = unit((b - (a @ b) * a)[None])[0]
    angles = np.deg2rad(np.arange(40) * 4.0)
    chain = unit(np.cos(angles)[:, None] * a + np.sin(angles)[:, None] * b)
    vectors = np.concatenate([chain, proposals_like(400, seed=9)])
    for clustered in (False, True):
        groups = near_groups(vectors, 0.9, clustered=clustered)
        for g in groups:
            assert all(float(vectors[g[0]] @ vectors[m]) >= 0.9 for m in g[1:])
        on_chain = [len(set(g) & set(range(40))) for g in groups]
        assert max(on_chain) <= 13  # a centre reaches 6 steps (24 degrees) either way
    assert near_groups(vectors, 0.9, clustered=True) == near_groups(vectors, 0.9, clustered=False)


def test_given_scores_at_the_threshold_when_searched_then_decided_in_float64():
    # pairs whose float32 score rounds across the threshold: both searches agree with float64
    rng = np.random.default_rng(4)
    base = unit(rng.normal(size=(1, 384)))[0]
    other = unit(rng.normal(size=(1, 384)))[0]
    other = unit((other - (other @ base) * base)[None])[0]
    angle = np.arccos(0.9)
    wobble = rng.uniform(-2e-6, 2e-6, size=300)
    rows = unit(np.cos(angle + wobble)[:, None] * other + np.sin(angle + wobble)[:, None] * base)
    vectors = np.concatenate([base[None], rows, proposals_like(300, seed=1)]).astype(np.float32)
    want = exact_pairs(vectors, 0.9)
    for clustered in (False, True):
        i, j = close_pair_arrays(vectors, 0.9, clustered=clustered)
        assert set(zip(i.tolist(), j.tolist())) == want


def test_given_vectors_not_of_unit_length_when_searched_then_all_pairs_are_scored():
    vectors = proposals_like(300, seed=3) * 2
    i, j = close_pair_arrays(vectors, 3.6, clustered=True)
    assert set(zip(i.tolist(), j.tolist())) == exact_pairs(vectors, 3.6)


@pytest.mark.embeddings
@pytest.mark.timeout(600)
def test_given_real_instructions_when_grouped_both_ways_then_the_same_groups(tmp_path):
    pytest.importorskip("sentence_transformers", reason="needs the embeddings extra")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if not release_file().exists():
        pytest.skip("shared task list not found")
    from dynotui.core.embed.vectors import embed_texts

    texts = [t["instruction"] for t in json.loads(release_file().read_text())][:600]
    vectors, _ = embed_texts(texts, None, tmp_path)
    rng = np.random.default_rng(0)
    grown = unit(np.concatenate([vectors, vectors[rng.integers(0, 600, 600)]
                                 + rng.normal(scale=0.01, size=(600, vectors.shape[1]))]))
    keys = texts + [f"re-worded {n}" for n in range(600)]
    exact = near_groups(grown, 0.9, same=keys, clustered=False)
    assert near_groups(grown, 0.9, same=keys, clustered=True) == exact
    assert exact and max(len(g) for g in exact) > 5


def test_given_close_pairs_when_checked_at_once_then_apart_exactly_as_swapped():
    def task(instruction, inputs, output):
        return Task(instruction=instruction, input_fields=inputs, output_field=output)
    tasks = [task("Translate English to French.", ["en"], "fr"),
             task("Translate French to English.", ["fr"], "en"),
             task("Translate the English text to French.", ["text"], "fr"),
             task("Convert english to English.", ["a"], "b"),
             task("Convert English to english.", ["b"], "a"),
             task("Answer the question.", ["question"], "answer"),
             task("Write the question.", ["answer"], "question"),
             task("Write the question for the answer.", ["answer", "context"], "question"),
             task("Summarise the article.", ["article"], "summary"),
             task("Map the summary into the article.", ["summary"], "article")]
    i, j = (np.array(x) for x in zip(*itertools.permutations(range(len(tasks)), 2)))
    got = apart_rule(tasks)(i, j)
    want = [swapped(tasks[a], tasks[b]) for a, b in zip(i.tolist(), j.tolist())]
    assert got.tolist() == want and 4 < sum(want) < len(want) // 2
    vectors = unit(np.ones((len(tasks), 4)) + np.arange(4) * 1e-3)  # all close
    groups = near_groups(vectors, 0.9, apart=apart_rule(tasks))
    for g in groups:
        assert not any(swapped(tasks[a], tasks[b]) for a, b in itertools.combinations(g, 2)
                       if a == g[0])
