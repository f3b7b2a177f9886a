"""Theme files (TOML) -> textual Themes. Bundled ones from `themes/`, user ones from the
config folder; a broken file is reported, never fatal."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dynotui.config import config_dir

COLOURS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel",
           "success", "warning", "error", "boost")
FALLBACK = "dynotui-dark"


@dataclass
class ThemeLoad:
    themes: list = field(default_factory=list)  # textual.theme.Theme
    failed: list[tuple[Path, str]] = field(default_factory=list)


def bundled_dirs() -> list[Path]:
    """The project's top-level `themes/` (source tree) and a packaged copy when installed."""
    here = Path(__file__).resolve()
    return [d for d in (here.parents[2] / "themes", here.parents[1] / "themes") if d.is_dir()]


def user_dir() -> Path:
    return config_dir() / "themes"


def theme_from_toml(path: Path):
    """One theme file -> Theme; raises ValueError naming what is wrong."""
    from textual.color import Color, ColorParseError
    from textual.theme import Theme

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML: {exc}") from exc
    name = data.get("name") or path.stem
    if not isinstance(name, str):
        raise ValueError("'name' must be a string")
    if "primary" not in data:
        raise ValueError("'primary' colour is required")
    known = set(COLOURS) | {"name", "dark", "variables", "luminosity_spread", "text_alpha"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown keys {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    colours = {}
    for key in COLOURS:
        if key in data:
            try:
                Color.parse(str(data[key]))
            except ColorParseError as exc:
                raise ValueError(f"'{key}' is not a colour: {data[key]!r}") from exc
            colours[key] = str(data[key])
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError("'variables' must be a table")
    return Theme(name=name, dark=bool(data.get("dark", True)),
                 variables={str(k): str(v) for k, v in variables.items()}, **colours)


def load_themes(dirs: list[Path] | None = None) -> ThemeLoad:
    """Every *.toml in the bundled folders, then the user's (a user theme may override)."""
    result = ThemeLoad()
    seen: dict[str, int] = {}
    for folder in dirs if dirs is not None else [*bundled_dirs(), user_dir()]:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = theme_from_toml(path)
            except ValueError as exc:
                result.failed.append((path, str(exc)))
                continue
            if theme.name in seen:
                result.themes[seen[theme.name]] = theme
            else:
                seen[theme.name] = len(result.themes)
                result.themes.append(theme)
    return result
