"""--push-to-hub through huggingface_hub against a loopback server for the Hub's commit API
(create repo, preupload, commit): tests/hubserver.py serves reads only."""

from __future__ import annotations

import base64
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from dynotui.core.export import ExportOptions, run_export
from dynotui.core.models import Task
from dynotui.core.store import Store
from exportkit import add_task, write_jsonl

TOKEN = "hf_test_token"


class CommitHub(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.repos: dict[str, dict] = {}  # repo id -> {"private": bool, "files": {path: bytes}}
        self.requests: list[str] = []
        self.fail_commit: int | None = None
        self.cards: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True
    server: CommitHub

    def log_message(self, *args) -> None:
        pass

    def _reply(self, status: int, data: dict) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append(self.path)
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._reply(401, {"error": "Invalid credentials"})
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts == ["api", "validate-yaml"]:  # the client checks the card's YAML first
            front = json.loads(body)["content"].split("---")[1]
            self.server.cards.append(yaml.safe_load(front))
            return self._reply(200, {"errors": [], "warnings": []})
        if parts[:3] == ["api", "repos", "create"]:
            spec = json.loads(body)
            repo = f"{spec['organization']}/{spec['name']}" if spec.get("organization") else spec["name"]
            self.server.repos.setdefault(repo, {"private": spec.get("private"), "files": {}})
            return self._reply(200, {"url": f"{self.server.url}/datasets/{repo}"})
        if parts[:2] != ["api", "datasets"] or len(parts) < 6:
            return self._reply(404, {"error": "no route"})
        repo = "/".join(parts[2:4])
        if repo not in self.server.repos:
            return self._reply(404, {"error": "Repository not found"})
        if parts[4] == "preupload":
            files = json.loads(body)["files"]
            return self._reply(200, {"files": [{"path": f["path"], "uploadMode": "regular",
                                                "shouldIgnore": False, "oid": None}
                                               for f in files]})
        if parts[4] == "commit":
            if self.server.fail_commit:
                return self._reply(self.server.fail_commit, {"error": "You have no write access"})
            for line in body.splitlines():
                item = json.loads(line)
                if item["key"] == "file":
                    value = item["value"]
                    self.server.repos[repo]["files"][value["path"]] = base64.b64decode(value["content"])
            return self._reply(200, {"commitUrl": f"{self.server.url}/datasets/{repo}/commit/abc123",
                                     "commitOid": "abc123" + "0" * 34})
        return self._reply(404, {"error": "no route"})


@pytest.fixture
def hub(monkeypatch):
    server = CommitHub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # CI runs offline; this Hub is loopback
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "0")
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    base = tmp_path_factory.mktemp("push")
    data = write_jsonl(base / "rows.jsonl", [{"q": f"q{i}", "a": f"a{i}"} for i in range(30)])
    store = Store(base / "ws", annotator="a")
    add_task(store, f"local:{data}", Task("Answer.", ["q"], "a"))
    add_task(store, f"local:{data}", Task("Ask.", ["a"], "q"))
    return store


def test_push_to_hub_uploads_the_hf_folder(hub, store, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "hf"
    report = run_export(store, ExportOptions("hf", str(out), push_to_hub="me/dyno-data",
                                             held_out=0.5))
    assert report.push_error is None
    assert report.pushed == f"{hub.url}/datasets/me/dyno-data/commit/abc123"
    files = hub.repos["me/dyno-data"]["files"]
    # then the repo holds the card and the shards, byte for byte as written locally
    local = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*")
             if p.is_file() and not p.name.startswith(".")}
    assert files == local
    assert "README.md" in files and any(k.startswith("data/test-") for k in files)
    rows = sum(pq.read_table(io.BytesIO(v)).num_rows for k, v in files.items() if k.endswith(".parquet"))
    assert rows == report.instances == 60
    assert hub.requests[0] == "/api/repos/create"
    assert hub.cards[0]["configs"][0]["data_files"][0] == {"split": "train", "path": "data/train-*"}


def test_a_refused_push_keeps_the_local_export_and_says_why(hub, store, tmp_path):
    hub.fail_commit = 403
    out = tmp_path / "hf"
    report = run_export(store, ExportOptions("hf", str(out), push_to_hub="me/dyno-data"))
    assert report.pushed is None
    assert "me/dyno-data" in report.push_error and str(out) in report.push_error
    assert (out / "README.md").exists() and report.paths == [str(out)]


def test_a_wrong_token_is_reported(hub, store, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_wrong")
    report = run_export(store, ExportOptions("hf", str(tmp_path / "hf"), push_to_hub="me/x"))
    assert report.push_error and "HF_TOKEN" in report.push_error
    assert hub.repos == {}
    assert Path(report.paths[0]).is_dir()
