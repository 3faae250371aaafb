"""Search over real UNGDC speeches: names, phrases, facets, snippets, paging."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from declass.errors import QueryError
from declass.search.engine import search
from declass.store.base import Store

ALL = 1000  # a page size larger than any result set of the slice


def test_person_gromyko_returns_the_ussr_speeches_he_gave_with_year_facets(
    searchable: Store,
) -> None:
    given = {
        d.id
        for d in searchable.documents()
        if d.countries[0].code == "SUN" and any("gromyko" in p.name.lower() for p in d.participants)
    }
    assert len(given) >= 20  # Gromyko spoke for the USSR from 1957 to 1984
    found = search(searchable, "person:Gromyko", page_size=ALL, facet_size=100)
    ids = [r.doc_id for r in found.results]
    # His own speeches first, then speeches that mention him.
    assert set(ids[: len(given)]) == given
    years = Counter(r.date[:4] for r in found.results)
    assert {f.value: f.count for f in found.facets["year"]} == dict(years)
    # Person facet values are people under their full names: never "Mr. GROMYKO", a
    # bare surname with a form of address, as the speakers list prints early speakers.
    for f in found.facets["person"]:
        assert len(re.sub(r"^(?:Mr|Mrs|Ms|Dr)\.?\s+", "", f.value).split()) >= 2, f.value


def _peaceful_coexistence(text: str) -> bool:
    # Independent of the analyser: the inflections that stem alike, any punctuation between.
    return bool(
        re.search(r"\bpeace(?:s|ful|fully)?\W+coexist(?:ence|ences|ing|s|ed)?\b", text, re.I)
    )


def test_phrase_with_country_and_dates_matches_an_independent_scan(
    searchable: Store, slice_texts: dict[str, str]
) -> None:
    expected = {
        doc_id
        for doc_id, text in slice_texts.items()
        if doc_id.startswith("ungdc:RUS_")
        and 1955 <= int(doc_id[-4:]) <= 1965
        and _peaceful_coexistence(text)
    }
    assert len(expected) >= 5
    found = search(
        searchable,
        '"peaceful coexistence" country:SUN date:1955..1965',
        page_size=ALL,
        facet_size=100,
    )
    assert {r.doc_id for r in found.results} == expected
    assert found.total == len(expected)
    assert {f.value: f.count for f in found.facets["year"]} == Counter(d[-4:] for d in expected)
    assert {f.value: f.count for f in found.facets["country"]} == {"SUN": len(expected)}
    decades = Counter(f"{d[-4:-1]}0s" for d in expected)
    assert {f.value: f.count for f in found.facets["decade"]} == decades
    for r in found.results:
        assert r.snippet is not None
        marked = [r.snippet.text[s:e].lower() for s, e in r.snippet.highlights]
        assert any(m.startswith("peace") for m in marked)
        assert any(m.startswith("coexist") for m in marked)


SPELLING_PAIRS = [
    # (query, another spelling in the corpus, the query's own spelling)
    ("Zhou Enlai", r"Chou\s+En-?lai", r"Zhou\s+Enlai"),
    ("Mao Zedong", r"Mao\s+Tse-?tung", r"Mao\s+Zedong"),
    ("Deng Xiaoping", r"Teng\s+Hsiao-?p'?ing", r"Deng\s+Xiaoping"),
    ("Beijing", r"\bPeking\b", r"\bBeijing\b"),
    ("Xinjiang", r"\bSinkiang\b", r"\bXinjiang\b"),
    ("Gorbachev", r"\bGorbachov\b", r"\bGorbachev\b"),
    ("Nanking", r"\bNanjing\b", r"\bNanking\b"),
]


@pytest.mark.parametrize(("query", "other", "own"), SPELLING_PAIRS)
def test_one_spelling_finds_documents_holding_only_another(
    searchable: Store, slice_texts: dict[str, str], query: str, other: str, own: str
) -> None:
    only_other = {
        doc_id
        for doc_id, text in slice_texts.items()
        if re.search(other, text, re.I) and not re.search(own, text, re.I)
    }
    assert only_other, f"the slice has no document spelling {query} only as {other}"
    expanded = search(searchable, query, page_size=ALL, snippets=False)
    assert only_other <= {r.doc_id for r in expanded.results}
    assert expanded.expansions and expanded.expansions[0].name == query
    plain = search(searchable, query, expand=False, page_size=ALL, snippets=False)
    assert not only_other & {r.doc_id for r in plain.results}
    assert not plain.expansions


def test_selecting_a_facet_narrows_to_its_count(searchable: Store) -> None:
    everything = search(searchable, "nuclear", snippets=False)
    china = next(f.count for f in everything.facets["country"] if f.value == "CHN")
    # The UN's CHN seat was the Republic of China's until 1971: its own facet value.
    assert any(f.value == "TWN" for f in everything.facets["country"])
    narrowed = search(searchable, "nuclear", facets=["country:CHN"], page_size=ALL)
    assert narrowed.total == china
    assert {f.value for f in narrowed.facets["country"]} == {"CHN"}
    decade = search(searchable, "nuclear", facets=["country:CHN", "decade:1970s"])
    assert all(r.date.startswith("197") for r in decade.results)


def test_pages_by_date_are_stable_and_disjoint(searchable: Store) -> None:
    whole = search(searchable, "sovereignty", sort="date", page_size=ALL, snippets=False)
    pages = [
        search(searchable, "sovereignty", sort="date", page=n, page_size=7, snippets=False)
        for n in range(1, 6)
    ]
    ids = [r.doc_id for p in pages for r in p.results]
    assert ids == [r.doc_id for r in whole.results][: len(ids)]
    dates = [r.date for r in whole.results]
    assert dates == sorted(dates)


def test_title_field_and_prefix(searchable: Store) -> None:
    titled = search(searchable, "title:Khrushchev", page_size=ALL, snippets=False)
    assert titled.total and all("khrushchev" in r.title.lower() for r in titled.results)
    prefixed = search(searchable, "peacekeep*", snippets=True)
    assert prefixed.total
    snippet = prefixed.results[0].snippet
    assert snippet is not None
    assert all(snippet.text[s:e].lower().startswith("peacekeep") for s, e in snippet.highlights)


def test_a_small_misspelling_is_searched_as_the_word_meant(searchable: Store) -> None:
    found = search(searchable, "Gromyco", snippets=False)
    assert ("gromyco", ("gromyko",)) in found.corrections
    assert found.total == search(searchable, "Gromyko", expand=False, snippets=False).total


def test_boolean_operators(searchable: Store) -> None:
    both = search(searchable, "Korea AND armistice", page_size=ALL, snippets=False).total
    either = search(searchable, "Korea OR armistice", page_size=ALL, snippets=False).total
    korea = search(searchable, "Korea", page_size=ALL, snippets=False).total
    not_armistice = search(searchable, "Korea NOT armistice", page_size=ALL, snippets=False).total
    assert both < korea < either
    assert not_armistice == korea - both


def test_bad_facet_or_sort_is_a_query_error(searchable: Store) -> None:
    with pytest.raises(QueryError):
        search(searchable, "peace", facets=["colour:red"])
    with pytest.raises(QueryError):
        search(searchable, "peace", sort="size")


def test_a_match_in_the_metadata_shows_how_the_record_opens(
    searchable: Store, slice_texts: dict[str, str]
) -> None:
    found = search(searchable, "person:Gromyko", page_size=50)
    silent = [r for r in found.results if "gromyko" not in slice_texts[r.doc_id].lower()]
    assert silent, "Gromyko does not name himself in most of his speeches"
    for r in silent:
        assert r.snippet is not None and r.snippet.highlights == ()
        assert r.snippet.text != r.title
        opening = r.snippet.text.removesuffix("…")
        assert " ".join(slice_texts[r.doc_id].split()).startswith(" ".join(opening.split()))
    # Dates without snippets keep their stated precision too.
    bare = search(searchable, "person:Gromyko", snippets=False)
    assert all(re.fullmatch(r"\d{4}", r.date_label) for r in bare.results)
