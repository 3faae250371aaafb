"""The body of a document from one file, whatever its format.

HTML, PDF, scans and plain text each reduce to a `Body`: blocks, language and what the
file says about itself. Readers turn a Body into a Document; the manifest and
translation readers collect several Bodies into one Document with several Texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import PurePath

from declass.errors import IngestError
from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source, sha256
from declass.language import identify
from declass.model import (
    Block,
    BlockKind,
    Document,
    DocumentType,
    HistoricalDate,
    Note,
    Participant,
    ParticipantRole,
    Provenance,
    Text,
    TextRole,
)

TEXT_SUFFIXES = (".txt",)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\f\v\u00a0]*\n")
_SPLIT_WORD = re.compile(r"(?<=\w)-\n(?=[a-zа-я])")
_SLUG = re.compile(r"[^\w.-]+")


@dataclass(frozen=True)
class Body:
    """One file's text as blocks, with its language and what it says about itself.

    Notes are anchored as if this body were the document's first text; `as_text_at`
    moves them when it becomes a later one.
    """

    blocks: tuple[Block, ...]
    language: str
    title: str = ""
    author: str = ""
    date: HistoricalDate | None = None
    notes: tuple[Note, ...] = ()

    def text(self, role: TextRole = TextRole.ORIGINAL, **extra: str) -> Text:
        return Text(self.language, role, self.blocks, **extra)

    def notes_for_text(self, index: int) -> tuple[Note, ...]:
        """The notes, anchored to text `index` of the document."""
        return tuple(
            replace(n, anchor=replace(n.anchor, text_index=index)) if n.anchor else n
            for n in self.notes
        )


def paragraphs(text: str, page: str = "") -> tuple[Block, ...]:
    """Paragraph blocks split at blank lines, lines joined and words rejoined at hyphens."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPLIT_WORD.sub("", text)
    blocks = []
    for chunk in _PARAGRAPH_BREAK.split(text):
        words = " ".join(chunk.split())
        if words:
            blocks.append(Block(BlockKind.PARAGRAPH, words, page=page))
    return tuple(blocks)


def read_plain_text(data: bytes, label: str, language: str = "") -> Body:
    """A UTF-8 text file, paragraphs at blank lines."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise IngestError(label, f"line {line}, byte {exc.start}", "not UTF-8 text") from exc
    blocks = paragraphs(text)
    return Body(blocks, language or identify(text))


def read_body(
    name: str, data: bytes, label: str, settings: ReaderSettings, language: str = ""
) -> Body:
    """The Body of a file, chosen by its name; `language` (from metadata) wins over detection.

    Raises IngestError when the format is unknown or the file unreadable.
    """
    from declass.ingest import html, ocr, pdf

    suffix = PurePath(name).suffix.lower()
    if suffix in pdf.SUFFIXES:
        return pdf.read_pdf_body(data, label, settings, language)
    if suffix in ocr.IMAGE_SUFFIXES:
        return ocr.read_image_body(data, label, settings, language)
    if suffix in html.SUFFIXES:
        return html.read_html_body(data, label, language)
    if suffix in TEXT_SUFFIXES:
        return read_plain_text(data, label, language)
    raise IngestError(label, "", f"cannot read a document body from a {suffix or 'bare'} file")


def file_document_id(prefix: str, name: str) -> str:
    """An identifier from the file name, so re-ingest of the same file finds the same record."""
    stem = PurePath(name).name.split(".", 1)[0]
    return f"{prefix}:{_SLUG.sub('-', stem).strip('-').lower()}"


def document_from_body(
    source: Source, body: Body, reader: str, doc_type: DocumentType = DocumentType.OTHER
) -> Document:
    """A Document of one original text, named and dated as the file says."""
    author = (Participant(body.author, ParticipantRole.AUTHOR),) if body.author else ()
    return Document(
        id=file_document_id(reader, source.name),
        title=body.title or PurePath(source.name).stem,
        doc_type=doc_type,
        texts=(body.text(),),
        date=body.date,
        participants=author,
        notes=body.notes_for_text(0),
        provenance=Provenance(
            source=source.label,
            position=source.member or "",
            content_hash=sha256(source.read_bytes()),
            reader=reader,
        ),
    )
