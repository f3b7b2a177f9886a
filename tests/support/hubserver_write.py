"""Write routes of the loopback Hub: what huggingface_hub calls for create_repo and
create_commit (files small enough to go inline as base64 'regular' uploads).

POST /api/repos/create                       {"name", "organization", "visibility", "type"}
POST /api/datasets/{id}/preupload/{rev}      {"files": [{"path", "sample", "size"}]}
POST /api/datasets/{id}/commit/{rev}         NDJSON: header, file, deletedFile, deletedFolder
A write needs a token with the write role (HubServer.token, or add_token(value, "write"));
a read token gets 403, no token 401, like the Hub.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hubserver_handler import HubHandler


def role(handler: HubHandler) -> str | None:
    """'write', 'read' or None for the request's bearer token."""
    hub = handler.hub
    auth = handler.headers.get("Authorization", "")
    value = auth[7:] if auth.startswith("Bearer ") else ""
    if value and value == hub.token:
        return "write"
    return hub.tokens.get(value) if value else None


def _may_write(handler: HubHandler) -> bool:
    who = role(handler)
    if who == "write":
        return True
    if who is None:
        handler._error(401, "Invalid credentials in Authorization header", "Unauthorized")
    else:
        handler._error(403, "You don't have the rights to write to this repository: your "
                       "token has the read role", "Forbidden")
    return False


def route(handler: HubHandler, method: str, path: str, body: bytes) -> bool:
    """Answer a write request; False when `path` is not a write route."""
    if method != "POST":
        return False
    if path == "/api/repos/create":
        _create(handler, body)
        return True
    match = re.match(r"^/api/datasets/(.+?)/(preupload|commit)/([^/]+)$", path)
    if not match:
        return False
    repo_id, what, rev = match.groups()
    if not _may_write(handler):
        return True
    repo = handler._repo(repo_id, True)
    if repo is None or not handler._check_rev(repo, rev):
        return True
    if what == "preupload":
        _preupload(handler, repo, body)
    else:
        _commit(handler, repo, body)
    return True


def _create(handler: HubHandler, body: bytes) -> None:
    if not _may_write(handler):
        return
    data = json.loads(body or b"{}")
    name, org = data.get("name"), data.get("organization")
    if data.get("type", "model") != "dataset":
        return handler._error(400, "the loopback Hub holds dataset repos only")
    repo_id = f"{org}/{name}" if org else str(name)
    hub = handler.hub
    if repo_id in hub.repos:
        return handler._json({"error": "You already created this dataset repo",
                              "url": f"{hub.url}/datasets/{repo_id}"}, 409,
                             {"X-Error-Message": "You already created this dataset repo"})
    hub.add_dataset(repo_id, {}, private=data.get("visibility") == "private")
    handler._json({"url": f"{hub.url}/datasets/{repo_id}", "name": repo_id, "id": repo_id})


def _preupload(handler: HubHandler, repo: Any, body: bytes) -> None:
    from hubserver_handler import _oid

    files = json.loads(body or b"{}").get("files", [])
    out = [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False,
            "oid": _oid(repo.files[f["path"]]) if f["path"] in repo.files else None}
           for f in files]
    handler._json({"files": out, "commitOid": repo.sha})


def _commit(handler: HubHandler, repo: Any, body: bytes) -> None:
    hub = handler.hub
    header: dict[str, Any] = {}
    files = dict(repo.files)
    touched: list[str] = []
    for line in body.splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        key, value = item.get("key"), item.get("value", {})
        if key == "header":
            header = value
        elif key == "file":
            if value.get("encoding") != "base64":
                return handler._error(400, "file content must be base64")
            files[value["path"]] = base64.b64decode(value["content"])
            touched.append(value["path"])
        elif key == "deletedFile":
            files.pop(value["path"], None)
        elif key == "deletedFolder":
            prefix = value["path"].rstrip("/") + "/"
            files = {p: d for p, d in files.items() if not p.startswith(prefix)}
        else:
            return handler._error(400, f"the loopback Hub does not take {key!r} operations")
    parent = header.get("parentCommit")
    if parent and parent != repo.sha:
        return handler._error(412, "A commit has happened since. Please refresh and try again.")
    with hub._lock:
        digest = hashlib.sha1(repo.sha.encode() + body).hexdigest()
        repo.files, repo.sha = files, digest
        repo.last_modified = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        hub.commits.append((repo.repo_id, header.get("summary", ""), touched))
    handler._json({"success": True, "commitOid": digest, "pullRequestUrl": None,
                   "commitUrl": f"{hub.url}/datasets/{repo.repo_id}/commit/{digest}"})
