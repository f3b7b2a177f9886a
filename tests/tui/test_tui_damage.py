"""Events lost from a decisions file: the workbench says so at start and on the Stats screen."""

from __future__ import annotations

from dynotui.core.models import Proposal, Task
from dynotui.core.store import Store
from tuikit import make_app, settle, wait_for


def shown(static) -> str:
    from rich.console import Console

    console = Console(width=400, record=True, file=open("/dev/null", "w"))
    console.print(static.content)
    return console.export_text()


async def test_lost_decisions_are_named_at_start_and_on_the_stats_screen(tmp_path):
    # Given a decisions file that lost its last 40 bytes after 5 acknowledged decisions
    ws = tmp_path / "ws"
    store = Store(ws, annotator="alice", session="s")
    props = store.add_proposals([Proposal(dataset="sample:sst-mini", task=Task(
        f"Classify the sentiment of review {i}.", ["sentence"], "label")) for i in range(8)])
    for p in props[:5]:
        store.decide(p.id, "accept")
    store.close()
    path = next((ws / "decisions").rglob("s-0001.jsonl"))
    path.write_bytes(path.read_bytes()[:-40])
    message = (f"Store file {path} holds 4 decision events but its checkpoint says 5: at least "
               "1 lost (the file was emptied or cut short).")
    app = make_app(ws, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        # Then one notification names the file and the loss
        notes = [n.message for n in app._notifications if path.name in n.message]
        assert len(notes) == 1 and message in notes[0].replace("\n", " ")
        # And the Stats screen shows it as a problem line
        await pilot.press("f5")
        stats = app.screen.query_one("#stats")
        await wait_for(pilot, lambda: "Problem: Store file" in shown(stats), timeout=20)
        assert message in " ".join(shown(stats).split())
