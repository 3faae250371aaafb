"""The embedded archive's search index is derived from SQLite and keeps level with it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from declass.model import Block, BlockKind, Document, DocumentType, HistoricalDate, Text, TextRole
from declass.search.engine import search
from declass.store.sqlite import SQLiteStore
from declass.store.sqlite_search import index_folder


def _doc(n: int, body: str) -> Document:
    """A SYNTHETIC memorandum."""
    return Document(
        id=f"test:{n}",
        title=f"Synthetic memorandum {n}",
        doc_type=DocumentType.MEMORANDUM,
        texts=(Text("en", TextRole.ORIGINAL, (Block(BlockKind.PARAGRAPH, body),)),),
        date=HistoricalDate.parse(f"19{50 + n % 40}"),
    )


def _fresh_archive(tmp_path: Path) -> tuple[Path, SQLiteStore]:
    db = tmp_path / "archive.sqlite3"
    store = SQLiteStore(db)
    store.migrate()
    return db, store


def _closed_archive_with_one_note(tmp_path: Path, topic: str) -> Path:
    db, store = _fresh_archive(tmp_path)
    store.put(_doc(1, f"Synthetic note on the {topic}."))
    store.close()
    return db


def _put_notes(store: SQLiteStore, numbers: range, topic: str) -> None:
    for n in numbers:
        store.put(_doc(n, f"Synthetic note {n} on the {topic}."))


def test_what_another_connection_writes_is_found(tmp_path: Path) -> None:
    db, reader = _fresh_archive(tmp_path)
    assert search(reader, "quarantine").total == 0
    writer = SQLiteStore(db)
    _put_notes(writer, range(5), "quarantine of Cuba")
    writer.close()  # publishes and lets go of the index
    assert search(reader, "quarantine").total == 5
    reader.close()


def test_writes_never_published_are_caught_up(tmp_path: Path) -> None:
    db = _closed_archive_with_one_note(tmp_path, "blockade")
    # A process that committed to SQLite but died before its index saw the documents
    # (here: one that never hands them to the index, and never closes).
    crashed = SQLiteStore(db)
    crashed._search.stage = lambda row, doc, made=None: None  # type: ignore[method-assign]
    _put_notes(crashed, range(2, 6), "blockade")
    crashed.db.close()
    store = SQLiteStore(db)
    assert search(store, "blockade").total == 5
    store.put(_doc(9, "Synthetic note on the blockade, later."))
    assert search(store, "blockade").total == 6
    store.close()


def test_a_lost_index_is_rebuilt_from_the_catalogue(tmp_path: Path) -> None:
    db, store = _fresh_archive(tmp_path)
    for n in range(30):
        store.put(_doc(n, f"Synthetic note {n} on {'arms' if n % 3 else 'trade'} talks."))
    before = search(store, "arms", page_size=50)
    store.close()
    shutil.rmtree(index_folder(db))
    store = SQLiteStore(db)
    after = search(store, "arms", page_size=50)
    assert after.total == before.total == 20
    assert [r.doc_id for r in after.results] == [r.doc_id for r in before.results]
    assert {f.value: f.count for f in after.facets["decade"]} == {
        f.value: f.count for f in before.facets["decade"]
    }
    store.close()


def test_facets_count_exactly_across_many_segments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections import Counter

    from declass.model import CountryRef, Participant, ParticipantRole
    from declass.store import tantivy_search

    monkeypatch.setattr(tantivy_search, "PUBLISH_EVERY_DOCS", 7)  # a segment every 7
    db, store = _fresh_archive(tmp_path)
    codes = ["USA", "FRA", "CHN", "RUS", "IND", "BRA", "EGY"]
    people = [f"Speaker {chr(65 + i)}" for i in range(11)]
    docs = []
    for n in range(90):
        doc = _doc(n, f"Synthetic statement {n} on disarmament.")
        doc = type(doc)(
            **{
                **doc.__dict__,
                "countries": (CountryRef(codes[(n * n) % 7], codes[(n * n) % 7]),),
                "participants": (Participant(people[(n * 7) % 11], ParticipantRole.SPEAKER),),
            }
        )
        store.put(doc)
        docs.append(doc)
    store.close()
    store = SQLiteStore(db)
    assert store._search.index.searcher().num_segments > 1
    expected = {
        "country": Counter(d.countries[0].code for d in docs),
        "person": Counter(d.participants[0].name for d in docs),
        "year": Counter(str(d.date.year) for d in docs if d.date),
        "decade": Counter(f"{str(d.date.year)[:3]}0s" for d in docs if d.date),
        "type": Counter(d.doc_type.value for d in docs),
    }
    for size in (3, 100):
        found = search(store, "disarmament", facet_size=size, snippets=False)
        assert found.total == 90
        for name, counts in expected.items():
            top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
            assert [(f.value, f.count) for f in found.facets[name]] == top, name
    store.close()


def test_a_writer_held_elsewhere_delays_indexing_but_loses_nothing(tmp_path: Path) -> None:
    db = _closed_archive_with_one_note(tmp_path, "armistice")
    # Another process (here: another store) holds the index's writer while this one writes.
    holder = SQLiteStore(db)
    holder._search.index._acquire_writer()
    writer = SQLiteStore(db)
    _put_notes(writer, range(2, 5), "armistice")  # committed; the index cannot take them
    assert writer._search._level is False
    writer.close()
    holder._search.release()
    holder.close()
    reader = SQLiteStore(db)
    assert search(reader, "armistice").total == 4
    reader.close()
