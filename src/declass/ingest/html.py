"""Web pages through trafilatura: the article's text, title, author, date and language.

Navigation, comments and subscription prompts are left behind. Links and images in the
article are kept as source notes anchored at the block they appear in ("link: URL
(anchor text)", "image: URL (alt text)"), so the reading room can list them.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from lxml import etree

from declass.errors import IngestError
from declass.ingest.bodies import Body, document_from_body
from declass.ingest.source import Source
from declass.language import identify
from declass.model import (
    Block,
    BlockKind,
    DocumentType,
    HistoricalDate,
    Item,
    Note,
    NoteAnchor,
    NoteKind,
)

SUFFIXES = (".html", ".htm", ".xhtml")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_LANG = re.compile(r"""<html[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3})""", re.IGNORECASE)
_KINDS = {"head": BlockKind.HEADING, "p": BlockKind.PARAGRAPH, "quote": BlockKind.QUOTE}


class HtmlReader:
    """A saved web page as one Document of type article."""

    name = "html"

    def detect(self, source: Source) -> bool:
        if source.is_dir:
            return False
        if source.name.lower().endswith(SUFFIXES):
            return True
        head = source.head(512).lstrip().lower()
        return head.startswith((b"<!doctype html", b"<html"))

    def read(self, source: Source) -> Iterator[Item]:
        body = read_html_body(source.read_bytes(), source.label)
        yield document_from_body(source, body, self.name, DocumentType.ARTICLE)


def decode_html(data: bytes, label: str) -> str:
    """The page as text in its declared charset (byte-order mark, then <meta>), else UTF-8.

    A page whose bytes do not fit its charset is refused, naming the line and byte.
    """
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"))
    encoding = next((name for bom, name in boms if data.startswith(bom)), "")
    if not encoding:
        declared = _CHARSET.search(data[:4096])
        encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise IngestError(label, "", f"unknown charset {encoding!r} declared") from exc
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise IngestError(
            label, f"line {line}, byte {exc.start}", f"broken encoding: not valid {encoding}"
        ) from exc


def read_html_body(data: bytes, label: str, language: str = "") -> Body:
    """The main text of a page as blocks, with its metadata and its links and images."""
    import trafilatura

    page = decode_html(data, label)
    extracted = trafilatura.extract(
        page,
        output_format="xml",
        include_links=True,
        include_images=True,
        include_comments=False,
        with_metadata=True,
    )
    if not extracted:
        raise IngestError(label, "", "no article text found in the page")
    doc = etree.fromstring(extracted.encode("utf-8"), etree.XMLParser(resolve_entities=False))
    blocks: list[Block] = []
    notes: list[Note] = []
    main = doc.find("main")
    for element in main if main is not None else ():
        for ref in element.iter("ref", "graphic"):
            notes.append(_reference(ref, len(blocks)))
        kind = _KINDS.get(element.tag)
        if element.tag == "list":
            blocks.extend(
                Block(BlockKind.LIST_ITEM, _words(item))
                for item in element.iter("item")
                if _words(item)
            )
        elif kind is not None and _words(element):
            level = int(element.get("rend", "h0")[1:] or 0) if kind is BlockKind.HEADING else 0
            blocks.append(Block(kind, _words(element), level=level))
    if not blocks:
        raise IngestError(label, "", "no article text found in the page")
    # Notes point at the block they were found in; a picture before any text, at the first.
    notes = [
        n if n.anchor and n.anchor.block_index < len(blocks) else _at(n, len(blocks) - 1)
        for n in notes
    ]
    declared = _LANG.search(page[:4096])
    plain = "\n\n".join(b.text for b in blocks)
    return Body(
        tuple(blocks),
        language or (declared.group(1).lower() if declared else "") or identify(plain),
        title=doc.get("title", ""),
        author=doc.get("author", ""),
        date=_date(doc.get("date", "")),
        notes=tuple(notes),
    )


def _words(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _reference(element: etree._Element, block_index: int) -> Note:
    if element.tag == "ref":
        target, what, kind = element.get("target", ""), _words(element), "link"
    else:
        target, what, kind = element.get("src", ""), element.get("alt", ""), "image"
    text = f"{kind}: {target}" + (f" ({what})" if what else "")
    return Note(NoteKind.SOURCE, text, label=kind, anchor=NoteAnchor(0, block_index, 0))


def _at(note: Note, block_index: int) -> Note:
    return Note(note.kind, note.text, note.label, NoteAnchor(0, max(block_index, 0), 0))


def _date(value: str) -> HistoricalDate | None:
    try:
        return HistoricalDate.parse(value) if value else None
    except ValueError:
        return None
