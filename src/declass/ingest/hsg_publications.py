"""The Office of the Historian's other publications: histories, guides, teaching packets.

The general TEI reader would make each of these one undated, uncollected document of
type "other" with a `tei:` id. This reader knows them by their header titles:
- *A Short History of the Department of State*: one essay per subchapter, id
  `short-history:<xml:id>` (the site's own page name), dated by its chapter's period
  ("Foundations of Foreign Affairs, 1775-1823"), the chapter as its division;
- *Buildings of the Department of State*: one essay per building, `buildings:<section>`,
  dated by the occupancy the heading states and placed where the heading says; the
  introduction, foreword, photo credits and imprint are the collection's sections;
- *Views From the Embassy* and the FRUS *Guide to Sources on Vietnam, 1969-1975*: one
  essay each, with authors and the date of the edition;
- the education packets' introductions, one essay each, and `modules.xml`, the catalogue
  of packets, as one Collection per packet (publication date, status, files).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from lxml import etree

from declass.errors import IngestError
from declass.ingest.dates import date_in_text
from declass.ingest.hsg import parse_xml, root_tag, text
from declass.ingest.hsg_header import file_title, publication_year, sniffed_title
from declass.ingest.hsg_links import links_in
from declass.ingest.participants import LIST_SEPARATOR, split_outside_parentheses
from declass.ingest.source import Source, sha256
from declass.ingest.tei_text import BlockWriter, collect_notes, inline_text
from declass.ingest.tei_xml import NS, TEI_NS, XML_ID, element_path, language_of, parse_tei
from declass.model import (
    Collection,
    Document,
    DocumentType,
    HistoricalDate,
    Item,
    Participant,
    ParticipantRole,
    Provenance,
    Rejection,
    Section,
    Text,
    TextRole,
)

PUBLICATIONS = Collection(
    id="hsg-publications",
    title="Office of the Historian: publications",
    description=(
        "Histories, guides, biographies and teaching materials published by the Office "
        "of the Historian, U.S. Department of State."
    ),
    kind="corpus",
)
SHORT_HISTORY = Collection(
    id="short-history",
    title="A Short History of the Department of State",
    description="The Department's history from 1775 to 1992 in seven chapters.",
    parent=PUBLICATIONS.id,
    kind="volume",
)
EDUCATION = Collection(
    id="education",
    title="Office of the Historian: education resources",
    description="Curriculum packets on the history of U.S. diplomacy, for teachers.",
    parent=PUBLICATIONS.id,
    kind="corpus",
)

_PERIOD = re.compile(r"(\d{4})\s*[-–—]\s*(\d{4})")
_PREPARED_BY = re.compile(r"^Prepared by (?P<who>.+?)(?:\s+Office of the Historian\b|$)")
_MODULE_STATUS = (("status", "published-status"), ("availability", "availability-status"))
_RELEASED = re.compile(r"\bReleased\s+(?P<when>[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})")


@dataclass(frozen=True)
class _File:
    source: Source
    root: etree._Element
    digest: str

    @property
    def stem(self) -> str:
        name = self.source.name
        return name[:-4] if name.lower().endswith(".xml") else name


_Read = Callable[[_File], Iterator[Item]]


class PublicationReader:
    """Claims the Office of the Historian publications it knows by title, and modules.xml."""

    name = "hsg-publications"

    def detect(self, source: Source) -> bool:
        if _reader_for(sniffed_title(source)) is not None:
            return True
        if source.is_dir or not source.name.lower().endswith(".xml"):
            return False
        head = source.head()
        return root_tag(head) == "modules" and b"<module>" in head

    def read(self, source: Source) -> Iterator[Item]:
        data = source.read_bytes()
        if root_tag(data[:4096]) == "modules":
            yield from _modules(source, data)
            return
        root = parse_tei(data, source.label)
        read = _reader_for(file_title(root))
        if read is None:
            raise IngestError(source.label, "titleStmt", "not a publication this reader knows")
        yield PUBLICATIONS
        yield from read(_File(source, root, sha256(data)))


def _reader_for(title: str) -> _Read | None:
    for pattern, read in _TITLES:
        if pattern.search(title):
            return read
    return None


# --- A Short History of the Department of State -------------------------------------


def _short_history(file: _File) -> Iterator[Item]:
    yield SHORT_HISTORY
    sequence = 0
    for chapter in file.root.iterfind("t:text/t:body/t:div", NS):
        head = chapter.find("t:head", NS)
        chapter_title = inline_text(head) if head is not None else ""
        period = _period(chapter_title)
        for sub in chapter.iterfind("t:div", NS):
            sequence += 1
            page = sub.get(XML_ID) or chapter.get(XML_ID) or f"s{sequence}"
            document = _essay(file, sub, f"{SHORT_HISTORY.id}:{page}", SHORT_HISTORY)
            if document is None:
                yield Rejection(file.source.label, element_path(sub), "subchapter has no text")
                continue
            sub_head = sub.find("t:head", NS)
            title = inline_text(sub_head) if sub_head is not None else chapter_title
            yield replace(
                document,
                title=title or chapter_title,
                date=period,
                divisions=(chapter_title,) if chapter_title and title != chapter_title else (),
                series=SHORT_HISTORY.id,
                sequence=sequence,
            )


def _period(heading: str) -> HistoricalDate | None:
    """ "Rise to World Power, 1867-1913" → 1867–1913 (the words, not the heading's
    `date` markup, which gives only a start year and has 1876 for 1867)."""
    found = _PERIOD.search(heading)
    if found is None:
        return None
    return HistoricalDate.between(found.group(1), found.group(2), found.group(0))


# --- Buildings of the Department of State -------------------------------------------


def _buildings(file: _File) -> Iterator[Item]:
    root = file.root
    collection = Collection(
        id="buildings",
        title=file_title(root) or "Buildings of the Department of State",
        description=_header_words(root, "sourceDesc"),
        parent=PUBLICATIONS.id,
        kind="volume",
        published=_header_words(root, "publicationStmt"),
        sections=tuple(
            _section(div)
            for part in ("front", "back")
            for div in root.iterfind(f"t:text/t:{part}/t:div", NS)
        ),
    )
    yield collection
    body = root.find("t:text/t:body", NS)
    page, sequence = "", 0
    for child in body if body is not None else []:
        if child.tag == f"{{{TEI_NS}}}pb":
            page = child.get("n", page)
            continue
        if child.tag != f"{{{TEI_NS}}}div":
            continue
        sequence += 1
        section_id = child.get(XML_ID) or f"s{sequence}"
        document = _essay(file, child, f"buildings:{section_id}", collection, page)
        if document is None:
            yield Rejection(file.source.label, element_path(child), "section has no text")
            continue
        head = child.find("t:head", NS)
        place = head.find(".//t:placeName", NS) if head is not None else None
        yield replace(
            document,
            title=inline_text(head) if head is not None else document.title,
            date=_occupancy(head) if head is not None else None,
            place=inline_text(place) if place is not None else "",
            series=collection.id,
            sequence=sequence,
        )


def _occupancy(head: etree._Element) -> HistoricalDate | None:
    """The span a building heading's `date`s state, first to last; when they run
    backwards (section 20 has 1600-08 for August 1800) the first alone, marked doubtful."""
    dates = head.findall(".//t:date", NS)
    if not dates:
        return None
    stated = [d.get("when") or d.get("from") or d.get("to") or "" for d in dates]
    label = " — ".join(inline_text(d) for d in dates)
    try:
        first = HistoricalDate.parse(stated[0], label)
        last = HistoricalDate.parse(stated[-1], label)
    except ValueError:
        return None
    if len(dates) == 1:
        return first
    if first.earliest and last.latest and last.latest < first.earliest:
        why = f"the heading's dates run backwards: {stated[0]} to {stated[-1]}"
        return HistoricalDate(first.earliest, first.latest, first.precision, label, doubtful=why)
    return HistoricalDate.between(stated[0], stated[-1], label)


# --- Views From the Embassy; the Guide to Sources on Vietnam ------------------------


def _single_essay(dated: Callable[[etree._Element], HistoricalDate | None]) -> _Read:
    """A publication read whole: one essay in the publications collection."""

    def read(file: _File) -> Iterator[Item]:
        text_el = file.root.find("t:text", NS)
        document = _essay(file, text_el, f"{PUBLICATIONS.id}:{file.stem}")
        if document is None:
            raise IngestError(file.source.label, "text", "the publication has no text")
        authors = _authors(file.root)
        yield replace(
            document,
            date=dated(file.root),
            participants=(*authors, *document.participants),
        )

    return read


def _edition_date(root: etree._Element) -> HistoricalDate | None:
    """The edition's month ("September 2014" in `sourceDesc`), else the year published."""
    for p in root.iterfind("t:teiHeader/t:fileDesc/t:sourceDesc/t:p", NS):
        found = date_in_text(inline_text(p))
        if found:
            return found[0]
    return publication_year(root)


def _release_date(root: etree._Element) -> HistoricalDate | None:
    """ "Released February 1, 2012", printed in the guide's opening paragraph."""
    first = root.find("t:text/t:body//t:p", NS)
    found = _RELEASED.search(inline_text(first)) if first is not None else None
    dated = date_in_text(found.group("when")) if found else None
    return dated[0] if dated else None


def _authors(root: etree._Element) -> list[Participant]:
    """`titleStmt/author`, and the "Prepared by A, B, and C" line opening the text."""
    names = [
        inline_text(a) for a in root.iterfind("t:teiHeader/t:fileDesc/t:titleStmt/t:author", NS)
    ]
    first = root.find("t:text/t:body//t:p", NS)
    prepared = _PREPARED_BY.match(inline_text(first)) if first is not None else None
    if prepared:
        names += split_outside_parentheses(prepared.group("who"), LIST_SEPARATOR)
    return [Participant(n, ParticipantRole.AUTHOR) for n in dict.fromkeys(names) if n]


# --- education: packet introductions and the catalogue of packets -------------------


def _education_intro(file: _File) -> Iterator[Item]:
    yield EDUCATION
    text_el = file.root.find("t:text", NS)
    document = _essay(file, text_el, f"{EDUCATION.id}:{file.stem}", EDUCATION)
    if document is None:
        raise IngestError(file.source.label, "text", "the introduction has no text")
    yield document


def _modules(source: Source, data: bytes) -> Iterator[Item]:
    """modules.xml: each curriculum packet as a Collection under `education`, with its
    publication date, status, the introduction document and the files it came as."""
    root = parse_xml(data, source.label)
    yield PUBLICATIONS
    yield EDUCATION
    for module in root.iterfind("module"):
        module_id, title = text(module, "id"), text(module, "title")
        if not module_id or not title:
            where = f"{source.member or source.name}#line {module.sourceline}"
            yield Rejection(source.label, where, "module without an id or a title")
            continue
        identifiers = [(scheme, text(module, tag)) for scheme, tag in _MODULE_STATUS]
        identifiers = [(scheme, value) for scheme, value in identifiers if value]
        intro = text(module, "tei-document-name")
        if intro:
            identifiers.append(("introduction", f"{EDUCATION.id}:{intro}"))
        for item in module.iterfind("files/file"):
            identifiers.append(("file", f"{text(item, 'name')} ({text(item, 'label')})"))
        yield Collection(
            id=f"{EDUCATION.id}:{module_id}",
            title=title,
            summary=text(module, "description"),
            parent=EDUCATION.id,
            kind="curriculum",
            published=_published(module),
            identifiers=tuple(identifiers),
        )


def _published(module: etree._Element) -> str:
    """The packet's publication date as far as stated: "2011-12-02", "2010-11", "2008"."""
    year, month, day = (text(module, f"{unit}-published") for unit in ("year", "month", "day"))
    if not year.isdigit():
        return ""
    if not month.isdigit():
        return year
    if not day.isdigit():
        return f"{year}-{int(month):02d}"
    return f"{year}-{int(month):02d}-{int(day):02d}"


# --- shared -------------------------------------------------------------------------


def _essay(
    file: _File,
    el: etree._Element | None,
    doc_id: str,
    collection: Collection | None = None,
    page: str = "",
) -> Document | None:
    """An essay from `el`: its blocks, notes, the people, countries and pages it links."""
    if el is None:
        return None
    writer = BlockWriter(page=page)
    writer.write(el, depth=0)
    if not writer.blocks:
        return None
    source_note, notes = collect_notes(writer.notes)
    links = links_in(el)
    whole = el is file.root.find("t:text", NS)
    digest = file.digest if whole else sha256(etree.tostring(el, with_tail=False))
    return Document(
        id=doc_id,
        title=file_title(file.root) or file.stem,
        doc_type=DocumentType.ESSAY,
        texts=(Text(language_of(el), TextRole.ORIGINAL, tuple(writer.blocks)),),
        participants=links.people,
        countries=links.countries,
        source_note=source_note,
        notes=tuple(notes),
        collections=(PUBLICATIONS.id, collection.id) if collection else (PUBLICATIONS.id,),
        references=links.references,
        provenance=Provenance(file.source.label, element_path(el), digest, PublicationReader.name),
    )


def _section(div: etree._Element) -> Section:
    writer = BlockWriter()
    for child in div:
        if child.tag != f"{{{TEI_NS}}}head":
            writer.write(child, depth=1)
    head = div.find("t:head", NS)
    return Section(
        div.get(XML_ID) or element_path(div),
        inline_text(head) if head is not None else "",
        tuple(writer.blocks),
    )


def _header_words(root: etree._Element, part: str) -> str:
    el = root.find(f"t:teiHeader/t:fileDesc/t:{part}", NS)
    return inline_text(el) if el is not None else ""


_TITLES: tuple[tuple[re.Pattern[str], _Read], ...] = (
    (re.compile(r"^A Short History of the Department of State\b", re.I), _short_history),
    (re.compile(r"^Buildings of the Department of State\b", re.I), _buildings),
    (re.compile(r"^Views From the Embassy\b", re.I), _single_essay(_edition_date)),
    (re.compile(r"\bGuide to Sources on Vietnam\b", re.I), _single_essay(_release_date)),
    (re.compile(r"^Introduction to Curriculum Packet\b", re.I), _education_intro),
)
