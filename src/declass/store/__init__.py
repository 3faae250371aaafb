"""Storage backends behind the one `Store` interface, chosen by a database URL."""

from __future__ import annotations

from pathlib import Path

from declass.errors import DeclassError
from declass.store.base import Store


def open_store(url: str | Path) -> Store:
    """Open (and migrate) the archive at `url`: a file path or `sqlite:///path`."""
    text = str(url)
    if text.startswith(("postgresql://", "postgres://")):
        raise DeclassError("the PostgreSQL backend is not available yet; use an SQLite path")
    from declass.store.sqlite import SQLiteStore

    store = SQLiteStore(text.removeprefix("sqlite:///").removeprefix("sqlite://"))
    store.migrate()
    return store
