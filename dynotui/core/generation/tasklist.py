"""Import a Dynosaur-format task list (JSON list of {task_name, instruction, input_fields,
output_field}) as proposals to review.

Dataset from task_name: Dynosaur names a dataset config `<org>/<dataset>-<config>` (or
`<dataset>-<config>`, or just the dataset), but dataset and config names may hold dashes too.
The split chosen is the one that groups the most task names of the file under one dataset,
the longest such prefix on ties (`codeparrot/github-code-clean-Java-all` -> dataset
`codeparrot/github-code-clean`, config `Java-all`). It is a heuristic: the original task_name
stays on every proposal. Every entry imports as its own proposal unless it is the same task
(same dataset config, instruction, fields: the content-hash id) as one already stored or
earlier in the file: a repeat would only duplicate training data, so it is stored once and
counted (`already_present`, `repeated_entries`). The release holds no such repeats: all
5,740 entries import as 5,740 proposals.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from dynotui.core import safejson
from dynotui.core.errors import DatasetError
from dynotui.core.gcpause import gc_paused
from dynotui.core.generation import validate
from dynotui.core.models import DatasetMeta, DatasetRef, Feature, Proposal, Task, Verdict

SOURCE = "hub"
PROGRESS_EVERY = 2000  # tasks between two progress calls
OnProgress = Callable[[int, int], None]  # (tasks checked, tasks in the list)


@dataclass
class ImportReport:
    entries: int = 0
    imported: int = 0
    already_present: int = 0  # same task already in the workspace (or earlier in this file)
    repeated_entries: int = 0  # entries identical to an earlier entry of this file
    skipped: list[str] = field(default_factory=list)  # entries that name no task at all
    datasets: int = 0
    configs: int = 0
    validated_with_meta: int = 0
    with_errors: int = 0
    duplicate_groups: int = 0
    duplicate_tasks: int = 0
    errors_by_rule: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _prefixes(task_name: str) -> list[str]:
    org, sep, rest = task_name.rpartition("/")
    parts = rest.split("-")
    return [org + sep + "-".join(parts[:i]) for i in range(1, len(parts) + 1)]


def split_task_names(names: list[str]) -> dict[str, tuple[str, str | None]]:
    """task_name -> (dataset, config or None), grouping the names of one file (see module doc)."""
    counts: Counter[str] = Counter()
    unique = set(names)
    for name in unique:
        counts.update(_prefixes(name))
    out = {}
    for name in unique:
        options = _prefixes(name)
        best = max(counts[p] for p in options)
        dataset = [p for p in options if counts[p] == best][-1]
        out[name] = (dataset, name[len(dataset) + 1:] or None)
    return out


def read_task_list(path: str | Path) -> list[Any]:
    path = Path(path)
    try:
        data = safejson.loads(path.read_bytes())
    except safejson.TooDeep as exc:
        raise DatasetError(f"Task list {path} is {exc}.",
                           "Give a JSON list of {task_name, instruction, input_fields, "
                           "output_field} objects, as Dynosaur released.") from exc
    except FileNotFoundError as exc:
        raise DatasetError(f"Task list {path} does not exist.", "Check the path.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatasetError(f"Task list {path} is not valid JSON ({exc}).",
                           "Give a JSON list of {task_name, instruction, input_fields, "
                           "output_field} objects, as Dynosaur released.") from exc
    except OSError as exc:
        raise DatasetError(f"Cannot read task list {path}: {exc.strerror}.") from exc
    if isinstance(data, dict):  # also accept {"tasks": [...]} / {"data": [...]}
        data = data.get("tasks", data.get("data"))
    if not isinstance(data, list):
        raise DatasetError(f"Task list {path} is not a JSON list of tasks.",
                           "Give a JSON list of {task_name, instruction, input_fields, "
                           "output_field} objects.")
    return data


def _output_text(value: Any) -> str:
    # The release wraps the output in a list; several outputs are kept joined so that
    # distinct tasks keep distinct ids (the validator marks them multiple_output_fields).
    if isinstance(value, list):
        return ", ".join(str(v).strip() for v in value)
    return str(value or "").strip()


def _task(entry: dict) -> Task:
    inputs = entry.get("input_fields")
    if isinstance(inputs, str):
        inputs = [inputs]
    inputs = [str(x).strip() for x in inputs] if isinstance(inputs, list) else []
    return Task(str(entry.get("instruction") or "").strip(), inputs,
                _output_text(entry.get("output_field")))


def _verdicts(entry: dict, task: Task, meta: DatasetMeta | None, ref: DatasetRef) -> list[Verdict]:
    if meta is None:  # no metadata cached: only checks that need no dataset fields
        names = [*task.input_fields, *[x.strip() for x in task.output_field.split(",")]]
        meta = DatasetMeta(ref=ref, name=ref.name, features=[Feature(n, "string") for n in names if n])
        drop = {"unknown_field"}
    else:
        drop = set()
    checked = validate.check_item(entry, meta, set(), set())
    return [v for v in checked.verdicts if v.rule not in drop and v.rule != "duplicate"]


def meta_for(metas: dict[str, DatasetMeta], ref: DatasetRef) -> DatasetMeta | None:
    """The cached metadata of `ref`. A task name without a config names the dataset's default
    config, which the crawl and `show` store under `default` (or the one config the dataset has)."""
    meta = metas.get(ref.key)
    if meta is not None or ref.config is not None:
        return meta
    meta = metas.get(f"{ref.id}/default")
    if meta is not None:
        return meta
    only = [m for m in metas.values() if m.ref.id == ref.id]
    return only[0] if len(only) == 1 else None


def build_proposals(entries: list[Any], source_name: str, store=None,
                    on_progress: OnProgress | None = None) -> tuple[list[Proposal], ImportReport]:
    """Proposals from the entries, each checked; `on_progress(done, total)` every
    PROGRESS_EVERY tasks and at the end."""
    report = ImportReport(entries=len(entries))
    usable = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not str(entry.get("task_name") or "").strip() \
                or not isinstance(entry.get("instruction"), str):
            report.skipped.append(f"entry {index + 1}: no task_name or instruction")
        else:
            usable.append(entry)
    mapping = split_task_names([str(e["task_name"]).strip() for e in usable])
    repeats = Counter(e["instruction"].strip() for e in usable)
    metas = store.metas() if store is not None else {}
    stored = store.ids() if store is not None else set()
    props = []
    for done, entry in enumerate(usable):
        if on_progress is not None and done % PROGRESS_EVERY == 0:
            on_progress(done, len(usable))
        name = str(entry["task_name"]).strip()
        dataset, config = mapping[name]
        ref = DatasetRef(SOURCE, dataset, config)
        meta = meta_for(metas, ref)
        prop = Proposal(dataset=ref.id, config=config, task=_task(entry), variant="import",
                        source=f"import:{source_name}", task_name=name,
                        raw_answer=json.dumps(entry, ensure_ascii=False),
                        revision=meta.revision if meta else None)
        props.append(prop)
        if prop.id in stored:
            continue  # stored already: add_proposals skips it, so skip the (slow) checks too
        report.validated_with_meta += meta is not None
        prop.verdicts = _verdicts(entry, prop.task, meta, ref)
        group = repeats[prop.task.instruction]
        if group > 1:
            prop.verdicts.append(Verdict("duplicate_instruction", False,
                                         f"the same instruction is used by {group} tasks in "
                                         "this list", "warning"))
    if on_progress is not None and usable:
        on_progress(len(usable), len(usable))
    report.repeated_entries = len(props) - len({p.id for p in props})
    report.configs = len(mapping)
    report.datasets = len({d for d, _ in mapping.values()})
    report.duplicate_groups = sum(1 for n in repeats.values() if n > 1)
    report.duplicate_tasks = sum(n for n in repeats.values() if n > 1)
    rules = Counter(v.rule for p in props for v in p.errors)
    report.errors_by_rule = dict(rules.most_common())
    report.with_errors = sum(1 for p in props if p.errors)
    return props, report


def import_tasks(store, path: str | Path, source_name: str | None = None,
                 on_progress: OnProgress | None = None) -> ImportReport:
    """Read, validate and store a task list; returns what happened (counts).
    `on_progress(done, total)` follows the checks (the long part of a big list)."""
    with gc_paused():  # ~10 objects per task, no cycles: collections would only walk them
        return _import(store, path, source_name, on_progress)


def _import(store, path: str | Path, source_name: str | None,
            on_progress: OnProgress | None) -> ImportReport:
    entries = read_task_list(path)
    props, report = build_proposals(entries, source_name or Path(path).stem, store, on_progress)
    if entries and not props:  # e.g. an alpaca file: a clear error, not "0 imported"
        first = entries[0]
        keys = ", ".join(map(str, list(first)[:8])) if isinstance(first, dict) else \
            f"a JSON {type(first).__name__}"
        raise DatasetError(f"None of the {len(entries)} entries in {path} is a Dynosaur task "
                           f"(the first has: {keys or 'no keys'}).",
                           "Each entry needs task_name, instruction, input_fields and "
                           "output_field.")
    added = store.add_proposals(props)
    if added and hasattr(store, "save_summaries"):
        store.save_summaries()  # `stats` reads them from its cache, not every file again
    report.imported = len(added)
    report.already_present = len(props) - len(added)
    return report
