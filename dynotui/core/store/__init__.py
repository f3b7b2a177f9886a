"""Workspace store on TinyDB: small files, atomic writes, append-only decision events.

`from dynotui.core.store import Store` is the API (see workspace.py and CONTRACTS.md).
"""

from dynotui.core.store.layout import SCHEMA
from dynotui.core.store.state import ALL, POLICIES, STATUSES
from dynotui.core.store.workspace import DECIDE_ACTIONS, Store

__all__ = ["Store", "SCHEMA", "STATUSES", "POLICIES", "ALL", "DECIDE_ACTIONS"]
