"""PDF through pypdf: text per page with page numbers kept; pages without text go to OCR.

Each page's text becomes paragraph blocks whose `page` is the page number, so a
citation can point at the page. A page with no text layer (a scan) is rasterised and
read by Tesseract (see ocr.py); a PDF may mix both.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

from declass.errors import IngestError
from declass.ingest import ocr
from declass.ingest.bodies import Body, document_from_body, paragraphs
from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source
from declass.language import identify
from declass.model import Block, Item, Note

SUFFIXES = (".pdf",)
_MIN_TEXT_CHARS = 3  # fewer letters than this on a page: treat it as a scan


class PdfReader:
    """A PDF file as one Document; scanned pages are OCRed."""

    name = "pdf"

    def __init__(self, settings: ReaderSettings | None = None) -> None:
        self.settings = settings or ReaderSettings()

    def detect(self, source: Source) -> bool:
        return not source.is_dir and (
            source.name.lower().endswith(SUFFIXES) or source.head(5) == b"%PDF-"
        )

    def read(self, source: Source) -> Iterator[Item]:
        body = read_pdf_body(source.read_bytes(), source.label, self.settings)
        yield document_from_body(source, body, self.name)


def read_pdf_body(data: bytes, label: str, settings: ReaderSettings, language: str = "") -> Body:
    """Text per page from the text layer, OCR for pages without one.

    Raises IngestError for a damaged or password-protected PDF.
    """
    from pypdf import PdfReader as PypdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    if not data.startswith(b"%PDF-"):
        raise IngestError(label, "", "not a PDF (no %PDF- header)")
    # pypdf logs every repair it makes to a damaged file; the rejection says it once.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        pdf = PypdfReader(io.BytesIO(data))
        if pdf.is_encrypted and not pdf.decrypt(""):
            raise IngestError(label, "", "encrypted PDF: it needs a password to open")
        texts: list[str] = []
        for number, page in enumerate(pdf.pages, start=1):
            try:
                # Layout mode keeps vertical gaps as blank lines: paragraph breaks survive.
                texts.append(page.extract_text(extraction_mode="layout") or "")
            except (PdfReadError, ValueError, KeyError, TypeError) as exc:
                raise IngestError(label, f"page {number}", f"damaged page: {exc}") from exc
        info = pdf.metadata or {}
    except FileNotDecryptedError as exc:
        raise IngestError(label, "", "encrypted PDF: it needs a password to open") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IngestError(label, "", f"damaged PDF: {exc}") from exc
    if not texts:
        raise IngestError(label, "", "PDF has no pages")
    scanned = [n for n, t in enumerate(texts, 1) if sum(c.isalnum() for c in t) < _MIN_TEXT_CHARS]
    read = (
        {p.number: p for p in ocr.read_scanned_pdf(data, label, settings, scanned, language)}
        if scanned
        else {}
    )
    blocks: list[Block] = []
    notes: list[Note] = []
    for number, text in enumerate(texts, start=1):
        first = len(blocks)
        if number in read:
            page = read[number]
            blocks.extend(paragraphs(page.text, page=str(number)))
            if page.confidence < settings.ocr_review_below:
                notes.append(ocr.review_note(page, label, max(0, min(first, len(blocks) - 1))))
        else:
            blocks.extend(paragraphs(text, page=str(number)))
    plain = "\n\n".join(b.text for b in blocks)
    return Body(
        tuple(blocks),
        language or identify(plain),
        title=_info(info, "/Title"),
        author=_info(info, "/Author"),
        notes=tuple(notes),
    )


def _info(info: Any, key: str) -> str:
    # The PDF's own dates say when the file was made, not the record: they are not kept.
    value = info.get(key)
    return " ".join(str(value).split()) if value else ""
