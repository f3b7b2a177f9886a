"""Settings: defaults, the TOML file, the environment, and clear errors for bad files."""

import pytest

from dynotui.config import load_settings
from dynotui.core.errors import ConfigError


def test_env_overrides_file(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('theme = "x"\n[llm]\nmodel = "from-file"\nbase_url = "http://file"\n')
    monkeypatch.setenv("DYNOTUI_CONFIG", str(cfg))
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env")
    monkeypatch.setenv("DYNOTUI_WORKSPACE", str(tmp_path / "ws"))
    s = load_settings()
    assert s.theme == "x"
    assert s.llm.model == "from-file"
    assert s.llm.base_url == "http://env"
    assert s.workspace == tmp_path / "ws"
    assert load_settings(workspace=tmp_path / "other").workspace == tmp_path / "other"


def test_bad_toml_names_the_file(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text("theme = \n")
    monkeypatch.setenv("DYNOTUI_CONFIG", str(cfg))
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert str(cfg) in err.value.message


def test_unknown_key_lists_known_ones(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[llm]\nmodle = 'typo'\n")
    monkeypatch.setenv("DYNOTUI_CONFIG", str(cfg))
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "llm.modle" in err.value.message
    assert "model" in err.value.hint


def test_default_workspace_is_per_user(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert load_settings().workspace == tmp_path / "dynotui" / "workspace"


def test_unknown_command_lists_the_commands(capsys):
    from dynotui.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["bogus"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "unknown command 'bogus'" in err and "import-tasks" in err


def test_bare_command_parser_skips_command_modules():
    import subprocess
    import sys

    code = ("import sys; from dynotui.cli import build_parser; "
            "a = build_parser(False).parse_args(['--workspace', 'w', '--theme', 't']); "
            "print(a.command, a.workspace, a.theme, 'dynotui.commands.export' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["None", "w", "t", "False"]


@pytest.mark.parametrize("text, fragment", [
    ("sample_rows = 'x'", "must be a whole number"),
    ("[llm]\nconcurrency = 'many'", "must be a whole number"),
    ("[llm]\ntimeout = -5", "out of range"),
    ("near_duplicate = 1.5", "out of range"),
    ("reject_reasons = 'one'", "must be a list"),
])
def test_wrong_types_and_ranges_are_named(tmp_path, monkeypatch, text, fragment):
    cfg = tmp_path / "config.toml"
    cfg.write_text(text + "\n")
    monkeypatch.setenv("DYNOTUI_CONFIG", str(cfg))
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert fragment in err.value.message


def test_ints_pass_as_floats_and_paths_as_strings(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"workspace = '{tmp_path / 'w'}'\n[llm]\ntemperature = 1\nmodel = 'm'\n")
    monkeypatch.setenv("DYNOTUI_CONFIG", str(cfg))
    s = load_settings()
    assert s.llm.temperature == 1.0 and s.workspace == tmp_path / "w" and s.llm.model == "m"


def test_error_messages_never_reach_the_terminal_raw(capsys):
    from dynotui.cli import main

    assert main(["show", "/tmp/no\x1b]0;pwned\x07such"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b" in err


def test_workspace_before_or_after_the_command():
    from dynotui.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["--workspace", "w1", "stats"]).workspace == "w1"
    assert parser.parse_args(["stats", "--workspace", "w2"]).workspace == "w2"
    assert parser.parse_args(["stats"]).workspace is None
    assert parser.parse_args(["--annotator", "ann", "decide", "undo"]).annotator == "ann"
