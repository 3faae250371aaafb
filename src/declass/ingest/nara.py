"""NARA's JFK Assassination Records: scanned PDFs named by record number, one Document each.

NARA releases each record as a scanned PDF named by its Record Identification Form
number ("104-10061-10053.pdf"; "_ocr" is added where someone laid an OCR layer over it).
The text is read page by page by pdf.py (a good OCR layer kept, a poor or missing one
re-read by Tesseract, page numbers kept for citation); the header fields (date,
classification, from/to, subject, dispatch number) by cable_header.py. A
`provenance.tsv` beside the files (columns file, git_blob, bytes, nara_original_url)
gives each record's address at NARA.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from declass.errors import IngestError
from declass.ingest.cable_header import CableHeader, read_cable_header
from declass.ingest.pdf import PdfText, body_from_text, read_pdf_text
from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source, sha256
from declass.model import (
    ArchivalReference,
    Collection,
    Document,
    Item,
    Participant,
    ParticipantRole,
    Provenance,
    Rejection,
)

PROVENANCE_FILE = "provenance.tsv"
REPOSITORY = "National Archives and Records Administration"
RECORDS_COLLECTION = "President John F. Kennedy Assassination Records Collection"
COLLECTION = Collection(
    id="nara-jfk",
    title="JFK Assassination Records (NARA)",
    description=(
        "Scanned records of the President John F. Kennedy Assassination Records "
        "Collection as released by the National Archives and Records Administration, "
        "each named by its record number; mostly CIA cables, dispatches and memoranda of "
        "the 1960s. Text from OCR: each page says whether its text layer or a fresh OCR "
        "was kept, and how readable it scored."
    ),
    kind="corpus",
)
_RECORD_NUMBER = re.compile(r"^(\d{3}-\d{5}-\d{5})(?:_ocr)?\.pdf$", re.I)
_COLUMNS = ("file", "nara_original_url")


class NaraRecordReader:
    """A RIF-named scan as one Document, with its header fields and NARA reference."""

    name = "nara"

    def __init__(self, settings: ReaderSettings | None = None) -> None:
        self.settings = settings or ReaderSettings()
        self._addresses: dict[Path, dict[str, str] | Rejection] = {}

    def detect(self, source: Source) -> bool:
        return not source.is_dir and _RECORD_NUMBER.match(source.name) is not None

    def sidecars(self, folder: Path) -> set[Path]:
        """provenance.tsv, where it lies beside record scans."""
        table = folder / PROVENANCE_FILE
        if not table.is_file():
            return set()
        try:
            has_records = any(_RECORD_NUMBER.match(p.name) for p in folder.iterdir())
        except OSError:
            return set()
        return {table} if has_records else set()

    def read(self, source: Source) -> Iterator[Item]:
        match = _RECORD_NUMBER.match(source.name)
        if match is None:
            raise IngestError(source.label, "", "not named by a NARA record number")
        number = match.group(1)
        yield COLLECTION
        addresses = self._addresses_for(source)
        if isinstance(addresses, Rejection):
            yield addresses
            addresses = {}
        text = read_pdf_text(source.read_bytes(), source.label, self.settings)
        yield from text.rejections
        yield record_document(source, number, text, self.settings, addresses.get(source.name))

    def _addresses_for(self, source: Source) -> dict[str, str] | Rejection:
        """The NARA address of each file named in provenance.tsv beside the scan, read once."""
        if source.member is not None:
            return {}
        folder = source.path.parent
        if folder not in self._addresses:
            self._addresses[folder] = read_addresses(folder / PROVENANCE_FILE)
        return self._addresses[folder]


def read_addresses(table: Path) -> dict[str, str] | Rejection:
    """File name → NARA original URL from a provenance.tsv; {} when there is none."""
    if not table.is_file():
        return {}
    try:
        rows = list(csv.DictReader(io.StringIO(table.read_text("utf-8")), delimiter="\t"))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return Rejection(str(table), "", f"unreadable provenance table: {exc}")
    if rows and not all(c in rows[0] for c in _COLUMNS):
        return Rejection(str(table), "line 1", f"provenance table lacks {', '.join(_COLUMNS)}")
    return {
        Path(row["file"] or "").name: (row["nara_original_url"] or "").strip()
        for row in rows
        if row.get("file") and row.get("nara_original_url")
    }


def record_document(
    source: Source, number: str, text: PdfText, settings: ReaderSettings, address: str | None
) -> Document:
    """The Document of one record: pages as blocks, header fields, NARA reference."""
    header = read_cable_header([(p.label, p.text) for p in text.pages])
    body = body_from_text(text, settings)
    participants = tuple(Participant(n, ParticipantRole.AUTHOR) for n in header.senders) + tuple(
        Participant(n, ParticipantRole.RECIPIENT) for n in header.recipients
    )
    citation = f"NARA, {RECORDS_COLLECTION}, record number {number}"
    return Document(
        id=f"nara:{number}",
        title=header.subject or f"NARA record {number}",
        doc_type=header.doc_type,
        texts=(body.text(),),
        date=header.date,
        participants=participants,
        archival_reference=ArchivalReference(
            repository=REPOSITORY,
            collection=RECORDS_COLLECTION,
            item=number,
            text=f"{citation} ({address})" if address else citation,
        ),
        source_note=_source_note(citation, header, address),
        notes=body.notes_for_text(0),
        collections=(COLLECTION.id,),
        number=header.number,
        provenance=Provenance(
            source=source.label,
            position=source.member or "",
            content_hash=sha256(source.read_bytes()),
            reader=NaraRecordReader.name,
        ),
    )


def _source_note(citation: str, header: CableHeader, address: str | None) -> str:
    parts = [f"{citation}; scanned original {address}" if address else citation]
    if header.classification:
        pages = ", ".join(header.marked_pages)
        where = f"page {pages}" if len(header.marked_pages) == 1 else f"pages {pages}"
        parts.append(f"classification stamped on {where}: {header.classification}")
    return ". ".join(p[0].upper() + p[1:] for p in parts) + "."
