"""Theme files: bundled ones load, user ones add or override, broken ones are reported once."""

from __future__ import annotations

from pathlib import Path

from dynotui.tui.themes import bundled_dirs, load_themes
from tuikit import make_app, settle

ROOT = Path(__file__).resolve().parents[2]


def test_bundled_theme_files_all_load():
    # Given the project's themes/ folder, when loaded, then every file is a theme
    files = sorted((ROOT / "themes").glob("*.toml"))
    assert len(files) >= 3
    loaded = load_themes([ROOT / "themes"])
    assert not loaded.failed
    assert {t.name for t in loaded.themes} >= {"dynotui-dark", "dynotui-light", "dynotui-contrast"}
    assert ROOT / "themes" in bundled_dirs()


def test_broken_user_theme_is_reported_with_its_reason(tmp_path):
    # Given a user folder with one good, one invalid TOML and one bad colour
    (tmp_path / "good.toml").write_text('name = "mine"\nprimary = "#123456"\n')
    (tmp_path / "broken.toml").write_text('name = "oops\nprimary = \n')
    (tmp_path / "colour.toml").write_text('name = "c"\nprimary = "not-a-colour"\n')
    # When loaded, then the good one loads and each bad one names its problem
    loaded = load_themes([tmp_path])
    assert [t.name for t in loaded.themes] == ["mine"]
    reasons = {path.name: why for path, why in loaded.failed}
    assert "not valid TOML" in reasons["broken.toml"]
    assert "'primary' is not a colour" in reasons["colour.toml"]


async def test_app_notifies_once_and_falls_back(tmp_path, monkeypatch):
    # Given a broken user theme and a configured theme that does not exist
    config = tmp_path / "config"
    (config / "dynotui" / "themes").mkdir(parents=True)
    (config / "dynotui" / "themes" / "bad.toml").write_text("name = [")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    app = make_app(tmp_path / "ws", theme="no-such-theme")
    said: list[str] = []  # every toast, kept: under load they can expire before we look
    notify = app.notify
    monkeypatch.setattr(app, "notify", lambda message, *a, **k: (said.append(str(message)),
                                                                notify(message, *a, **k)))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        # Then one notification names the broken file, and the fallback theme is used
        assert len([m for m in said if "bad.toml" in m]) == 1
        assert app.theme == "dynotui-dark"
        assert any("no-such-theme" in m for m in said)


async def test_configured_theme_is_applied(tmp_path):
    app = make_app(tmp_path / "ws", theme="dynotui-contrast")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert app.theme == "dynotui-contrast"
