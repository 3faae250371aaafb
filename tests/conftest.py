"""Shared fixtures: the real corpora in ../shared, and fresh archives in tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
