"""Request handling of the loopback Hub (tests/hubserver.py): routes, faults, ranges."""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

if TYPE_CHECKING:
    from hubserver import HubServer, Repo


class HubHandler(BaseHTTPRequestHandler):
    hub: HubServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args: Any) -> None:  # quiet: requests are in hub.requests
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    # ---- plumbing ----
    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
              ctype: str = "application/json") -> None:
        self.send_response(status)
        headers = dict(headers or {})
        headers.setdefault("Content-Type", ctype)
        headers.setdefault("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode(), headers)

    def _error(self, status: int, message: str, code: str | None = None) -> None:
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self._json({"error": message}, status, headers)

    def _authorized(self) -> bool:
        from hubserver_write import role

        return role(self) is not None

    def _apply_fault(self, method: str, path: str) -> bool:
        hub = self.hub
        with hub._lock:
            match = None
            for item in hub.faults:
                if item.pattern.search(path) and (item.method in (None, method)) \
                        and (item.times is None or item.times > 0):
                    match = item
                    if item.times is not None:
                        item.times -= 1
                    break
        if match is None:
            return False
        if match.delay:
            time.sleep(match.delay)
        if match.status is None:
            return False  # a pure delay, then the normal answer
        self._send(match.status, match.body, match.headers)
        return True

    def _dispatch(self, method: str) -> None:
        hub = self.hub
        hub.requests.append((method, self.path, dict(self.headers)))
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = parse_qs(parts.query)
        body = b""
        if method == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            if self._apply_fault(method, path):
                return
            for hook in list(hub.hooks):
                if hook(self):
                    return
            self._route(method, path, query, body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _repo(self, repo_id: str, files_access: bool) -> Repo | None:
        repo = self.hub.repos.get(repo_id)
        if repo is None or (repo.private and not self._authorized()):
            self._error(401 if not self._authorized() else 404, "Repository not found",
                        "RepoNotFound")
            return None
        if files_access and repo.gated and not self._authorized():
            self._error(401, "Access to this dataset is restricted", "GatedRepo")
            return None
        return repo

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
        from hubserver_write import route

        if route(self, method, path, body):  # create repo, preupload, commit
            return None
        if path == "/api/datasets" and method == "GET":
            return self._list(query)
        match = re.match(r"^/api/datasets/(.+?)/(tree|paths-info)/([^/]+)(?:/(.*))?$", path)
        if match:
            repo = self._repo(match.group(1), True)
            if repo and self._check_rev(repo, match.group(3)):
                if match.group(2) == "tree":
                    return self._tree(repo, match.group(4) or "", query)
                return self._paths_info(repo, body)
            return None
        match = re.match(r"^/api/datasets/(.+?)(?:/revision/([^/]+))?$", path)
        if match and method == "GET":
            repo = self._repo(match.group(1), False)
            if repo and self._check_rev(repo, match.group(2) or "main"):
                return self._json(self.hub.info(repo))
            return None
        match = re.match(r"^/datasets/(.+?)/resolve/([^/]+)/(.+)$", path)
        if match and method in ("GET", "HEAD"):
            repo = self._repo(match.group(1), True)
            if repo and self._check_rev(repo, match.group(2)):
                return self._resolve(repo, match.group(3))
            return None
        self._error(404, f"no route for {method} {path}")

    def _check_rev(self, repo: Repo, rev: str) -> bool:
        if unquote(rev) in ("main", repo.sha):
            return True
        self._error(404, f"Invalid rev id: {rev}", "RevisionNotFound")
        return False

    def _list(self, query: dict[str, list[str]]) -> None:
        repos = self.hub.listing(query)
        start = int((query.get("cursor") or ["0"])[0])
        # like the Hub: `limit` caps the page size; a Link header leads on while items remain
        limit = int(query["limit"][0]) if query.get("limit") else self.hub.page_size
        size = max(min(limit, self.hub.page_size), 1)
        page = repos[start:start + size]
        headers = {}
        if start + size < len(repos):
            rest = {k: v for k, v in query.items() if k != "cursor"}
            rest["cursor"] = [str(start + size)]
            next_url = f"{self.hub.url}/api/datasets?{urlencode(rest, doseq=True)}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        full = bool(query.get("full")) or bool(query.get("expand"))
        self._json([self.hub.info(r, full=full) for r in page], headers=headers)

    def _entries(self, repo: Repo, prefix: str, recursive: bool) -> list[dict[str, Any]]:
        prefix = prefix.strip("/")
        out: dict[str, dict[str, Any]] = {}
        for path, data in sorted(repo.files.items()):
            if prefix and not path.startswith(prefix + "/"):
                continue
            rest = path[len(prefix) + 1:] if prefix else path
            parts = rest.split("/")
            for depth in range(1, len(parts)):
                if depth > 1 and not recursive:
                    break
                folder = "/".join(([prefix] if prefix else []) + parts[:depth])
                out.setdefault(folder, {"type": "directory", "oid": _oid(folder.encode()),
                                        "size": 0, "path": folder})
            if recursive or len(parts) == 1:
                out[path] = {"type": "file", "oid": _oid(data), "size": len(data), "path": path}
        return list(out.values())

    def _tree(self, repo: Repo, prefix: str, query: dict[str, list[str]]) -> None:
        recursive = (query.get("recursive") or ["false"])[0].lower() in ("1", "true")
        if prefix and prefix not in repo.files and not any(
                p.startswith(prefix.strip("/") + "/") for p in repo.files):
            return self._error(404, f"{prefix} does not exist", "EntryNotFound")
        self._json(self._entries(repo, prefix, recursive))

    def _paths_info(self, repo: Repo, body: bytes) -> None:
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype:
            paths = json.loads(body or b"{}").get("paths", [])
        else:
            paths = parse_qs(body.decode()).get("paths", [])
        out = []
        for path in paths:
            path = path.strip("/")
            if path in repo.files:
                data = repo.files[path]
                out.append({"type": "file", "oid": _oid(data), "size": len(data), "path": path})
            elif any(p.startswith(path + "/") for p in repo.files) or path == "":
                out.append({"type": "directory", "oid": _oid(path.encode()), "size": 0,
                            "path": path})
        self._json(out)

    def _resolve(self, repo: Repo, path: str) -> None:
        data = repo.files.get(path)
        if data is None:
            return self._error(404, f"Entry not found: {path}", "EntryNotFound")
        etag = f'"{_oid(data)}"'
        headers = {"X-Repo-Commit": repo.sha, "ETag": etag, "Accept-Ranges": "bytes",
                   "Last-Modified": _http_date(repo.last_modified)}
        status, chunk = 200, data
        rng = re.match(r"bytes=(\d*)-(\d*)$", self.headers.get("Range", ""))
        if rng and data:
            start = int(rng.group(1)) if rng.group(1) else max(len(data) - int(rng.group(2)), 0)
            end = int(rng.group(2)) if rng.group(1) and rng.group(2) else len(data) - 1
            end = min(end, len(data) - 1)
            if start >= len(data):
                return self._send(416, b"", {"Content-Range": f"bytes */{len(data)}"})
            status, chunk = 206, data[start:end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        self._send(status, chunk, headers, ctype="application/octet-stream")


def _oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _http_date(iso: str) -> str:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")
