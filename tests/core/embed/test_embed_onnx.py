"""The ONNX Runtime backend: exported once into the user cache, loaded without torch, the same
vectors as torch; and the embedding worker process (core/embed/job.py) with its errors."""

import json
import os
import subprocess
import sys

os.environ["HF_HUB_OFFLINE"] = "1"

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dynotui.core.embed import model as model_mod  # noqa: E402
from dynotui.core.embed import onnxmodel  # noqa: E402
from dynotui.core.embed.cache import VectorCache, text_key  # noqa: E402
from dynotui.core.embed.job import EmbedJob, missing_texts  # noqa: E402
from dynotui.core.errors import DynoError  # noqa: E402

pytestmark = [pytest.mark.embeddings, pytest.mark.timeout(900)]
pytest.importorskip("sentence_transformers", reason="needs the embeddings extra")
pytest.importorskip("onnxruntime", reason="needs the embeddings extra")

TEXTS = ["Translate the English sentence to French.", "Classify the review as positive or negative.",
         "Summarise the news story in one sentence.", "x" * 4000,  # past the 256-token limit
         "Écris un résumé de l'article.", "Given a question, answer it with a number."]
PEEK = """
import json, sys
from dynotui.core.embed.model import encode, load_model
m = load_model(None)
v = encode(m, json.loads(sys.argv[1]))
print(json.dumps({"backend": type(m).__name__, "torch": "torch" in sys.modules,
                  "vectors": v.tolist()}))
"""


def fresh_process(code: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONPATH": os.getcwd(), **env})


@pytest.fixture(scope="module")
def exported():
    model_mod._models.clear()
    encoder = model_mod.load_model(None)
    assert isinstance(encoder, onnxmodel.OnnxEncoder)
    return encoder


def test_given_the_export_when_loaded_again_then_no_torch_and_the_vectors_of_torch(exported):
    # the export sits in the user cache folder (this test session's), not the checkout
    assert exported.folder.is_relative_to(onnxmodel.cache_root())
    assert sorted(p.name for p in exported.folder.iterdir()) == sorted(onnxmodel.FILES)
    out = fresh_process(PEEK, json.dumps(TEXTS))
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["backend"] == "OnnxEncoder" and got["torch"] is False
    st = model_mod._load_st(model_mod.DEFAULT_MODEL, model_mod._default_path())
    ref = st.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    cosine = (np.array(got["vectors"]) * ref).sum(axis=1)
    assert cosine.min() >= 0.9999, cosine


def test_given_backend_torch_when_loaded_then_sentence_transformers_runs_it(exported):
    out = fresh_process(PEEK, json.dumps(TEXTS[:2]), DYNOTUI_EMBED_BACKEND="torch")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["backend"] == "SentenceTransformer" and got["torch"] is True
    mine = exported.encode(TEXTS[:2], 64, 1)
    assert ((np.array(got["vectors"]) * mine).sum(axis=1) >= 0.9999).all()


def test_given_no_onnxruntime_when_loaded_then_torch_is_the_fallback(exported):
    out = fresh_process("import sys; sys.modules['onnxruntime'] = None\n" + PEEK, json.dumps(TEXTS[:1]))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["backend"] == "SentenceTransformer"


def test_given_an_export_that_fails_then_torch_is_used_and_nothing_half_written(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNOTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(model_mod, "_models", {})

    def broken(st_model, tmp):
        (tmp / "model.onnx").write_bytes(b"half")  # a partial file in the temporary folder
        raise RuntimeError("exporter gave up")

    monkeypatch.setattr(onnxmodel, "_export_into", broken)
    folder = onnxmodel.export_dir("all-MiniLM-L6-v2", model_mod.DEFAULT_MODEL, model_mod._default_path())
    killed = folder.with_name(f".{folder.name}-killed")  # what a killed export leaves
    killed.mkdir(parents=True)
    encoder = model_mod.load_model(None)
    assert not isinstance(encoder, onnxmodel.OnnxEncoder)  # the SentenceTransformer
    onnx_dir = tmp_path / "cache" / "onnx"
    names = sorted(p.name for p in onnx_dir.iterdir())
    assert [n for n in names if not n.endswith((".lock", ".failed"))] == []
    marker = next(onnx_dir.glob("*.failed")).read_text()
    assert "exporter gave up" in marker
    # and the next process does not try again: torch straight away
    model_mod._models.clear()
    assert not isinstance(model_mod.load_model(None), onnxmodel.OnnxEncoder)


def test_given_texts_when_the_worker_embeds_them_then_progress_and_whole_shards(tmp_path, exported):
    texts = [f"Label the sentiment of review number {n}." for n in range(700)]
    seen = []
    assert EmbedJob(tmp_path, None, texts).run(lambda done, total: seen.append((done, total))) == 700
    assert seen[0] == (0, 700) and seen[-1] == (700, 700)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) >= 3
    cache = VectorCache(tmp_path, None)
    found = cache.lookup([text_key(t) for t in texts])
    assert len(found) == 700 and len(cache._loaded) == 2  # two chunks of at most 512
    assert missing_texts(tmp_path, None, texts + ["A new one."]) == ["A new one."]
    mine = exported.encode(texts[:3], 64, 1)
    assert np.allclose(np.stack([found[text_key(t)] for t in texts[:3]]), mine, atol=1e-5)


def test_given_a_model_that_does_not_load_when_the_worker_runs_then_its_message(tmp_path):
    job = EmbedJob(tmp_path, str(tmp_path / "no-such-model"), ["Say hi."])
    with pytest.raises(DynoError) as caught:
        job.run()
    assert "Cannot load the embedding model" in caught.value.message
    assert "embed_model" in caught.value.hint
    assert not (tmp_path / "embeddings").exists() or not list((tmp_path / "embeddings").rglob("shard-*"))
