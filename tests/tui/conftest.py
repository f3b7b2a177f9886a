"""Fixtures shared by the workbench tests."""

import shutil

import pytest

from tuikit import seed_workspace


@pytest.fixture
def workspace(tmp_path):
    """A workspace with the fixed proposals (alice accepted props[0] and rejected props[1])."""
    path = tmp_path / "ws"
    props = seed_workspace(path)
    yield path, props
    shutil.rmtree(path, ignore_errors=True)
