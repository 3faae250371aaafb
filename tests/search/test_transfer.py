"""`declass export` / `declass import`: SQLite → PostgreSQL → SQLite without loss."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.model import (
    Authority,
    AuthorityKind,
    Collection,
    Event,
    EventKind,
    HistoricalDate,
    NameVariant,
    Participant,
    ParticipantRole,
    Rejection,
    VariantKind,
)
from declass.search.engine import search
from declass.store import open_store
from declass.store.base import Store
from declass.store.transfer import export_archive, import_archive
from tests.conftest import open_backend

QUERIES = [
    "person:Gromyko",
    '"peaceful coexistence" country:SUN date:1955..1965',
    "Zhou Enlai",
    "nuclear",
    "Korea NOT armistice",
    "title:Khrushchev",
    "peacekeep*",
    "sovereignty decade:1970s",
]


def _contents(store: Store) -> dict[str, object]:
    return {
        "versions": {d: store.stored_versions(d) for d in store.document_ids()},
        "authorities": list(store.authorities()),
        "events": list(store.events()),
        "collections": store.collections(),
        "runs": store.runs(),
        "rejections": {r.id: store.rejections(r.id) for r in store.runs()},
    }


def _enrich(store: Store) -> None:
    """Beyond the slice: a second version, notes' people, authorities, events, rejections."""
    run = store.start_run(["by hand"])
    store.reject(run, Rejection("broken.xml", "line 3", "mismatched tag"))
    store.put(Collection("ungdc-test", "UN General Debate (test)"))
    doc = store.document("ungdc:USA_24_1969")
    store.put(dataclasses.replace(doc, title=doc.title + " (corrected)"), run)
    store.put(
        Authority(
            "person:gromyko",
            AuthorityKind.PERSON,
            "Andrei Gromyko",
            (NameVariant("Громыко", VariantKind.ORIGINAL_SCRIPT, "ru"),),
        ),
        run,
    )
    store.put(
        Event(
            "visit:gromyko-1969",
            EventKind.VISIT,
            HistoricalDate.between("1969-09-15", "1969-09-27"),
            "Gromyko at the General Assembly.",
            people=(Participant("Gromyko", ParticipantRole.PARTICIPANT, "person:gromyko"),),
        ),
        run,
    )
    store.finish_run(run, 3, 1, 0)


@pytest.mark.slow
def test_sqlite_to_postgresql_and_back_keeps_everything_and_searches_alike(
    ungdc_slice: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    source = open_store(tmp_path / "source.sqlite3")
    ingest(source, [ungdc_slice], default_registry())
    _enrich(source)
    dumped = tmp_path / "archive.jsonl.gz"
    counts = export_archive(source, dumped)
    assert counts["version"] == source.stats().versions

    target, discard = open_backend("postgresql", tmp_path, request)
    try:
        import_archive(target, dumped)
        expected = _contents(source)
        assert _contents(target) == expected
        assert target.stats() == source.stats()
        for query in QUERIES:
            a = search(source, query, page_size=1000, snippets=False, facet_size=100)
            b = search(target, query, page_size=1000, snippets=False, facet_size=100)
            assert b.total == a.total, query
            assert {r.doc_id for r in b.results} == {r.doc_id for r in a.results}, query
            for facet in ("country", "year", "decade", "type", "collection"):
                assert b.facets[facet] == a.facets[facet], (query, facet)

        back = tmp_path / "back.jsonl.gz"
        export_archive(target, back)
        again = open_store(tmp_path / "again.sqlite3")
        import_archive(again, back)
        assert _contents(again) == expected
        # New runs continue the numbering after the imported ones.
        assert target.start_run(["later"]) == max(r.id for r in source.runs()) + 1
        again.close()
    finally:
        discard()
        source.close()
