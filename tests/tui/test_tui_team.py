"""Teams in the workbench: the conflicts queue settled by an adjudicator, guidelines from g,
the agreement section of Stats, and overlap in the review queue."""

from __future__ import annotations

import pytest

from dynotui.core.store import Store
from dynotui.core.team.conflicts import adjudicated, conflicts
from teamkit import team_workspace
from tuikit import make_app, plain, settle, wait_for


def shown(static) -> str:
    """The text of a Static holding a rich Group (the Stats screen)."""
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"))
    console.print(static.content)
    return console.export_text()


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    ws = tmp_path_factory.mktemp("team") / "ws"
    return ws, team_workspace(ws)


async def test_conflicts_queue_shows_each_vote_and_the_adjudicator_settles(tmp_path):
    ws = tmp_path / "ws"
    p = team_workspace(ws)
    app = make_app(ws, start="review", annotator="lead", adjudicators=["lead"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: app.review is not None and app.queue is not None)
        await pilot.press("c")  # only the proposals annotators disagree on
        await wait_for(pilot, lambda: app.queue is not None and len(app.queue) == 3)
        await settle(pilot, app)
        assert [x.id for x in app.queue.items] == [p[1].id, p[3].id, p[4].id]
        shown = plain(app.screen.query_one("#proposal"))
        assert "Team decisions" in shown
        assert "bob  reject  vague instruction" in shown
        assert "carol  reject  metadata task" in shown
        # the adjudicator accepts P2 (majority rejected it) and rejects P4
        await pilot.press("a")
        await settle(pilot, app)
        await pilot.press("x")
        await settle(pilot, app)
    with Store(ws) as store:
        assert [c.proposal.id for c in conflicts(store)] == [p[4].id]
        assert {x.id for x in adjudicated(store)} == {p[0].id, p[1].id, p[4].id}
        events = [e for e in store.events() if e.annotator == "lead"]
        assert [(e.action, e.role) for e in events] == [("accept", "adjudicator"),
                                                        ("reject", "adjudicator")]


async def test_guidelines_open_with_g_as_inert_text_and_set_the_reasons(tmp_path):
    ws = tmp_path / "ws"
    team_workspace(ws)
    (ws / "guidelines.md").write_text(
        "# Our rules\n[@click=app.quit]not a link[/] \x1b]0;title\x07\n\n## Reject reasons\n"
        "1. too vague — several tasks fit\n2. leaks the answer\n")
    app = make_app(ws, start="review", annotator="erin")
    assert app.settings.reject_reasons == ["too vague", "leaks the answer"]
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await wait_for(pilot, lambda: app.review is not None and app.review.current is not None)
        await pilot.press("g")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "GuidelinesScreen")
        text = plain(app.screen.query_one("#guidelines"))
        assert "[@click=app.quit]not a link[/]" in text and "\x1b" not in text and "␛" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ReviewScreen")
        assert app.is_running  # the fake action did nothing
        pid = app.review.current.id
        await pilot.press("2")  # reason 2 of the guidelines
        await settle(pilot, app)
    with Store(ws) as store:
        [event] = [e for e in store.events(pid) if e.annotator == "erin"]
        assert (event.action, event.reason) == ("reject", "leaks the answer")


async def test_stats_shows_agreement_and_overlap_hides_what_others_covered(team):
    ws, p = team
    app = make_app(ws, start="stats", annotator="erin", overlap=3)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        stats = app.screen.query_one("#stats")
        await wait_for(pilot, lambda: "Agreement" in shown(stats))
        text = shown(stats)
        assert "Krippendorff's alpha 0.30" in text and "conflicts 3 open" in text
        assert "alice / bob" in text and "vague instruction 6" in text
        await wait_for(pilot, lambda: app.queue is not None)
        # P1, P2, P4, P5 were decided by three people already: erin gets P3 and P6
        assert {x.id for x in app.queue.items} == {p[2].id, p[5].id}
