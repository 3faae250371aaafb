"""What the header of an OCR'd cable, dispatch or memorandum says about it.

The first page of a CIA cable or dispatch is a form: classification stamped at the top
and bottom, FROM/TO (or MEMORANDUM FOR), SUBJECT, a dispatch symbol and number, a date
typed alone at the right. OCR scatters the form's boxes over a page's layout text, so
each field is read only where it is unambiguous (a label and a readable value beside or
below it); what cannot be read stays empty rather than guessed. Dates read this way are
marked inferred: they come from OCR'd words, not from a catalogue field.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from declass.ingest.dates import date_in_text
from declass.ingest.doctype import infer_doc_type
from declass.ingest.ocr_quality import score_text
from declass.model import DocumentType, HistoricalDate

# Name-like share of tokens a field's value needs: OCR noise read as a name is worse than
# no name.
_READABLE_VALUE = 0.75
_HEADER_LINES = 30
_GENRE_LINES = 12
# NARA's stamp on every page of the 2025 release, and its page-count stamp ("14-00000").
_RELEASE_STAMP = re.compile(r"RELEASE\s+UNDER\s+THE\s+PRESIDENT|ASSASSINATION|RECORDS\s+ACT", re.I)
_PAGE_STAMP = re.compile(r"^\W*1\d[\s-]?0{5}\W*$")
_SEGMENT_GAP = re.compile(r"\s{3,}")
_MARKINGS = ("TOP SECRET", "SECRET", "CONFIDENTIAL", "UNCLASSIFIED")
# A form label: at the start of a line (colon optional) or after other words with a colon.
_LABEL = re.compile(
    r"(?:^|(?<=\s))(MEMORANDUM\s+FOR|FROM|FM|TO|SUBJECT|DATE)\s*:"
    r"|^(MEMORANDUM\s+FOR|FROM|FM|TO|SUBJECT)\b|\b(DATE)\s+DISTR\b\.?"
)
_EDGE = re.compile(r"^[^\w(]+|[^\w.)]+$")
_NAME_LIKE = re.compile(r"^[A-Z][a-z]*\.?$|^[A-Z]?[a-z]+(?:['’-][A-Za-z]+)*$|^[A-Z]{2,}$")
# Printed captions of the dispatch and routing forms, read as if they were values.
_CAPTIONS = frozenset(
    ("EXTENSION", "NO", "ROOM", "OFFICER", "INITIALS", "DATE", "ACTION", "INFO", "REQUIRED")
)
# Where a value runs into the next box of the form: a caption, an extension or a date.
_VALUE_END = re.compile(r"\s(?:DATE\b|EXTENSION\b|\d{3,}|\d{1,2}\s+[A-Z][a-z]+\s+\d{4})")
_ODD = re.compile(r"[^\w.,'’/&()\-]")
_ROLE_OF_LABEL = {"MEMORANDUM FOR": "TO", "FM": "FROM"}
_NOT_A_VALUE = re.compile(r"^(?:THE\s+RECORD\b|\()", re.I)
_SKIP_DATE_LINE = re.compile(r"\bREF|\bDATE\s+OF\s+INFO|\bACQ|^[A-H]\.\s", re.I)
_DISPATCH = re.compile(r"\bDISPATCH\b")
_DISPATCH_NUMBER_LABEL = re.compile(r"DISPATCH\s+SYM\S*\s+AND\s+NUMBER", re.I)
_DISPATCH_NUMBER = re.compile(r"\b[A-Z]{4}\s?[-–]\s?\d{3,6}\b")
_REPORT_NUMBER = re.compile(r"\bCS[-–]\d{3}/\d{5}[-–]\d{2}\b")


@dataclass(frozen=True)
class CableHeader:
    """The fields a cable's first page gives, each empty where OCR left it unreadable."""

    date: HistoricalDate | None = None
    classification: str = ""  # the highest marking stamped on most pages
    marked_pages: tuple[str, ...] = ()  # labels of the pages that carry it
    senders: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    subject: str = ""
    number: str = ""  # dispatch symbol and number, or CS report number
    doc_type: DocumentType = DocumentType.OTHER


def read_cable_header(pages: Sequence[tuple[str, str]]) -> CableHeader:
    """The header fields from (page label, page text) pairs, the first page first."""
    if not pages:
        return CableHeader()
    raw = _header_lines(pages[0][1])
    lines = [" ".join(line.split()) for line in raw]
    fields = _labelled(lines)
    classification, marked = _classification(pages)
    return CableHeader(
        date=_date(raw, fields.get("DATE", [])),
        classification=classification,
        marked_pages=marked,
        senders=tuple(fields.get("FROM", [])),
        recipients=tuple(fields.get("TO", [])),
        subject=next(iter(fields.get("SUBJECT", [])), ""),
        number=_number(lines),
        doc_type=_genre(lines),
    )


def segments(line: str) -> list[str]:
    """The pieces of a layout line that stand apart (form boxes, columns, stamps)."""
    return [" ".join(s.split()) for s in _SEGMENT_GAP.split(line.strip()) if s.strip()]


def _header_lines(text: str) -> list[str]:
    """The first lines of a page, without NARA's release and page-count stamps."""
    out: list[str] = []
    for line in text.splitlines():
        if not line.strip() or _RELEASE_STAMP.search(line) or _PAGE_STAMP.match(line):
            continue
        out.append(line)
        if len(out) == _HEADER_LINES:
            break
    return out


def _readable(value: str) -> bool:
    """A value worth keeping: mostly name-like tokens (words, initials, numbers, codes, as
    names are often not dictionary words) and not just the form's own captions."""
    tokens = [_EDGE.sub("", t) for t in value.split()]
    tokens = [t for t in tokens if t]
    if not tokens or not any(sum(c.isalpha() for c in t) >= 4 for t in tokens):
        return False
    if all(t.upper() in _CAPTIONS for t in tokens):
        return False
    plain = sum(1 for t in tokens if _NAME_LIKE.match(t) or score_text(t).score == 1)
    return plain / len(tokens) >= _READABLE_VALUE


def _labelled(lines: list[str]) -> dict[str, list[str]]:
    """Each label's values: the words up to the next label, else the line below."""
    found: dict[str, list[str]] = {}
    for i, line in enumerate(lines):
        marks = list(_LABEL.finditer(line))
        for j, m in enumerate(marks):
            name = " ".join(next(g for g in m.groups() if g).split())
            role = _ROLE_OF_LABEL.get(name, name)
            end = marks[j + 1].start() if j + 1 < len(marks) else len(line)
            value = line[m.end() : end].strip(" :;,.")
            below = lines[i + 1] if i + 1 < len(lines) else ""
            if not _readable(value) and j + 1 == len(marks) and not _LABEL.match(below):
                value = below.strip(" :;,.")
            if role != "DATE":
                value = _clipped(value)
            if role == "DATE" or (_readable(value) and not _NOT_A_VALUE.match(value)):
                found.setdefault(role, []).append(value)
    return found


def _clipped(value: str) -> str:
    """A value up to where it runs into the next box or into OCR noise (">{exico")."""
    value = _VALUE_END.split(value, maxsplit=1)[0]
    words = value.split()
    clean = next((i for i, w in enumerate(words) if _ODD.search(w)), len(words))
    return " ".join(words[:clean]).strip(" :;,.-")


def _date(raw: list[str], labelled: list[str]) -> HistoricalDate | None:
    """The date after a DATE label, else one typed on its own in the header (not in a
    line of references); read from OCR'd words, so marked inferred."""
    for value in labelled:
        found = date_in_text(value)
        if found and found[1] == 0:
            return replace(found[0], inferred=True)
    for line in raw:
        if _SKIP_DATE_LINE.search(" ".join(line.split())):
            continue
        for segment in segments(line):
            found = date_in_text(segment)
            if found and found[1] == 0 and len(segment) <= 24:
                return replace(found[0], inferred=True)
    return None


def _genre(lines: list[str]) -> DocumentType:
    """A dispatch form says DISPATCH somewhere on it; else the genre its first lines name."""
    if any(_DISPATCH.search(line) for line in lines):
        return DocumentType.LETTER
    return infer_doc_type(*lines[:_GENRE_LINES])


def _number(lines: list[str]) -> str:
    """The dispatch symbol and number under its label, else a CS report number."""
    for i, line in enumerate(lines):
        if _DISPATCH_NUMBER_LABEL.search(line):
            for below in lines[i + 1 : i + 4]:
                m = _DISPATCH_NUMBER.search(below)
                if m:
                    return re.sub(r"\s*[-–]\s*", "-", m.group())
    for line in lines:
        m = _REPORT_NUMBER.search(line)
        if m:
            return m.group().replace("–", "-")
    return ""


def _classification(pages: Sequence[tuple[str, str]]) -> tuple[str, tuple[str, ...]]:
    """The marking stamped alone on the most pages (the highest on a tie), and those pages."""
    pages_with: dict[str, list[str]] = {}
    for label, text in pages:
        seen = {_marking(s) for line in text.splitlines() for s in segments(line)} - {""}
        for marking in seen:
            pages_with.setdefault(marking, []).append(label)
    if not pages_with:
        return "", ()
    counts = Counter({m: len(p) for m, p in pages_with.items()})
    best = max(counts, key=lambda m: (counts[m], -_MARKINGS.index(m)))
    return best, tuple(pages_with[best])


def _marking(segment: str) -> str:
    """The classification a segment is ("S-E-C-R-E-T", "TOP SECRET"), or ""."""
    if len(segment) > 30:
        return ""
    letters = re.sub(r"[^A-Z]", "", segment.split("/")[0])
    for marking in _MARKINGS:
        if letters == marking.replace(" ", ""):
            return marking
    return ""
