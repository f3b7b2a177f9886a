"""Review keys beyond the main journey: flag, skip, navigation, reasons, keymap, small screens."""

from __future__ import annotations

import pytest

from tuikit import make_app, open_review, plain, settle, wait_for


async def test_resume_flag_skip_and_navigation(workspace):
    # Given a workspace where the first two proposals are decided
    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        review = await open_review(pilot, app)
        # Then review opens at the first undecided proposal
        assert review.current.id == props[2].id
        # When I flag it, the flag is stored and shown
        await pilot.press("f")
        await settle(pilot, app)
        assert app.store.is_flagged(props[2].id)
        assert "flagged" in plain(app.screen.query_one("#proposal"))
        # And undo brings it back unflagged
        await pilot.press("backspace")
        await settle(pilot, app)
        assert not app.store.is_flagged(props[2].id)
        # When I skip, it is stored as skipped and the next undecided one is shown
        await pilot.press("space")
        await settle(pilot, app)
        assert app.store.status(props[2].id) == "skipped"
        assert review.current.id == props[3].id
        # And p / n move back and forth without deciding
        await pilot.press("p")
        assert review.current.id == props[2].id
        await pilot.press("n", "n")
        assert review.current.id == props[4].id
        assert app.store.status(props[3].id) == "undecided"


async def test_reject_reason_keys_follow_the_configured_reasons(workspace):
    # Given only two configured reject reasons
    path, props = workspace
    app = make_app(path, start="review", reject_reasons=["too vague", "leaks the answer"])
    async with app.run_test(size=(100, 30)) as pilot:
        review = await open_review(pilot, app)
        # When I press 5, nothing is decided and a message says why
        await pilot.press("5")
        await settle(pilot, app)
        assert app.store.status(props[2].id) == "undecided"
        assert any("No reject reason 5" in n.message for n in app._notifications)
        # When I press 2, it is rejected with the second reason
        await pilot.press("2")
        await settle(pilot, app)
        assert app.store.events(props[2].id)[-1].reason == "leaks the answer"
        assert review.current.id == props[3].id


async def test_keymap_remaps_a_binding_by_id(workspace):
    # Given a keymap that moves accept from a to y, and an unknown id
    path, props = workspace
    app = make_app(path, start="review", keymap={"review.accept": "y", "review.nope": "z",
                                                 "browse.mark": "M"})
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app)
        # Then the unknown id is reported
        notes = [n.message for n in app._notifications if "Unknown binding" in n.message]
        assert len(notes) == 1 and "review.nope" in notes[0] and "browse.mark" not in notes[0]
        # When I press a, nothing happens; y accepts
        await pilot.press("a")
        await settle(pilot, app)
        assert app.store.status(props[2].id) == "undecided"
        await pilot.press("y")
        await settle(pilot, app)
        assert app.store.status(props[2].id) == "accepted"


async def test_usable_at_80x24_without_a_mouse(workspace):
    # Given the smallest supported terminal
    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(pilot, app)
        await wait_for(pilot, lambda: "Row 1" in plain(app.screen.query_one("#samples")))
        # Then the proposal, the samples and the progress line are all on screen
        for selector in ("#proposal", "#samples", "#review-status"):
            region = app.screen.query_one(selector).region
            assert region.width >= 20 and region.height >= 1, selector
        # And every screen is reachable and usable from the keyboard
        await pilot.press("a")
        await settle(pilot, app)
        assert app.store.status(props[2].id) == "accepted"
        for key, mode in (("f2", "browse"), ("f4", "export"), ("f5", "stats"), ("f3", "review")):
            await pilot.press(key)
            await settle(pilot, app)
            assert app.current_mode == mode
        await pilot.press("question_mark")
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        assert app.current_mode == "review"


async def test_palette_switches_theme_and_screen(workspace):
    # Given the app
    path, _ = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app)
        # When I pick a theme from the command palette
        await pilot.press("ctrl+p")
        await pilot.press(*"Theme: dynotui-light")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, app)
        # Then the theme changes
        assert app.theme == "dynotui-light"
        # And the palette goes to screens too
        await pilot.press("ctrl+p")
        await pilot.press(*"Go to Stats")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.current_mode == "stats"


@pytest.mark.embeddings
async def test_similar_instructions_when_turned_on(workspace):
    from dynotui.core.embed import available

    if not available():
        pytest.skip("sentence-transformers is not installed")
    # Given review on a workspace with several instructions
    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app)
        # When I turn similar instructions on
        await pilot.press("s")
        # Then the proposal pane lists the closest other instructions with scores
        pane = app.screen.query_one("#proposal")
        await wait_for(pilot, lambda: "Similar instructions" in plain(pane)
                       and "looking up" not in plain(pane) and "embedding" not in plain(pane),
                       timeout=180)
        text = plain(pane)
        assert props[1].task.instruction[:30] in text or props[0].task.instruction[:30] in text


async def test_queue_strip_follows_the_current_proposal_on_wide_screens(workspace):
    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(130, 40)) as pilot:
        review = await open_review(pilot, app)
        strip = app.screen.query_one("#queue-strip")
        assert strip.display

        def marked() -> str:
            return next(p.id for _, p, _, current, _ in strip._rows if current)
        # Then the strip marks the proposal on screen, and follows n / p and decisions
        assert marked() == review.current.id == props[2].id
        await pilot.press("n")
        assert marked() == props[3].id
        await pilot.press("a")
        await settle(pilot, app)
        assert marked() == review.current.id
        assert [status for _, p, status, _, _ in strip._rows if p.id == props[3].id] == ["accepted"]


async def test_palette_offers_review_actions_and_reject_reasons(workspace):
    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app)
        # When I reject through the palette by the reason's words
        await pilot.press("ctrl+p")
        await pilot.press(*"Reject: vague")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, app)
        # Then the proposal is rejected with that reason
        assert app.store.events(props[2].id)[-1].reason == "vague instruction"


async def test_accepting_an_invalid_proposal_asks_once_more(tmp_path):
    # Given an undecided proposal whose checks found an error (the output is also an input)
    from dynotui.core.models import Proposal, Task, Verdict
    from dynotui.core.sources import load_meta, parse_ref
    from dynotui.core.store import Store

    path = tmp_path / "ws"
    store = Store(path, annotator="alice")
    store.save_meta(load_meta(parse_ref("sample:sst-mini"), rows=5))
    bad = Proposal("sample:sst-mini", Task("Copy the label of the review.", ["text", "label"],
                                           "label"), created=1.0,
                   verdicts=[Verdict("io_overlap", False, "'label' is both", "error")])
    good = Proposal("sample:sst-mini", Task("Decide whether the review is positive.", ["text"],
                                            "label"), created=2.0)
    store.add_proposals([bad, good])
    store.close()
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        review = await open_review(pilot, app)
        assert review.current.id == bad.id
        # When I press a once: nothing is decided, a notification says why
        await pilot.press("a")
        await settle(pilot, app)
        assert app.store.status(bad.id) == "undecided" and review.current.id == bad.id
        notes = [n.message for n in app._notifications]
        assert any("io_overlap" in m and "Press a again" in m for m in notes)
        # And another key in between disarms it: a skip, back, then a single a asks again
        await pilot.press("space", "p", "a")
        await settle(pilot, app)
        assert app.store.status(bad.id) == "skipped"
        # When I press a twice, it is accepted
        await pilot.press("a")
        await settle(pilot, app)
        assert app.store.status(bad.id) == "accepted"
        # And a valid proposal is accepted at the first a
        assert review.current.id == good.id
        await pilot.press("a")
        await settle(pilot, app)
        assert app.store.status(good.id) == "accepted"
