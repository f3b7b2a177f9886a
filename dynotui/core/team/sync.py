"""`dynotui sync --hub ORG/REPO`: share a workspace through a Hub dataset repo.

Pull first (snapshot_download of everyone's files into <workspace>/.sync/<repo>/, which
keeps what already arrived, so an interrupted pull resumes), merge (bundle.py), then push
this annotator's changed files with create_commit, in chunks: each commit is whole or
absent, and a re-run only sends what the Hub does not have yet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from dynotui.core.errors import DynoError
from dynotui.core.sources import hubclient
from dynotui.core.store.layout import DECISIONS, annotator_dir, slug
from dynotui.core.team.bundle import DATASETS, blob_id, merge, own_datasets, own_decisions

STAGING = ".sync"
CHUNK_FILES = 100  # files per commit
CHUNK_BYTES = 50 * 1024 * 1024


class SyncError(DynoError):
    """The shared workspace on the Hub could not be read or written."""


@dataclass
class SyncReport:
    repo: str
    url: str = ""
    pulled_files: int = 0
    event_files: int = 0
    proposals: int = 0
    metas: int = 0
    pushed_files: int = 0
    pushed_bytes: int = 0
    commits: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def staging_dir(workspace: Path, repo_id: str) -> Path:
    return Path(workspace) / STAGING / slug(repo_id)


def sync(store: Any, repo_id: str, private: bool = False, push: bool = True,
         say: Callable[[str], None] = lambda _: None) -> SyncReport:
    """Pull everyone's files from `repo_id`, merge them, push this annotator's."""
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise SyncError(f"{repo_id!r} is not a Hub repo id.", "Give ORG/REPO, e.g. "
                        "`dynotui sync --hub my-team/curation`.")
    api = hubclient.api()
    report = SyncReport(repo_id)
    own = annotator_dir(store.workspace, store.annotator).name
    try:
        if push:
            report.url = str(api.create_repo(repo_id, repo_type="dataset", private=private,
                                             exist_ok=True))
        info = api.repo_info(repo_id, repo_type="dataset")
        remote = {f.path: f.blob_id for f in api.list_repo_tree(
            repo_id, repo_type="dataset", recursive=True, revision=info.sha)
            if getattr(f, "blob_id", None)}
        staging = staging_dir(store.workspace, repo_id)
        wanted = [p for p, oid in sorted(remote.items())
                  if p.startswith((f"{DECISIONS}/", f"{DATASETS}/"))
                  and not p.startswith(f"{DECISIONS}/{own}/") and _staged_id(staging, p) != oid]
        say(f"pulling {len(wanted)} changed files from {repo_id}")
        if wanted:
            api.snapshot_download(repo_id, repo_type="dataset", revision=info.sha,
                                  local_dir=staging, allow_patterns=wanted)
        report.pulled_files = len(wanted)
    except Exception as exc:  # noqa: BLE001 - every failure becomes one clear message
        raise _error(exc, repo_id, "read") from exc
    merged = merge(store, staging, own)
    report.event_files, report.proposals = merged.event_files, merged.proposals
    report.metas, report.skipped = merged.metas, merged.skipped
    if push:
        files = {**own_decisions(store.workspace, store.annotator),
                 **own_datasets(store, staging, own)}
        changed = {p: data for p, data in sorted(files.items()) if remote.get(p) != blob_id(data)}
        say(f"pushing {len(changed)} files to {repo_id}")
        try:
            for chunk in _chunks(changed):
                report.commits.append(_commit(api, repo_id, store.annotator, chunk))
                report.pushed_files += len(chunk)
                report.pushed_bytes += sum(len(d) for d in chunk.values())
        except Exception as exc:  # noqa: BLE001
            raise _error(exc, repo_id, "write") from exc
    return report


def _staged_id(staging: Path, path: str) -> str | None:
    """Blob id of the pulled copy (None: not pulled yet), so only changed files download."""
    try:
        return blob_id((staging / path).read_bytes())
    except OSError:
        return None


def _chunks(files: dict[str, bytes]):
    chunk: dict[str, bytes] = {}
    size = 0
    for path, data in files.items():
        if chunk and (len(chunk) >= CHUNK_FILES or size + len(data) > CHUNK_BYTES):
            yield chunk
            chunk, size = {}, 0
        chunk[path] = data
        size += len(data)
    if chunk:
        yield chunk


def _commit(api: Any, repo_id: str, annotator: str, files: dict[str, bytes]) -> str:
    from huggingface_hub import CommitOperationAdd

    ops = [CommitOperationAdd(path_in_repo=p, path_or_fileobj=data) for p, data in files.items()]
    info = api.create_commit(repo_id, ops, repo_type="dataset",
                             commit_message=f"dynotui sync: {annotator}, {len(ops)} files")
    return info.oid


def _error(exc: BaseException, repo_id: str, doing: str) -> DynoError:
    if isinstance(exc, DynoError):
        return exc
    status = hubclient.status_of(exc)
    url = hubclient.endpoint()
    if doing == "write" and status in (401, 403):
        who = "The token in HF_TOKEN" if hubclient.token() else "Without a token, you"
        return SyncError(f"{who} cannot write to {repo_id} on {url} ({status}).",
                         "Set HF_TOKEN to a token with write access to that repo (a "
                         "fine-grained token needs write permission on it). Everything pulled "
                         "is merged; nothing local was lost; sync again once it can write.")
    if doing == "read" and status in (401, 403) and hubclient.token():
        return SyncError(f"The token in HF_TOKEN cannot create or read {repo_id} on {url} "
                         f"({status}).", "Use a token with write access to that namespace, "
                         "or ask the repo's owner to add you; nothing local changed.")
    error = hubclient.translate(exc, f"the shared workspace {repo_id}")
    return SyncError(error.message, error.hint)
