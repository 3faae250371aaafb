"""The `store` fixture: every storage test runs once per backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from declass.store import open_store
from declass.store.base import Store


@pytest.fixture(params=["sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = open_store(tmp_path / "archive.sqlite3")
    yield s
    s.close()
