"""Shared fixtures: the real corpora in ../shared, and fresh archives in tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from declass.store import open_store
from declass.store.base import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _corpora_dir() -> Path:
    return Path(os.environ.get("DECLASS_CORPORA", ROOT.parent / "shared" / "corpora"))


@pytest.fixture(scope="session")
def corpora() -> Path:
    """../shared/corpora; under CI a missing corpus fails the run instead of skipping."""
    path = _corpora_dir()
    if not (path / "README.md").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"corpora not found at {path} (required under CI)")
        pytest.skip(f"corpora not found at {path}")
    return path


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(params=["sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh archive; storage and search tests run once per backend."""
    s = open_store(tmp_path / "archive.sqlite3")
    yield s
    s.close()
