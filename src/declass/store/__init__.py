"""Storage backends behind the one `Store` interface, chosen by a database URL."""

from __future__ import annotations

import re
from pathlib import Path

from declass.errors import DeclassError
from declass.store.base import Store


def open_store(url: str | Path, *, migrate: bool = True, replica_url: str | None = None) -> Store:
    """Open (and migrate) the archive at `url`: a file path, `sqlite:///path`, or
    `postgresql://…` (with `replica_url`, a read replica serves the reads)."""
    text = str(url)
    store: Store
    # A URL, or libpq's "host=… dbname=…" form: never a file path.
    if text.startswith(("postgresql://", "postgres://")) or re.match(r"\s*\w+\s*=", text):
        from declass.store.postgres import PostgresStore

        store = PostgresStore(text, replica_url=replica_url)
    elif replica_url is not None:
        raise DeclassError("a read replica needs a PostgreSQL archive")
    else:
        from declass.store.sqlite import SQLiteStore

        store = SQLiteStore(text.removeprefix("sqlite:///").removeprefix("sqlite://"))
    if migrate:
        try:
            store.migrate()
        except BaseException:
            store.close()
            raise
    return store
