"""The embedding model run by ONNX Runtime: exported once from sentence-transformers, then
loaded without torch (under a second instead of the 5-35 s torch + sentence-transformers take).

The export (torch.onnx, `onnx` package) is the whole sentence-transformers pipeline (transformer,
pooling, normalisation) plus its tokenizer.json; it is kept in the user cache folder
($DYNOTUI_CACHE_DIR, else $XDG_CACHE_HOME/dynotui, else ~/.cache/dynotui) under onnx/<model>-<hash>,
written to a temporary folder and renamed, so a killed export leaves nothing half-written.
Measured on the 5,740 released instructions: cosine to the torch vectors >= 0.99999 per vector.
Dynamic int8 quantization was tried and is not used: its worst vector fell to 0.96-0.98.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

from dynotui.core.durable import atomic_write

EXPORT_VERSION = "1"  # bump when the exported files change shape
FILES = ("model.onnx", "tokenizer.json", "meta.json")


def cache_root() -> Path:
    if os.environ.get("DYNOTUI_CACHE_DIR"):
        return Path(os.environ["DYNOTUI_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dynotui"


def runtime_available() -> bool:
    """True when onnxruntime and tokenizers can be imported (checked without importing them)."""
    import importlib.util

    try:
        return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "tokenizers"))
    except (ImportError, ValueError):
        return False


def wanted() -> bool:
    """ONNX unless DYNOTUI_EMBED_BACKEND=torch or onnxruntime is not installed."""
    choice = os.environ.get("DYNOTUI_EMBED_BACKEND", "").strip().lower()
    return choice != "torch" and runtime_available()


def _fingerprint(label: str, path: str) -> str:
    """Model name plus, for a folder, its files' names, sizes and times: a changed model
    gets a new export."""
    parts = [EXPORT_VERSION, label]
    folder = Path(path)
    if folder.is_dir():
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                st = f.stat()
                parts.append(f"{f.relative_to(folder)}:{st.st_size}:{int(st.st_mtime)}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def export_dir(slug: str, label: str, path: str) -> Path:
    return cache_root() / "onnx" / f"{slug}-{_fingerprint(label, path)}"


def exported(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FILES)


def failed(folder: Path) -> str | None:
    """Why an earlier export of this model failed (then torch is used), or None."""
    marker = folder.with_name(folder.name + ".failed")
    try:
        return marker.read_text(encoding="utf-8") if marker.is_file() else None
    except OSError:
        return None


def export(st_model: Any, folder: Path) -> Path:
    """Export a loaded SentenceTransformer to `folder` (once; other processes wait on a lock)."""
    from filelock import FileLock

    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder) + ".lock"):
        if exported(folder):
            return folder
        for stale in folder.parent.glob(f".{folder.name}-*"):  # a killed export's, under our lock
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        try:
            _export_into(st_model, tmp)
            os.replace(tmp, folder)
        except BaseException as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(exc, Exception):
                marker = folder.with_name(folder.name + ".failed")
                atomic_write(marker, f"{type(exc).__name__}: {exc}"[:500].encode())
            raise
    return folder


def _export_into(st_model: Any, tmp: Path) -> None:
    import warnings

    with warnings.catch_warnings():  # tracer and deprecation notes would clutter a terminal
        warnings.simplefilter("ignore")
        _export_quietly(st_model, tmp)


def st_dim(model: Any) -> int:
    """A sentence-transformers model's vector size (asked, else measured on one text)."""
    for attr in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
        fn = getattr(model, attr, None)
        if fn is not None:
            dim = fn()
            if dim:
                return int(dim)
    return int(model.encode(["x"], convert_to_numpy=True).shape[1])


def _export_quietly(st_model: Any, tmp: Path) -> None:
    import torch

    tokenizer = st_model.tokenizer
    prepare = getattr(st_model, "preprocess", None) or st_model.tokenize
    sample = prepare(["a short text", "and a somewhat longer text than that one"])
    names = [n for n in sample if isinstance(sample[n], torch.Tensor)]
    if not set(names) <= {"input_ids", "attention_mask", "token_type_ids"}:
        raise ValueError(f"model inputs {names} are not the three a tokenizer gives")

    class Pipeline(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.st = st_model

        def forward(self, *tensors: Any) -> Any:
            return self.st(dict(zip(names, tensors)))["sentence_embedding"]

    axes = {n: {0: "batch", 1: "tokens"} for n in names}
    with torch.no_grad():
        torch.onnx.export(Pipeline().eval(), tuple(sample[n] for n in names), str(tmp / "model.onnx"),
                          input_names=names, output_names=["embedding"],
                          dynamic_axes={**axes, "embedding": {0: "batch"}},
                          opset_version=17, dynamo=False)
    tokenizer.backend_tokenizer.save(str(tmp / "tokenizer.json"))
    meta = {"inputs": names, "max_seq_length": int(st_model.max_seq_length or 512),
            "pad_id": int(tokenizer.pad_token_id or 0), "pad_token": str(tokenizer.pad_token or ""),
            "dim": st_dim(st_model)}
    (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


class OnnxEncoder:
    """Texts -> L2-normalised float32 vectors with ONNX Runtime and the exported tokenizer."""

    backend = "onnx"

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        self.folder = folder
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        self.inputs: list[str] = meta["inputs"]
        self.dim = int(meta["dim"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(int(meta["max_seq_length"]))
        self.tokenizer.enable_padding(pad_id=int(meta["pad_id"]), pad_token=meta["pad_token"])
        self._sessions: dict[int, Any] = {}

    def session(self, threads: int) -> Any:
        """One session per thread count (ONNX Runtime fixes it per session); no spinning, so a
        busy machine is not kept busier by threads waiting on each other."""
        if threads not in self._sessions:
            import onnxruntime as ort

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            opts.log_severity_level = 3
            self._sessions[threads] = ort.InferenceSession(str(self.folder / "model.onnx"), opts,
                                                           providers=["CPUExecutionProvider"])
        return self._sessions[threads]

    def encode(self, texts: list[str], batch_size: int, threads: int) -> np.ndarray:
        session = self.session(threads)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer.encode_batch(texts[start:start + batch_size])
            feed = {"input_ids": [e.ids for e in batch], "attention_mask": [e.attention_mask for e in batch],
                    "token_type_ids": [e.type_ids for e in batch]}
            arrays = {n: np.asarray(feed[n], dtype=np.int64) for n in self.inputs}
            out[start:start + len(batch)] = session.run(None, arrays)[0]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


def load(slug: str, label: str, path: str, load_st: Callable[[], Any]) -> OnnxEncoder | None:
    """The ONNX encoder for a model, exporting it first when needed (loads torch that once).
    None when this model cannot be exported: the caller uses torch."""
    folder = export_dir(slug, label, path)
    if not exported(folder):
        if failed(folder) is not None:
            return None
        try:
            export(load_st(), folder)
        except Exception:
            return None
    return OnnxEncoder(folder)
