"""A `datasets` builder that reads a Super-NaturalInstructions folder the way Tk-Instruct's
loader does (yizhongw/Tk-Instruct, src/ni_dataset.py), written anew: `datasets` no longer runs
loading scripts, so the builder is a class here and runs through the library's own builder
machinery (features encoding, Arrow writing).

What it follows: the features (a task file's keys with `Instance` for one instance; its
`Contributors` is a single string, which `datasets` makes with str()); train from
splits/train_tasks.txt, validation and test from test_tasks.txt (the first 100 instances of
each test task); each task file is tasks/<name>.json; `Instruction Source` dropped.
"""

from __future__ import annotations

import json
import os

import datasets

TEXT = datasets.Value("string")
EXAMPLE = [{"input": TEXT, "output": TEXT, "explanation": TEXT}]
FEATURES = datasets.Features({
    "Task": TEXT, "Contributors": TEXT, "Source": [TEXT], "URL": [TEXT], "Categories": [TEXT],
    "Reasoning": [TEXT], "Definition": [TEXT], "Positive Examples": EXAMPLE,
    "Negative Examples": EXAMPLE, "Input_language": [TEXT], "Output_language": [TEXT],
    "Instruction_language": [TEXT], "Domains": [TEXT],
    "Instance": {"input": TEXT, "output": [TEXT]},
})
EVAL_INSTANCES = 100


class TkConfig(datasets.BuilderConfig):
    def __init__(self, *args, task_dir: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.task_dir = task_dir


class TkNaturalInstructions(datasets.GeneratorBasedBuilder):
    BUILDER_CONFIG_CLASS = TkConfig
    BUILDER_CONFIGS = [TkConfig(name="default")]
    DEFAULT_CONFIG_NAME = "default"

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(features=FEATURES)

    def _split_generators(self, dl_manager):
        splits, tasks = self.config.data_dir, self.config.task_dir

        def gen(name: str, listing: str, subset: str) -> datasets.SplitGenerator:
            return datasets.SplitGenerator(name=name, gen_kwargs={
                "path": os.path.join(splits, listing), "task_dir": tasks, "subset": subset})
        return [gen(datasets.Split.TRAIN, "train_tasks.txt", "train"),
                gen(datasets.Split.VALIDATION, "test_tasks.txt", "test"),
                gen(datasets.Split.TEST, "test_tasks.txt", "test")]

    def _generate_examples(self, path: str, task_dir: str, subset: str):
        with open(path, encoding="utf-8") as listing:
            for line in listing:
                name = line.strip()
                with open(os.path.join(task_dir, name + ".json"), encoding="utf-8") as fh:
                    task = json.loads(fh.read())
                task["Task"] = name
                task.pop("Instruction Source", None)
                instances = task.pop("Instances")
                if subset == "test":
                    instances = instances[:EVAL_INSTANCES]
                for n, instance in enumerate(instances):
                    yield f"{name}_{n}", {**task, "Instance": instance}


def load(folder, cache_dir) -> datasets.DatasetDict:
    builder = TkNaturalInstructions(cache_dir=str(cache_dir),
                                    data_dir=os.path.join(folder, "splits", "default"),
                                    task_dir=os.path.join(folder, "tasks"))
    builder.download_and_prepare()
    return builder.as_dataset()
