"""Dataset cards (README.md): YAML front matter, the summary and the Data Fields section."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dynotui.core.errors import DatasetError
from dynotui.core.text import one_line

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)(?:\r?\n)?^---[ \t]*$\r?\n?", re.S | re.M)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_PLACEHOLDER = re.compile(r"\[?more information needed\]?", re.I)
# "- `name`: text", "* **name** (string): text", "- name: text"
_FIELD_ITEM = re.compile(
    r"^(\s*)[-*+]\s+(?:`([^`]+)`|\*\*([^*]+)\*\*|([A-Za-z_][\w.\-]*))\s*(?:\([^)]*\))?\s*[:\-–—]\s*(.*)$")


@dataclass
class Card:
    """A parsed card: front matter as a dict, the markdown body, and what we read from it."""

    data: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    text: str = ""
    summary: str = ""
    field_descriptions: dict[str, str] = field(default_factory=dict)
    problem: str = ""  # why the front matter could not be read, when it could not


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(yaml text or None, body)."""
    match = _FRONT.match(text)
    if not match:
        return None, text
    return match.group(1), text[match.end():]


def _load_yaml(yaml_text: str) -> Any:
    import yaml

    fast = getattr(yaml, "CSafeLoader", None)  # libyaml: a card read ~7x faster
    if fast is not None:
        try:
            return yaml.load(yaml_text, Loader=fast)
        except yaml.YAMLError:
            pass  # the Python parser decides, and names the problem and line as before
    return yaml.safe_load(yaml_text)


def parse_yaml(yaml_text: str, where: str = "README.md") -> dict[str, Any]:
    import yaml

    try:
        data = _load_yaml(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 2}" if mark is not None else ""
        problem = one_line(getattr(exc, "problem", None) or str(exc))
        raise DatasetError(f"The card {where} has malformed YAML front matter{line}: {problem}.",
                           "Fix the YAML between the '---' lines (or remove it); license, "
                           "language and features are read from it.") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DatasetError(f"The card {where} front matter is a {type(data).__name__}, not a mapping.",
                           "The YAML between the '---' lines must be 'key: value' pairs.")
    return data


def parse_card(text: str, where: str = "README.md", strict: bool = False) -> Card:
    """Read a card; a malformed front matter raises when strict, else is noted in `problem`."""
    yaml_text, body = split_front_matter(text)
    card = Card(body=body, text=text)
    if yaml_text is not None:
        try:
            card.data = parse_yaml(yaml_text, where)
        except DatasetError as exc:
            if strict:
                raise
            card.problem = exc.message
    card.summary = find_summary(body)
    card.field_descriptions = find_field_descriptions(body)
    return card


def _sections(body: str) -> list[tuple[int, str, list[str]]]:
    """(level, title, lines) per heading; text before the first heading has level 0."""
    sections: list[tuple[int, str, list[str]]] = [(0, "", [])]
    in_code = False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match:
            sections.append((len(match.group(1)), match.group(2).strip(), []))
        else:
            sections[-1][2].append(line)
    return sections


def _paragraphs(lines: list[str]) -> list[str]:
    paras, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paras.append(" ".join(current))
            current = []
    return paras


def _is_prose(para: str) -> bool:
    if _PLACEHOLDER.fullmatch(para.strip(" .")):
        return False
    if para.startswith(("|", "<", "![", "[![", "```", "- **", "* **", ">")):
        return False
    return len(re.findall(r"[A-Za-z]{2,}", para)) >= 4


def find_summary(body: str) -> str:
    """The 'Dataset Summary' (or 'Description') section, else the first prose paragraph."""
    sections = _sections(body)
    for names in (("dataset summary", "summary"), ("dataset description", "description", "about")):
        for _, title, lines in sections:
            if title.lower().strip(" :") in names:
                text = "\n\n".join(p for p in _paragraphs(lines) if _is_prose(p))
                if text:
                    return text
    for _, title, lines in sections:
        if "field" in title.lower() or "citation" in title.lower():
            continue
        for para in _paragraphs(lines):
            if _is_prose(para):
                return para
    return ""


def find_field_descriptions(body: str) -> dict[str, str]:
    """`field -> description` from the 'Data Fields' section (list items or a table)."""
    sections = _sections(body)
    out: dict[str, str] = {}
    for index, (level, title, lines) in enumerate(sections):
        if not re.search(r"data\s*fields|^fields$|^columns$", title.lower().strip(" :")):
            continue
        # subsections (e.g. one per config) belong to this one
        block = list(lines)
        for deeper, _, more in sections[index + 1:]:
            if deeper <= level:
                break
            block += more
        out.update(_list_fields(block))
        out.update(_table_fields(block))
    return out


def _list_fields(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    stack: list[tuple[int, str]] = []  # (indent, name) of enclosing items
    last: str | None = None
    for line in lines:
        match = _FIELD_ITEM.match(line)
        if not match:
            if last and line.strip() and not line.lstrip().startswith(("-", "*", "+", "|")):
                out[last] = (out[last] + " " + line.strip()).strip()
            continue
        indent = len(match.group(1).replace("\t", "    "))
        name = (match.group(2) or match.group(3) or match.group(4)).strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        full = ".".join([n for _, n in stack] + [name])
        out[full] = match.group(5).strip()
        stack.append((indent, name))
        last = full
    return out


def _table_fields(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in lines if line.strip().startswith("|")]
    if len(rows) < 3:
        return out
    header = [h.lower() for h in rows[0]]
    desc_col = next((i for i, h in enumerate(header) if "desc" in h), len(header) - 1)
    for row in rows[2:]:
        if len(row) > desc_col and row[0]:
            out[row[0].strip("`* ")] = row[desc_col]
    return out


def card_list(data: dict[str, Any], key: str) -> list[str]:
    """A card key as a list of strings ('license: mit' and 'license: [mit]' both work)."""
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, (str, int, float)):
        return [str(value)]
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and not isinstance(v, (dict, list))]
    return []


def card_configs(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The `configs:` entries (each has config_name), default first."""
    configs = [c for c in data.get("configs") or [] if isinstance(c, dict) and c.get("config_name")]
    return sorted(configs, key=lambda c: not c.get("default", False))


def card_infos(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """config name -> its `dataset_info` entry (a single mapping means the default config)."""
    info = data.get("dataset_info")
    if isinstance(info, dict):
        return {str(info.get("config_name") or "default"): info}
    if isinstance(info, list):
        return {str(i.get("config_name") or "default"): i for i in info if isinstance(i, dict)}
    return {}
