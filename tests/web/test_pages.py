"""The reading room's pages on a real archive, through the real app."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape

import pytest
from starlette.testclient import TestClient

from declass.archive import Archive
from declass.store import tantivy_search
from tests.web.conftest import SECRET_IDS


def main_text(html: str) -> str:
    body = html[html.index("<main") : html.index("</main>")]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@contextmanager
def counted_statements(archive: Archive) -> Iterator[list[str]]:
    """Every SQL statement the store runs meanwhile (not FTS5's own, which start "--")."""
    db: sqlite3.Connection = archive.store.db  # type: ignore[attr-defined]
    seen: list[str] = []
    db.set_trace_callback(lambda sql: None if sql.startswith("--") else seen.append(sql))
    try:
        yield seen
    finally:
        db.set_trace_callback(None)


def test_home_lists_collections_with_counts_and_a_decade_chart(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "UN General Debate Corpus" in page.text
    assert "<svg" in page.text and 'aria-label="Documents by decade"' in page.text
    assert 'class="skip" href="#main"' in page.text


def test_search_shows_highlighted_snippets_facets_and_names_searched(client: TestClient) -> None:
    page = client.get("/search", params={"q": "Gromyko disarmament"})
    assert page.status_code == 200
    assert re.search(r"<mark>disarmament</mark>", page.text, re.I)
    page = client.get("/search", params={"q": "Gromyko"})
    assert "/search?q=Gromyko&amp;facet=decade%3A1960s" in page.text
    narrowed = client.get("/search", params={"q": "Gromyko", "facet": "decade:1960s"})
    text = main_text(narrowed.text)
    assert "Decade: 1960s ×" in text
    assert re.search(r"\b(\d+) documents? for “Gromyko”", text)


def test_search_reports_the_other_spellings_and_can_turn_them_off(client: TestClient) -> None:
    expanded = main_text(client.get("/search", params={"q": 'person:"Gromyko, Andrei"'}).text)
    assert "Names were also searched as" in expanded
    listed = expanded.split("Gromyko, Andrei :", 1)[1].split("Search names only")[0]
    # His other spellings, each a spelling of Gromyko with a given name or initials:
    # never a bare "Andrei" or "Gromyko".
    spellings = [s.strip() for s in listed.split(",") if s.strip()]
    assert spellings
    assert all("Gromyko" in sp and len(sp.split()) >= 2 for sp in spellings), spellings
    plain = main_text(client.get("/search", params={"q": "Gromyko", "expand": "0"}).text)
    assert "Search names in every known spelling" in plain


def test_a_query_that_cannot_be_read_gets_a_message_with_its_position(client: TestClient) -> None:
    page = client.get("/search", params={"q": 'peace "unclosed'})
    assert page.status_code == 400
    assert "This query cannot be read" in page.text and "position" in page.text


def test_user_strings_are_escaped_everywhere(client: TestClient) -> None:
    evil = '<script>alert("x")</script>'
    for url in ("/search", "/people"):
        page = client.get(url, params={"q": evil, "name": evil})
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;" in page.text


def test_security_headers_forbid_inline_scripts(client: TestClient) -> None:
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_speech_page_has_metadata_series_neighbours_and_zotero_tags(client: TestClient) -> None:
    page = client.get("/documents/ungdc:RUS_24_1969")
    assert page.status_code == 200
    html = page.text
    assert '<meta name="citation_title" content="Union of Soviet Socialist Republics' in html
    assert '<meta name="citation_publication_date" content="1969">' in html
    assert '<meta name="citation_author" content="Gromyko">' in html
    assert (
        '<meta name="citation_public_url" content="http://testserver/documents/ungdc:RUS_24_1969">'
        in html
    )
    assert 'rel="prev" href="/documents/ungdc:RUS_23_1968"' in html
    assert 'rel="next" href="/documents/ungdc:RUS_26_1971"' in html
    assert re.search(r'href="/countries/(RUS|SUN)"', html)  # the USSR in 1969
    assert 'href="/people?name=Mr.+GROMYKO"' in html


def test_footnotes_are_marked_in_the_text_and_open_in_place(client: TestClient) -> None:
    html = client.get("/documents/frus-history:1972-09-22-kogan-to-franklin").text
    assert 'class="fn-ref" id="ref-1" href="#fn-1"' in html
    assert 'class="fn-pop" id="fn-1" role="note"' in html
    assert "Samuel Flagg Bemis was allowed" in html
    assert "Source note" in html and "National Archives and Records Administration" in html


def test_original_and_translation_are_shown_side_by_side(client: TestClient) -> None:
    html = client.get("/documents/edition:official-names").text
    assert "Original and translation" in html
    pairs = re.findall(
        r'<div class="original" lang="ru"[^>]*>.*?<div class="translation" lang="en"[^>]*>',
        html,
        re.S,
    )
    assert len(pairs) == 4


def test_person_page_names_variants_and_lists_the_speeches(client: TestClient) -> None:
    html = client.get("/people/person:hsg-105222").text
    text = main_text(html)
    assert "Andreĭ Andreevich Gromyko" in text
    assert re.search(r"Andrey Andreyevich|Andreyevich Gromyko", text)
    # The speakers list prints only "Mr. GROMYKO": those speeches are offered apart.
    count = re.search(r"Also (\d+) records naming only the surname", text)
    assert count and int(count.group(1)) >= 20
    link = re.search(r'href="([^"]+)">\d+ records naming only the surname', html)
    assert link
    speeches = main_text(client.get(link.group(1).replace("&amp;", "&")).text)
    assert "statement by Mr. GROMYKO in the General Debate, 23rd session (1968)" in speeches
    # Speeches are dated by year, as the corpus dates them, not by an invented 1 January.
    assert re.search(r"23rd session \(1968\)\W+1968\b", speeches)
    assert "1968-01-01" not in speeches
    # Where a spelling was seen is named by its FRUS volume, not by a bare URL.
    assert re.search(r'seen in <a href="/collections/frus:frus19[0-9a-zA-Z-]+">frus19', html)


def test_a_speaker_named_by_surname_leads_to_a_choice_of_people(client: TestClient) -> None:
    page = client.get("/people", params={"name": "Mr. GROMYKO"}, follow_redirects=False)
    assert page.status_code == 200
    assert 'href="/people/person:hsg-105222"' in page.text


def test_country_page_has_a_chart_the_relations_essay_and_chiefs_of_mission(
    client: TestClient,
) -> None:
    html = client.get("/countries/RUS").text
    assert 'aria-label="Documents about' in html
    assert 'href="/documents/rdcr:russia"' in html
    assert "US chiefs of mission" in html


def test_collection_is_paginated(client: TestClient) -> None:
    first = client.get("/collections/ungdc").text
    second = client.get("/collections/ungdc", params={"page": 2}).text
    assert 'rel="next" href="/collections/ungdc?page=2"' in first
    assert 'rel="prev"' in second


def test_anonymous_readers_never_see_restricted_or_embargoed_documents(client: TestClient) -> None:
    # Closed and unknown answer alike (issue 15): nothing says the id exists.
    for doc_id in SECRET_IDS:
        assert client.get(f"/documents/{doc_id}").status_code == 404
        assert client.get(f"/api/documents/{doc_id}").status_code == 404
    for url in (
        "/search?q=zanzibarite",
        "/search?q=Gromyko",
        "/people/person:hsg-105222",
        "/countries/RUS",
        "/collections/rdcr",
        "/api/search?q=Gromyko&page_size=100",
    ):
        assert "SYNTHETIC" not in client.get(url).text, url
    # The word is only in closed documents: for this reader the archive lacks it, and
    # it is searched as a misspelling of the open words nearest it ("Zanzibar").
    found = client.get("/api/search", params={"q": "zanzibarite", "page_size": 100}).json()
    assert not {r["id"] for r in found["results"]} & set(SECRET_IDS)
    assert all("zanzibarite" not in c["searched"] for c in found["corrections"])


def test_document_page_runs_a_fixed_number_of_queries(
    client: TestClient, web_archive: Archive
) -> None:
    client.get("/documents/ungdc:RUS_24_1969")  # warm the series cache
    counts = []
    for doc_id in ("ungdc:RUS_24_1969", "frus-history:1972-09-22-kogan-to-franklin"):
        with counted_statements(web_archive) as seen:
            client.get(f"/documents/{doc_id}")
        counts.append(len(seen))
    assert max(counts) <= 3, counts


def test_search_page_queries_grow_with_the_page_not_the_matches(
    client: TestClient, web_archive: Archive
) -> None:
    with counted_statements(web_archive) as seen:
        client.get("/search", params={"q": "peace", "page_size": 10})
    assert len(seen) <= 10 + 6, seen


def test_a_broad_query_on_a_large_archive_says_its_counts_are_estimates(
    client: TestClient, web_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Thresholds lowered so that this archive counts as large (see test_sampled_counts).
    monkeypatch.setattr(tantivy_search, "EXACT_UP_TO", 40)
    monkeypatch.setattr(tantivy_search, "SAMPLE_DOCS", 20)
    monkeypatch.setattr(tantivy_search, "EXACT_WORK", 30)
    count = web_archive.store.stats().documents
    assert count > 40
    page = client.get("/search", params={"q": "united OR nations OR states"})
    assert page.status_code == 200
    assert re.search(r"About [\d,]+ documents", main_text(page.text))
    assert "Counts estimated from a sample of the archive" in page.text
    api = client.get("/api/search", params={"q": "nations OR states OR united"}).json()
    assert api["total_exact"] is False
    # A word of the body that few documents hold is read whole, and counted exactly.
    counts = web_archive.store.term_counts(["biafra", "kampuchea", "namibia", "suez", "ozon"])
    rare = next(w for w, n in counts.items() if 0 < n <= 30)
    narrow = client.get("/api/search", params={"q": f"{rare} AND {rare}"}).json()
    assert narrow["total_exact"] is True
    assert narrow["total"] <= counts[rare]
