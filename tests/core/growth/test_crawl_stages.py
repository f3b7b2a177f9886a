"""Stages and replay: tasks belong to the crawl stage that queued their dataset; exporting stage K
adds N earlier tasks chosen by instruction embeddings (diverse, similar) or at random."""

from __future__ import annotations

import pytest

SENTIMENT = ["Decide whether the movie review is positive or negative.",
             "Classify the sentiment of this film review as positive or negative.",
             "Is the opinion in this movie review favourable or unfavourable?",
             "Label the film review with its sentiment, positive or negative.",
             "Tell whether the reviewer liked or disliked the movie."]
TOPIC = ["Assign the news article to its topic category.",
         "Which section of the newspaper does this news story belong to?",
         "Classify the news text by its subject area.",
         "Name the topic category of this news article.",
         "Sort the news story into one of the topic categories."]
HEADLINE = ["Write a headline for the news article.",
            "Give this news story a short title.",
            "Compose a title that sums up the article.",
            "Suggest a catchy headline for this piece of news.",
            "Produce a one-line title for the story."]
INTENT = ["Identify the customer's intent in this support ticket.",
          "What does the customer want, according to the support message?",
          "Classify the support ticket by the customer's request."]
ENTAIL = ["Does the premise entail the hypothesis? Answer with the label.",
          "Decide if the hypothesis follows from the premise."]


def _task(text: str, inputs: list[str], output: str):
    from dynotui.core.models import Task

    return Task(text, inputs, output)


def staged_workspace(tmp_path):
    """Stage 1 (by the crawl log): sst-mini and news-topics; stage 2: support-tickets and
    entailment-pairs; plus two stage-0 tasks on a dataset no crawl queued. All accepted."""
    from dynotui.core.growth.log import CrawlLog
    from dynotui.core.models import Proposal
    from dynotui.core.sources import load_meta, parse_ref
    from dynotui.core.store import Store

    store = Store(tmp_path / "ws", annotator="ann")
    log = CrawlLog(store.workspace)
    plan = {"sst-mini": (1, [(t, ["text"], "label") for t in SENTIMENT]),
            "news-topics": (1, [(t, ["text"], "label") for t in TOPIC]
                            + [(t, ["text"], "title") for t in HEADLINE]),
            "support-tickets": (2, [(t, ["text"], "intent") for t in INTENT]),
            "entailment-pairs": (2, [(t, ["premise", "hypothesis"], "label") for t in ENTAIL]),
            "science-choice": (None, [("Pick the answer to the science question.", ["question", "choices"], "answer"),
                                      ("Answer the multiple-choice science question.", ["question", "choices"], "answer")])}
    for stage in (1, 2):
        log.append({"t": "stage", "stage": stage, "date": f"2026-0{stage}-01", "query": {}})
    props = []
    for name, (stage, tasks) in plan.items():
        meta = load_meta(parse_ref(f"sample:{name}"), rows=5)
        store.save_meta(meta)
        if stage is not None:
            log.append({"t": "seen", "stage": stage, "id": meta.ref.id, "sha": meta.revision,
                        "key": meta.ref.key, "outcome": "queued", "reasons": []})
        for text, inputs, output in tasks:
            props.append(Proposal(dataset=meta.ref.id, task=_task(text, inputs, output),
                                  config=meta.ref.config, revision=meta.revision, variant="aware"))
    log.close()
    store.add_proposals(props)
    for p in props:
        store.decide(p.id, "accept")
    return store


def _stages_of(store, tasks):
    from dynotui.core.export.replay import stage_map, stage_of

    stages = stage_map(store.workspace)
    return {p.id: stage_of(p, stages) for p in tasks}


def test_tasks_take_the_stage_that_queued_their_dataset(tmp_path):
    store = staged_workspace(tmp_path)
    accepted = store.accepted()
    stages = _stages_of(store, accepted)
    by_dataset = {p.dataset: stages[p.id] for p in accepted}
    assert by_dataset == {"sample:sst-mini": 1, "sample:news-topics": 1,
                          "sample:support-tickets": 2, "sample:entailment-pairs": 2,
                          "sample:science-choice": 0}


def test_random_replay_is_seeded_and_marks_every_task(tmp_path):
    from dynotui.core.export.replay import select_stage

    store = staged_workspace(tmp_path)
    accepted = store.accepted()
    chosen, marks = select_stage(store, accepted, stage=2, replay=4, by="random", seed=3)
    current = [p for p in chosen if not marks[p.id].replay]
    replayed = [p for p in chosen if marks[p.id].replay]
    assert len(current) == len(INTENT) + len(ENTAIL) and len(replayed) == 4
    assert all(marks[p.id].stage == 2 for p in current)
    assert all(marks[p.id].stage in (0, 1) for p in replayed)
    again, _ = select_stage(store, accepted, stage=2, replay=4, by="random", seed=3)
    other, _ = select_stage(store, accepted, stage=2, replay=4, by="random", seed=4)
    assert [p.id for p in again] == [p.id for p in chosen]
    assert {p.id for p in other} != {p.id for p in chosen}
    # stage 1 has only stage 0 to replay from; asking for more than there is takes all of it
    first, marks1 = select_stage(store, accepted, stage=1, replay=50, by="random")
    assert sum(m.replay for m in marks1.values()) == 2


def test_bad_stage_or_rule_is_a_clear_error(tmp_path):
    from dynotui.core.errors import ExportError
    from dynotui.core.export.replay import select_stage

    store = staged_workspace(tmp_path)
    with pytest.raises(ExportError, match="No accepted task in stage 7") as info:
        select_stage(store, store.accepted(), stage=7)
    assert "0, 1, 2" in info.value.hint
    with pytest.raises(ExportError, match="Unknown replay rule 'best'"):
        select_stage(store, store.accepted(), stage=2, replay=1, by="best")


@pytest.mark.embeddings
def test_diverse_replay_covers_the_earlier_instruction_space(tmp_path):
    from dynotui.core.export.replay import select_stage

    store = staged_workspace(tmp_path)
    accepted = store.accepted()
    clusters = {**{t: "sentiment" for t in SENTIMENT}, **{t: "topic" for t in TOPIC},
                **{t: "headline" for t in HEADLINE}}
    for seed in range(3):
        chosen, marks = select_stage(store, accepted, stage=2, replay=4, by="diverse", seed=seed)
        picked = {clusters.get(p.task.instruction, "stage0") for p in chosen if marks[p.id].replay}
        # four picks from four earlier groups (three stage-1 topics and stage 0): one of each
        assert picked == {"sentiment", "topic", "headline", "stage0"}, (seed, picked)


@pytest.mark.embeddings
def test_similar_replay_takes_the_earlier_tasks_nearest_stage_k(tmp_path):
    from dynotui.core.embed.vectors import embed_texts
    from dynotui.core.export.replay import select_stage

    store = staged_workspace(tmp_path)
    accepted = store.accepted()
    stages = _stages_of(store, accepted)
    earlier = [p for p in accepted if stages[p.id] < 2]
    current = [p for p in accepted if stages[p.id] == 2]
    vectors, _ = embed_texts([p.task.instruction for p in earlier])
    targets, _ = embed_texts([p.task.instruction for p in current])
    closeness = (vectors @ targets.T).max(axis=1)
    expected = {earlier[i].id for i in closeness.argsort()[::-1][:3]}
    chosen, marks = select_stage(store, accepted, stage=2, replay=3, by="similar")
    assert {p.id for p in chosen if marks[p.id].replay} == expected


def test_stages_show_in_the_apps_stats_screen(tmp_path):
    from rich.console import Console

    from dynotui.core.stats import compute
    from dynotui.tui.screens.stats import stats_renderable

    store = staged_workspace(tmp_path)
    console = Console(width=160, record=True)
    console.print(stats_renderable(compute(store)))
    text = console.export_text()
    assert "Crawl stages" in text
    assert "stage 1 " in text and "stage 2 " in text and "queued 2" in text
