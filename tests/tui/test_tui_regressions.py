"""Regressions found by using the workbench in tmux: stale panels, misleading checks and
summaries, keys pushed off an 80-column footer, damaged store files passed over in silence."""

from __future__ import annotations

import pytest

from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store
from dynotui.tui.widgets.footer import KeyFooter
from tuikit import add_proposals as add, make_app, open_review, plain, settle, wait_for

MISSING = "local:/nonexistent-qa/data.jsonl"  # a dataset no source can read


async def test_edit_without_the_dataset_says_so_and_still_checks_the_shape(workspace):
    # Given a proposal whose dataset cannot be read
    path, _ = workspace
    lost = Proposal(dataset=MISSING, task=Task("Copy the question into the answer field.",
                                                ["question"], "answer"), created=1.0)
    add(path, lost)
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        review = await open_review(pilot, app)
        review.queue.go(lost.id)
        review.show_current()
        # When I edit it
        await pilot.press("e")
        await settle(pilot, app)
        screen = app.screen
        samples = screen.query_one("#edit-samples")
        # Then the samples pane says why there are no rows (not "loading…" forever)
        await wait_for(pilot, lambda: "Could not load sample rows" in plain(samples))
        verdicts = screen.query_one("#edit-verdicts")
        assert "passes" not in plain(verdicts) and "not checked" in plain(verdicts)
        # When the output field is also an input, the live check says so
        screen.query_one("#output").value = "question"
        await pilot.pause(0.3)
        assert "both an input and the output" in plain(verdicts)
        # And saving is refused with the same words
        await pilot.press("ctrl+s")
        assert app.screen is screen
        assert any("both an input and the output" in n.message for n in app._notifications)


@pytest.mark.parametrize("width", [80, 120])
async def test_review_footer_keeps_help_and_quit_on_screen(workspace, width):
    # Given the Review screen at 80 and at 120 columns
    path, _ = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(width, 24)) as pilot:
        await open_review(pilot, app)
        await pilot.pause(0.2)
        footer = app.screen.query_one(KeyFooter)
        line = footer.render().plain
        assert len(line) <= width
        shown = set(line.split())
        # Then the review keys, help and quit are all visible
        for name in ("accept", "reject", "skip", "undo", "edit", "flag", "help", "quit"):
            assert name in shown, (name, sorted(shown))
        # And the screen-switch keys are shown only when there is room
        assert ("browse" in shown) == (width >= 110)


async def test_a_click_on_a_footer_key_presses_it(workspace):
    # Given the Review screen
    path, _ = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(120, 30)) as pilot:
        await open_review(pilot, app)
        footer = app.screen.query_one(KeyFooter)
        line = footer.render().plain
        # When the mouse is clicked on "? help" in the footer
        await pilot.click(KeyFooter, offset=(line.index("? help") + 2, 0))
        # Then the help screen opens
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen")


async def test_a_damaged_dataset_file_is_named_and_the_rest_reviewed(workspace):
    # Given a workspace in which one dataset file is truncated
    path, props = workspace
    damaged = next(p for p in (path / "datasets").iterdir() if "news" in p.name)
    damaged.write_bytes(damaged.read_bytes()[:200])
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        review = await open_review(pilot, app)
        # Then a notification names the file and what to do, once
        notes = [n.message for n in app._notifications if damaged.name in n.message]
        assert len(notes) == 1 and "Move it aside" in notes[0]
        # And the other dataset's proposals are reviewed as usual
        assert review.current.id == props[2].id
        await pilot.press("a")
        await settle(pilot, app)
        assert app.store.status(props[2].id) == "accepted"
        app._reload_keeping_place()
        await settle(pilot, app)
        assert len([n for n in app._notifications if damaged.name in n.message]) == 1


async def test_an_answer_without_a_task_shows_what_the_model_said(workspace):
    # Given a stored proposal from an answer no task could be read from
    path, _ = workspace
    raw = "Sure! <html> [@click=app.quit]x[/] \x1b]0;pwned\x07"
    bad = Proposal(dataset="sample:sst-mini", task=Task("", [], ""), raw_answer=raw,
                   model="test-model", created=1.0)
    add(path, bad)
    app = make_app(path, start="review")
    async with app.run_test(size=(120, 30)) as pilot:
        review = await open_review(pilot, app)
        review.queue.go(bad.id)
        review.show_current()
        await pilot.pause()
        # Then the proposal pane shows the answer as inert text, and the queue says what it is
        text = plain(app.screen.query_one("#proposal"))
        assert "Model answer" in text and "[@click=app.quit]x[/]" in text
        assert "␛]0;pwned␇" in text
        assert "\x1b" not in text
        strip = app.screen.query_one("#queue-strip")
        lines = ["".join(s.text for s in strip.render_line(y)) for y in range(len(strip._rows))]
        assert any("(no task in the answer)" in line for line in lines)


async def test_q_in_edit_does_not_drop_a_changed_task_at_once(workspace):
    # Given the Edit screen with a changed instruction and the field list focused
    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app)
        await pilot.press("e")
        await settle(pilot, app)
        screen = app.screen
        screen.query_one("#instruction").text = "Decide the sentiment of the review."
        screen.query_one("#inputs").focus()
        # When I press q once, the app stays and says how to save or drop the edit
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and app.screen is screen
        assert any("not saved" in n.message for n in app._notifications)
        # And q again quits
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_a_generation_with_a_failed_dataset_is_a_warning(tmp_path):
    # Given a workspace whose stored file for sst-mini is damaged, and a working LLM server
    from llmserver import LLMServer

    from dynotui.core.sources import load_meta, parse_ref

    path = tmp_path / "ws"
    store = Store(path, annotator="alice")
    store.save_meta(load_meta(parse_ref("sample:sst-mini"), rows=5))
    store.close()
    damaged = next((path / "datasets").iterdir())
    damaged.write_bytes(damaged.read_bytes()[:100])
    with LLMServer() as server:
        app = make_app(path, base_url=server.base_url)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            from tuikit import select_dataset

            await select_dataset(pilot, app, "sst-mini")
            # When I generate for it
            await pilot.press("g")
            await settle(pilot, app)
            # Then the summary naming the damaged file is a warning, not plain information
            notes = [n for n in app._notifications if "Generation done" in n.message]
            assert len(notes) == 1 and damaged.name in notes[0].message
            assert notes[0].severity == "warning"


async def test_holding_backspace_leaves_one_undo_toast(workspace):
    # Given three decisions
    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app)
        await pilot.press("a", "x", "space")
        await settle(pilot, app)
        # When I undo all of them and once more
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await settle(pilot, app)
        # Then every decision is undone, and one undo toast is on screen, not four
        assert [app.store.status(p.id) for p in props[2:5]] == ["undecided"] * 3
        notes = [n.message for n in app._notifications
                 if n.message.startswith(("Undid", "Nothing to undo"))]
        assert len(notes) == 1, notes


def test_generation_summary_says_failing_proposals_are_in_the_queue():
    # Given a run in which one call kept 1 task and 2 failed a check (both are stored)
    from collections import Counter

    from dynotui.core.generation.report import CallResult, DatasetReport, GenerationReport
    from dynotui.tui.jobs import describe_report

    call = CallResult("aware", "done", kept=1, rejected=Counter({"io_overlap": 2}),
                      tokens_in=100, tokens_out=20)
    report = GenerationReport(datasets=[DatasetReport("k", "sample:sst-mini", [call])])
    # Then the summary counts all three as added, and does not call two of them "rejected"
    text = describe_report(report)
    assert "3 proposals added (1 pass the checks, 2 with errors: io_overlap 2)" in text
    assert "rejected" not in text
    # And a run stopped with Esc says it was cancelled
    report.datasets[0].calls.append(CallResult("unaware", "cancelled"))
    assert describe_report(report).startswith("Generation cancelled: ")


async def test_a_decisions_file_damaged_mid_session_is_named_and_not_counted(workspace):
    # Given one saved decision, then a broken line appended to this session's decisions file
    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        review = await open_review(pilot, app)
        await pilot.press("a")
        await settle(pilot, app)
        assert review.queue.session["accept"] == 1
        newest = max((path / "decisions").rglob("*.jsonl"), key=lambda f: f.stat().st_mtime)
        with newest.open("a") as fh:
            fh.write('{"broken": \n')
        # When I accept the next one
        current = review.current.id
        await pilot.press("a")
        await settle(pilot, app)
        # Then the error names the file, the proposal is undecided again, and not counted
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert any("Not saved" in m and newest.name in m for m in errors), errors
        assert review.queue.status[current] == "undecided"
        assert review.queue.session["accept"] == 1
        assert app.is_running



async def test_export_opens_in_the_path_field_and_a_typed_q_stays_there(workspace):
    # Given the Review screen
    path, _ = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app)
        # When I press F4 and type a path holding a q
        await pilot.press("f4")
        await settle(pilot, app)
        out = app.screen.query_one("#out")
        assert app.focused is out
        await pilot.press("ctrl+u", *"/tmp/qa/x.json")
        # Then the path is in the field and the app is still running
        assert app.is_running and out.value == "/tmp/qa/x.json"


async def test_deciding_the_last_proposal_says_the_queue_is_done(workspace):
    # Given a queue with three undecided proposals
    path, props = workspace
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app)
        # When I decide two, nothing is said; the third says the queue is done, once
        await pilot.press("a", "x")
        await settle(pilot, app)
        assert not [n for n in app._notifications if n.title == "Queue done"]
        await pilot.press("a", "a")
        await settle(pilot, app)
        done = [n for n in app._notifications if n.title == "Queue done"]
        assert len(done) == 1 and "All 5 proposals are decided" in done[0].message


HOSTILE = "Classify [@click=app.quit]x[/] [/bold] \x1b]52;c;aGk=\x07 \x1b]0;pwned\x07 \x1b[31mred \u202egnp"


async def test_edit_never_hands_control_characters_to_the_text_area(workspace):
    # Given a proposal whose instruction came from a hostile model answer
    path, _ = workspace
    bad = Proposal(dataset="sample:news-topics", task=Task(HOSTILE, ["text"], "label"),
                   model="test-model", created=1.0)
    add(path, bad)
    app = make_app(path, start="review")
    async with app.run_test(size=(100, 30)) as pilot:
        review = await open_review(pilot, app)
        review.queue.go(bad.id)
        review.show_current()
        # When I edit it
        await pilot.press("e")
        await settle(pilot, app)
        screen = app.screen
        area = screen.query_one("#instruction")
        # Then the text area holds visible stand-ins, never the raw sequences
        assert not any(c in area.text for c in "\x1b\x07\u202e")
        assert "␛]0;pwned␇" in area.text and "<U+202E>" in area.text
        # And saving a field change without touching the text keeps the instruction exactly
        await wait_for(pilot, lambda: screen.meta is not None)
        screen.query_one("#inputs").select("title")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        new = [p for p in app.store.proposals() if p.parent == bad.id]
        assert len(new) == 1 and new[0].task.instruction == HOSTILE
        assert sorted(new[0].task.input_fields) == ["text", "title"]
