"""The storage contract, run against every backend."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest

from declass.errors import NotFound, StorageError
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
    Record,
    Rejection,
    Text,
    TextRole,
    VariantKind,
)
from declass.search import analysis
from declass.store.base import MatchAll, SearchRequest, Store, WriteOutcome
from declass.store.sqlite import SQLiteStore
from tests.conftest import open_backend


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


# -- batches: put_many --------------------------------------------------------------


@pytest.fixture
def twin(request: pytest.FixtureRequest, store: Store, tmp_path: Path) -> Iterator[Store]:
    """A second fresh archive of the same backend as `store`."""
    folder = tmp_path / "twin"
    folder.mkdir()
    other, discard = open_backend(request.node.callspec.params["store"], folder, request)
    yield other
    discard()


def second_memcon() -> Document:
    """SYNTHETIC: a country and a collection named twice, kept once as one put keeps them."""
    return dataclasses.replace(
        memcon(),
        id="test:memcon-2",
        title="Second conversation on the treaty",
        texts=(Text("en", TextRole.ORIGINAL, (Block(BlockKind.PARAGRAPH, "Treaty talks."),)),),
        countries=(CountryRef("RUS", "USSR"), CountryRef("RUS", "Russia")),
        collections=("test-collection", "test-collection"),
        sequence=2,
    )


def letters(n: int) -> list[Document]:
    """SYNTHETIC: `n` short letters, enough of them for a backend's bulk path."""
    return [
        Document(
            id=f"test:letter-{i}",
            title=f"Letter {i} on the grain harvest",
            doc_type=DocumentType.LETTER,
            texts=(Text("en", TextRole.ORIGINAL, (Block(BlockKind.PARAGRAPH, f"Harvest {i}."),)),),
            date=HistoricalDate.parse(f"19{50 + i % 40}"),
            participants=(Participant(f"Writer {i % 3}", ParticipantRole.AUTHOR),),
            countries=(CountryRef("USA", "United States"),),
            collections=("test-collection",),
        )
        for i in range(n)
    ]


def mixed_batch(extra: int = 0) -> list[Record]:
    """SYNTHETIC: every kind of record, each once; memcon() changed from its stored state."""
    return [
        *letters(extra),
        Collection("test-collection", "Test collection"),
        Authority("person:mao", AuthorityKind.PERSON, "Mao Zedong"),
        dataclasses.replace(memcon(), title="Memorandum of Conversation (corrected)"),
        second_memcon(),
        Event(
            "visit:2",
            EventKind.VISIT,
            HistoricalDate.parse("1949-12-16"),
            "Mao Zedong in Moscow.",
            countries=(CountryRef("CHN", "People's Republic of China"),),
        ),
    ]


def words_of(records: Sequence[Record]) -> list[str]:
    texts = [f"{r.title} {r.body}" for r in records if isinstance(r, Document)]
    return sorted({w for t in texts for w in analysis.terms(t)} | {"nowhere"})


def seen(store: Store, words: Sequence[str]) -> dict[str, object]:
    """What readers of an archive can see of it, write times aside."""
    page = store.search(SearchRequest(MatchAll(), sort="date", limit=100))
    return {
        "versions": {
            doc_id: [
                (v.number, v.content_hash, v.ingest_run, v.source, d)
                for v, d in store.stored_versions(doc_id)
            ]
            for doc_id in store.document_ids()
        },
        "current": [store.document(doc_id) for doc_id in store.document_ids()],
        "authorities": list(store.authorities()),
        "events": list(store.events()),
        "collections": store.collections(),
        "stats": store.stats(),
        "search": (page.total, [h.doc_id for h in page.hits], page.facets),
        "terms": store.term_counts(words),
    }


@pytest.mark.parametrize("extra", [0, 40], ids=["few", "many"])
def test_put_many_stores_what_puts_one_by_one_store(store: Store, twin: Store, extra: int) -> None:
    batch = mixed_batch(extra)
    words = words_of([memcon(), *batch])
    for s in (store, twin):
        s.put(memcon())
        s.start_run(["batch"])
    one_by_one = [twin.put(r, 1) for r in batch]
    outcomes = store.put_many(batch, 1)
    added, updated = WriteOutcome.ADDED, WriteOutcome.UPDATED
    assert outcomes == one_by_one == [added] * extra + [added, added, updated, added, added]
    assert seen(store, words) == seen(twin, words)


@pytest.mark.parametrize("extra", [0, 40], ids=["few", "many"])
def test_a_document_twice_in_one_batch_ends_as_two_puts_leave_it(
    store: Store, twin: Store, extra: int
) -> None:
    doc = memcon()
    corrected = dataclasses.replace(doc, title="Memorandum of Conversation (corrected)")
    moved = dataclasses.replace(corrected, provenance=Provenance("moved.xml", "", "abc", "tei"))
    batch: list[Record] = [doc, second_memcon(), corrected, *letters(extra), moved, doc]
    one_by_one = [twin.put(r) for r in batch]
    outcomes = store.put_many(batch)
    added, updated, unchanged = WriteOutcome.ADDED, WriteOutcome.UPDATED, WriteOutcome.UNCHANGED
    assert outcomes == one_by_one
    assert outcomes == [added, added, updated, *[added] * extra, unchanged, updated]
    assert [v.number for v in store.versions(doc.id)] == [1, 2, 3]
    words = words_of(batch)
    mine, theirs = seen(store, words), seen(twin, words)
    if isinstance(store, SQLiteStore):
        # Tantivy counts a replaced entry until its segment merges (term_counts is an
        # upper bound there), and one by one the first state was indexed on its own.
        del mine["terms"], theirs["terms"]
    assert mine == theirs


@pytest.mark.parametrize("extra", [0, 40], ids=["few", "many"])
def test_putting_a_stored_batch_again_writes_nothing(store: Store, extra: int) -> None:
    batch = mixed_batch(extra)
    assert store.put_many(batch) == [WriteOutcome.ADDED] * len(batch)
    before = seen(store, words_of(batch))
    assert store.put_many(batch) == [WriteOutcome.UNCHANGED] * len(batch)
    assert seen(store, words_of(batch)) == before
    assert store.put_many([]) == []


@pytest.mark.parametrize("extra", [0, 40], ids=["few", "many"])
def test_batch_with_a_record_the_catalogue_refuses_leaves_the_archive_as_it_was(
    store: Store, extra: int
) -> None:
    doc = memcon()
    store.put(doc)
    # A real value no backend can hold (SQLite's integers end at 2**63 - 1): the
    # failure comes from the database, after the records before it were written.
    refused = dataclasses.replace(doc, id="test:too-far", sequence=2**63)
    batch = [
        dataclasses.replace(doc, title="Memorandum of Conversation (corrected)"),
        dataclasses.replace(doc, id="test:memcon-3", title="A third conversation"),
        *letters(extra),
        refused,
        dataclasses.replace(doc, id="test:memcon-4", title="A fourth conversation"),
    ]
    words = words_of([doc, *batch])
    before = seen(store, words)
    with pytest.raises(StorageError) as batch_failed:
        store.put_many(batch)
    assert batch_failed.value.record_id is None
    assert seen(store, words) == before
    with pytest.raises(StorageError) as one_failed:
        store.put(refused)
    assert one_failed.value.record_id == "test:too-far"
    assert seen(store, words) == before

    fine = [r for r in batch if r is not refused]
    added = WriteOutcome.ADDED
    assert store.put_many(fine) == [WriteOutcome.UPDATED, added, *[added] * extra, added]
    assert store.term_counts(["fourth"]) == {"fourth": 1}
