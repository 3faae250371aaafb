"""PDF through pypdf: text per page, page labels kept; a missing or garbage layer is re-OCRed.

Each page's text layer is scored (ocr_quality.py). A page that scores below
`ReaderSettings.ocr_layer_below` (an empty layer scores 0) is rasterised and read by
Tesseract (ocr.py), and whichever of the two texts scores higher is kept; a good layer is
kept as it is, without OCR. Each page's text becomes paragraph blocks whose `page` is the
page's label (the PDF's own page labels, else its 1-based number), so a citation can
point at the page. Which text each page kept, and its score, is one editorial note.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from declass.errors import IngestError
from declass.ingest import ocr
from declass.ingest.bodies import Body, document_from_body, paragraphs
from declass.ingest.ocr_quality import PageScore, score_text
from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source
from declass.language import identify
from declass.model import Block, Item, Note, NoteAnchor, NoteKind, Rejection

SUFFIXES = (".pdf",)
LAYER_NOTE_LABEL = "ocr-layer"
LAYER, OCR = "layer", "ocr"
_UNREADABLE = "damaged page"
_INVISIBLE = re.compile(rb"(?<![\w.])3\s+Tr\b")


@dataclass(frozen=True)
class PageText:
    """One page's text and where it came from: the PDF's text layer or a fresh OCR."""

    number: int  # 1-based position in the file
    label: str  # the page label a citation uses
    text: str
    source: str  # LAYER or OCR
    layer: PageScore
    ocr: PageScore | None = None  # None: the layer was good enough and no OCR ran
    confidence: float | None = None  # Tesseract's mean word confidence, when OCR ran

    @property
    def score(self) -> PageScore:
        """The score of the text kept."""
        return self.ocr if self.source == OCR and self.ocr is not None else self.layer


@dataclass(frozen=True)
class PdfText:
    """The pages of a PDF that could be read, and a Rejection for each that could not."""

    pages: tuple[PageText, ...]
    rejections: tuple[Rejection, ...]
    language: str
    title: str = ""
    author: str = ""
    # Some page went to OCR, or its layer is drawn invisibly over a scan (an OCR layer).
    scanned: bool = False


class PdfReader:
    """A PDF file as one Document; pages without a good text layer are OCRed."""

    name = "pdf"

    def __init__(self, settings: ReaderSettings | None = None) -> None:
        self.settings = settings or ReaderSettings()

    def detect(self, source: Source) -> bool:
        return not source.is_dir and (
            source.name.lower().endswith(SUFFIXES) or source.head(5) == b"%PDF-"
        )

    def read(self, source: Source) -> Iterator[Item]:
        text = read_pdf_text(source.read_bytes(), source.label, self.settings)
        yield from text.rejections
        yield document_from_body(source, body_from_text(text, self.settings), self.name)


def read_pdf_body(data: bytes, label: str, settings: ReaderSettings, language: str = "") -> Body:
    """The text of a PDF as a Body, a page that could not be read noted in it.

    Raises IngestError for a damaged or password-protected PDF.
    """
    return body_from_text(read_pdf_text(data, label, settings, language), settings)


def read_pdf_text(data: bytes, label: str, settings: ReaderSettings, language: str = "") -> PdfText:
    """Each page's text: its layer when that scores well, else the better of layer and OCR.

    Raises IngestError for a damaged or password-protected PDF, or one whose every page
    failed; a single bad page is a Rejection naming the file and the page.
    """
    layers, labels, hidden, info = text_layers(data, label)
    language = language or _language_of(layers)
    scores = [score_text(text or "", language) for text in layers]
    wanted = [
        n
        for n, (text, score) in enumerate(zip(layers, scores, strict=True), start=1)
        if text is None or score.score < settings.ocr_layer_below
    ]
    fresh_pages = ocr.read_scanned_pdf(data, label, settings, wanted, language) if wanted else []
    read = dict(zip(wanted, fresh_pages, strict=True))
    pages: list[PageText] = []
    rejections: list[Rejection] = []
    for number, (layer, score) in enumerate(zip(layers, scores, strict=True), start=1):
        page_label = labels[number - 1]
        fresh = read.get(number)
        if fresh is None:
            pages.append(PageText(number, page_label, layer or "", LAYER, score))
            continue
        if isinstance(fresh, IngestError):
            if layer:  # the layer, however poor, is all there is
                pages.append(PageText(number, page_label, layer, LAYER, score))
                continue
            rejections.append(Rejection(label, _where(number, page_label), fresh.reason))
            continue
        if layer is None and not fresh.text.strip():
            reason = f"{_UNREADABLE}: the text layer could not be read and OCR found no text"
            rejections.append(Rejection(label, _where(number, page_label), reason))
            continue
        if not (layer or "").strip() and not fresh.text.strip() and fresh.warnings:
            reason = f"{_UNREADABLE}: {fresh.warnings}; no text in its layer or by OCR"
            rejections.append(Rejection(label, _where(number, page_label), reason))
            continue
        fresh_score = score_text(fresh.text, language)
        better = fresh_score.score > score.score
        pages.append(
            PageText(
                number,
                page_label,
                fresh.text if better else layer or "",
                OCR if better else LAYER,
                score,
                fresh_score,
                fresh.confidence,
            )
        )
    if not pages:
        raise IngestError(label, "", "no page could be read")
    return PdfText(
        tuple(pages),
        tuple(rejections),
        language or identify("\n".join(p.text for p in pages)),
        title=_info(info, "/Title"),
        author=_info(info, "/Author"),
        scanned=hidden or bool(wanted),
    )


def body_from_text(text: PdfText, settings: ReaderSettings) -> Body:
    """Paragraph blocks page by page, with the note of what each page kept and flags on
    pages whose kept text is still poor."""
    blocks: list[Block] = []
    flagged: list[tuple[int, str]] = []
    for page in text.pages:
        first = len(blocks)
        blocks.extend(paragraphs(page.text, page=page.label))
        doubt = _doubt(page, settings)
        if doubt:
            flagged.append((first, doubt))
    # A born-digital PDF's text is the text: only a scan's pages need their account.
    notes = [layer_note(text.pages, text.rejections, settings)] if text.scanned else []
    for first, doubt in flagged:
        anchor = NoteAnchor(0, max(0, min(first, len(blocks) - 1)), 0) if blocks else None
        notes.append(
            Note(NoteKind.EDITORIAL, doubt, ocr.REVIEW_LABEL, anchor, author="declass OCR")
        )
    return Body(
        tuple(blocks), text.language, title=text.title, author=text.author, notes=tuple(notes)
    )


def layer_note(
    pages: Sequence[PageText], rejections: Sequence[Rejection], settings: ReaderSettings
) -> Note:
    """The reading room's account of where each page's text came from, with its score."""
    parts = []
    for page in pages:
        kept = "Tesseract OCR" if page.source == OCR else "text layer"
        part = f"p. {page.label} {kept} {page.score.score:.2f}"
        if page.ocr is not None:
            other = page.layer if page.source == OCR else page.ocr
            part += f" ({'layer' if page.source == OCR else 'OCR'} {other.score:.2f})"
        parts.append(part)
    parts.extend(f"{r.position} unreadable" for r in rejections)
    text = (
        "Text per page and its score (share of tokens that are words, numbers or codes; "
        f"a layer below {settings.ocr_layer_below:.2f} is re-read by OCR and the better "
        f"text kept): {'; '.join(parts)}."
    )
    return Note(NoteKind.EDITORIAL, text, LAYER_NOTE_LABEL, None, author="declass OCR")


def _doubt(page: PageText, settings: ReaderSettings) -> str:
    """Why a page needs a person to check it, or "" when it does not."""
    if page.score.empty:
        return ""
    if page.score.score < settings.ocr_layer_below:
        return (
            f"Page {page.label}: its text scores {page.score.score:.2f}, below "
            f"{settings.ocr_layer_below:.2f}, needs review"
        )
    if page.source == OCR and (page.confidence or 0) < settings.ocr_review_below:
        return f"OCR confidence {page.confidence or 0:.2f} on page {page.label}, needs review"
    return ""


def text_layers(data: bytes, label: str) -> tuple[list[str | None], list[str], bool, Any]:
    """Each page's layer text (None where it cannot be extracted), the page labels, whether
    any layer is invisible text over a scan (an OCR layer), and the document info."""
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
        layers: list[str | None] = []
        hidden = False
        for page in pdf.pages:
            try:
                # Layout mode keeps vertical gaps as blank lines: paragraph breaks survive.
                layers.append(page.extract_text(extraction_mode="layout") or "")
                hidden = hidden or _invisible_text(page)
            except (PdfReadError, ValueError, KeyError, TypeError, AttributeError):
                layers.append(None)  # OCR may still read the page's image
        labels = _page_labels(pdf, len(layers))
        info: Any = pdf.metadata or {}
    except FileNotDecryptedError as exc:
        raise IngestError(label, "", "encrypted PDF: it needs a password to open") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IngestError(label, "", f"damaged PDF: {exc}") from exc
    if not layers:
        raise IngestError(label, "", "PDF has no pages")
    return layers, labels, hidden, info


def _invisible_text(page: Any) -> bool:
    """True if the page draws text in render mode 3 (invisible): OCR laid over an image."""
    contents = page.get_contents()
    return contents is not None and _INVISIBLE.search(contents.get_data()) is not None


def _page_labels(pdf: Any, count: int) -> list[str]:
    """The printed page labels ("iv", "12") when the PDF declares them, else 1, 2, 3…"""
    numbers = [str(n) for n in range(1, count + 1)]
    try:
        labels = [str(x) for x in pdf.page_labels]
    except Exception:  # a broken /PageLabels tree must not cost the pages
        return numbers
    return labels if len(labels) == count and all(labels) else numbers


def _language_of(layers: Sequence[str | None]) -> str:
    """The language the layers are written in, or "" when they hold too little to tell."""
    text = "\n".join(t for t in layers if t)
    if sum(c.isalpha() for c in text) < 200:
        return ""
    found = identify(text)
    return "" if found == "und" else found


def _where(number: int, label: str) -> str:
    return f"page {label}" if label == str(number) else f"page {label} (sheet {number})"


def _info(info: Any, key: str) -> str:
    # The PDF's own dates say when the file was made, not the record: they are not kept.
    value = info.get(key)
    return " ".join(str(value).split()) if value else ""
