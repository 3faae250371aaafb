"""FRUS volumes read as books, checked against the volumes' own TEI by independent XPath:
contents in volume order under their compilations and chapters, one numbering, front
matter, notes numbered as printed, page markers where pages break, citations in the
FRUS form, and the citation tags read the way Zotero's Embedded Metadata translator reads
them."""

from __future__ import annotations

import gzip
import html
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from lxml import etree
from starlette.testclient import TestClient

from declass.archive import Archive

NS = {"t": "http://www.tei-c.org/ns/1.0"}


def words(text: str) -> str:
    return " ".join(text.split())


@cache
def _tei(path: Path) -> etree._Element:
    with gzip.open(path) as f:
        return etree.parse(f).getroot()


@pytest.fixture(scope="module")
def tei(frus_volume_files: dict[str, Path]) -> Callable[[str], etree._Element]:
    return lambda volume: _tei(frus_volume_files[volume])


def main_text(page: str) -> str:
    body = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return words(html.unescape(re.sub(r"<[^>]+>", " ", body)))


# -- contents -------------------------------------------------------------------------


@pytest.mark.parametrize("volume", ["frus1964-68v30", "frus1969-76v12"])
def test_contents_follow_the_volume_under_its_compilations_and_chapters(
    frus_client: TestClient, tei: Callable[[str], etree._Element], volume: str
) -> None:
    root = tei(volume)
    heads = [
        words(d.xpath("string(t:head)", namespaces=NS))
        for d in root.xpath(
            "//t:body//t:div[@type='compilation' or @type='chapter']", namespaces=NS
        )
    ]
    numbers = [d.get("n") for d in root.xpath("//t:body//t:div[@type='document']", namespaces=NS)]
    page = frus_client.get(f"/collections/frus:{volume}").text
    shown_heads = [
        words(html.unescape(re.sub(r"<[^>]+>", "", h)))
        for h in re.findall(r'<h[3-6] id="part-[^"]*" class="division[^"]*">(.*?)</h', page)
    ]
    assert [h.replace("– ", "–") for h in shown_heads] == [h.replace("– ", "–") for h in heads]
    shown_numbers = re.findall(r'<span class="num">([^<]+)\.</span>', page)
    assert shown_numbers == numbers  # the volume's order and the printed numbers, once
    first = re.search(r'<span class="num">1\.</span> <a href="[^"]+">([^<]+)</a>', page)
    assert first and not re.match(r"\d+\.", html.unescape(first.group(1)))


def test_volume_page_names_editors_coverage_publication_and_front_matter(
    frus_client: TestClient, tei: Callable[[str], etree._Element]
) -> None:
    root = tei("frus1964-68v30")
    editors = [words(e) for e in root.xpath("//t:titleStmt/t:editor/text()", namespaces=NS)]
    publisher = root.xpath("string(//t:publicationStmt/t:publisher)", namespaces=NS)
    text = main_text(frus_client.get("/collections/frus:frus1964-68v30").text)
    assert all(e in text for e in editors)
    assert publisher in text and "1964–1968" in text
    for part in ("Preface", "Sources", "Abbreviations", "Persons"):
        assert part in text
    assert "history.state.gov" in text


def test_persons_list_shows_every_entry_of_the_volume(
    frus_client: TestClient, tei: Callable[[str], etree._Element]
) -> None:
    root = tei("frus1964-68v30")
    names = [
        words(i.xpath("string(t:persName)", namespaces=NS) or i.xpath("string(.)").split(",")[0])
        for i in root.xpath("//t:div[@xml:id='persons']//t:item", namespaces=NS)
    ]
    page = frus_client.get("/collections/frus:frus1964-68v30/front/persons").text
    listed = " | ".join(words(html.unescape(t)) for t in re.findall(r"<dt>([^<]*)</dt>", page))
    assert len(names) > 90
    missing = [n for n in names if n not in listed]
    assert not missing, missing[:5]


def test_search_within_a_volume_finds_only_its_documents(frus_client: TestClient) -> None:
    found = frus_client.get(
        "/api/search", params={"q": "Warsaw", "facet": "collection:frus:frus1964-68v30"}
    ).json()
    assert found["total"] > 0
    assert all(r["id"].startswith("frus:frus1964-68v30:") for r in found["results"])
    chip = found["selected_facets"][0]["label"]
    assert chip == "Collection: FRUS 1964–68, vol. XXX, China"


# -- a document ---------------------------------------------------------------------


def test_notes_are_numbered_as_in_the_volume_with_the_source_note_first(
    frus_client: TestClient, tei: Callable[[str], etree._Element]
) -> None:
    div = tei("frus1964-68v30").xpath("//t:div[@xml:id='d6']", namespaces=NS)[0]
    printed = [n.get("n") for n in div.xpath(".//t:note[@n]", namespaces=NS)]
    assert printed[0] == "1"  # the source note
    page = frus_client.get("/documents/frus:frus1964-68v30:d6").text
    markers = re.findall(r'class="fn-ref"[^>]*><sup>([^<]+)</sup>', page)
    listed = re.findall(r'<span class="note-label">([^<]+)</span>', page)
    assert markers == printed and listed == printed


def test_page_markers_only_where_a_printed_page_begins(
    frus_client: TestClient, tei: Callable[[str], etree._Element]
) -> None:
    div = tei("frus1964-68v30").xpath("//t:div[@xml:id='d6']", namespaces=NS)[0]
    breaks = [pb.get("n") for pb in div.xpath(".//t:pb", namespaces=NS)]
    page = frus_client.get("/documents/frus:frus1964-68v30:d6").text
    marks = re.findall(r'<span class="page-mark" id="pg-([^"]+)"', page)
    assert marks and len(marks) == len(set(marks))
    assert set(marks) <= set(breaks)
    paragraphs = len(re.findall(r'<p class="block paragraph"', page))
    assert len(marks) < paragraphs


def test_previous_and_next_follow_the_volume_not_the_dates(frus_client: TestClient) -> None:
    doc = frus_client.get("/api/documents/frus:frus1964-68v30:d30").json()
    assert doc["series"]["previous"]["id"] == "frus:frus1964-68v30:d29"
    assert doc["series"]["next"]["id"] == "frus:frus1964-68v30:d31"
    assert doc["hsg_url"] == "https://history.state.gov/historicaldocuments/frus1964-68v30/d30"


def test_a_document_shows_what_cites_it_and_what_it_cites(frus_archive: Archive) -> None:
    from declass.web.reading import ReadingRoom

    room = ReadingRoom(frus_archive)
    cites = room.document("frus:frus1969-76ve13:d16")
    assert any(link["target"] == "frus:frus1969-76ve13:d15" for link in cites["links"])
    cited = room.document("frus:frus1969-76ve13:d15")
    assert any(c["id"] == "frus:frus1969-76ve13:d16" for c in cited["cited_by"])


# -- citations ------------------------------------------------------------------------


def _frus_form(root: etree._Element, number: str) -> str:
    """The FRUS form, built from the volume's TEI header alone."""
    stmt = "//t:titleStmt/"
    sub = words(root.xpath(f"string({stmt}t:title[@type='subseries'])", namespaces=NS))
    vol = words(root.xpath(f"string({stmt}t:title[@type='volumenumber'])", namespaces=NS))
    title = words(root.xpath(f"string({stmt}t:title[@type='volume'])", namespaces=NS))
    # The volume's own editors; the general editor edits the series and is not cited.
    editors = [
        words(e) for e in root.xpath(f"{stmt}t:editor[@role!='general']/text()", namespaces=NS)
    ]
    place = root.xpath("string(//t:publicationStmt/t:pubPlace)", namespaces=NS)
    year = root.xpath("string(//t:publicationStmt/t:date)", namespaces=NS)
    names = editors[0] if len(editors) == 1 else ", ".join(editors[:-1]) + " and " + editors[-1]
    return (
        f"in Foreign Relations of the United States, {sub}, vol. {vol.removeprefix('Volume ')},"
        f" {title}, ed. {names} ({place}: Government Printing Office, {year}), doc. {number}."
    )


@pytest.mark.parametrize(
    ("volume", "div"),
    [("frus1964-68v30", "d6"), ("frus1969-76ve13", "d1"), ("frus1969-76v12", "d10")],
)
def test_chicago_note_is_the_frus_form_with_volume_editors_and_number_from_the_tei(
    frus_client: TestClient, tei: Callable[[str], etree._Element], volume: str, div: str
) -> None:
    root = tei(volume)
    number = root.xpath(f"string(//t:div[@xml:id='{div}']/@n)", namespaces=NS)
    doc = frus_client.get(f"/api/documents/frus:{volume}:{div}").json()
    note = doc["citation"]["chicago_note"]
    assert note.endswith(_frus_form(root, number)), note
    assert re.match(r"U\.S\. Department of State, “[^”]+,” in", note)  # comma inside
    bibliography = doc["citation"]["chicago_bibliography"]
    assert doc["title"].split(". ", 1)[-1] not in bibliography  # the volume, not the title
    assert bibliography.startswith("U.S. Department of State. Foreign Relations of the United")
    styles = {s["id"] for s in doc["citation"]["styles"]}
    assert styles == {"chicago", "mla", "apa"}


def _zotero_read(page: str) -> dict[str, object]:
    """What Zotero's Embedded Metadata translator makes of a page's Highwire tags, by its
    documented mapping: the item type from the last typing tag (citation_inbook_title and
    citation_book_title: bookSection; citation_technical_report_institution: report;
    citation_journal_title: journalArticle), each mapped field from the first tag whose
    name ends with it, authors and editors from every citation_author/citation_editor."""
    tags = [
        (html.unescape(n), html.unescape(c))
        for n, c in re.findall(r'<meta name="(citation_[^"]+)" content="([^"]*)"', page)
    ]
    mapping = {
        "citation_title": "title",
        "citation_publication_date": "date",
        "citation_date": "date",
        "citation_inbook_title": "publicationTitle",
        "citation_book_title": "bookTitle",
        "citation_volume": "volume",
        "citation_series_title": "series",
        "citation_technical_report_number": "number",
        "citation_publisher": "publisher",
        "citation_isbn": "ISBN",
        "citation_public_url": "url",
        "citation_language": "language",
    }
    typing = {
        "citation_journal_title": "journalArticle",
        "citation_technical_report_institution": "report",
        "citation_book_title": "bookSection",
        "citation_inbook_title": "bookSection",
        "citation_title": None,
    }
    item: dict[str, object] = {"itemType": "journalArticle"}
    hw_type = None
    for name, _ in tags:
        if typing.get(name):
            hw_type = typing[name]
    if hw_type:
        item["itemType"] = hw_type
    for meta, field in mapping.items():
        value = next((c for n, c in tags if n.endswith(meta)), None)
        if value and value.strip():
            item[field] = words(value)
    item["creators"] = [("author", c) for n, c in tags if n == "citation_author"] + [
        ("editor", c) for n, c in tags if n == "citation_editor"
    ]
    first = next((c for n, c in tags if n == "citation_firstpage"), None)
    last = next((c for n, c in tags if n == "citation_lastpage"), None)
    if first:
        item["pages"] = first + (f"-{last}" if last else "")
    return item


def test_zotero_imports_a_frus_document_as_a_book_section_of_its_volume(
    frus_client: TestClient, tei: Callable[[str], etree._Element]
) -> None:
    root = tei("frus1964-68v30")
    page = frus_client.get("/documents/frus:frus1964-68v30:d6").text
    item = _zotero_read(page)
    assert item["itemType"] == "bookSection"
    assert item["title"] == "Memorandum of Conversation, Washington, January 24, 1964"
    assert item["publicationTitle"] == words(
        root.xpath("string(//t:titleStmt/t:title[@type='complete'])", namespaces=NS)
    )
    assert item["volume"] == "XXX" and item["number"] == "6"
    editors = [
        words(e)
        for e in root.xpath("//t:titleStmt/t:editor[@role!='general']/text()", namespaces=NS)
    ]
    assert [c for role, c in item["creators"] if role == "editor"] == editors  # type: ignore[attr-defined]
    assert item["date"] == root.xpath("string(//t:publicationStmt/t:date)", namespaces=NS)
    assert item["publisher"] == "Government Printing Office"
    assert item["ISBN"] == root.xpath(
        "string(//t:publicationStmt/t:idno[@type='isbn-13'])", namespaces=NS
    )
    assert item["url"].endswith("/documents/frus:frus1964-68v30:d6")  # type: ignore[union-attr]
    assert item["pages"] == "10-12"


def test_bibtex_and_ris_type_a_frus_document_as_a_chapter(frus_client: TestClient) -> None:
    bib = frus_client.get("/api/citations/frus:frus1964-68v30:d6", params={"format": "bibtex"}).text
    assert bib.startswith("@incollection{")
    for field in ("editor = {{Harriet Dashiell Schwar}", "volume = {XXX}", "number = {6}"):
        assert field in bib
    ris = frus_client.get("/api/citations/frus:frus1964-68v30:d6", params={"format": "ris"}).text
    assert (
        ris.startswith("TY  - CHAP\n") and "\nVL  - XXX\n" in ris and "\nSE  - Document 6\n" in ris
    )
    assert ris.rstrip().endswith("ER  -")


def test_facet_values_are_shown_in_words(frus_client: TestClient) -> None:
    found = frus_client.get("/api/search", params={"q": "Chinese"}).json()
    labels = {f: {r["value"]: r["label"] for r in rows} for f, rows in found["facets"].items()}
    assert labels["collection"]["frus:frus1964-68v30"] == "FRUS 1964–68, vol. XXX, China"
    assert labels["type"]["memorandum-of-conversation"] == "Memorandum of conversation"
    assert labels["source"]["frus"] == "Foreign Relations of the United States"
