"""A loopback Hugging Face Hub for tests: the routes huggingface_hub and datasets really call.

    with HubServer() as hub:
        hub.add_folder("org/name", Path("dynotui/samples/sst-mini"))
        hub.fault(r"^/api/datasets$", status=429, times=2, headers={"Retry-After": "1"})
        env = hub.env(tmp_path)   # HF_ENDPOINT, HF_HOME, ... for a subprocess or monkeypatch

Routes: GET /api/datasets (search, filter, sort, direction, limit, cursor pages with a Link
header), GET /api/datasets/{id}[/revision/{rev}], GET /api/datasets/{id}/tree/{rev}[/{path}],
POST /api/datasets/{id}/paths-info/{rev}, HEAD/GET /datasets/{id}/resolve/{rev}/{path}
(X-Repo-Commit, ETag, Content-Length, ranges); uploads (create_repo, preupload, commit) in
hubserver_write.py. Every request is logged in `requests`, every commit in `commits`.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import yaml
from hubserver_handler import HubHandler

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
        self.token = token  # the token private/gated repos accept (and writes)
        self.tokens: dict[str, str] = {}  # more tokens: value -> "read" | "write"
        self.commits: list[tuple[str, str, list[str]]] = []  # (repo, summary, paths)
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

    def add_token(self, value: str, role: str = "write") -> str:
        """Accept another token; a "read" one reads private repos but cannot write."""
        self.tokens[value] = role
        return value

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
        handler = type("Handler", (HubHandler,), {"hub": self})
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
