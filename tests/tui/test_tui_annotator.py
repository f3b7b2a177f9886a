"""A browser session that named nobody: the workbench asks who decides before anything else."""

from __future__ import annotations

from dynotui.config import load_settings
from tuikit import plain, seed_workspace, settle, wait_for


async def test_the_app_asks_for_a_name_then_decides_under_it(tmp_path):
    from dynotui.tui.app import DynoApp
    from dynotui.tui.screens.annotator import AnnotatorScreen

    path = tmp_path / "ws"
    props = seed_workspace(path)
    settings = load_settings(workspace=path, annotator="server-login")
    app = DynoApp(settings, None, start="review")  # no store yet: `--ask-annotator`
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, AnnotatorScreen))
        # Screens that need the store stay shut while nobody is named
        await pilot.press("f2")
        assert isinstance(app.screen, AnnotatorScreen) and app.store is None
        # An empty name is refused with a reason
        await pilot.press("enter")
        assert "Type a name" in plain(app.screen.query_one("#annotator-error"))
        # When I type dana and press Enter, the review opens with dana's queue
        await pilot.press(*"dana", "enter")
        await wait_for(pilot, lambda: app.review is not None and app.review.current is not None)
        assert app.store.annotator == "dana" and app.settings.annotator == "dana"
        assert app.review.current.id == props[0].id  # dana has decided nothing yet
        await pilot.press("a")
        await settle(pilot, app)
        assert [(e.annotator, e.action) for e in app.store.events(props[0].id)][-1] == \
            ("dana", "accept")
