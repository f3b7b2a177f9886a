"""Write dynotui/samples/NAME/ (Hub layout: README.md card + data/*.jsonl). Deterministic.

Run: .venv/bin/python tools/make_samples.py
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from sample_rows_misc import (INTENTS, NER_LABELS, choice_rows, intent_rows,  # noqa: E402
                              ner_rows, reply_rows)
from sample_rows_qa import qa_rows, summary_rows  # noqa: E402
from sample_rows_text import entailment_rows, news_rows, sentiment_rows  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "dynotui" / "samples"


def features(spec: dict):
    from datasets import ClassLabel, Features, List, Value

    def build(v):
        if isinstance(v, list) and v and v[0] == "labels":
            return ClassLabel(names=v[1])
        if isinstance(v, list):
            return List(build(v[0]))
        if isinstance(v, dict):
            return {k: build(x) for k, x in v.items()}
        return Value(v)

    return Features({k: build(v) for k, v in spec.items()})


def write(name: str, meta: dict, configs: list[tuple[str, dict, dict[str, list[dict]]]],
          summary: str, fields: str, extra: str = "") -> None:
    from datasets import DatasetInfo, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCard, DatasetCardData

    root = OUT / name
    infos = {}
    card_configs = []
    for index, (config, spec, splits) in enumerate(configs):
        feats = features(spec)
        split_dict = SplitDict()
        files = []
        for split, rows in splits.items():
            sub = f"data/{config}" if len(configs) > 1 else "data"
            path = root / sub / f"{split}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as fh:
                for row in rows:
                    feats.encode_example(row)  # fails loudly on a row that does not fit
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            split_dict.add(SplitInfo(name=split, num_examples=len(rows)))
            files.append({"split": split, "path": f"{sub}/{split}.jsonl"})
        infos[config] = DatasetInfo(features=feats, splits=split_dict, config_name=config)
        entry = {"config_name": config, "data_files": files}
        if index == 0:
            entry["default"] = True
        card_configs.append(entry)
    data = DatasetCardData(**meta, configs=card_configs)
    DatasetInfosDict(infos).to_dataset_card_data(data)
    text = (f"---\n{data.to_yaml()}\n---\n\n# Dataset Card for {meta['pretty_name']}\n\n"
            f"## Dataset Summary\n\n{summary}\n\n{extra}"
            f"## Dataset Structure\n\n### Data Fields\n\n{fields}\n\n"
            "## Licensing Information\n\n"
            f"Written for the dynotui project and released under {meta['license']}.\n")
    DatasetCard(text)  # validates the front matter
    (root / "README.md").write_text(text, encoding="utf-8")
    total = sum(len(r) for _, _, s in configs for r in s.values())
    print(f"{name}: {total} rows")


def split(rows: list[dict], first: str, second: str, n_second: int) -> dict[str, list[dict]]:
    return {first: rows[n_second:], second: rows[:n_second]}


def base(task: list[str], ids: list[str], pretty: str) -> dict:
    return {"language": ["en"], "task_categories": task, "task_ids": ids, "pretty_name": pretty,
            "size_categories": ["n<1K"], "annotations_creators": ["expert-generated"],
            "source_datasets": ["original"]}


def main() -> None:
    rng = random.Random(20240611)
    write("sst-mini", {**base(["text-classification"], ["sentiment-classification"],
                               "Short Sentiment Texts (mini)"), "license": "cc-by-4.0"},
          [("default", {"text": "string", "label": ["labels", ["negative", "positive"]]},
            split(sentiment_rows(rng), "train", "test", 16))],
          "One-sentence film reviews labelled as positive or negative. Each review gives a "
          "verdict on an unnamed film, sometimes with an aside that does not change the verdict.",
          "- `text`: the review, one or two sentences of English.\n"
          "- `label`: the sentiment of the review, `negative` or `positive`.")
    write("news-topics", {**base(["text-classification"], ["topic-classification"],
                                  "News Topics"), "license": "mit"},
          [("default", {"title": "string", "text": "string",
                        "label": ["labels", ["world", "sports", "business", "science"]]},
            split(news_rows(rng), "train", "test", 12))],
          "Short news items (a headline and a two-sentence story) about world affairs, sport, "
          "business and science, each labelled with its topic.",
          "- `title`: the headline.\n- `text`: the body of the story, two sentences.\n"
          "- `label`: the topic: `world`, `sports`, `business` or `science`.")
    write("entailment-pairs", {**base(["text-classification"], ["natural-language-inference"],
                                       "Entailment Pairs"), "license": "cc-by-4.0"},
          [("default", {"premise": "string", "hypothesis": "string",
                        "label": ["labels", ["entailment", "neutral", "contradiction"]]},
            split(entailment_rows(rng), "train", "validation", 18))],
          "Pairs of sentences describing everyday scenes. Given the premise, the hypothesis is "
          "either certainly true (entailment), possibly true (neutral) or certainly false "
          "(contradiction).",
          "- `premise`: a sentence describing a scene.\n"
          "- `hypothesis`: a sentence about the same scene.\n"
          "- `label`: how the hypothesis relates to the premise: `entailment`, `neutral` or "
          "`contradiction`.")
    write("reading-qa", {**base(["question-answering"], ["extractive-qa"],
                                 "Reading Comprehension QA"), "license": "cc-by-4.0"},
          [("default", {"id": "string", "title": "string", "context": "string",
                        "question": "string",
                        "answers": {"text": ["string"], "answer_start": ["int32"]}},
            split(qa_rows(rng), "train", "validation", 10))],
          "Short encyclopedic passages with questions whose answers are spans of the passage. "
          "Topics range from honeybees and tides to printing presses and sourdough.",
          "- `id`: a unique identifier of the question.\n"
          "- `title`: the topic of the passage.\n"
          "- `context`: the passage, three or four sentences.\n"
          "- `question`: a question answered by the passage.\n"
          "- `answers`: the answer spans.\n"
          "  - `text`: the answer, copied exactly from the context.\n"
          "  - `answer_start`: the character offset of each answer in the context.")
    write("local-news-summaries", {**base(["summarization"], ["news-articles-summarization"],
                                           "Local News Summaries"), "license": "apache-2.0"},
          [("default", {"id": "string", "document": "string", "summary": "string"},
            split(summary_rows(rng), "train", "test", 8))],
          "Short local news stories about small towns, each paired with a one-sentence summary "
          "that keeps the key fact of the story.",
          "- `id`: a unique identifier of the story.\n"
          "- `document`: the news story, four or five sentences.\n"
          "- `summary`: a one-sentence summary of the story.")
    write("science-choice", {**base(["multiple-choice"], ["multiple-choice-qa"],
                                     "Science Multiple Choice"), "license": "cc-by-4.0"},
          [("default", {"question": "string", "choices": ["string"],
                        "answer": ["labels", ["A", "B", "C", "D"]]},
            split(choice_rows(rng), "train", "test", 10))],
          "Elementary science and general-knowledge questions with four answer choices, one of "
          "which is correct.",
          "- `question`: the question.\n- `choices`: the four possible answers, in order A to D.\n"
          "- `answer`: the letter of the correct choice.")
    write("ner-tokens", {**base(["token-classification"], ["named-entity-recognition"],
                                 "Named Entity Tokens"), "license": "mit"},
          [("default", {"id": "string", "tokens": ["string"],
                        "ner_tags": [["labels", NER_LABELS]]},
            split(ner_rows(rng), "train", "validation", 10))],
          "Sentences split into tokens, each token tagged with a named-entity label in the IOB2 "
          "scheme: people, organisations, locations and miscellaneous names.",
          "- `id`: a unique identifier of the sentence.\n"
          "- `tokens`: the words and punctuation of the sentence.\n"
          "- `ner_tags`: one tag per token: `O` outside an entity, `B-` the first token and `I-` "
          "a following token of a person (`PER`), organisation (`ORG`), location (`LOC`) or "
          "other name (`MISC`).")
    write("support-tickets", {**base(["text-classification", "text-generation"],
                                     ["intent-classification"], "Support Tickets"),
                              "license": "apache-2.0"},
          [("intent", {"text": "string", "intent": ["labels", INTENTS]},
            split(intent_rows(rng), "train", "test", 8)),
           ("replies", {"ticket": "string", "reply": "string"},
            split(reply_rows(rng), "train", "test", 6))],
          "Customer support messages for an online shop. The `intent` config labels each "
          "message with what the customer needs; the `replies` config pairs messages with the "
          "reply an agent sent.",
          "- `text` (intent): the customer's message.\n"
          "- `intent` (intent): what the message is about: `billing`, `shipping`, `account`, "
          "`technical` or `refund`.\n"
          "- `ticket` (replies): the customer's message.\n"
          "- `reply` (replies): the agent's answer to the message.",
          "### Configurations\n\n- `intent`: message and intent label.\n"
          "- `replies`: message and agent reply.\n\n")


if __name__ == "__main__":
    main()
    # What the first screen lists, without reading the cards (see dynotui/core/sampleindex.py).
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from dynotui.core.sources.samples import write_index  # noqa: E402

    write_index()
