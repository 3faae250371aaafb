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


def test_person_facets_count_every_participant_even_past_the_first(store: Store) -> None:
    """Synthetic memoranda: 30 persons each first-named in some records, and one person
    named only second, in more records than any other: counted exactly, and first."""
    from collections import Counter

    expected: Counter[str] = Counter()
    records = []
    for i in range(60):
        named = [f"Official {i % 30:02d}"]
        if i % 2 == 0:
            named.append("Envoy Second")  # named second in 30 records
        if i % 5 == 0:
            named.append(f"Official {(i + 7) % 30:02d}")
        expected.update(named)
        records.append(
            _doc(
                f"test:m{i}",
                "Minutes of the meeting on disarmament.",
                participants=tuple(Participant(n, ParticipantRole.PARTICIPANT) for n in named),
            )
        )
    store.put_many(records)
    found = search(store, "disarmament", facet_size=3)
    shown = [(f.value, f.count) for f in found.facets["person"]]
    assert shown[0] == ("Envoy Second", 30)
    assert shown == sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    every = search(store, "disarmament", facet_size=100).facets["person"]
    assert {f.value: f.count for f in every} == dict(expected)


def test_a_filter_of_whole_years_finds_documents_whose_dates_overlap_it(store: Store) -> None:
    """Synthetic records: within a year, on a year's last day, spanning years, open."""
    dated = {
        "test:day": HistoricalDate.parse("1950-12-31"),
        "test:year": HistoricalDate.parse("1950"),
        "test:span": HistoricalDate.between("1948-03", "1952-06"),
        "test:decade": HistoricalDate.between("1940", "1959"),
        "test:open": HistoricalDate.between("1949-05", None),
        "test:after": HistoricalDate.parse("1951-01-01"),
        "test:before": HistoricalDate.parse("1939-12-31"),
    }
    store.put_many(
        [
            Document(
                id=doc_id,
                title="A record",
                doc_type=DocumentType.MEMORANDUM,
                texts=(Text("en", TextRole.ORIGINAL, (Block(BlockKind.PARAGRAPH, "Talks."),)),),
                date=when,
            )
            for doc_id, when in dated.items()
        ]
    )

    def found(query: str) -> set[str]:
        return {r.doc_id for r in search(store, query, page_size=50).results}

    assert found("talks date:1950") == {
        "test:day",
        "test:year",
        "test:span",
        "test:decade",
        "test:open",
    }
    assert found("talks date:1940..1949") == {"test:span", "test:decade", "test:open"}
    assert found("talks date:1951..1960") == {"test:after", "test:span", "test:decade", "test:open"}
    assert found("talks date:1930..1939") == {"test:before"}
