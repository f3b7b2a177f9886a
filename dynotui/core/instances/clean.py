"""The `clean` style (the default): a task applied to one row, the Dynosaur way made sturdier.

Rules (README, "Export formats", compares them with the `dynosaur` style):
- Input, one field: its value as text. Several fields: `field is 'value'. ` for each
  non-empty field, in the task's order, joined; the input's trailing space is dropped.
- Every text value, and every list item, is stripped of surrounding whitespace.
- A list field named like `choice`/`option` (or a dict of parallel `label`/`text` lists, as in
  ARC or CommonsenseQA) becomes `A. 'x', B. 'y'.` (its own labels when the dict has them),
  after `field is ` when there are several fields.
- Another list of texts, numbers or labels: each item quoted, `'x', 'y'` (several fields:
  `field is 'x', 'y'. `).
- Values: None -> empty; numbers/bools via str(); ClassLabel integers -> their names when the
  row still holds integers; other lists -> items joined with ", ";
  dicts -> `key: value; ...` (without empty values).
- Output (stripped): a dict holding a `text`/`answer` list (SQuAD `answers`) or a list in a field named
  like `answer` -> the first non-empty item (the others are alternatives); other lists ->
  items joined with ", "; a ClassLabel -> its name.
- Input and output are cut to max_input/max_output characters (default 2,000).
- Empty input or empty output (after stripping whitespace) -> no instance, with a reason.
- A task reading or writing an image/audio field -> no instance (only placeholders are text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from dynotui.core.models import Feature, Task

MAX_CHARS = 2000
CHOICE_WORDS = ("choice", "option")
ANSWER_KEYS = ("text", "answer", "answers", "value", "label")
SKIP_EMPTY_INPUT = "empty input"
SKIP_EMPTY_OUTPUT = "empty output"
SKIP_MISSING_FIELD = "field missing from the row"
SKIP_MEDIA = "image/audio field (only a placeholder is text)"
MEDIA = ("Image", "Audio", "Video", "Pdf", "Nifti", "Mesh")


@dataclass
class Built:
    """One build outcome: the instance, or None and why not; `cut` when a cap applied."""

    instance: dict[str, str] | None
    reason: str = ""
    cut: bool = False


def _label_name(value: Any, feature: Feature | None) -> Any:
    names = feature.label_names if feature else None
    if names and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    return value


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else str(i + 1)


def is_choice_field(name: str) -> bool:
    lower = name.lower()
    return any(word in lower for word in CHOICE_WORDS)


def text_of(value: Any, feature: Feature | None = None) -> str:
    """Any cell as plain text (see the module rules)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (list, tuple)):
        parts = (text_of(_label_name(v, feature)) for v in value)
        return ", ".join(p for p in parts if p.strip())
    if isinstance(value, dict):
        parts = ((k, text_of(v)) for k, v in value.items())
        return "; ".join(f"{k}: {t}" for k, t in parts if t.strip())
    if isinstance(value, float) and value != value:  # NaN: a missing cell
        return ""
    return str(_label_name(value, feature))


def choices_text(value: Any) -> str | None:
    """` A. 'x', B. 'y'.` for a list of choices, or a dict of label/text lists; None otherwise."""
    labels: list[str] | None = None
    items: Any = value
    if isinstance(value, dict):
        items = value.get("text")
        raw = value.get("label")
        if isinstance(raw, (list, tuple)) and isinstance(items, (list, tuple)) and len(raw) == len(items):
            labels = [str(x) for x in raw]
    if not isinstance(items, (list, tuple)) or not items:
        return None
    texts = [text_of(item) for item in items]
    marks = labels or [_letter(i) for i in range(len(texts))]
    return "".join(f" {m}. '{t}'," for m, t in zip(marks, texts))[:-1] + "."


def quoted_list(value: Any, feature: Feature | None = None) -> str | None:
    """`'x', 'y'` for a list of texts, numbers or labels (empty items left out); None otherwise."""
    if not isinstance(value, (list, tuple)):
        return None
    items = [_label_name(v, feature) for v in value]
    if not all(v is None or isinstance(v, (str, int, float, bool)) for v in items):
        return None
    texts = [t for t in (text_of(v) for v in items) if t]
    return ", ".join(f"'{t}'" for t in texts) if texts else None


def _first(items: Iterable[Any], feature: Feature | None) -> str:
    for item in items:
        text = text_of(_label_name(item, feature), feature)
        if text.strip():
            return text
    return ""


def output_text(name: str, value: Any, feature: Feature | None = None) -> str:
    """The output field's value: first answer of an answer list/dict, else text_of."""
    if isinstance(value, dict):
        for key in ANSWER_KEYS:
            inner = value.get(key)
            if isinstance(inner, (list, tuple)):
                return _first(inner, None)
            if inner is not None:
                return text_of(inner)
        return text_of(value)
    if isinstance(value, (list, tuple)) and "answer" in name.lower():
        return _first(value, feature)
    return text_of(_label_name(value, feature), feature)


def feature_map(features: Iterable[Feature] | dict[str, Feature] | None) -> dict[str, Feature]:
    if not features:
        return {}
    if isinstance(features, dict):
        return features
    return {f.name: f for f in features}


class Builder:
    """A task compiled once and applied to many rows (the export's hot loop)."""

    def __init__(self, task: Task, features: Any = None, max_input: int = MAX_CHARS,
                 max_output: int = MAX_CHARS) -> None:
        fmap = feature_map(features)
        self.instruction = task.instruction
        self.inputs = [(n, is_choice_field(n), fmap.get(n)) for n in task.input_fields]
        self.output_field, self.output_feature = task.output_field, fmap.get(task.output_field)
        self.needed = [*task.input_fields, task.output_field]
        self.max_input, self.max_output = max_input, max_output
        # rows hold "<Image, 66 bytes>" placeholders there: not training text
        self.media = any(fmap.get(n) is not None and any(m in str(fmap[n].type) for m in MEDIA)
                         for n in self.needed)

    def _field(self, name: str, choice: bool, feature: Feature | None, value: Any) -> tuple[str, bool]:
        """(text, carries its own quotes)."""
        if type(value) is str:
            return value.strip(), False
        if choice:
            rendered = choices_text(value)
            if rendered is not None:
                return rendered.strip(), True
        quoted = quoted_list(value, feature)
        if quoted is not None:
            return quoted, True
        return text_of(_label_name(value, feature), feature), False

    def apply(self, row: dict[str, Any]) -> tuple[str | None, str, str, bool]:
        """(input, output, skip reason, cut); input is None when the row gives no instance."""
        if self.media:
            return None, "", SKIP_MEDIA, False
        for name in self.needed:
            if name not in row:
                return None, "", SKIP_MISSING_FIELD, False
        value = row[self.output_field]
        out = (value if type(value) is str else output_text(self.output_field, value,
                                                            self.output_feature)).strip()
        if not out:
            return None, "", SKIP_EMPTY_OUTPUT, False
        if len(self.inputs) == 1:
            inp = self._field(*self.inputs[0], row[self.inputs[0][0]])[0]
        else:
            parts = []
            for name, choice, feature in self.inputs:
                text, options = self._field(name, choice, feature, row[name])
                if not text.strip():
                    continue
                if not options:
                    text = f"'{text}'."
                elif not text.endswith("."):  # a quoted list; choices end with their own "."
                    text += "."
                parts.append(f"{name} is {text} ")
            inp = "".join(parts).rstrip()
        if not inp.strip():
            return None, "", SKIP_EMPTY_INPUT, False
        cut = False
        if self.max_input and len(inp) > self.max_input:
            inp, cut = inp[:self.max_input], True
        if self.max_output and len(out) > self.max_output:
            out, cut = out[:self.max_output], True
        return inp, out, "", cut


def build(task: Task, row: dict[str, Any], features: Any = None,
          max_input: int = MAX_CHARS, max_output: int = MAX_CHARS) -> Built:
    """Apply a task to one row (features: a list of Feature or a name -> Feature map)."""
    inp, out, reason, cut = Builder(task, features, max_input, max_output).apply(row)
    if inp is None:
        return Built(None, reason)
    return Built({"instruction": task.instruction, "input": inp, "output": out}, cut=cut)


def build_instance(task: Task, row: dict[str, Any], features: Any = None,
                   max_input: int = MAX_CHARS, max_output: int = MAX_CHARS) -> dict[str, str] | None:
    """instruction/input/output for one row, or None when the input or output is empty."""
    return build(task, row, features, max_input, max_output).instance
