"""Manifests: an XLSX and a CSV finding aid with a mapping import into the fields it names."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from declass.archive import Archive, Config
from declass.errors import IngestError
from declass.ingest.manifest import ManifestReader, load_mapping
from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source
from declass.model import Collection, Document, DocumentType, NoteKind, ParticipantRole, Rejection
from tests.ingest.renders import first_speech

MAPPING = """
[columns]
id = "Reference"
title = "Description"
date = "Date"
doc_type = "Type"
author = "From"
recipient = "To"
path = "File"
fond = "Fond"
opis = "Opis"
delo = "Delo"
commentary = "Note"
commentary_author = "Editor"

[collection]
id = "synthetic-finding-aid"
title = "A SYNTHETIC finding aid"
description = "Introductory essay: SYNTHETIC rows pointing at real UNGDC speech text."
"""
HEADER = [
    "Reference",
    "Description",
    "Date",
    "Type",
    "From",
    "To",
    "File",
    "Fond",
    "Opis",
    "Delo",
    "Note",
    "Editor",
]


def finding_aid(folder: Path, corpora: Path) -> list[list[str]]:
    """Three rows: two with real speech text in files, one pointing at a missing file."""
    folder.mkdir(parents=True, exist_ok=True)
    speech = first_speech(corpora)
    (folder / "one.txt").write_text("\n\n".join(speech[: len(speech) // 2 or 1]), "utf-8")
    (folder / "two.txt").write_text("\n\n".join(speech[len(speech) // 2 :]), "utf-8")
    (folder / "aid.mapping.toml").write_text(MAPPING, "utf-8")
    return [
        HEADER,
        [
            "f0129-d1",
            "Opening of the debate",
            "1969-09-18",
            "speech",
            "A. Speaker",
            "",
            "one.txt",
            "0129",
            "53",
            "12",
            "Read with the Russian record.",
            "E. Editor",
        ],
        [
            "f0129-d2",
            "Continuation",
            "1969-09",
            "telegram",
            "",
            "B. Recipient",
            "two.txt",
            "0129",
            "53",
            "13",
            "",
            "",
        ],
        [
            "f0129-d3",
            "Lost file",
            "1969",
            "memorandum",
            "",
            "",
            "missing.txt",
            "0129",
            "53",
            "14",
            "",
            "",
        ],
    ]


def read_all(manifest: Path, settings: ReaderSettings | None = None) -> list[object]:
    return list(ManifestReader(settings).read(Source(manifest)))


def check_rows_landed(items: list[object], manifest: Path, row_of_missing: str) -> None:
    docs = {i.id: i for i in items if isinstance(i, Document)}
    (rejection,) = [i for i in items if isinstance(i, Rejection)]
    assert rejection.source == str(manifest)
    assert rejection.position == row_of_missing
    assert "missing.txt" in rejection.reason
    assert next(i for i in items if isinstance(i, Collection)).id == "synthetic-finding-aid"
    assert set(docs) == {"aid:f0129-d1", "aid:f0129-d2"}
    one, two = docs["aid:f0129-d1"], docs["aid:f0129-d2"]
    assert one.title == "Opening of the debate"
    assert one.doc_type is DocumentType.SPEECH and two.doc_type is DocumentType.TELEGRAM
    assert one.date is not None and one.date.sort_key() == "1969-09-18"
    assert two.date is not None and two.date.latest is not None and two.date.latest.day == 30
    assert [(p.name, p.role) for p in one.participants] == [("A. Speaker", ParticipantRole.AUTHOR)]
    assert [(p.name, p.role) for p in two.participants] == [
        ("B. Recipient", ParticipantRole.RECIPIENT)
    ]
    assert one.archival_reference is not None
    assert (one.archival_reference.fond, one.archival_reference.delo) == ("0129", "12")
    (note,) = one.notes
    assert (note.kind, note.author) == (NoteKind.COMMENTARY, "E. Editor")
    assert one.collections == ("synthetic-finding-aid",)
    assert one.language == "en"


def test_xlsx_manifest_with_a_mapping_puts_fields_where_it_says(
    corpora: Path, tmp_path: Path
) -> None:
    rows = finding_aid(tmp_path, corpora)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Finding aid"
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "aid.xlsx")
    items = read_all(tmp_path / "aid.xlsx")
    check_rows_landed(items, tmp_path / "aid.xlsx", "Finding aid row 4")


def test_csv_manifest_with_a_mapping_given_on_the_command_line(
    corpora: Path, tmp_path: Path
) -> None:
    rows = finding_aid(tmp_path, corpora)
    (tmp_path / "aid.mapping.toml").rename(tmp_path / "columns.toml")
    with (tmp_path / "aid.csv").open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    items = read_all(tmp_path / "aid.csv", ReaderSettings(mapping=tmp_path / "columns.toml"))
    check_rows_landed(items, tmp_path / "aid.csv", "row 4")


def test_finding_aid_folder_ingests_once_with_rejection_and_no_stray_files(
    corpora: Path, tmp_path: Path
) -> None:
    rows = finding_aid(tmp_path / "aid", corpora)
    with (tmp_path / "aid" / "aid.csv").open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    config = Config(home=tmp_path, db=str(tmp_path / "archive.sqlite3"))
    with Archive(config) as archive:
        result = archive.ingest([tmp_path / "aid"])
        ids = archive.store.document_ids()
    assert sorted(ids) == ["aid:f0129-d1", "aid:f0129-d2"]
    assert [(r.position, r.reason) for r in result.rejections] == [
        ("row 4", "file not found: missing.txt")
    ]


def test_jsonl_manifest_with_inline_text_and_field_names_as_columns(tmp_path: Path) -> None:
    manifest = tmp_path / "notes.jsonl"
    manifest.write_text(
        '{"id": "n1", "title": "SYNTHETIC note", "text": "A short SYNTHETIC note on the talks."}\n'
        "not json\n",
        encoding="utf-8",
    )
    with pytest.raises(IngestError) as caught:
        read_all(manifest)
    assert caught.value.position == "line 2"


def test_unreadable_xlsx_is_refused_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "aid.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(IngestError) as caught:
        read_all(bad)
    assert caught.value.path == str(bad)
    assert "xlsx" in caught.value.reason


def test_mapping_with_an_unknown_field_is_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\ntitel = "Title"\n', encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        load_mapping(mapping)
    assert "titel" in caught.value.reason
