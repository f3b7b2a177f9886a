"""The bundled sample datasets under dynotui/samples/ (Hub layout)."""

from __future__ import annotations

from pathlib import Path

from dynotui.core.errors import DatasetError
from dynotui.core.models import DatasetRef

SAMPLES_DIR = Path(__file__).resolve().parent.parent.parent / "samples"


def sample_names() -> list[str]:
    if not SAMPLES_DIR.is_dir():
        return []
    return sorted(p.name for p in SAMPLES_DIR.iterdir() if (p / "README.md").is_file())


def sample_path(name: str) -> Path:
    if name not in sample_names():
        raise DatasetError(f"There is no bundled sample '{name}'.",
                           f"Bundled samples: {', '.join(sample_names())}.")
    return SAMPLES_DIR / name


def as_local(ref: DatasetRef) -> DatasetRef:
    """The same ref pointing at the sample's folder."""
    return DatasetRef("local", str(sample_path(ref.name)), ref.config, ref.split, None)
