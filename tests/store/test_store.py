"""The storage contract, run against every backend."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from declass.errors import NotFound
from declass.model import (
    AccessLevel,
    ArchivalReference,
    Authority,
    AuthorityKind,
    Block,
    BlockKind,
    Collection,
    CountryRef,
    Document,
    DocumentType,
    Event,
    EventKind,
    HistoricalDate,
    NameVariant,
    Note,
    NoteAnchor,
    NoteKind,
    Participant,
    ParticipantRole,
    Provenance,
    Rejection,
    Text,
    TextRole,
    VariantKind,
)
from declass.store.base import Store, WriteOutcome


def memcon() -> Document:
    """SYNTHETIC: a memorandum of conversation using every part of the model."""
    return Document(
        id="test:memcon-1",
        title="Memorandum of Conversation: Mao Zedong and I. V. Stalin",
        doc_type=DocumentType.MEMORANDUM_OF_CONVERSATION,
        texts=(
            Text(
                "ru",
                TextRole.ORIGINAL,
                (
                    Block(BlockKind.HEADING, "Запись беседы", level=1),
                    Block(BlockKind.PARAGRAPH, "Текст."),
                ),
            ),
            Text(
                "en",
                TextRole.TRANSLATION,
                (Block(BlockKind.PARAGRAPH, "Stalin: What do you want?", page="3"),),
                translator="A. Translator",
            ),
        ),
        date=HistoricalDate.parse("1949-12-16"),
        place="Moscow",
        participants=(
            Participant("Mao Zedong", ParticipantRole.PARTICIPANT, "person:mao", "Chairman"),
            Participant("Stalin, I. V.", ParticipantRole.PARTICIPANT),
        ),
        countries=(CountryRef("CHN", "People's Republic of China"), CountryRef("RUS", "USSR")),
        archival_reference=ArchivalReference(
            repository="APRF", fond="45", opis="1", delo="329", folio="9-17"
        ),
        source_note="APRF, f. 45, op. 1, d. 329.",
        notes=(
            Note(NoteKind.FOOTNOTE, "Stalin arrived late.", "1", NoteAnchor(1, 0, 6)),
            Note(NoteKind.COMMENTARY, "The first meeting.", author="An Editor"),
        ),
        collections=("test-collection",),
        series="test-series",
        sequence=1,
        subjects=("Sino-Soviet alliance",),
        access=AccessLevel.PUBLIC,
        embargo_until=date(2030, 1, 1),
        provenance=Provenance("x.xml", "/TEI[1]", "abc", "tei"),
    )


def test_document_round_trips_losslessly(store: Store) -> None:
    doc = memcon()
    assert store.put(doc) is WriteOutcome.ADDED
    assert store.document(doc.id) == doc


def test_putting_the_same_document_again_writes_nothing(store: Store) -> None:
    doc = memcon()
    store.put(doc)
    moved = dataclasses.replace(doc, provenance=Provenance("elsewhere.xml", "", "abc", "tei"))
    assert store.put(moved) is WriteOutcome.UNCHANGED
    assert len(store.versions(doc.id)) == 1


def test_changed_document_becomes_new_version_and_old_is_kept(store: Store) -> None:
    doc = memcon()
    store.put(doc)
    changed = dataclasses.replace(doc, title="Memorandum of Conversation (corrected)")
    assert store.put(changed) is WriteOutcome.UPDATED
    assert [v.number for v in store.versions(doc.id)] == [1, 2]
    assert store.document(doc.id).title.endswith("(corrected)")
    assert store.document(doc.id, version=1).title == doc.title


def test_missing_document_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.document("test:nothing")
    with pytest.raises(NotFound):
        store.document(memcon().id, version=9)


def test_authority_found_under_every_variant_case_and_accent_blind(store: Store) -> None:
    zhou = Authority(
        "person:zhou",
        AuthorityKind.PERSON,
        "Zhou Enlai",
        (
            NameVariant("Chou En-lai", VariantKind.ALTERNATE),
            NameVariant("周恩来", VariantKind.ORIGINAL_SCRIPT, "zh"),
        ),
        identifiers=(("viaf", "123"),),
    )
    store.put(zhou)
    assert [a.id for a in store.authorities_named("chou en lai")] == ["person:zhou"]
    assert [a.id for a in store.authorities_named("周恩来")] == ["person:zhou"]
    assert store.authorities_named("Mao") == []
    assert store.authority("person:zhou") == zhou


def test_events_filter_by_person_and_country(store: Store) -> None:
    visit = Event(
        "visit:1",
        EventKind.VISIT,
        HistoricalDate.between("1959-09-15", "1959-09-27"),
        "Khrushchev visits the United States.",
        people=(Participant("Khrushchev", ParticipantRole.PARTICIPANT, "person:khrushchev"),),
        countries=(CountryRef("RUS", "USSR"),),
    )
    store.put(visit)
    assert [e.id for e in store.events(person="person:khrushchev")] == ["visit:1"]
    assert [e.id for e in store.events(country="RUS", kind=EventKind.VISIT)] == ["visit:1"]
    assert list(store.events(country="CHN")) == []
    assert store.event("visit:1") == visit


def test_stats_count_what_was_stored(store: Store) -> None:
    store.put(Collection("test-collection", "Test collection"))
    store.put(memcon())
    run = store.start_run(["x"])
    store.reject(run, Rejection("bad.xml", "line 3", "mismatched tag"))
    stats = store.stats()
    assert stats.documents == 1
    assert stats.collections == 1
    assert stats.by_decade == {"1940s": 1}
    assert stats.by_collection == {"test-collection": 1}
    assert stats.rejections == 1
    assert store.rejections(run) == [Rejection("bad.xml", "line 3", "mismatched tag")]


def test_failed_write_leaves_nothing_half_written(store: Store) -> None:
    doc = memcon()
    store.put(doc)
    # The participant list fails only after the document row and version are written.
    broken_participant = Participant("Nobody", None)  # type: ignore[arg-type]
    broken = dataclasses.replace(doc, title="changed", participants=(broken_participant,))
    with pytest.raises(AttributeError):
        store.put(broken)
    assert store.document(doc.id) == doc
    assert len(store.versions(doc.id)) == 1
    assert store.stats().documents == 1


def test_provisional_authority_never_replaces_a_full_one_whatever_the_order(
    store: Store,
) -> None:
    full = Authority(
        "person:gromyko",
        AuthorityKind.PERSON,
        "Gromyko, Andrei Andreyevich",
        (NameVariant("Громыко", VariantKind.ORIGINAL_SCRIPT, "ru"),),
        birth_year=1909,
    )
    stand_in = Authority("person:gromyko", AuthorityKind.PERSON, "Gromyko", provisional=True)
    assert store.put(full) is WriteOutcome.ADDED
    assert store.put(stand_in) is WriteOutcome.UNCHANGED
    assert store.authority("person:gromyko") == full

    other = Authority("person:other", AuthorityKind.PERSON, "Other", provisional=True)
    assert store.put(other) is WriteOutcome.ADDED
    fuller = Authority("person:other", AuthorityKind.PERSON, "Other, A. N.", birth_year=1900)
    assert store.put(fuller) is WriteOutcome.UPDATED
    assert store.authority("person:other") == fuller
    assert [a.id for a in store.authorities_named("Other, A. N.")] == ["person:other"]
