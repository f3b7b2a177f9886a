"""DatasetMeta builders for the generation tests (no sources needed)."""

from __future__ import annotations

from typing import Any

from dynotui.core.models import DatasetMeta, DatasetRef, Feature


def reviews_meta(n: int = 20, summary: str = "Short product reviews with a sentiment label.",
                 name: str = "reviews", labels: list[str] | None = None,
                 revision: str | None = None, **extra: Any) -> DatasetMeta:
    """A review dataset: review_id (hidden), title, text, label (ClassLabel), url."""
    labels = labels or ["negative", "positive"]
    rows = [{"review_id": f"r{i}", "title": f"Title {i}", "text": f"Review number {i} " + "x" * i,
             "label": labels[i % len(labels)], "url": f"https://shop.example/r/{i}"}
            for i in range(n)]
    features = [Feature("review_id", "string"), Feature("title", "string"),
                Feature("text", "string"), Feature("label", "ClassLabel", label_names=labels),
                Feature("url", "string")]
    return DatasetMeta(ref=DatasetRef("sample", name), name=name, summary=summary,
                       license=["mit"], features=features, rows={"train": rows},
                       revision=revision, **extra)


def meta_with(features: list[Feature], rows: list[dict], summary: str = "Some data.",
              name: str = "demo") -> DatasetMeta:
    return DatasetMeta(ref=DatasetRef("sample", name), name=name, summary=summary,
                       license=["mit"], features=features, rows={"train": rows})


def llm_workspace(base_url: str, tmp_path, monkeypatch):
    """(settings, Store) of a fresh workspace whose LLM is the loopback server at base_url."""
    from dynotui.config import load_settings
    from dynotui.core.store import Store

    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("DYNOTUI_MODEL", "gpt-4o-mini")
    monkeypatch.setenv("DYNOTUI_WORKSPACE", str(tmp_path / "ws"))
    settings = load_settings()
    settings.llm.retries = 1
    return settings, Store(settings.workspace)
