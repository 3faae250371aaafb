"""Wilson Center Digital Archive: an API transcript in Russian, a collection, a scrape.

Counts come from the files read without the reader: json, csv and sqlite3 (read-only).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest

from declass.errors import IngestError
from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.ingest.source import Source
from declass.ingest.wilson import WilsonReader
from declass.model import (
    BlockKind,
    Collection,
    DatePrecision,
    Document,
    ParticipantRole,
    Rejection,
    TextRole,
)
from declass.store import open_store

TRANSCRIPT = "da_transcript_33548_ru.json"
COLLECTION = "da_collection_491.json"
SCRAPE_CSV = "scrape_sample_wilson_archive.csv"
SCRAPE_DB = "scrape_sample_wilson_archive.db"


@pytest.fixture(scope="module")
def folder(corpora: Path) -> Path:
    return corpora / "wilson-center"


@pytest.fixture(scope="module")
def transcript(folder: Path) -> Document:
    [doc] = [i for i in WilsonReader().read(Source(folder / TRANSCRIPT)) if isinstance(i, Document)]
    return doc


@pytest.fixture(scope="module")
def csv_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / SCRAPE_CSV).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def db_rows(folder: Path) -> list[dict[str, object]]:
    db = sqlite3.connect(f"{(folder / SCRAPE_DB).resolve().as_uri()}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute("SELECT * FROM documents")]
    finally:
        db.close()


def _slug(url: str) -> str:
    return url.rsplit("/document/", 1)[1]


def test_the_transcript_is_a_russian_transcription_with_its_archive_id_and_url(
    folder: Path, transcript: Document
) -> None:
    record = json.loads((folder / TRANSCRIPT).read_text("utf-8"))
    assert transcript.id == f"wilson:transcript-{record['id']}" == "wilson:transcript-33548"
    [text] = transcript.texts
    assert (text.language, text.role) == ("ru", TextRole.TRANSCRIPTION)
    assert transcript.language == "ru"
    assert (
        "https://digitalarchive.wilsoncenter.org/transcripts/33548.html" in transcript.source_note
    )
    # One block a paragraph of the HTML (the leaf <p class=…> elements), none lost.
    assert len(text.blocks) == len(re.findall(r"<p class=", record["html"])) == 21
    assert transcript.collections == ("wilson-center",)


def test_the_signature_names_the_author_and_his_post(transcript: Document) -> None:
    signature = [b.text for b in transcript.texts[0].blocks if b.kind is BlockKind.SIGNATURE]
    assert signature == ["Посол СССР в Китае", "Н. Рощин"]
    [author] = transcript.participants
    assert (author.name, author.role, author.post) == (
        "Н. Рощин",
        ParticipantRole.AUTHOR,
        "Посол СССР в Китае",
    )


def test_the_day_comes_from_the_opening_and_the_year_from_the_text_marked_inferred(
    transcript: Document,
) -> None:
    date = transcript.date
    assert date is not None
    assert (date.display(), date.precision, date.label, date.inferred) == (
        "1950-01-01",
        DatePrecision.DAY,
        "1 января",
        True,
    )
    # Untitled: named by its opening words.
    assert transcript.title.startswith("По указанию министра иностранных дел СССР тов. Вышинского")


def test_the_collection_record_is_a_collection(folder: Path) -> None:
    record = json.loads((folder / COLLECTION).read_text("utf-8"))
    found = [
        i for i in WilsonReader().read(Source(folder / COLLECTION)) if isinstance(i, Collection)
    ]
    collection = next(c for c in found if c.id == "wilson:collection-491")
    assert collection.title == record["name"]
    assert collection.summary == record["short_description"]
    assert collection.parent == "wilson-center"
    assert "<p>" not in collection.description and "David Brophy" in collection.description
    assert ("wilson-collection", "491") in collection.identifiers


def test_csv_and_database_rows_are_one_document_a_record_url(
    folder: Path, csv_rows: list[dict[str, str]], db_rows: list[dict[str, object]]
) -> None:
    urls = {r["document_url"] for r in csv_rows} | {str(r["document_url"]) for r in db_rows}
    assert (len(csv_rows), len(db_rows), len(urls)) == (11, 23, 23)
    for name in (SCRAPE_CSV, SCRAPE_DB):
        items = list(WilsonReader().read(Source(folder / name)))
        documents = [i for i in items if isinstance(i, Document)]
        assert not [i for i in items if isinstance(i, Rejection)]
        assert {d.id for d in documents} == {f"wilson:{_slug(u)}" for u in urls}


def test_a_field_one_scrape_lacks_is_taken_from_the_other(
    folder: Path, csv_rows: list[dict[str, str]], db_rows: list[dict[str, object]]
) -> None:
    # The database lists the Kohl–Kwasniewski call without its text; the CSV has it.
    stub = next(
        r
        for r in db_rows
        if r["text_body"] is None and str(r["document_url"]).endswith("thursday-12")
    )
    full = next(r for r in csv_rows if r["document_url"] == stub["document_url"])
    items = list(WilsonReader().read(Source(folder / SCRAPE_DB)))
    doc = next(
        i
        for i in items
        if isinstance(i, Document) and i.id == f"wilson:{_slug(full['document_url'])}"
    )
    assert doc.title == full["title"]
    assert doc.texts and doc.texts[0].blocks[0].text.startswith("Neuer")
    # The German original is read here in English: a translation, with its translator.
    assert (doc.texts[0].language, doc.texts[0].role) == ("en", TextRole.TRANSLATION)
    assert doc.texts[0].translator == "Stephan Kieninger"


def test_scraped_metadata_maps_to_the_model(folder: Path, csv_rows: list[dict[str, str]]) -> None:
    row = next(r for r in csv_rows if r["record_id"] == "300653")
    items = list(WilsonReader().read(Source(folder / SCRAPE_CSV)))
    doc = next(
        i for i in items if isinstance(i, Document) and i.id.endswith(_slug(row["document_url"]))
    )
    assert doc.title == row["title"] == "Letter, Jawaharlal Nehru to All Provincial Premiers"
    assert doc.date is not None and doc.date.display() == "1949-04-01"
    assert doc.texts[0].role is TextRole.ORIGINAL and doc.texts[0].language == "en"
    assert [(p.name, p.role) for p in doc.participants] == [
        ("Nehru, Jawaharlal", ParticipantRole.AUTHOR)
    ]
    assert {c.code for c in doc.countries} == {"IND", "CHN", "PAK"}
    assert set(json.loads(row["subjects_discussed"])) <= set(doc.subjects)
    assert "Southeast Asia" in doc.subjects  # a region, not a country
    assert doc.archival_reference is not None
    assert doc.archival_reference.repository == "Nehru Memorial Museum and Library (NMML)"
    assert doc.archival_reference.text == row["source"]
    labels = {n.label: n.text for n in doc.notes}
    assert labels["rights"].startswith("The History and Public Policy Program welcomes reuse")
    assert labels["classification"] == "Secret"
    assert "record 300653" in doc.source_note


def test_the_database_is_opened_read_only_and_left_untouched(folder: Path) -> None:
    before = hashlib.sha256((folder / SCRAPE_DB).read_bytes()).hexdigest()
    list(WilsonReader().read(Source(folder / SCRAPE_DB)))
    assert hashlib.sha256((folder / SCRAPE_DB).read_bytes()).hexdigest() == before
    assert not (folder / f"{SCRAPE_DB}-journal").exists()


def test_bad_records_are_rejected_or_refused_naming_the_place(tmp_path: Path) -> None:
    # Synthetic inputs.
    broken = tmp_path / "asset.json"
    broken.write_text(
        '{"id": "1", "asset_id": "2", "filename": "f", "content_type": "text/html", "html": ""}'
    )
    with pytest.raises(IngestError, match="no HTML text"):
        list(WilsonReader().read(Source(broken)))
    scrape = tmp_path / "scrape.csv"
    scrape.write_text(
        "document_url,title,text_body,original_publication_date\n"
        "https://example.org/nothing,A,B,\n"
        "https://digitalarchive.wilsoncenter.org/document/ok,Fine,Text,May 1950\n"
        "https://digitalarchive.wilsoncenter.org/document/bad-date,Bad,Text,someday\n"
    )
    items = list(WilsonReader().read(Source(scrape)))
    assert [d.id for d in items if isinstance(d, Document)] == ["wilson:ok"]
    assert [(r.position, r.reason.split(":")[0]) for r in items if isinstance(r, Rejection)] == [
        ("row 2", "no Digital Archive record URL"),
        ("row 4", "date 'someday' is not a date"),
    ]


def test_reingest_of_the_folder_writes_nothing(folder: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "a.sqlite3")
    try:
        first = ingest(store, [folder], default_registry())
        assert first.rejections == ()
        ids = store.document_ids()
        assert len(ids) == 1 + 23  # the transcript and the scraped records
        again = ingest(store, [folder], default_registry())
        assert (again.added, again.updated) == (0, 0) and again.unchanged == first.added
    finally:
        store.close()
