"""Foreign-relations material in the pre-1861 Congressional Serial Set: a catalogue.

Before FRUS began (1861) the government printed diplomatic papers as congressional
documents. `serial-set/pre-1861.xml` indexes them: one `bibl` per (document, subject),
with region, subject (mostly a country), title, date, the Serial Set citation and the
page count. The same document is listed once for each subject it concerns, so entries
are grouped by their citation ("Serial Set Vol. No. 500, …, H. Doc. 96") into one
Document each, id `serial-set:<volume>/<designation>` ("serial-set:500/h-doc-96"),
with every subject; subjects that name a country become its CountryRefs at the
document's date. There is no text beyond the title: the body is the title as indexed.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from declass.countries import country_named
from declass.errors import IngestError
from declass.ingest.doctype import infer_doc_type
from declass.ingest.hsg_header import file_title, sniffed_title
from declass.ingest.hsg_publications import PUBLICATIONS
from declass.ingest.source import Source
from declass.ingest.tei_text import BlockWriter, inline_text
from declass.ingest.tei_xml import NS, XML_ID, element_path, parse_tei
from declass.model import (
    Block,
    BlockKind,
    Collection,
    CountryRef,
    DatePrecision,
    Document,
    DocumentType,
    HistoricalDate,
    Item,
    Note,
    NoteKind,
    Provenance,
    Rejection,
    Section,
    Text,
    TextRole,
)

COLLECTION_ID = "serial-set"
_TITLE = re.compile(r"\bCongressional Serial Set\b", re.I)
_CITATION = re.compile(
    r"^Serial Set\.?\s+Vol\.\s+No\.\s+(?P<volume>[\w-]+),.*?Session(?:\s+\d+)?,\s*(?P<doc>.+)$"
)
_EDITOR = re.compile(r"\bEdited by ([^.(]+?)\s*\.")
_REPORT = re.compile(r"\bRpt\.")


@dataclass
class _Listing:
    """Every index entry that cites one Serial Set document."""

    citation: str
    entries: list[etree._Element] = field(default_factory=list)


class SerialSetReader:
    """Reads the pre-1861 Serial Set index: its Collection, then one Document a document."""

    name = "serial-set"

    def detect(self, source: Source) -> bool:
        return _TITLE.search(sniffed_title(source)) is not None

    def read(self, source: Source) -> Iterator[Item]:
        root = parse_tei(source.read_bytes(), source.label)
        body = root.find("t:text/t:body", NS)
        if body is None:
            raise IngestError(source.label, "text/body", "the index has no body")
        listings: dict[str, _Listing] = {}
        rejected: list[Rejection] = []
        for entry in body.iter(f"{{{NS['t']}}}bibl"):
            if entry.find("t:title", NS) is None:
                continue  # the citation nested inside an entry
            citation_el = entry.find("t:bibl", NS)
            citation = inline_text(citation_el) if citation_el is not None else ""
            key = _key(citation)
            if key is None:
                why = f"no Serial Set citation to identify the entry: {citation!r}"
                rejected.append(Rejection(source.label, element_path(entry), why))
                continue
            listings.setdefault(key, _Listing(citation)).entries.append(entry)
        documents: list[Document | Rejection] = [
            _document(key, listing, source) for key, listing in listings.items()
        ]
        yield PUBLICATIONS
        yield _collection(root, [d for d in documents if isinstance(d, Document)])
        yield from rejected
        yield from documents


def _key(citation: str) -> str | None:
    """ "Serial Set Vol. No. 769, …, S. Exec. Doc. 79, pt. 1" → "769/s-exec-doc-79-pt-1"."""
    found = _CITATION.match(citation)
    if found is None:
        return None
    words = re.findall(r"[a-z0-9]+", found.group("doc").lower())
    volume = found.group("volume").strip("-")  # "651-1-" is a slip for "651-1"
    return f"{volume}/{'-'.join(words)}" if words and volume else None


def _document(key: str, listing: _Listing, source: Source) -> Document | Rejection:
    entries = listing.entries
    position = f"{source.member or source.name}#{key}"
    titles = [inline_text(t) for t in _all(entries, "t:title")]
    titles = [t for t in titles if t]
    if not titles:
        return Rejection(source.label, element_path(entries[0]), "entry without a title")
    try:
        date = _date([e.get("when", "") for e in _all(entries, "t:date")])
    except ValueError as exc:
        return Rejection(source.label, element_path(entries[0]), f"bad date: {exc}")
    regions = _terms(entries, "region")
    subjects = _terms(entries, "subject")
    countries: dict[str, CountryRef] = {}
    for subject in subjects:
        plain = re.sub(r"\s*\([^)]*\)", "", subject).strip()
        ref = country_named(plain, date.earliest if date else None)
        if ref is not None:
            countries.setdefault(ref.code, ref)
    title = Counter(titles).most_common(1)[0][0]
    doc_type = infer_doc_type(title)
    if doc_type is DocumentType.OTHER and _REPORT.search(listing.citation):
        doc_type = DocumentType.REPORT
    pages = sorted({m.get("quantity", "") for m in _all(entries, "t:extent/t:measure")} - {""})
    notes = []
    if pages:
        words = " or ".join(pages)
        plural = "page" if pages == ["1"] else "pages"
        disagree = " (the index gives different counts)" if len(pages) > 1 else ""
        notes.append(Note(NoteKind.EDITORIAL, f"{words} {plural}{disagree}"))
    digest = hashlib.sha256(b"".join(etree.tostring(e, with_tail=False) for e in entries))
    blocks = tuple(Block(BlockKind.PARAGRAPH, t) for t in _distinct(titles))
    return Document(
        id=f"{COLLECTION_ID}:{key}",
        title=title,
        doc_type=doc_type,
        texts=(Text("en", TextRole.ORIGINAL, blocks),),
        date=date,
        countries=tuple(countries.values()),
        source_note=listing.citation,
        notes=tuple(notes),
        collections=(PUBLICATIONS.id, COLLECTION_ID),
        subjects=tuple(dict.fromkeys([*regions, *subjects])),
        provenance=Provenance(source.label, position, digest.hexdigest(), SerialSetReader.name),
    )


def _distinct(titles: list[str]) -> list[str]:
    """The title as indexed under each subject, once: a variant that only differs in
    punctuation, or that another variant continues ("…Congress. December 6, 1852"), goes."""
    keys = {t: " ".join(re.findall(r"\w+", t.casefold())) for t in titles}
    kept: dict[str, str] = {}
    for title in titles:
        kept.setdefault(keys[title], title)
    return [
        title
        for key, title in kept.items()
        if not any(other != key and other.startswith(f"{key} ") for other in kept)
    ]


def _all(entries: list[etree._Element], path: str) -> list[etree._Element]:
    return [found for e in entries for found in e.iterfind(path, NS)]


def _terms(entries: list[etree._Element], kind: str) -> list[str]:
    words = (inline_text(t) for t in _all(entries, "t:term") if t.get("type") == kind)
    return list(dict.fromkeys(w for w in words if w))


def _date(values: list[str]) -> HistoricalDate | None:
    """The date the entries give; where they disagree (a message dated one day and read
    in Congress the next), the span from the first to the last, marked doubtful."""
    stated = sorted({v.strip() for v in values if v.strip()})
    if not stated:
        return None
    dates = [HistoricalDate.parse(v) for v in stated]
    if len(dates) == 1:
        return dates[0]
    lo = min(d.earliest for d in dates if d.earliest)
    hi = max(d.latest for d in dates if d.latest)
    return HistoricalDate(
        lo,
        hi,
        DatePrecision.RANGE,
        " / ".join(stated),
        doubtful=f"the index gives {len(stated)} dates: {', '.join(stated)}",
    )


def _collection(root: etree._Element, documents: list[Document]) -> Collection:
    """The index as a collection: editor, release, introduction, and the years it spans."""
    source_desc = root.find("t:teiHeader/t:fileDesc/t:sourceDesc", NS)
    credits = inline_text(source_desc) if source_desc is not None else ""
    editor = _EDITOR.search(credits)
    published = root.find("t:teiHeader/t:fileDesc/t:publicationStmt", NS)
    sections = []
    for index, div in enumerate(root.iterfind("t:text/t:front/t:div", NS), 1):
        writer = BlockWriter()
        writer.write(div, depth=0)
        head = div.find("t:head", NS)
        title = inline_text(head) if head is not None else "Introduction"
        sections.append(Section(div.get(XML_ID) or f"front-{index}", title, tuple(writer.blocks)))
    years = [d.date.year for d in documents if d.date and d.date.year]
    coverage = HistoricalDate.between(str(min(years)), str(max(years))) if years else None
    intro = " ".join(b.text for s in sections for b in s.blocks if b.kind is BlockKind.PARAGRAPH)
    return Collection(
        id=COLLECTION_ID,
        title=file_title(root) or "Foreign relations materials in the pre-1861 Serial Set",
        description=intro,
        parent=PUBLICATIONS.id,
        kind="corpus",
        editors=(editor.group(1),) if editor else (),
        coverage=coverage,
        summary=credits,
        published=inline_text(published) if published is not None else "",
        sections=tuple(sections),
    )
