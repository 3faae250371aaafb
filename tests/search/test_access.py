"""Restricted and embargoed documents never reach an anonymous reader's search."""

from __future__ import annotations

from datetime import date, timedelta

from declass.model import (
    AccessLevel,
    Block,
    BlockKind,
    CountryRef,
    Document,
    DocumentType,
    HistoricalDate,
    Participant,
    ParticipantRole,
    Text,
    TextRole,
)
from declass.search.engine import search
from declass.store.base import Store


def memo(doc_id: str, access: AccessLevel, embargo: date | None, country: str) -> Document:
    """SYNTHETIC memoranda sharing one rare word."""
    return Document(
        id=doc_id,
        title=f"Memorandum {doc_id} on the zanzibarite question",
        doc_type=DocumentType.MEMORANDUM,
        texts=(
            Text(
                "en",
                TextRole.ORIGINAL,
                (Block(BlockKind.PARAGRAPH, "The zanzibarite question was discussed at length."),),
            ),
        ),
        date=HistoricalDate.parse("1962-05-01"),
        participants=(Participant(f"Author of {doc_id}", ParticipantRole.AUTHOR),),
        countries=(CountryRef(country, country),),
        access=access,
        embargo_until=embargo,
    )


def test_restricted_and_embargoed_documents_stay_out_of_hits_and_facets(store: Store) -> None:
    today = date.today()
    store.put(memo("test:open", AccessLevel.PUBLIC, None, "AAA"))
    store.put(memo("test:expired", AccessLevel.PUBLIC, today - timedelta(days=1), "BBB"))
    store.put(memo("test:secret", AccessLevel.RESTRICTED, None, "CCC"))
    store.put(memo("test:members", AccessLevel.REGISTERED, None, "DDD"))
    store.put(memo("test:embargoed", AccessLevel.PUBLIC, today + timedelta(days=30), "EEE"))

    public = search(store, "zanzibarite")
    assert {r.doc_id for r in public.results} == {"test:open", "test:expired"}
    assert public.total == 2
    countries = {f.value for f in public.facets["country"]}
    assert countries == {"AAA", "BBB"}
    people = " ".join(f.value for f in public.facets["person"])
    assert "secret" not in people and "embargoed" not in people and "members" not in people
    assert search(store, "country:CCC").total == 0
    assert search(store, "").total == 2

    staff = search(store, "zanzibarite", include_restricted=True)
    assert staff.total == 5
