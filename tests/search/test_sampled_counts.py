"""Broad queries on a large archive are counted on a sample; narrow ones stay exact.

The thresholds are lowered so that the slice of real UNGDC speeches counts as "large":
the same code path a million-record archive takes, checked against exact answers.
"""

from __future__ import annotations

import re

import pytest

from declass.search.engine import search
from declass.store import postgres_search, tantivy_search
from declass.store.base import Store
from declass.terminal_search import results_as_json

ALL = 1000


@pytest.fixture
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tantivy_search, "EXACT_UP_TO", 80)
    monkeypatch.setattr(tantivy_search, "SAMPLE_DOCS", 40)
    monkeypatch.setattr(tantivy_search, "EXACT_WORK", 100)
    monkeypatch.setattr(postgres_search, "SAMPLE_ABOVE", 80)
    monkeypatch.setattr(postgres_search, "EXACT_MATCHES", 100)


def _holding(texts: dict[str, str], pattern: str) -> set[str]:
    return {doc_id for doc_id, text in texts.items() if re.search(pattern, text, re.I)}


def test_a_broad_query_is_estimated_from_the_sample_and_says_so(
    searchable: Store, slice_texts: dict[str, str], small_thresholds: None
) -> None:
    # Every speech of the slice speaks of "nations": far above the exact limit.
    matching = _holding(slice_texts, r"\bnations?\b")
    assert len(matching) > 300
    found = search(searchable, "nations OR nation", facet_size=300)
    assert not found.exact
    assert abs(found.total - len(matching)) / len(matching) < 0.35
    by_country = sum(f.count for f in found.facets["country"])
    assert abs(by_country - found.total) / found.total < 0.1  # one country a speech
    assert {r.doc_id for r in found.results} <= matching  # the page holds real matches
    assert found.results
    assert results_as_json(found)["total_exact"] is False


def test_a_narrow_query_on_a_large_archive_is_counted_exactly(
    searchable: Store, slice_texts: dict[str, str], small_thresholds: None
) -> None:
    matching = _holding(slice_texts, r"\bapartheid\b")
    assert 10 < len(matching) < 100
    found = search(searchable, "apartheid AND apartheid", page_size=ALL, facet_size=300)
    assert found.exact
    assert found.total == len(matching)
    assert {r.doc_id for r in found.results} == matching
    years: dict[str, int] = {}
    for doc_id in matching:
        years[doc_id[-4:]] = years.get(doc_id[-4:], 0) + 1
    assert {f.value: f.count for f in found.facets["year"]} == years


def test_date_order_stays_exact_for_a_broad_query(
    searchable: Store, slice_texts: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    exact = search(searchable, "nations OR peoples", sort="date", page_size=25, snippets=False)
    assert exact.exact
    monkeypatch.setattr(tantivy_search, "EXACT_UP_TO", 80)
    monkeypatch.setattr(tantivy_search, "SAMPLE_DOCS", 40)
    monkeypatch.setattr(tantivy_search, "EXACT_WORK", 100)
    monkeypatch.setattr(postgres_search, "SAMPLE_ABOVE", 80)
    monkeypatch.setattr(postgres_search, "EXACT_MATCHES", 100)
    # Another spelling of the same query: not answered from the counts of the first.
    sampled = search(searchable, "peoples OR nations", sort="date", page_size=25, snippets=False)
    assert not sampled.exact
    assert [r.doc_id for r in sampled.results] == [r.doc_id for r in exact.results]
