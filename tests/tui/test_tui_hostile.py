"""Hostile strings in a dataset and in a model answer stay inert text in the workbench."""

from __future__ import annotations

import json

import pytest

from dynotui.tui import render
from llmserver import LLMServer, reply
from tuikit import make_app, plain, select_dataset, settle, wait_detail, wait_for

EVIL = ["[@click=app.quit]x[/]", "[/bold]", "\x1b]52;c;aGk=\x07", "\x1b]0;pwned\x07",
        "\x1b[31m", "\u202e"]
TEXT = "review " + " ".join(EVIL) + " end"


def test_render_makes_controls_visible_and_never_parses_markup():
    # Given every hostile string, when rendered, then no control character survives
    shown = render.visible(TEXT)
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "␛]52;c;aGk=␇" in shown and "<U+202E>" in shown
    # and markup stays literal text, in Text and in Content alike
    assert render.text(TEXT).plain == shown
    assert render.content(TEXT).plain == render.one_line(TEXT)
    assert "[@click=app.quit]x[/]" in render.line(TEXT).plain


def write_dataset(root):
    folder = root / "hostile"
    (folder / "data").mkdir(parents=True)
    card = ("---\nlicense: mit\nlanguage:\n- en\npretty_name: \"evil [/bold] \\e]0;pwned\\a\"\n"
            "task_categories:\n- text-classification\n---\n\n# Hostile\n\n"
            f"A dataset whose every text is hostile: {TEXT}\n")
    (folder / "README.md").write_text(card, encoding="utf-8")
    rows = [{"text": f"{TEXT} {i}", "label": ["good", "bad"][i % 2]} for i in range(8)]
    (folder / "data" / "train.jsonl").write_text(
        "\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return folder


@pytest.fixture
def llm():
    with LLMServer() as server:
        yield server


def assert_inert(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "[@click=app.quit]x[/]" in text  # shown literally, not turned into a link


async def test_hostile_dataset_and_answer_are_shown_as_inert_text(tmp_path, llm):
    # Given a local dataset full of hostile strings and a model that answers with them
    folder = write_dataset(tmp_path)
    answer = {"tasks": [{"instruction": f"Classify {TEXT}", "input_fields": ["text"],
                         "output_field": "label"}]}
    llm.script(reply(json.dumps(answer)), reply(json.dumps(answer)))
    app = make_app(tmp_path / "ws", base_url=llm.base_url, source=str(folder))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        # When the dataset is shown in Browse
        await select_dataset(pilot, app, "hostile")
        assert_inert(await wait_detail(pilot, app, "local:"))
        # And proposals are generated and reviewed
        await pilot.press("g")
        await settle(pilot, app)
        await pilot.press("f3")
        await settle(pilot, app)
        await wait_for(pilot, lambda: app.review.current is not None)
        await wait_for(pilot, lambda: "Row 1" in plain(app.screen.query_one("#samples")))
        # Then the instruction and the rows are inert, visible text
        assert_inert(plain(app.screen.query_one("#proposal")))
        assert_inert(plain(app.screen.query_one("#samples")))
        # And nothing on screen carries a raw escape, and the app keeps running
        assert "\x1b" not in app.export_screenshot()
        await pilot.press("a")
        await settle(pilot, app)
        assert app.is_running and app.return_code is None
        assert app.store.status(app.store.proposals()[0].id) in ("accepted", "undecided")
