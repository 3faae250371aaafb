"""A printed volume read as a book: its table of contents in the volume's own order,
grouped by compilation and chapter, its front matter, its printed pages, and the same
places on history.state.gov.

A FRUS document keeps its place in the volume (`Document.sequence`), its printed
number (`number`), the headings above it (`divisions`, outermost first) and the page
each block begins on (`Block.page`); this module turns those into what a page shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from declass.model import Block, Collection, Document, HistoricalDate, Section, Text
from declass.terminal import format_date

HSG = "https://history.state.gov/historicaldocuments"
_PRINTED_NUMBER = re.compile(r"^\s*(\d+[A-Za-z]?)\.\s+")
_FRUS_TARGET = re.compile(r"^frus:(?P<volume>[^:#]+)(?::(?P<div>[^#]+))?(?:#(?P<page>pg_\w+))?$")


def hsg_url(target: str) -> str | None:
    """history.state.gov's address for a FRUS document, volume or printed page
    ("frus:frus1964-68v30:d6", "frus:frus1964-68v30", "frus:frus1964-68v30#pg_10")."""
    m = _FRUS_TARGET.match(target)
    if m is None:
        return None
    url = f"{HSG}/{quote(m.group('volume'))}"
    if m.group("div"):
        url += f"/{quote(m.group('div'))}"
    elif m.group("page"):
        url += f"/{quote(m.group('page'))}"
    return url


def volume_of(target: str) -> str | None:
    """The FRUS volume a link target lies in ("frus:frus1964-68v30")."""
    m = _FRUS_TARGET.match(target)
    return f"frus:{m.group('volume')}" if m else None


def heading_without_number(title: str, number: str = "") -> str:
    """A document's heading without the printed number it opens with ("6. Memorandum…"),
    so that a list numbers it once."""
    m = _PRINTED_NUMBER.match(title)
    if m and (not number or m.group(1) == number):
        return title[m.end() :].strip() or title
    return title


def printed_pages(doc: Document) -> list[str]:
    """The printed pages a document spans, in order, each once."""
    seen: dict[str, None] = {}
    for text in doc.texts:
        for block in text.blocks:
            if block.page:
                seen.setdefault(block.page, None)
    return list(seen)


def page_breaks(blocks: Sequence[Block]) -> list[str]:
    """For each block, the page that begins with it ("" where it continues the page of
    the block before): markers go only where the printed page changes."""
    marks: list[str] = []
    current = ""
    for block in blocks:
        if block.page and current and block.page != current:
            marks.append(block.page)
        else:
            marks.append("")
        current = block.page or current
    return marks


def date_words(date: HistoricalDate | None) -> dict[str, str]:
    """A date as a reader should see it, honestly: as written, with whether it was read
    from words and why it may be wrong."""
    if date is None:
        return {"text": "", "iso": "", "note": ""}
    text = date.label or format_date(date)
    note = ""
    if date.doubtful:
        note = f"doubtful: {date.doubtful}"
    elif date.inferred:
        note = "date read from the document's words"
    return {"text": text, "iso": date.sort_key(), "note": note}


def contents_entry(doc: Document, href: str) -> dict[str, Any]:
    when = date_words(doc.date)
    return {
        "id": doc.id,
        "number": doc.number,
        "title": heading_without_number(doc.title, doc.number),
        "href": href,
        "date": when["text"],
        "date_iso": when["iso"],
        "date_note": when["note"],
        "place": doc.place,
        "type": doc.doc_type.value,
    }


def contents(documents: Iterable[Document], href: Any) -> list[dict[str, Any]]:
    """The table of contents in volume order: runs of documents under the same
    compilation and chapter, each run with the headings that open before it."""
    ordered = sorted(
        documents, key=lambda d: (d.sequence if d.sequence is not None else 1 << 30, d.id)
    )
    groups: list[dict[str, Any]] = []
    above: tuple[str, ...] = ()
    for doc in ordered:
        if not groups or doc.divisions != above:
            shared = 0
            while (
                shared < min(len(above), len(doc.divisions))
                and above[shared] == doc.divisions[shared]
            ):
                shared += 1
            headings = [
                {"level": level + 1, "title": title, "id": _anchor(doc.divisions[: level + 1])}
                for level, title in enumerate(doc.divisions)
                if level >= shared
            ]
            groups.append({"headings": headings, "documents": []})
            above = doc.divisions
        groups[-1]["documents"].append(contents_entry(doc, href(doc.id)))
    return groups


def _anchor(path: Sequence[str]) -> str:
    return "part-" + "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in path)[:80]


def outline(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The headings alone, for the contents' own contents."""
    return [h for g in groups for h in g["headings"]]


# -- front matter --------------------------------------------------------------------

LIST_SECTIONS = {"persons", "terms"}


def section_entries(section: Section) -> list[dict[str, str]]:
    """A persons or abbreviations list as entries: the name or term, and what follows
    it ("Aldrich, George" — "Assistant Legal Adviser…")."""
    entries = []
    for block in section.blocks:
        text = block.text.strip()
        parts = [p.strip() for p in text.split(",")]
        if section.id == "persons" and len(parts) > 2:
            head, rest = f"{parts[0]}, {parts[1]}", ", ".join(parts[2:])
        elif len(parts) > 1:
            head, rest = parts[0], ", ".join(parts[1:])
        else:
            head, rest = text, ""
        entries.append({"name": head, "description": rest, "kind": block.kind.value})
    return entries


def section_json(collection: Collection, section: Section) -> dict[str, Any]:
    return {
        "id": section.id,
        "title": section.title,
        "list": section.id in LIST_SECTIONS,
        "entries": section_entries(section) if section.id in LIST_SECTIONS else [],
        "blocks": [
            {"kind": b.kind.value, "text": b.text, "page": b.page, "page_break": mark}
            for b, mark in zip(section.blocks, page_breaks(section.blocks), strict=True)
        ],
        "hsg_url": f"{HSG}/{quote(collection.id.removeprefix('frus:'))}/{quote(section.id)}"
        if collection.id.startswith("frus:")
        else None,
    }


def first_text(doc: Document) -> Text | None:
    return doc.texts[0] if doc.texts else None
