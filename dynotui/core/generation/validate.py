"""The filters on generated tasks, each a named rule. Nothing is thrown away: every item of an
answer comes back with its verdicts (errors reject, warnings inform the reviewer).

Decisions documented here:
- Outputs follow instances.output_text's renderings: a list of scalars (Sequence[ClassLabel],
  list[string]) is kept with the warning `list_output` (items joined by ", "; in a field named
  like `answer`, the first item); a dict of answer lists (SQuAD `answers`) with the warning
  `answer_output` (the first answer). Other dicts, nested lists and media are rejected
  (`non_scalar_output`), as in the method.
- The label-space step runs when the output is a ClassLabel or the samples hold at least
  MIN_LABEL_ROWS rows; labels are listed in ClassLabel order, else sorted (numbers numerically).
- An answer that cannot be parsed is not a task list; generate.py stores it as a proposal
  with an empty task and the single verdict `unparseable` (or `no_tasks`).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dynotui.core.instances import ANSWER_KEYS
from dynotui.core.models import DatasetMeta, Feature, Judged, Task, Verdict, content_hash
from dynotui.core.generation.parse import TASK_KEYS, parse_answer, reason_rule  # noqa: F401 (public API)
from dynotui.core.generation.checks import (action_mismatch, actions, asks_for_label, demo_copy,
                                            is_demo_copy, within)
from dynotui.core.generation.fieldkinds import name_tokens, profile_values
from dynotui.core.generation.prompts import MAX_TASKS, demo_instructions, is_id_field

RULES = {
    "unparseable": "the answer is not JSON or a Python literal holding tasks",
    "no_tasks": "the answer parsed but lists no tasks",
    "not_a_task": "an item of the answer is not a task object",
    "missing_instruction": "instruction missing, empty or not text",
    "missing_input_fields": "input_fields missing, empty or not a list of names",
    "missing_output_field": "output_field missing, empty or not a name",
    "multiple_output_fields": "more than one output field",
    "unknown_field": "a field that is not in the dataset",
    "io_overlap": "the output field is also an input field",
    "repeated_instruction": "the same instruction twice in one answer",
    "duplicate": "exact duplicate of a task already in the workspace",
    "unexpected_keys": "keys other than instruction/input_fields/output_field",
    "non_scalar_output": "the output is a dict, nested list or media",
    "single_valued_output": "the output field has one value in all samples",
    "label_imbalance": "few labels and the top label dominates the samples",
    "copies_demonstration": "the instruction copies one of the prompt's demonstrations, "
                            "verbatim or adapted (borrowing words the dataset does not have)",
    "ambiguous_target": "the same input has different outputs among the sample rows",
    # warnings
    "metadata_output": "the output is metadata (license, path, repository, size, url, id)",
    "list_output": "the output is a list, rendered as 'a, b, c' (answer lists: the first)",
    "answer_output": "the output is a dict of answer lists (SQuAD), rendered as the first answer",
    "id_input": "an input field is an identifier",
    "input_fields_text": "input_fields was a string, read as a one-item list",
    "short_instruction": "the instruction has fewer than four words",
    "sparse_output": "the output field is empty in most samples",
    "more_than_three": "the answer proposed more tasks than asked for",
    "resembles_demonstration": "the instruction is a near-copy of a demonstration",
    "label_space": "labels appended to the instruction",
    "label_not_asked": "the output has few labels but the instruction does not ask for one",
    "action_mismatch": "the instruction names an action (summary, question, title, translate) "
                       "that the output field's kind does not fit",
    "template_instruction": "the model's wording failed the checks: the skeleton's template is used",
}
MIN_LABEL_ROWS = 10
MAX_LABELS = 10
MAX_LABEL_CHARS = 40
KNOWN_KEYS = set(TASK_KEYS) | {"task_name"}  # task_name: the released task list's own key
_META_TOKENS = {"license", "licence", "licenses", "path", "paths", "filepath", "filename", "repo",
                "repository", "reponame", "size", "bytes", "url", "urls", "uri", "link", "links",
                "href", "homepage", "id", "ids", "uuid", "guid", "hash", "sha", "md5", "checksum",
                "copies"}
_URLISH = re.compile(r"^(https?://|www\.|/|[\w.-]+/[\w./-]+\.\w{1,6}$)")


@dataclass
class Checked(Judged):
    """One answer item after validation: the (possibly amended) task and its verdicts."""

    task: Task
    verdicts: list[Verdict] = field(default_factory=list)
    item: Any = None



@functools.lru_cache(maxsize=65536)
def norm_instruction(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


_DEMOS = {norm_instruction(t) for t in demo_instructions()}
NEAR_DEMO = 0.75  # difflib ratio: "summarizes this news article" vs "summarises this appliance review"


@functools.cache
def _demo_matchers() -> tuple[list[str], list[Any]]:
    from difflib import SequenceMatcher

    demos, matchers = sorted(_DEMOS), []
    for demo in demos:
        matcher = SequenceMatcher(None)
        matcher.set_seq2(demo)  # difflib caches what it learns about seq2: set it once
        matchers.append(matcher)
    return demos, matchers


@functools.lru_cache(maxsize=65536)
def _close_to_demo(key: str) -> bool:
    demos, matchers = _demo_matchers()
    for i in within(key, demos, NEAR_DEMO):  # a bound of ratio(), in C; ratio() for the few
        matchers[i].set_seq1(key)
        if matchers[i].ratio() >= NEAR_DEMO:
            return True
    return False


def _adapted(instruction: str, meta: DatasetMeta, verdicts: list[Verdict]) -> bool:
    """An adapted copy: close to a demonstration in words, and borrowing its distinctive
    words that the dataset does not have ('safety tip for hikers' -> 'for students')."""
    if is_demo_copy(instruction, meta):
        ratio, lent = demo_copy(instruction, meta)
        verdicts.append(_err("copies_demonstration", f"the instruction adapts a demonstration "
                                                     f"({ratio:.0%} alike; borrows "
                                                     f"{', '.join(lent[:4])})"))
        return True
    return False


def _err(rule: str, reason: str) -> Verdict:
    return Verdict(rule, False, reason, "error")


def _warn(rule: str, reason: str) -> Verdict:
    return Verdict(rule, False, reason, "warning")


def _read_item(item: dict, verdicts: list[Verdict]) -> Task:
    """Pull the three keys out of an item, recording what is missing or malformed."""
    instruction = item.get("instruction")
    if not isinstance(instruction, str) or not instruction.strip():
        what = "missing" if instruction is None else (
            "empty" if isinstance(instruction, str) else f"a {type(instruction).__name__}")
        verdicts.append(_err("missing_instruction", f"instruction is {what}"))
        instruction = instruction if isinstance(instruction, str) else ""
    inputs = item.get("input_fields")
    if isinstance(inputs, str) and inputs.strip():
        verdicts.append(_warn("input_fields_text", f"input_fields was the string {inputs!r}"))
        inputs = [inputs]
    if not isinstance(inputs, list) or not inputs or not all(
            isinstance(x, str) and x.strip() for x in inputs):
        what = "missing" if inputs is None else "empty" if inputs in ([], "") else \
            "not a list of field names"
        verdicts.append(_err("missing_input_fields", f"input_fields is {what}"))
        inputs = [x for x in inputs if isinstance(x, str) and x.strip()] \
            if isinstance(inputs, list) else []
    output = item.get("output_field")
    if isinstance(output, list) and len(output) == 1:
        output = output[0]  # the released task list wraps it in a list
    if isinstance(output, list) and len(output) > 1:
        verdicts.append(_err("multiple_output_fields", f"output_field lists {len(output)} fields"))
        output = ""
    elif not isinstance(output, str) or not output.strip():
        what = "missing" if output is None else "empty" if output in ("", []) else \
            f"a {type(output).__name__}"
        verdicts.append(_err("missing_output_field", f"output_field is {what}"))
        output = ""
    extra = sorted(str(k) for k in item if k not in KNOWN_KEYS)
    if extra:
        verdicts.append(_err("unexpected_keys", f"unexpected keys: {', '.join(extra)}"))
    return Task(instruction.strip(), list(dict.fromkeys(x.strip() for x in inputs)),
                output.strip())


def _values(meta: DatasetMeta, feature: Feature) -> list[Any]:
    name, names = feature.name, feature.label_names
    out = []
    for row in meta.sample_rows():
        value = row.get(name)
        if names and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
            value = names[value]
        out.append(value)
    return out


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def _answer_dict(value: Any) -> bool:
    """A dict whose answer list instances.output_text renders as its first answer (SQuAD)."""
    return isinstance(value, dict) and any(
        isinstance(value.get(k), (list, tuple)) and all(
            not isinstance(x, (dict, list, tuple)) for x in value[k]) for k in ANSWER_KEYS)


def _check_output_shape(feature: Feature, values: list[Any], verdicts: list[Verdict]) -> bool:
    """True when the output is a scalar (the label-space step applies)."""
    kind = feature.type
    dicts = [v for v in values if isinstance(v, dict)]
    if dicts and all(_answer_dict(v) for v in dicts) and not feature.is_media:
        verdicts.append(_warn("answer_output", f"'{feature.name}' holds answer lists, "
                                               "rendered as the first answer"))
        return False
    if feature.is_media or feature.is_nested or kind.startswith("dict") or dicts:
        verdicts.append(_err("non_scalar_output", f"'{feature.name}' is {kind}"))
        return False
    lists = [v for v in values if isinstance(v, (list, tuple))]
    if kind.startswith(("Sequence", "list")) or lists:
        if any(isinstance(x, (dict, list, tuple)) for v in lists for x in v):
            verdicts.append(_err("non_scalar_output", f"'{feature.name}' holds nested lists"))
        elif "answer" in feature.name.lower():
            verdicts.append(_warn("list_output", f"'{feature.name}' is a list of answers, "
                                                 "rendered as the first one"))
        else:
            verdicts.append(_warn("list_output",
                                  f"'{feature.name}' is a list, rendered as 'a, b, c'"))
        return False
    return True


def _label_order(labels: list[str]) -> list[str]:
    def key(text: str) -> tuple:
        try:
            return (0, float(text), text)
        except ValueError:
            return (1, 0.0, text.lower())
    return sorted(labels, key=key)


def _label_step(task: Task, feature: Feature, values: list[Any], verdicts: list[Verdict]) -> Task:
    """Drop badly imbalanced few-label outputs; else append the label list when labels are short."""
    if actions(task.instruction):  # writing a title, summary, question: the values are no labels
        return task
    seen = [str(v) for v in values if not _empty(v)]
    counts = Counter(seen)
    if len(counts) < 2 or len(counts) > MAX_LABELS:
        return task
    if not feature.label_names and len(seen) < MIN_LABEL_ROWS:
        return task
    top, top_n = counts.most_common(1)[0]
    share = top_n / len(seen)
    if (len(counts) == 2 and share > 0.7) or (len(counts) > 2 and share > 0.5):
        verdicts.append(_err("label_imbalance", f"{len(counts)} labels in {len(seen)} samples; "
                                                f"'{top[:40]}' is {share:.0%}"))
        return task
    names = feature.label_names
    labels = list(names) if names and len(names) <= MAX_LABELS else _label_order(list(counts))
    if not all(0 < len(x) <= MAX_LABEL_CHARS and "\n" not in x for x in labels):
        return task
    if not asks_for_label(task.instruction, task.output_field, labels):
        verdicts.append(_warn("label_not_asked", f"'{feature.name}' has {len(labels)} labels, but "
                                                 "the instruction does not ask for one "
                                                 "(labels not appended)"))
        return task
    if "answers must be one of" in task.instruction.lower():
        return task
    sep = "; " if any("," in x for x in labels) else ", "
    stem = task.instruction.rstrip()
    stem += "" if stem.endswith((".", "?", "!")) else "."
    verdicts.append(Verdict("label_space", True, f"appended {len(labels)} labels", "warning"))
    return Task(f"{stem} Answers must be one of {sep.join(labels)}.", task.input_fields,
                task.output_field)


def check_item(item: Any, meta: DatasetMeta, seen: set[str], existing_ids: set[str],
               index: int = 0) -> Checked:
    """Every rule on one answer item. `seen` collects normalised instructions of this answer."""
    if not isinstance(item, dict):
        return Checked(Task("", [], ""), [_err("not_a_task",
                                               f"item {index + 1} is a {type(item).__name__}, not an object")], item)
    verdicts: list[Verdict] = []
    task = _read_item(item, verdicts)
    names = set(meta.field_names)
    for name in [*task.input_fields, task.output_field]:
        if name and name not in names:
            close = [n for n in names if n.lower() == name.lower()]
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            verdicts.append(_err("unknown_field", f"'{name}' is not a field of the dataset{hint}"))
    if task.output_field and task.output_field in task.input_fields:
        verdicts.append(_err("io_overlap", f"'{task.output_field}' is both input and output"))
    key = norm_instruction(task.instruction)
    if key and key in seen:
        verdicts.append(_err("repeated_instruction", "the same instruction appears earlier in this answer"))
    seen.add(key)
    if key and key in _DEMOS:
        verdicts.append(_err("copies_demonstration", "the instruction copies a demonstration"))
    elif key and _adapted(task.instruction, meta, verdicts):
        pass
    elif key and _close_to_demo(key):
        verdicts.append(_warn("resembles_demonstration",
                              "the instruction is a near-copy of a demonstration"))
    if key and len(key.split()) < 4:
        verdicts.append(_warn("short_instruction", f"only {len(key.split())} words"))
    if index >= MAX_TASKS:
        verdicts.append(_warn("more_than_three", f"task {index + 1} of an answer asked for {MAX_TASKS}"))
    for name in task.input_fields:
        if name in names and is_id_field(name):
            verdicts.append(_warn("id_input", f"'{name}' looks like an identifier"))
    feature = meta.feature_map.get(task.output_field)
    if feature is not None:
        values = _values(meta, feature)
        if task.input_fields and all(n in names for n in task.input_fields):
            _check_ambiguous(task, feature, meta, values, verdicts)
        task = _check_output(task, feature, values, verdicts)
    if task.instruction and existing_ids \
            and content_hash(meta.ref.id, meta.ref.config, meta.revision, task) in existing_ids:
        verdicts.append(_err("duplicate", "the same task is already in the workspace"))
    return Checked(task, verdicts, item)


def _check_ambiguous(task: Task, feature: Feature, meta: DatasetMeta, values: list[Any],
                     verdicts: list[Verdict]) -> None:
    """The inputs must decide a label: one input seen with two labels cannot be learned (NLI
    with the premise alone). Only label-like outputs (ClassLabel, or few values that repeat
    across rows): a context with several questions is several valid references, not noise.
    Rows with every input empty are left aside."""
    outputs: dict[str, set[str]] = {}
    for row, value in zip(meta.sample_rows(), values):
        inputs = [row.get(n) for n in task.input_fields]
        if all(_empty(v) for v in inputs) or _empty(value):
            continue
        key = repr([str(v).strip() for v in inputs])
        outputs.setdefault(key, set()).add(str(value))
    distinct = {o for outs in outputs.values() for o in outs}
    filled = sum(1 for v in values if not _empty(v))
    if not (feature.label_names or len(distinct) <= MAX_LABELS and len(distinct) < filled):
        return
    clashes = [k for k, outs in outputs.items() if len(outs) > 1]
    if clashes:
        rows = sum(len(outputs[k]) for k in clashes)
        verdicts.append(_err("ambiguous_target",
                             f"{len(clashes)} input(s) of the samples have {rows} different "
                             f"'{task.output_field}' labels: the inputs "
                             f"({', '.join(task.input_fields)}) do not decide the output"))


def _check_output(task: Task, feature: Feature, values: list[Any], verdicts: list[Verdict]) -> Task:
    filled = [v for v in values if not _empty(v)]
    strings = [v for v in filled if isinstance(v, str)]
    if _META_TOKENS.intersection(name_tokens(feature.name)) or (
            strings and sum(bool(_URLISH.match(v)) for v in strings) * 2 > len(strings)):
        verdicts.append(_warn("metadata_output", f"'{feature.name}' looks like metadata, not content"))
    why = action_mismatch(task.instruction, profile_values(feature, values))
    if why:
        verdicts.append(_warn("action_mismatch", why))
    if values and len(filled) * 2 < len(values):
        verdicts.append(_warn("sparse_output", f"'{feature.name}' is empty in "
                                               f"{len(values) - len(filled)} of {len(values)} samples"))
    if not _check_output_shape(feature, values, verdicts):
        return task
    if len(filled) >= 2 and len({str(v) for v in filled}) == 1:
        verdicts.append(_err("single_valued_output",
                             f"'{feature.name}' is '{str(filled[0])[:40]}' in all {len(filled)} samples"))
        return task
    return _label_step(task, feature, values, verdicts)


def validate_tasks(items: list[Any], meta: DatasetMeta, existing_ids: set[str] | None = None,
                   raw: str = "") -> list[Checked]:
    """All rules on the items of one answer, in order; `existing_ids` are the workspace's
    proposal ids (content hashes); `raw` is accepted for callers that keep it alongside."""
    existing = set(existing_ids or ())  # a copy: the caller's set is not changed
    seen: set[str] = set()
    out = []
    for index, item in enumerate(items):
        checked = check_item(item, meta, seen, existing, index)
        if checked.valid:
            existing.add(content_hash(meta.ref.id, meta.ref.config, meta.revision, checked.task))
        out.append(checked)
    return out


def check_answer(raw: str, meta: DatasetMeta, existing_ids: set[str] | None = None
                 ) -> tuple[list[Checked], str]:
    """Parse then validate; on a parse failure, one Checked with an empty task and the reason."""
    items, form = parse_answer(raw)
    if items is None:
        return [Checked(Task("", [], ""), [_err(reason_rule(form), form.split(":", 1)[-1].strip())])], form
    return validate_tasks(items, meta, existing_ids, raw), form
