"""A team's workspace for tests: six proposals on the bundled samples and three annotators'
decisions on them, small enough to compute every agreement figure by hand.

    proposal  alice          bob            carol
    P1        accept         accept         accept
    P2        accept         reject vague   reject meta
    P3        reject vague   reject vague   -
    P4        reject vague   accept         accept
    P5        accept         accept         reject vague
    P6        -              reject other   reject other
"""

from __future__ import annotations

from pathlib import Path

from dynotui.core.models import Proposal
from dynotui.core.store import Store
from exportkit import SAMPLE_TASKS, add_task

VAGUE, META, OTHER = "vague instruction", "metadata task", "other"
TABLE = {
    "alice": ["accept", "accept", ("reject", VAGUE), ("reject", VAGUE), "accept", None],
    "bob": ["accept", ("reject", VAGUE), ("reject", VAGUE), "accept", "accept", ("reject", OTHER)],
    "carol": ["accept", ("reject", META), None, "accept", ("reject", VAGUE), ("reject", OTHER)],
}


def team_proposals(store: Store) -> list[Proposal]:
    """The six proposals (P1..P6), with their datasets' metadata, undecided."""
    return [add_task(store, f"sample:{name}", task, config, accept=False)
            for name, config, task in SAMPLE_TASKS[:6]]


def decide_table(workspace: Path, props: list[Proposal], table: dict | None = None) -> None:
    """Each annotator's decisions from TABLE, through their own Store."""
    for who, row in (table or TABLE).items():
        with Store(workspace, annotator=who) as store:
            for prop, cell in zip(props, row):
                if cell is None:
                    continue
                action, reason = cell if isinstance(cell, tuple) else (cell, "")
                store.decide(prop.id, action, reason=reason)


def team_workspace(workspace: Path) -> list[Proposal]:
    with Store(workspace, annotator="lead") as store:
        props = team_proposals(store)
    decide_table(workspace, props)
    return props
