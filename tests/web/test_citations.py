"""Citations from document metadata, by citeproc-py with a real Chicago CSL style."""

from __future__ import annotations

from declass import citations
from declass.archive import Archive


def test_chicago_citation_matches_the_speech_metadata(web_archive: Archive) -> None:
    doc = web_archive.document("ungdc:RUS_24_1969")
    item = citations.csl_item(
        doc, "http://example.org/documents/ungdc:RUS_24_1969", "UN General Debate Corpus"
    )
    chicago = citations.chicago(item)
    assert chicago.bibliography.startswith("Gromyko. “Union of Soviet Socialist Republics")
    assert "1969" in chicago.note and "UN General Debate Corpus" in chicago.note
    assert chicago.note.endswith("http://example.org/documents/ungdc:RUS_24_1969.")


def test_letter_with_a_dated_author_and_archive(web_archive: Archive) -> None:
    doc = web_archive.document("frus-history:1972-09-22-kogan-to-franklin")
    item = citations.csl_item(doc, "http://example.org/d")
    assert item["issued"] == {"date-parts": [[1972, 9, 22]]}
    assert item["archive"] == "National Archives and Records Administration"
    note = citations.chicago(item).note
    # Chicago spells given names out (citeproc-py would initialise them; see citations._style).
    assert note.startswith("Arthur Kogan, “Memorandum From Arthur Kogan")
    assert "September 22, 1972" in note
    tags = dict(citations.zotero_meta(item))
    assert tags["citation_publication_date"] == "1972/09/22"
    assert tags["citation_author"] == "Kogan, Arthur"


def test_names_as_printed_become_csl_names() -> None:
    assert citations.person_name("Mr. GROMYKO") == {"family": "Gromyko"}
    assert citations.person_name("Gromyko, Andrei") == {"family": "Gromyko", "given": "Andrei"}
    assert citations.person_name("Arthur Kogan") == {"family": "Kogan", "given": "Arthur"}


def test_bibtex_escapes_special_characters() -> None:
    item = {
        "id": "x:1",
        "type": "manuscript",
        "title": "Costs & {braces} 100%",
        "URL": "http://h/x_1",
    }
    entry = citations.bibtex(item)
    assert r"Costs \& \{braces\} 100\%" in entry and "url = {http://h/x_1}" in entry
