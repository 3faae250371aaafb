"""TEI P5 from the Office of the Historian: transcribed records and scholarly essays.

Reads the hsg corpora (frus-history documents and articles, Milestones chapters, the
recognition-and-relations articles) and any other TEI file. Whole FRUS volumes go to
`frus.py`, which reuses the text machinery here: `parse_tei`, `BlockWriter`, the date
and participant helpers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from lxml import etree

from declass.errors import IngestError
from declass.ingest.archival import archival_reference
from declass.ingest.dates import date_and_place, date_in_text, date_of_element, dateline_of
from declass.ingest.doctype import infer_doc_type, refine_doc_type, title_starts_with_genre
from declass.ingest.participants import (
    LIST_SEPARATOR,
    correspondents,
    merge_participants,
    persname_role,
    speakers,
    split_outside_parentheses,
)
from declass.ingest.source import Source, sha256
from declass.ingest.tei_text import BlockWriter, collect_notes, inline_text, strip_source_label
from declass.ingest.tei_xml import (
    NS,
    SNIFF_BYTES,
    TEI_NS,
    XML_ID,
    element_path,
    is_frus_volume,
    is_tei,
    language_of,
    local,
    parse_tei,
)
from declass.model import (
    Collection,
    CountryRef,
    Document,
    DocumentType,
    HistoricalDate,
    Item,
    Note,
    NoteKind,
    Participant,
    ParticipantRole,
    Provenance,
    Text,
    TextRole,
)

# --- the reader -------------------------------------------------------------------

_COUNTRY_GUIDE = "A Guide to the United States’ History of Recognition"


@dataclass(frozen=True)
class _Corpus:
    """Which hsg publication a file belongs to, and how its ids are formed."""

    kind: str  # "records", "articles", "milestones", "rdcr", "tei"
    prefix: str  # id prefix: "frus-history:", "frus-history:articles/", "rdcr:"...
    collection: Collection | None

    @property
    def collection_ids(self) -> tuple[str, ...]:
        return (self.collection.id,) if self.collection else ()


_CORPORA = {
    "records": _Corpus(
        "records",
        "frus-history:",
        Collection(
            "frus-history-documents",
            "History of the Foreign Relations Series: Documents",
            "Transcribed records on the making of FRUS, 1957–2002 (Office of the Historian).",
        ),
    ),
    "articles": _Corpus(
        "articles",
        "frus-history:articles/",
        Collection(
            "frus-history-articles",
            "History of the Foreign Relations Series: Articles",
            "Scholarly essays on the history of FRUS, and documents released with them.",
        ),
    ),
    "milestones": _Corpus(
        "milestones",
        "milestones:",
        Collection(
            "milestones",
            "Milestones in the History of U.S. Foreign Relations",
            "Short scholarly essays by period (Office of the Historian).",
        ),
    ),
    "rdcr": _Corpus(
        "rdcr",
        "rdcr:",
        Collection(
            "rdcr",
            "A Guide to the United States’ History of Recognition, Diplomatic, and Consular "
            "Relations, by Country, since 1776",
            "One article per country (Office of the Historian).",
        ),
    ),
    # Other TEI: no collection is invented for it.
    "tei": _Corpus("tei", "tei:", None),
}


def _corpus_of(source: Source, root: etree._Element) -> _Corpus:
    """The file's own header first, so a copied file keeps its ids; then the folder names."""
    parts = [p.lower() for p in source.path.parts]
    if source.member:
        parts += [p.lower() for p in PurePosixPath(source.member).parts]
    title = _file_title(root)
    if title.startswith(_COUNTRY_GUIDE) or "rdcr" in parts:
        return _CORPORA["rdcr"]
    if title.startswith("Milestones:") or "milestones" in parts:
        return _CORPORA["milestones"]
    # Only the transcribed frus-history records carry a `date type="created"`.
    if (
        root.find("t:teiHeader/t:fileDesc/t:publicationStmt/t:date[@type='created']", NS)
        is not None
    ):
        return _CORPORA["records"]
    if "frus-history" in parts:
        return _CORPORA["articles" if "articles" in parts else "records"]
    return _CORPORA["tei"]


def _file_title(root: etree._Element, kind: str = "complete") -> str:
    for title in root.iterfind("t:teiHeader/t:fileDesc/t:titleStmt/t:title", NS):
        if title.get("type") == kind:
            return inline_text(title)
    first = root.find("t:teiHeader/t:fileDesc/t:titleStmt/t:title", NS)
    return inline_text(first) if first is not None and kind == "complete" else ""


def _stem(source: Source) -> str:
    name = source.name
    return name[:-4] if name.lower().endswith(".xml") else name


@dataclass(frozen=True)
class _File:
    """What every record read from one file shares."""

    source: Source
    root: etree._Element
    corpus: _Corpus
    stem: str
    file_hash: str


class TeiReader:
    """Office of the Historian TEI: one Document per record or essay, with its Collection."""

    name = "tei"

    def detect(self, source: Source) -> bool:
        if source.is_dir or not source.name.lower().endswith(".xml"):
            return False
        head = source.head(SNIFF_BYTES)
        return is_tei(head) and not is_frus_volume(head)

    def read(self, source: Source) -> Iterator[Item]:
        data = source.read_bytes()
        root = parse_tei(data, source.label)
        corpus = _corpus_of(source, root)
        file = _File(source, root, corpus, _stem(source), sha256(data))
        if corpus.kind == "milestones":
            documents = list(_milestones(file))
            chapter = _milestone_chapter(file)
            collections = [_CORPORA["milestones"].collection, chapter]
        else:
            divs = root.findall(".//t:text//t:div[@type='document']", NS)
            documents = [_record(file, d, i, len(divs)) for i, d in enumerate(divs, 1)]
            if not divs:
                documents = [d for d in [_whole_file(file)] if d is not None]
            collections = [corpus.collection] if corpus.collection else []
        if not documents:
            raise IngestError(source.label, "", "TEI file has no document text to read")
        yield from (c for c in collections if c is not None)
        yield from documents


def _provenance(file: _File, el: etree._Element, whole_file: bool) -> Provenance:
    digest = file.file_hash if whole_file else sha256(etree.tostring(el, with_tail=False))
    return Provenance(file.source.label, element_path(el), digest, TeiReader.name)


def _created(root: etree._Element) -> HistoricalDate | None:
    el = root.find("t:teiHeader/t:fileDesc/t:publicationStmt/t:date[@type='created']", NS)
    try:
        return date_of_element(el) if el is not None else None
    except ValueError:
        return None


def _front_matter(root: etree._Element) -> tuple[str, list[Note]]:
    """The source and citation paragraphs printed before a file's records."""
    body = root.find("t:text/t:body", NS)
    source, notes = "", list[Note]()
    if body is None:
        return source, notes
    for p in body.findall("t:p", NS):
        text = inline_text(p)
        if not text:
            continue
        if not source and not text.lower().startswith("cited"):
            source = strip_source_label(text)
            notes.append(Note(NoteKind.SOURCE, source))
        else:
            notes.append(Note(NoteKind.EDITORIAL, text))
    return source, notes


def _record(file: _File, div: etree._Element, index: int, count: int) -> Document:
    """One historical record: a `div type="document"` of an hsg file."""
    writer = BlockWriter()
    writer.write(div, depth=0)
    blocks = writer.blocks
    source_note, notes = collect_notes(writer.notes)
    file_source, file_notes = _front_matter(file.root)
    if not source_note and file_source:
        source_note = file_source
        notes = [n for n in file_notes if n.kind is NoteKind.SOURCE] + notes
    notes += [n for n in file_notes if n.kind is NoteKind.EDITORIAL]

    head_el = div.find("t:head", NS)
    head = inline_text(head_el) if head_el is not None else ""
    file_title = _file_title(file.root)
    title = head or (file_title if count == 1 else f"{file_title} ({div.get(XML_ID) or index})")

    date, place = date_and_place(dateline_of(div))
    if date is None and count == 1:
        date = _created(file.root)

    people = [
        Participant(inline_text(p), *persname_role(p))
        for p in div.iter(f"{{{TEI_NS}}}persName")
        if inline_text(p)
    ]
    if not any(p.role in (ParticipantRole.AUTHOR, ParticipantRole.RECIPIENT) for p in people):
        people = correspondents(head) + people
    spoken = speakers(blocks)
    people += spoken

    if div.get("subtype") == "editorial-note":
        doc_type = DocumentType.EDITORIAL_NOTE
    else:
        doc_type = infer_doc_type(head, file_title if count == 1 else "")
    if doc_type is DocumentType.OTHER and spoken:
        doc_type = DocumentType.TRANSCRIPT
    doc_type = refine_doc_type(doc_type, source_note, people)

    if count == 1:
        doc_id = f"{file.corpus.prefix}{file.stem}"
    else:
        doc_id = f"{file.corpus.prefix}{file.stem}/{div.get(XML_ID) or f'd{index}'}"
    n = div.get("n", "")
    return Document(
        id=doc_id,
        title=title,
        doc_type=doc_type,
        texts=(Text(language_of(div), TextRole.ORIGINAL, tuple(blocks)),),
        date=date,
        place=place,
        participants=merge_participants(people),
        archival_reference=archival_reference(source_note),
        source_note=source_note,
        notes=tuple(notes),
        collections=file.corpus.collection_ids,
        series=f"{file.corpus.prefix}{file.stem}" if count > 1 else "",
        sequence=int(n) if n.isdigit() else (index if count > 1 else None),
        provenance=_provenance(file, div, whole_file=count == 1),
    )


def _mentions(el: etree._Element) -> list[Participant]:
    return [
        Participant(inline_text(p), ParticipantRole.MENTIONED)
        for p in el.iter(f"{{{TEI_NS}}}persName")
        if inline_text(p) and _owner_is_text(p)
    ]


def _owner_is_text(el: etree._Element) -> bool:
    return not any(local(a) == "teiHeader" for a in el.iterancestors())


def _countries_named(el: etree._Element) -> tuple[CountryRef, ...]:
    from declass.countries import country_named

    found: dict[str, CountryRef] = {}
    for place in el.iter(f"{{{TEI_NS}}}placeName"):
        ref = country_named(re.sub(r"\s*\([^)]*\)", "", inline_text(place)))
        # Every record here is about US foreign relations: the US itself says nothing.
        if ref is not None and ref.code != "USA":
            found.setdefault(ref.code, ref)
    return tuple(found.values())


_WRITTEN_BY = re.compile(
    r"(?:Researched and )?written by\s+(?P<who>.+?)"
    r"(?:,\s*(?P<when>[A-Z][a-z]+\.?\s+\d{4}|\d{4}))?\s*\.?$",
    re.I,
)


def _essay_authors(root: etree._Element) -> tuple[list[Participant], HistoricalDate | None]:
    """Authors from `titleStmt/author`, or from "Researched and written by X, Month YYYY"."""
    header = root.find("t:teiHeader", NS)
    if header is None:
        return [], None
    authors = [
        Participant(inline_text(a), ParticipantRole.AUTHOR)
        for a in header.iterfind("t:fileDesc/t:titleStmt/t:author", NS)
        if inline_text(a)
    ]
    written: HistoricalDate | None = None
    for p in header.iterfind("t:fileDesc/t:sourceDesc/t:p", NS):
        m = _WRITTEN_BY.search(inline_text(p))
        if m:
            for name in split_outside_parentheses(m.group("who"), LIST_SEPARATOR):
                authors.append(Participant(name, ParticipantRole.AUTHOR))
            if m.group("when"):
                found = date_in_text(m.group("when"))
                written = found[0] if found else _year(m.group("when"))
    return authors, written


def _year(text: str) -> HistoricalDate | None:
    m = re.search(r"\b(\d{4})\b", text)
    return HistoricalDate.parse(m.group(1), text) if m else None


def _published(root: etree._Element) -> HistoricalDate | None:
    stmt = root.find("t:teiHeader/t:fileDesc/t:publicationStmt", NS)
    if stmt is None:
        return None
    date = stmt.find("t:date", NS)
    try:
        if date is not None and (date.get("when") or inline_text(date)):
            return date_of_element(date) or _year(inline_text(date))
    except ValueError:
        pass
    return _year(inline_text(stmt))


def _whole_file(file: _File) -> Document | None:
    """An essay (or an unsectioned record) that is the whole file."""
    root = file.root
    text_el = root.find("t:text", NS)
    if text_el is None:
        return None
    writer = BlockWriter()
    for child in text_el:
        writer.write(child, depth=0)
    if not writer.blocks:
        return None
    source_note, notes = collect_notes(writer.notes)
    title = _file_title(root) or file.stem
    authors, written = _essay_authors(root)
    countries: tuple[CountryRef, ...] = ()
    subjects: tuple[str, ...] = ()
    doc_type = DocumentType.ESSAY
    date = written or _published(root)
    if file.corpus.kind == "rdcr":
        from declass.countries import country_named

        # hsg marks states that no longer exist with "*"; the file name is hsg's country slug.
        short = _file_title(root, "short") or title.rsplit(":", 1)[-1]
        country_name = short.rstrip("*").strip()
        ref = country_named(file.stem) or country_named(country_name)
        countries = (ref,) if ref else ()
        subjects = (country_name, "recognition and diplomatic relations")
    elif file.corpus.kind == "articles":
        genre = title_starts_with_genre(title)
        if genre is not DocumentType.OTHER:
            doc_type, date = genre, None  # a released record, not an essay about one
        countries = _countries_named(text_el)
    else:
        doc_type = title_starts_with_genre(title)
        if doc_type is DocumentType.OTHER:
            doc_type = DocumentType.ESSAY if authors else DocumentType.OTHER
    people = authors + _mentions(text_el)
    if doc_type is not DocumentType.ESSAY:
        people += speakers(writer.blocks)
    return Document(
        id=f"{file.corpus.prefix}{file.stem}",
        title=title,
        doc_type=doc_type,
        texts=(Text(language_of(text_el), TextRole.ORIGINAL, tuple(writer.blocks)),),
        date=date,
        participants=merge_participants(people),
        countries=countries,
        source_note=source_note,
        notes=tuple(notes),
        collections=file.corpus.collection_ids,
        subjects=subjects,
        provenance=_provenance(file, root, whole_file=True),
    )


def _milestone_period(root: etree._Element) -> HistoricalDate | None:
    """A chapter's period: the foreword's `date from/to`, else the short title "1945–1952"."""
    for date in root.iterfind("t:text/t:front//t:head/t:date", NS):
        try:
            found = date_of_element(date)
        except ValueError:
            continue
        if found is not None:
            return found
    short = _file_title(root, "short")
    years = re.findall(r"\d{4}", short)
    if len(years) >= 2:
        return HistoricalDate.between(years[0], years[-1], short)
    return _year(short) if years else None


def _milestone_chapter(file: _File) -> Collection:
    title = _file_title(file.root) or file.stem
    return Collection(f"milestones:{file.stem}", title, "", parent="milestones")


def _milestones(file: _File) -> Iterator[Document]:
    """Each top-level section of a Milestones chapter is its own essay."""
    root = file.root
    period = _milestone_period(root)
    chapter = _milestone_chapter(file)
    foreword_head = root.find("t:text/t:front/t:div/t:head", NS)
    theme = inline_text(foreword_head) if foreword_head is not None else chapter.title
    sections = root.findall("t:text/t:front/t:div", NS) + root.findall("t:text/t:body/t:div", NS)
    for index, div in enumerate(sections, 1):
        writer = BlockWriter()
        writer.write(div, depth=0)
        if not writer.blocks:
            continue
        source_note, notes = collect_notes(writer.notes)
        head = div.find("t:head", NS)
        title = inline_text(head) if head is not None else f"{chapter.title} ({index})"
        yield Document(
            id=f"milestones:{file.stem}/{div.get(XML_ID) or f's{index}'}",
            title=title,
            doc_type=DocumentType.ESSAY,
            texts=(Text(language_of(div), TextRole.ORIGINAL, tuple(writer.blocks)),),
            # An essay's date is the period it discusses; the chapter states it.
            date=period,
            participants=merge_participants(_mentions(div)),
            countries=_countries_named(div),
            source_note=source_note,
            notes=tuple(notes),
            collections=(*file.corpus.collection_ids, chapter.id),
            series=chapter.id,
            sequence=index,
            subjects=tuple(dict.fromkeys(s for s in (period.label if period else "", theme) if s)),
            provenance=_provenance(file, div, whole_file=False),
        )
