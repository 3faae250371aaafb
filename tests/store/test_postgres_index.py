"""PostgreSQL's derived search index: a writer indexes what it commits, another app
server catches up from the rows, and a copied database never shares a folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from declass.search.engine import search
from declass.store import open_store
from declass.store.base import Store
from declass.store.postgres import PostgresStore
from declass.store.postgres_index import DerivedIndex
from tests.conftest import PgDatabases
from tests.store.test_store import memcon


@pytest.fixture
def pg_url(pg_databases: PgDatabases) -> Iterator[str]:
    url = pg_databases.create()
    yield url
    pg_databases.drop(url)


def batches(count: int, size: int) -> list[list[object]]:
    doc = replace(memcon(), embargo_until=None)  # open to every reader
    return [
        [replace(doc, id=f"test:memo-{b}-{n}", title=f"Memorandum {b}-{n}") for n in range(size)]
        for b in range(count)
    ]


def test_a_writer_indexes_every_batch_it_commits_without_reading_them_back(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(pg_url)
    assert isinstance(store, PostgresStore)
    try:
        store._derived = DerivedIndex(store, tmp_path / "index")
        read_back: list[int] = []
        original = store._derived._rows

        def counted(after: int, pool: object) -> Iterator[tuple[int, object]]:
            for row in original(after, pool):
                read_back.append(row[0])
                yield row

        monkeypatch.setattr(store._derived, "_rows", counted)
        for batch in batches(3, 30):
            store.put_many(batch)  # type: ignore[arg-type]
        store._derived.release()
        index = store._derived.index
        index.refresh()
        assert int(index.searcher().num_docs) == 90
        assert search(store, "Memorandum", snippets=False).total == 90
        assert read_back == []
    finally:
        store.close()


def test_another_server_catches_up_from_the_rows(pg_url: str, tmp_path: Path) -> None:
    writer: Store = open_store(pg_url)
    reader = PostgresStore(pg_url)
    try:
        reader._derived = DerivedIndex(reader, tmp_path / "elsewhere")
        assert search(reader, "Memorandum", snippets=False).total == 0
        for batch in batches(2, 10):
            writer.put_many(batch)  # type: ignore[arg-type]
        reader._derived.ensure_level(now=True)
        found = search(reader, "Memorandum", snippets=False, page_size=100)
        assert found.total == 20
        assert {r.doc_id for r in found.results} == {
            f"test:memo-{b}-{n}" for b in range(2) for n in range(10)
        }
    finally:
        writer.close()
        reader.close()


def test_a_database_copied_from_another_gets_an_index_of_its_own(
    pg_databases: PgDatabases,
) -> None:
    first, second = pg_databases.create(), pg_databases.create()  # copies of one template
    stores = [PostgresStore(first), PostgresStore(second)]
    try:
        folders = [s._derived.index.folder for s in stores]
        assert folders[0] != folders[1]
    finally:
        for s in stores:
            s.close()
        pg_databases.drop(first)
        pg_databases.drop(second)
