"""A loopback Hugging Face Hub for tests: the routes huggingface_hub and datasets really call.

    with HubServer() as hub:
        hub.add_folder("org/name", Path("dynotui/samples/sst-mini"))
        hub.fault(r"^/api/datasets$", status=429, times=2, headers={"Retry-After": "1"})
        env = hub.env(tmp_path)   # HF_ENDPOINT, HF_HOME, ... for a subprocess or monkeypatch

Routes: GET /api/datasets (search, filter, sort, direction, limit, cursor pages with a Link
header), GET /api/datasets/{id}[/revision/{rev}], GET /api/datasets/{id}/tree/{rev}[/{path}],
POST /api/datasets/{id}/paths-info/{rev}, HEAD/GET /datasets/{id}/resolve/{rev}/{path}
(X-Repo-Commit, ETag, Content-Length, ranges). Every request is logged in `requests`.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import yaml

SORT_KEYS = {"downloads": "downloads", "likes": "likes", "trendingScore": "trending",
             "lastModified": "last_modified", "createdAt": "created"}


@dataclass
class Repo:
    repo_id: str
    files: dict[str, bytes]
    sha: str
    card_data: dict[str, Any] | None = None
    tags: list[str] = field(default_factory=list)
    downloads: int = 0
    likes: int = 0
    trending: float = 0.0
    last_modified: str = "2024-01-01T00:00:00.000Z"
    created: str = "2023-01-01T00:00:00.000Z"
    private: bool = False
    gated: bool | str = False


@dataclass
class Fault:
    pattern: re.Pattern
    status: int | None = None
    times: int | None = None  # None: every time
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    method: str | None = None


def _card_data(files: dict[str, bytes]) -> dict[str, Any] | None:
    text = files.get("README.md", b"").decode("utf-8", "replace")
    match = re.match(r"\A---\r?\n(.*?)\r?\n---", text, re.S)
    if not match:
        return None
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None  # the Hub leaves cardData out when the YAML is broken
    return data if isinstance(data, dict) else None


def _tags(card: dict[str, Any] | None) -> list[str]:
    tags = []
    for key, tag in (("license", "license"), ("language", "language"),
                     ("task_categories", "task_categories"), ("task_ids", "task_ids")):
        value = (card or {}).get(key)
        for item in value if isinstance(value, list) else [value] if value else []:
            tags.append(f"{tag}:{item}")
    return tags


class HubServer:
    """A threaded stdlib HTTP server on 127.0.0.1 holding in-memory dataset repos."""

    def __init__(self, page_size: int = 1000, token: str | None = None, lifetime: float = 600):
        self.repos: dict[str, Repo] = {}
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.page_size = page_size
        self.token = token  # the token private/gated repos accept
        self.lifetime = lifetime
        self.hooks: list[Callable[[BaseHTTPRequestHandler], bool]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # ---- data ----
    def add_dataset(self, repo_id: str, files: dict[str, bytes | str], **meta: Any) -> Repo:
        """Add (or replace) a repo; meta: downloads, likes, trending, last_modified, private, gated."""
        data = {p: v.encode() if isinstance(v, str) else v for p, v in files.items()}
        digest = hashlib.sha1(repo_id.encode())
        for path in sorted(data):
            digest.update(path.encode() + b"\0" + data[path])
        card = _card_data(data)
        repo = Repo(repo_id, data, meta.pop("sha", None) or digest.hexdigest(), card,
                    meta.pop("tags", None) or _tags(card), **meta)
        with self._lock:
            self.repos[repo_id] = repo
        return repo

    def add_folder(self, repo_id: str, folder: str | Path, **meta: Any) -> Repo:
        root = Path(folder)
        files = {p.relative_to(root).as_posix(): p.read_bytes()
                 for p in sorted(root.rglob("*")) if p.is_file() and ".cache" not in p.parts}
        return self.add_dataset(repo_id, files, **meta)

    def fault(self, pattern: str, status: int | None = None, times: int | None = None,
              delay: float = 0.0, headers: dict[str, str] | None = None, body: bytes | str = b"",
              method: str | None = None) -> Fault:
        """Answer requests whose path matches `pattern` with `status` (after `delay` seconds)."""
        item = Fault(re.compile(pattern), status, times, delay, dict(headers or {}),
                     body.encode() if isinstance(body, str) else body, method)
        with self._lock:
            self.faults.append(item)
        return item

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def paths(self) -> list[str]:
        return [f"{m} {urlsplit(p).path}" for m, p, _ in self.requests]

    # ---- lifecycle ----
    @property
    def url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> HubServer:
        handler = type("Handler", (_Handler,), {"hub": self})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler, bind_and_activate=False)
        server.daemon_threads = True
        server.request_queue_size = 128
        server.server_bind()
        server.server_activate()
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            server.shutdown()
            server.server_close()
            self._timer.cancel()

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def env(self, home: str | Path) -> dict[str, str]:
        """Environment for a client of this server: endpoint, fresh caches, offline off."""
        home = Path(home)
        return {"HF_ENDPOINT": self.url, "HF_HOME": str(home), "HF_HUB_CACHE": str(home / "hub"),
                "HF_DATASETS_CACHE": str(home / "datasets"), "HF_HUB_OFFLINE": "0",
                "HF_DATASETS_OFFLINE": "0", "HF_HUB_DISABLE_TELEMETRY": "1",
                "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_HUB_ETAG_TIMEOUT": "5",
                "HF_HUB_DOWNLOAD_TIMEOUT": "5"}

    # ---- views ----
    def info(self, repo: Repo, full: bool = True) -> dict[str, Any]:
        data = {"_id": repo.sha[:24], "id": repo.repo_id, "author": repo.repo_id.split("/")[0],
                "sha": repo.sha, "lastModified": repo.last_modified, "createdAt": repo.created,
                "private": repo.private, "gated": repo.gated, "disabled": False,
                "downloads": repo.downloads, "likes": repo.likes, "tags": repo.tags,
                "trendingScore": repo.trending, "key": ""}
        if full:
            data["siblings"] = [{"rfilename": p} for p in sorted(repo.files)]
            if repo.card_data is not None:
                data["cardData"] = repo.card_data
        return data

    def listing(self, query: dict[str, list[str]]) -> list[Repo]:
        repos = [r for r in self.repos.values() if not r.private]
        for needle in query.get("search", []):
            repos = [r for r in repos if needle.lower() in r.repo_id.lower()]
        for wanted in query.get("filter", []):
            repos = [r for r in repos if wanted in r.tags]
        for author in query.get("author", []):
            repos = [r for r in repos if r.repo_id.split("/")[0] == author]
        sort = (query.get("sort") or [None])[0]
        if sort:
            key = SORT_KEYS.get(sort, sort)
            reverse = (query.get("direction") or ["-1"])[0] == "-1"
            repos.sort(key=lambda r: getattr(r, key, 0), reverse=reverse)
        return repos


class _Handler(BaseHTTPRequestHandler):
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
        auth = self.headers.get("Authorization", "")
        return bool(self.hub.token) and auth == f"Bearer {self.hub.token}"

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
        limit = int((query.get("limit") or [str(self.hub.page_size)])[0])
        size = min(limit, self.hub.page_size)
        page = repos[start:start + size]
        headers = {}
        if start + size < min(len(repos), limit if "cursor" not in query else len(repos)):
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


def quote_id(repo_id: str) -> str:
    return quote(repo_id, safe="/")
