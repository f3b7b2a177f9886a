"""Writers for the one-file formats: alpaca, jsonl, sharegpt, messages, trl.

Each writer streams: one record is encoded and written at a time (alpaca's JSON list too).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from json.encoder import encode_basestring as quote  # C-accelerated JSON string literal
from pathlib import Path
from typing import Any, Callable
from dynotui.core.export.replay import Mark, with_stage

BUFFER = 1 << 20


@dataclass
class TaskInfo:
    """One accepted task as the writers see it."""

    id: str  # proposal id
    taskname: str
    instruction: str
    dataset: str  # DatasetRef.key
    license: str = ""
    website: str = ""
    split: str = "train"
    languages: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    input_fields: list[str] = field(default_factory=list)
    output_field: str = ""
    stage: int | None = None  # staged export (--stage): the task's stage, and whether replayed
    replay: bool | None = None


def prompt_of(inst: dict[str, str]) -> str:
    """The user turn for chat formats: the instruction, a blank line, the input."""
    return f"{inst['instruction']}\n\n{inst['input']}" if inst["input"] else inst["instruction"]


def alpaca_record(info: TaskInfo, inst: dict[str, str]) -> dict[str, Any]:
    return {"instruction": inst["instruction"], "input": inst["input"], "output": inst["output"],
            "license": info.license, "website": info.website, "taskname": info.taskname}


def sharegpt_record(info: TaskInfo, inst: dict[str, str]) -> dict[str, Any]:
    return {"conversations": [{"from": "human", "value": prompt_of(inst)},
                              {"from": "gpt", "value": inst["output"]}]}


def messages_record(info: TaskInfo, inst: dict[str, str]) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": prompt_of(inst)},
                         {"role": "assistant", "content": inst["output"]}]}


def trl_record(info: TaskInfo, inst: dict[str, str]) -> dict[str, Any]:
    """TRL's conversational prompt-completion: the trainer applies the model's chat template."""
    return {"prompt": [{"role": "user", "content": prompt_of(inst)}],
            "completion": [{"role": "assistant", "content": inst["output"]}]}


def plain_completion(output: str) -> str:
    """A plain completion starts a new word: no token spans the join with the prompt."""
    return output if not output or output[0].isspace() else " " + output


def trl_plain_record(info: TaskInfo, inst: dict[str, str]) -> dict[str, Any]:
    """TRL's standard prompt-completion: the prompt ends with a newline, the completion starts
    with a space (unless it starts with whitespace already)."""
    return {"prompt": prompt_of(inst) + "\n", "completion": plain_completion(inst["output"])}


def line_encoder(fmt: str, info: TaskInfo, style: str = "conversational"
                 ) -> Callable[[str, str], str]:
    """(input, output) -> the record's JSON text; the task's constant parts are encoded once.

    Equal to json.dumps(record_of(fmt, style)(info, inst)) for a non-empty input (tests
    check it). `style` is the trl style: conversational or plain."""
    if fmt in ("alpaca", "jsonl"):
        head = f'{{"instruction": {quote(info.instruction)}, "input": '
        tail = (f', "license": {quote(info.license)}, "website": {quote(info.website)}, '
                f'"taskname": {quote(info.taskname)}}}')
        return lambda inp, out: f'{head}{quote(inp)}, "output": {quote(out)}{tail}'
    prompt = quote(info.instruction + "\n\n")[:-1]  # open string: the input follows
    if fmt == "sharegpt":
        return lambda inp, out: (f'{{"conversations": [{{"from": "human", "value": {prompt}'
                                 f'{quote(inp)[1:]}}}, {{"from": "gpt", "value": {quote(out)}}}]}}')
    if fmt == "messages":
        return lambda inp, out: (f'{{"messages": [{{"role": "user", "content": {prompt}'
                                 f'{quote(inp)[1:]}}}, {{"role": "assistant", "content": '
                                 f'{quote(out)}}}]}}')
    if style == "plain":
        return lambda inp, out: (f'{{"prompt": {prompt}{quote(inp + chr(10))[1:]}, '
                                 f'"completion": {quote(plain_completion(out))}}}')
    return lambda inp, out: (f'{{"prompt": [{{"role": "user", "content": {prompt}'
                             f'{quote(inp)[1:]}}}], "completion": [{{"role": "assistant", '
                             f'"content": {quote(out)}}}]}}')


RECORDS: dict[str, Callable[[TaskInfo, dict[str, str]], dict[str, Any]]] = {
    "alpaca": alpaca_record, "jsonl": alpaca_record, "sharegpt": sharegpt_record,
    "messages": messages_record, "trl": trl_record,
}


def record_of(fmt: str, style: str = "conversational"
              ) -> Callable[[TaskInfo, dict[str, str]], dict[str, Any]]:
    return trl_plain_record if fmt == "trl" and style == "plain" else RECORDS[fmt]


SUFFIX = {"alpaca": ".json", "jsonl": ".jsonl", "sharegpt": ".json", "messages": ".jsonl",
          "trl": ".jsonl"}
JSON_LIST = ("alpaca", "sharegpt")  # a JSON array, as their trainers load them


class FileWriter:
    """One split of a one-file format, written to a temp path."""

    def __init__(self, fmt: str, path: Path, style: str = "conversational") -> None:
        self.path = path
        self.fmt, self.style = fmt, style
        self.as_list = fmt in JSON_LIST
        self.count = 0
        self._fh = path.open("w", encoding="utf-8", errors="replace", buffering=BUFFER)
        if self.as_list:
            self._fh.write("[")

    def start_task(self, info: TaskInfo) -> None:
        pass

    def sink(self, info: TaskInfo) -> Callable[[str, str], None]:
        """A fast writer of (input, output) for one task."""
        encode, write = line_encoder(self.fmt, info, self.style), self._fh.write
        if info.stage is not None:  # every row of a staged export says its stage and replay

            encode = with_stage(encode, Mark(info.stage, bool(info.replay)))
        if self.as_list:
            def add(inp: str, out: str) -> None:
                write((",\n" if self.count else "\n") + encode(inp, out))
                self.count += 1
        else:
            def add(inp: str, out: str) -> None:
                write(encode(inp, out) + "\n")
                self.count += 1
        return add

    def close(self) -> None:
        if self._fh.closed:
            return
        if self.as_list:
            self._fh.write("\n]\n" if self.count else "]\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()

    def abort(self) -> None:
        if not self._fh.closed:
            self._fh.close()


def held_out_path(path: Path) -> Path:
    """`data.jsonl` -> `data.held-out.jsonl`, beside it."""
    suffix = "".join(path.suffixes[-1:])
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    return path.with_name(f"{stem}.held-out{suffix}")
