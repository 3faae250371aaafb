"""The index follows the catalogue: new versions replace old entries; languages."""

from __future__ import annotations

from declass.model import (
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
from declass.search.analysis import terms
from declass.search.engine import search
from declass.store.base import Store, WriteOutcome


def _doc(doc_id: str, body: str, language: str = "en", **kw: object) -> Document:
    return Document(
        id=doc_id,
        title=str(kw.pop("title", "A record")),
        doc_type=DocumentType.MEMORANDUM,
        texts=(Text(language, TextRole.ORIGINAL, (Block(BlockKind.PARAGRAPH, body),)),),
        date=HistoricalDate.parse("1962-10-27"),
        **kw,  # type: ignore[arg-type]
    )


def test_a_new_version_replaces_its_index_entry(store: Store) -> None:
    store.put(_doc("test:1", "The quarantine of Cuba."))
    assert search(store, "quarantine").total == 1
    assert store.put(_doc("test:1", "The quarantine of Cuba.")) is WriteOutcome.UNCHANGED
    store.put(_doc("test:1", "A blockade of Cuba."))
    assert search(store, "quarantine").total == 0
    assert [r.doc_id for r in search(store, "blockade").results] == ["test:1"]
    assert search(store, "Cuba").total == 1


def test_russian_is_stemmed_and_a_latin_name_finds_its_cyrillic_spelling(store: Store) -> None:
    store.put(_doc("test:ru", "Громыко заявил о переговорах в Женеве.", language="ru"))
    assert search(store, "переговоры").total == 1
    found = search(store, "person:Gromyko")
    assert found.total == 1
    assert any("Громыко" in e.variants for e in found.expansions)
    assert search(store, "person:Gromyko", expand=False).total == 0


def test_chinese_is_segmented_into_words(store: Store) -> None:
    assert terms("中华人民共和国外交部发言人") != ["中华人民共和国外交部发言人"]
    store.put(_doc("test:zh", "周恩来总理访问了日内瓦会议。", language="zh"))
    assert search(store, "日内瓦").total == 1
    assert search(store, "周恩来").total == 1


def test_participants_count_as_the_person_and_in_facets(store: Store) -> None:
    store.put(
        _doc(
            "test:p",
            "Talks on Berlin.",
            participants=(Participant("Andrei Gromyko", ParticipantRole.PARTICIPANT),),
            countries=(CountryRef("RUS", "Union of Soviet Socialist Republics"),),
        )
    )
    found = search(store, "person:Gromyko")
    assert [r.doc_id for r in found.results] == ["test:p"]
    assert [(f.value, f.count) for f in found.facets["person"]] == [("Andrei Gromyko", 1)]
    assert search(store, "Berlin", facets=["person:Andrei Gromyko"]).total == 1
    assert search(store, "country:USSR").total == 0
    assert search(store, 'country:"Union of Soviet Socialist Republics"').total == 1
