"""Whole FRUS volumes (HistoryAtState/frus `volumes/*.xml`), in both encodings.

Today's encoding (`hsg/schema/frus.odd`) dates a document by `frus:doc-dateTime-min/max`
and marks editorial notes with `@subtype`; the 2015 encoding, and the older volumes not
yet reviewed, have neither: their dates sit in the dateline, in the heading (a `date`
element or plain words), or only in the opening line, and some give the day without
the year, which the chapter ("August 1961") or the neighbouring documents supply.

A volume yields its Collection (title, editors, coverage, summary and front matter,
from its header and the series bibliography), a PERSON Authority per persons-list entry
and a TERM per abbreviation, then one Document per `div type="document"`, in volume
order, each knowing its chapter, number and the records it cites.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date as Day
from pathlib import Path

from lxml import etree

from declass.countries import country_named
from declass.errors import IngestError
from declass.ingest.archival import archival_reference
from declass.ingest.dates import (
    date_and_place,
    date_in_text,
    date_of_element,
    dateline_of,
    month_day_in_text,
    on_day,
)
from declass.ingest.doctype import infer_doc_type, refine_doc_type
from declass.ingest.frus_bibliography import (
    VolumeRecord,
    find_bibliography,
    load_bibliography,
    years_in_title,
)
from declass.ingest.frus_links import document_id, resolve_target
from declass.ingest.frus_people import PersonsIndex, listed_participants
from declass.ingest.participants import correspondents, merge_participants, persname_role
from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source, sha256
from declass.ingest.tei_text import BlockWriter, collect_notes, inline_text
from declass.ingest.tei_xml import (
    NS,
    SNIFF_BYTES,
    TEI_NS,
    XML_ID,
    element_path,
    is_frus_volume,
    language_of,
    local,
    parse_tei_reporting,
)
from declass.model import (
    Authority,
    AuthorityKind,
    Collection,
    CountryRef,
    DatePrecision,
    Document,
    DocumentType,
    HistoricalDate,
    Item,
    NameVariant,
    Participant,
    ParticipantRole,
    Provenance,
    Reference,
    Rejection,
    Section,
    Text,
    TextRole,
    VariantKind,
)
from declass.places import country_of_place

SERIES = Collection(
    "frus",
    "Foreign Relations of the United States",
    "The official documentary record of US foreign policy (Office of the Historian).",
    kind="series",
)
READER = "frus-volume"
VOLUME_ID = re.compile(r"^frus[0-9A-Za-z-]+$")
# Ids of the persons and terms sections, as different generations of volumes spell them.
_PERSONS_IDS = {"persons", "persname", "listofpersons", "correspondents"}
_TERMS_IDS = {"terms", "abbreviations", "listofabbreviations"}
_SUFFIXES = {"jr.", "sr.", "ii", "iii", "iv"}
# Front matter kept with the volume, in the order printed (the contents are rebuilt
# from the documents themselves, the index points at printed pages).
_FRONT_SKIPPED = {"toc", "index", "contents"}
_UNDATED = re.compile(r"\bundated\b|\bno date\b|\bn\.\s?d\.", re.I)
_NUMBER_PREFIX = re.compile(r"^\s*\[?\d+[a-z]?\]?\.\s*")
# A date this far outside the volume's own years is doubtful; FRUS volumes print some
# earlier background and the odd later note, so a few years either side are normal.
_SLACK_BEFORE = 12
_SLACK_AFTER = 3
_EARLIEST_PLAUSIBLE = 1500


@dataclass(frozen=True)
class Entry:
    """One line of a persons or terms list: id, name as listed, identifying text."""

    id: str
    name: str
    description: str
    element: etree._Element

    @property
    def display(self) -> str:
        """ "Kissinger, Henry A." → "Henry A. Kissinger"; anything else as listed."""
        parts = [p.strip() for p in self.name.split(",")]
        if len(parts) == 2 and all(parts):
            return f"{parts[1]} {parts[0]}"
        if len(parts) == 3 and parts[2].lower() in _SUFFIXES:
            return f"{parts[1]} {parts[0]}, {parts[2]}"
        return self.name


def volume_id(root: etree._Element, source: Source) -> str:
    """The volume's id: `idno type="frus"`, else the root's xml:id, else the file name."""
    idno = root.find("t:teiHeader/t:fileDesc/t:publicationStmt/t:idno[@type='frus']", NS)
    candidates = [
        inline_text(idno) if idno is not None else "",
        root.get(XML_ID, ""),
        re.sub(r"\.xml$", "", source.name, flags=re.I),
    ]
    for candidate in candidates:
        if VOLUME_ID.match(candidate):
            return candidate
    raise IngestError(source.label, "", "cannot tell the FRUS volume id (no idno or xml:id)")


def volume_title(root: etree._Element) -> str:
    """ "Foreign Relations of the United States, 1969–1976, Volume XVII, China, 1969–1972"."""
    stmt = root.find("t:teiHeader/t:fileDesc/t:titleStmt", NS)
    if stmt is None:
        return ""
    titles = {t.get("type", ""): inline_text(t) for t in stmt.iterfind("t:title", NS)}
    if titles.get("complete"):
        return titles["complete"]
    keys = ("series", "sub-series", "subseries", "volume-number", "volumenumber", "volume")
    parts = [titles[k] for k in keys if titles.get(k)]
    return ", ".join(parts) or next(iter(titles.values()), "")


def _section(root: etree._Element, ids: set[str]) -> etree._Element | None:
    for div in root.iter(f"{{{TEI_NS}}}div"):
        if div.get(XML_ID, "").lower() in ids:
            return div
    return None


def _entries(section: etree._Element | None, name_tag: str, prefix: str) -> dict[str, Entry]:
    """Items of a persons/terms list; the id sits on the item or on its persName/term."""
    found: dict[str, Entry] = {}
    if section is None:
        return found
    for item in section.iter(f"{{{TEI_NS}}}item"):
        named = next((e for e in item.iter(f"{{{TEI_NS}}}{name_tag}") if e.get(XML_ID)), None)
        if named is None:
            named = item.find(".//t:hi", NS)
        entry_id = item.get(XML_ID) or (named.get(XML_ID) if named is not None else None)
        if not entry_id or not entry_id.startswith(prefix):
            continue
        full = inline_text(item)
        name = inline_text(named) if named is not None else full.split(",", 1)[0]
        name = name.rstrip(",;: ").strip()
        rest = full[len(name) :] if full.startswith(name) else full.split(",", 1)[-1]
        found.setdefault(entry_id, Entry(entry_id, name, rest.lstrip(",;: ").strip(), item))
    return found


def _target(el: etree._Element) -> str:
    """The list id a persName/gloss points at ("#p_KHA1" → "p_KHA1")."""
    ref = el.get("corresp") or el.get("ref") or el.get("target") or ""
    return ref.split()[0].lstrip("#") if ref else ""


def _surface_forms(root: etree._Element) -> dict[str, list[str]]:
    """How each listed person is actually written in the volume ("Kissinger", "K")."""
    forms: dict[str, dict[str, None]] = {}
    for el in root.iter(f"{{{TEI_NS}}}persName"):
        target = _target(el)
        text = re.sub(r"[’']s$", "", inline_text(el)).strip()
        if target and text:
            forms.setdefault(target, {})[text] = None
    return {k: list(v) for k, v in forms.items()}


class FrusVolumeReader:
    """A whole FRUS volume: its Collection, an Authority per listed person, and Documents."""

    name = READER

    def __init__(self, settings: ReaderSettings | None = None) -> None:
        self.bibliography = settings.frus_bibliography if settings else None

    def detect(self, source: Source) -> bool:
        if source.is_dir or not source.name.lower().endswith(".xml"):
            return False
        return is_frus_volume(source.head(SNIFF_BYTES))

    def sidecars(self, folder: Path) -> set[Path]:
        """The series bibliography, read with each volume rather than on its own."""
        names = ("bibliography.tgz", "bibliography.tar.gz")
        return {path for path in (folder / name for name in names) if path.is_file()}

    def read(self, source: Source) -> Iterator[Item]:
        data = source.read_bytes()
        root, faults = parse_tei_reporting(data, source.label)
        for line, message in faults:
            yield Rejection(
                source.label,
                f"line {line}",
                f"invalid TEI: {message}; both elements are kept and the volume is read",
            )
        vol = volume_id(root, source)
        record = self._bibliography(source).get(vol)
        persons = _entries(_section(root, _PERSONS_IDS), "persName", "p_")
        terms = _entries(_section(root, _TERMS_IDS), "term", "t_")
        divs = root.findall(".//t:text//t:div[@type='document']", NS)
        if not divs:
            raise IngestError(source.label, "", 'FRUS volume has no div type="document"')

        volume = _volume_collection(root, vol, record)
        yield SERIES
        yield volume
        forms = _surface_forms(root)
        for entry in persons.values():
            yield _person(source, vol, entry, forms.get(entry.id, []))
        for entry in terms.values():
            yield _term(source, vol, entry)
        context = _Volume(
            source,
            vol,
            volume,
            persons,
            terms,
            _div_ids(divs),
            _owners(divs),
            PersonsIndex(persons),
            _volume_subject(root),
        )
        dated: list[tuple[etree._Element, _Dating]] = [(d, context.dating(d)) for d in divs]
        _supply_years(dated, volume.coverage)
        for index, (div, dating) in enumerate(dated, 1):
            yield context.document(div, index, _checked(dating, volume.coverage))

    def _bibliography(self, source: Source) -> dict[str, VolumeRecord]:
        found = find_bibliography(source.path, self.bibliography)
        return load_bibliography(found) if found is not None else {}


def _volume_collection(root: etree._Element, vol: str, record: VolumeRecord | None) -> Collection:
    """The volume as a collection: header first, the bibliography for what it lacks."""
    header = root.find("t:teiHeader/t:fileDesc", NS)
    title = volume_title(root) or (record.title if record else "") or vol
    editors = [
        inline_text(e)
        for e in (header.iterfind("t:titleStmt/t:editor", NS) if header is not None else ())
        if inline_text(e)
    ]
    if not editors and record is not None:
        editors = [name for _, name in record.editors]
    coverage = _coverage(title, record)
    published, identifiers = _publication(header, record)
    summary = "\n\n".join(record.summary) if record else ""
    editors_line = f"Edited by {', '.join(editors)}" if editors else ""
    titles = {
        t.get("type", ""): inline_text(t)
        for t in (header.iterfind("t:titleStmt/t:title", NS) if header is not None else ())
    }
    parts = [
        (name, titles.get(key) or titles.get(alt, ""))
        for name, key, alt in (
            ("subseries", "subseries", "sub-series"),
            ("volume-number", "volumenumber", "volume-number"),
            ("volume-title", "volume", "volume"),
        )
    ]
    roles = [
        (f"{e.get('role')}-editor", inline_text(e))
        for e in (header.iterfind("t:titleStmt/t:editor", NS) if header is not None else ())
        if e.get("role") and inline_text(e)
    ]
    if not roles and record is not None:
        roles = [(f"{role}-editor", name) for role, name in record.editors if role]
    return Collection(
        id=f"frus:{vol}",
        title=title,
        description=(record.summary[0] if record and record.summary else editors_line),
        parent=SERIES.id,
        kind="volume",
        editors=tuple(editors),
        coverage=coverage,
        summary=summary,
        published=published,
        identifiers=(("frus-volume", vol), *[p for p in parts if p[1]], *roles, *identifiers),
        sections=tuple(_front_matter(root)),
    )


def _coverage(title: str, record: VolumeRecord | None) -> HistoricalDate | None:
    if record and record.coverage_from.isdigit():
        to = record.coverage_to if record.coverage_to.isdigit() else record.coverage_from
        return HistoricalDate.between(record.coverage_from, to, f"{record.coverage_from}–{to}")
    years = years_in_title(title)
    if years is None:
        return None
    label = str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"
    return HistoricalDate.between(str(years[0]), str(years[1]), label)


def _publication(
    header: etree._Element | None, record: VolumeRecord | None
) -> tuple[str, list[tuple[str, str]]]:
    """ "Washington: United States Government Printing Office, 1998", and the ISBNs,
    administration and status as identifiers."""
    identifiers: list[tuple[str, str]] = []
    parts: list[str] = []
    stmt = header.find("t:publicationStmt", NS) if header is not None else None
    year = record.published_year if record else ""
    if stmt is not None:
        place = stmt.find("t:pubPlace", NS)
        publisher = stmt.find("t:publisher", NS)
        when = stmt.find("t:date", NS)
        where = inline_text(place) if place is not None else ""
        who = inline_text(publisher) if publisher is not None else ""
        parts = [f"{where}: {who}" if where and who else where or who]
        year = year or (inline_text(when) if when is not None else "")
        for idno in stmt.iterfind("t:idno", NS):
            kind, value = idno.get("type", ""), inline_text(idno)
            if kind.startswith("isbn") and value:
                identifiers.append((kind, value))
    if record is not None:
        identifiers += [(k, v) for k, v in (("administration", record.administration),) if v]
        if record.status:
            identifiers.append(("publication-status", record.status))
    published = ", ".join(p for p in [*parts, year] if p)
    return published, identifiers


def _front_matter(root: etree._Element) -> Iterator[Section]:
    """The front's sections (foreword, preface, sources, abbreviations, persons…)."""
    front = root.find("t:text/t:front", NS)
    if front is None:
        return
    for index, div in enumerate(front.iterfind("t:div", NS), 1):
        section_id = div.get(XML_ID) or f"front{index}"
        if section_id.lower() in _FRONT_SKIPPED or div.get("type") in _FRONT_SKIPPED:
            continue
        writer = BlockWriter()
        writer.write(div, depth=0)
        head = div.find("t:head", NS)
        title = inline_text(head) if head is not None else section_id
        blocks = tuple(writer.blocks[1:] if head is not None else writer.blocks)
        if blocks:
            yield Section(section_id, title, blocks)


def _entry_provenance(source: Source, entry: Entry) -> Provenance:
    digest = sha256(etree.tostring(entry.element, with_tail=False))
    return Provenance(source.label, element_path(entry.element), digest, READER)


def _person(source: Source, vol: str, entry: Entry, forms: list[str]) -> Authority:
    variants = [NameVariant(entry.name, VariantKind.ALTERNATE, source=f"frus:{vol} persons list")]
    variants += [
        NameVariant(form, VariantKind.ALTERNATE, source=f"frus:{vol}")
        for form in forms
        if form not in (entry.name, entry.display)
    ]
    return Authority(
        id=f"frus:{vol}:{entry.id}",
        kind=AuthorityKind.PERSON,
        name=entry.display,
        variants=tuple(v for v in variants if v.name != entry.display),
        identifiers=(("frus-person", f"{vol}#{entry.id}"),),
        description=entry.description,
        provenance=_entry_provenance(source, entry),
    )


def _term(source: Source, vol: str, entry: Entry) -> Authority:
    return Authority(
        id=f"frus:{vol}:{entry.id}",
        kind=AuthorityKind.TERM,
        name=entry.description or entry.name,
        variants=(NameVariant(entry.name, VariantKind.ALTERNATE, source=f"frus:{vol} terms list"),),
        description=entry.description,
        provenance=_entry_provenance(source, entry),
    )


def _div_ids(divs: list[etree._Element]) -> list[str]:
    """Each document's id part: its xml:id, made unique where a volume repeats one, or its
    place in the volume where it has none."""
    seen: set[str] = set()
    ids = []
    for index, div in enumerate(divs, 1):
        base = div.get(XML_ID) or f"doc{index}"
        found = base if base not in seen else f"{base}-{index}"
        seen.add(found)
        ids.append(found)
    return ids


def _owners(divs: list[etree._Element]) -> dict[str, str]:
    """Every xml:id inside a document (its footnotes, anchors), mapped to the document's."""
    owners: dict[str, str] = {}
    for div in divs:
        own = div.get(XML_ID)
        if not own:
            continue
        for el in div.iter():
            el_id = el.get(XML_ID) if isinstance(el.tag, str) else None
            if el_id:
                owners.setdefault(el_id, own)
    return owners


# --- dates --------------------------------------------------------------------------


@dataclass
class _Dating:
    """What one document says of its date, before the volume's context is applied."""

    date: HistoricalDate | None
    place: str
    undated: bool = False  # the volume itself says "undated"
    month_day: tuple[int, int, int] | None = None  # a day named without its year
    label: str = ""
    context_years: tuple[int, ...] = ()  # years the chapter headings above it name


def _attribute_date(div: etree._Element, label: str) -> HistoricalDate | None:
    """Today's encoding: `frus:doc-dateTime-min/max` (ranges: keep both ends)."""
    low = high = ""
    for name, value in div.attrib.items():
        attr = etree.QName(name).localname
        if attr == "doc-dateTime-min":
            low = str(value)
        elif attr == "doc-dateTime-max":
            high = str(value)
    if not low and not high:
        return None
    try:
        if low and low == high and "T" in low:
            return HistoricalDate.parse(low, label)
        date = HistoricalDate.between(low or None, high or None, label)
    except ValueError:
        written = f"{low}..{high}" if high != low else low
        return _doubtful(label or written, f"the source's date {written} is not a date")
    if date.earliest and date.earliest == date.latest:
        return HistoricalDate(date.earliest, date.latest, DatePrecision.DAY, label)
    return date


def _doubtful(label: str, why: str) -> HistoricalDate:
    """A date the record states but that cannot be right: kept as written, no bounds
    until the volume's span gives some (see `_checked`)."""
    return HistoricalDate(None, None, DatePrecision.UNKNOWN, label, doubtful=why)


def _element_date(el: etree._Element) -> HistoricalDate | None:
    """A TEI `date` element's date; an impossible one is kept as written, as doubtful."""
    try:
        return date_of_element(el)
    except ValueError as exc:
        written = el.get("when") or el.get("from") or el.get("notBefore") or inline_text(el)
        return _doubtful(inline_text(el) or written, f"the source's date {written!r}: {exc}")


def _head_text(head: etree._Element | None) -> str:
    return inline_text(head) if head is not None else ""


def _chapter_years(div: etree._Element) -> tuple[int, ...]:
    years: list[int] = []
    for ancestor in div.iterancestors(f"{{{TEI_NS}}}div"):
        head = ancestor.find("t:head", NS)
        if head is not None:
            years += [int(y) for y in re.findall(r"\b(1[6-9]\d\d|20\d\d)\b", inline_text(head))]
    return tuple(years)


def _opening_line(div: etree._Element) -> str:
    for p in div.iterfind("t:p", NS):
        text = inline_text(p)
        if text:
            return text[:200]
    return ""


def _closing_line(div: etree._Element) -> str:
    """The last paragraph when it is short enough to be a dateline printed at the end
    ("Washington, November 16, 1948."), as older volumes print them."""
    paragraphs = div.findall("t:p", NS)
    text = inline_text(paragraphs[-1]) if paragraphs else ""
    return text if len(text) <= 80 else ""


def _supply_years(dated: list[tuple[etree._Element, _Dating]], coverage: HistoricalDate | None):
    """Days named without a year take it from the chapter heading above them, else from
    the volume when it covers one year, else from the dated documents around them (FRUS
    prints documents in date order within a chapter)."""
    single = (
        coverage.earliest.year
        if coverage
        and coverage.earliest
        and coverage.latest
        and coverage.earliest.year == coverage.latest.year
        else None
    )
    previous: Day | None = None
    for _, dating in dated:
        if dating.date is None and dating.month_day is not None:
            month, first, last = dating.month_day
            candidates = list(dating.context_years) or ([single] if single else [])
            if not candidates and previous is not None:
                candidates = [previous.year, previous.year + 1]
            for year in candidates:
                found = on_day(year, month, first, last, dating.label)
                if found is not None and (
                    dating.context_years
                    or single
                    or previous is None
                    or (found.earliest and found.earliest >= previous)
                ):
                    dating.date = found
                    break
        if dating.date is not None and dating.date.earliest and not dating.date.doubtful:
            previous = dating.date.earliest


def _checked(dating: _Dating, coverage: HistoricalDate | None) -> _Dating:
    """Flag a date the volume contradicts; give an impossible one the volume's span."""
    date = dating.date
    if date is None:
        return dating
    lo, hi = (coverage.earliest, coverage.latest) if coverage else (None, None)
    span = coverage.label if coverage else ""
    known = date.earliest or date.latest
    if date.doubtful or known is None or known.year < _EARLIEST_PLAUSIBLE:
        why = date.doubtful or f"the year {known.year if known else '?'} cannot be right"
        if lo and hi:
            bounded = HistoricalDate(lo, hi, DatePrecision.RANGE, date.label, date.inferred)
            dating.date = replace(bounded, doubtful=f"{why}; dated by the volume ({span})")
        else:
            dating.date = replace(date, doubtful=why)
        return dating
    if lo and hi and not (lo.year - _SLACK_BEFORE <= known.year <= hi.year + _SLACK_AFTER):
        dating.date = replace(date, doubtful=f"outside the volume's span ({span})")
    return dating


# --- documents ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Volume:
    source: Source
    vol: str
    collection: Collection
    persons: dict[str, Entry]
    terms: dict[str, Entry]
    div_ids: list[str]
    owners: dict[str, str]
    index: PersonsIndex
    subject: str  # the volume's own title: "China", "Soviet Union", "Documents on China…"

    def dating(self, div: etree._Element) -> _Dating:
        """The date and place a document states, wherever it states them: attributes, its
        dateline, its heading (a `date` element, or words), or its opening line."""
        head = div.find("t:head", NS)
        head_text = _NUMBER_PREFIX.sub("", _head_text(head))
        dateline = dateline_of(div)
        date_el = dateline.find(".//t:date", NS) if dateline is not None else None
        label = inline_text(date_el) if date_el is not None else ""
        stated, place = _dateline(dateline)
        date = _attribute_date(div, label or (stated.label if stated else "")) or stated
        if date is not None and date.doubtful and date.label and month_day_in_text(date.label):
            date = None  # "--11-14": a day without its year, which the volume supplies
        if date is None and head is not None:
            head_date = head.find(".//t:date", NS)
            if head_date is not None:
                date = _element_date(head_date)
        if date is None:
            for words in (head_text, _opening_line(div), _closing_line(div)):
                found = date_in_text(words)
                day = month_day_in_text(words) if words is head_text else None
                if day is not None and (found is None or day[3] < found[1]):
                    break  # the heading's own day comes first; the year is found below
                if found is not None:
                    date = replace(found[0], inferred=True)
                    if not place:
                        place = _place_before(words, found[1])
                    break
        dating = _Dating(date, place, label=head_text)
        whole = " ".join((inline_text(dateline) if dateline is not None else "", head_text))
        dating.undated = date is None and bool(_UNDATED.search(whole))
        if date is None and not dating.undated:
            found_day = month_day_in_text(head_text) or month_day_in_text(
                inline_text(dateline) if dateline is not None else ""
            )
            if found_day is not None:
                month, first, last, start = found_day
                dating.month_day = (month, first, last)
                dating.label = head_text[start:].split(".")[0].strip()
                dating.context_years = _chapter_years(div)
        return dating

    def document(self, div: etree._Element, index: int, dating: _Dating) -> Document:
        writer = BlockWriter()
        writer.write(div, depth=0)
        source_note, notes = collect_notes(writer.notes)
        head = _tidy(_head_text(div.find("t:head", NS)))

        named = [p for p in map(self._participant, div.iter(f"{{{TEI_NS}}}persName")) if p]
        linked = [p.authority_id.rsplit(":", 1)[1] for p in named if p.authority_id]
        people = [self._linked(p, linked) for p in named]
        people += listed_participants(div, self.index, self.vol, linked)
        found = people + _gloss_correspondents(div)
        if not any(p.role in (ParticipantRole.AUTHOR, ParticipantRole.RECIPIENT) for p in found):
            found = [_as_body(p) for p in correspondents(head)] + found

        if div.get("subtype") == "editorial-note":
            doc_type = DocumentType.EDITORIAL_NOTE
        else:
            doc_type = refine_doc_type(infer_doc_type(head), source_note, found)
        n = div.get("n", "").strip()
        return Document(
            id=document_id(self.vol, self.div_ids[index - 1]),
            title=head or f"{self.collection.title}, document {n or index}",
            doc_type=doc_type,
            texts=(Text(language_of(div), TextRole.ORIGINAL, tuple(writer.blocks)),),
            date=dating.date,
            place=dating.place,
            participants=merge_participants(found),
            countries=self._countries(div, dating),
            archival_reference=archival_reference(source_note),
            source_note=source_note,
            notes=tuple(notes),
            collections=(SERIES.id, self.collection.id),
            series=self.vol,
            sequence=index,
            subjects=self._subjects(div),
            number=n,
            divisions=_divisions(div),
            references=self._references(div),
            provenance=Provenance(
                self.source.label,
                element_path(div),
                sha256(etree.tostring(div, with_tail=False)),
                READER,
            ),
        )

    def _countries(self, div: etree._Element, dating: _Dating) -> tuple[CountryRef, ...]:
        """The countries a record is about, derived and labelled so: the chapter's or
        the volume's country, and the place it was written, as they were at its date."""
        coverage = self.collection.coverage
        when = (dating.date.earliest if dating.date else None) or (
            coverage.earliest if coverage else None
        )
        found: dict[str, CountryRef] = {}
        chapters = [c for h in _divisions(div) for c in _countries_in_title(h, when)]
        for ref in chapters or _countries_in_title(self.subject, when):
            found.setdefault(ref.code, replace(ref, derived="chapter" if chapters else "volume"))
        place = country_of_place(dating.place, when) if dating.place else None
        if place is not None and place.code != "USA":
            found.setdefault(place.code, replace(place, derived="dateline"))
        return tuple(found.values())

    def _linked(self, person: Participant, linked: list[str]) -> Participant:
        """A name the markup left unlinked, linked where the persons list allows."""
        if person.authority_id:
            return person
        entry = self.index.resolve(person.name, linked)
        if entry is None:
            return person
        return replace(person, name=entry.display, authority_id=f"frus:{self.vol}:{entry.id}")

    def _participant(self, el: etree._Element) -> Participant | None:
        text = inline_text(el)
        target = _target(el)
        entry = self.persons.get(target)
        if not text and entry is None:
            return None
        role, post = persname_role(el)
        if entry is None:
            return Participant(text, role, None, post)
        return Participant(entry.display, role, f"frus:{self.vol}:{entry.id}", post)

    def _subjects(self, div: etree._Element) -> tuple[str, ...]:
        """The terms the record glosses, in order of use."""
        found: dict[str, None] = {}
        for gloss in div.iter(f"{{{TEI_NS}}}gloss"):
            entry = self.terms.get(_target(gloss))
            if entry is not None:
                found[entry.description or entry.name] = None
        return tuple(found)

    def _references(self, div: etree._Element) -> tuple[Reference, ...]:
        own = document_id(self.vol, div.get(XML_ID, "")) if div.get(XML_ID) else ""
        found: dict[str, Reference] = {}
        for ref in div.iter(f"{{{TEI_NS}}}ref"):
            target = resolve_target(ref.get("target", ""), self.vol, self.owners)
            if target is None or target == own or target in found:
                continue
            in_note = any(local(a) == "note" for a in ref.iterancestors() if a is not div)
            found[target] = Reference(target, inline_text(ref), None, in_note)
        return tuple(found.values())


def _dateline(dateline: etree._Element | None) -> tuple[HistoricalDate | None, str]:
    """The dateline's date and place; an impossible date is kept as doubtful."""
    date, place = date_and_place(dateline)
    if date is None and dateline is not None:
        date_el = dateline.find(".//t:date", NS)
        if date_el is not None and any(date_el.get(a) for a in ("when", "from", "to")):
            date = _element_date(date_el)
    return date, place


def _place_before(words: str, start: int) -> str:
    """ "… to Bundy, Washington, May 5, 1948" → "Washington": the last comma-separated
    phrase before the date, when it looks like a place."""
    before = words[:start].rstrip(" ,").rsplit(",", 1)[-1].strip()
    if before and len(before) < 40 and before[:1].isupper() and not re.search(r"\d", before):
        return before
    return ""


def _volume_subject(root: etree._Element) -> str:
    title = root.find("t:teiHeader/t:fileDesc/t:titleStmt/t:title[@type='volume']", NS)
    return inline_text(title) if title is not None else ""


_TITLE_PARTS = re.compile(r"\s*(?:;|,|\band\b|:)\s*")
_TITLE_NOISE = re.compile(
    r"\b(?:documents on|relations with|the question of|questions pertaining to)\b"
    r"|\b1[6-9]\d\d\b|\b20\d\d\b|[–—-]",
    re.I,
)


def _countries_in_title(title: str, when: Day | None) -> list[CountryRef]:
    """Countries a volume or chapter title names as its subject ("China", "Soviet
    Union", "Documents on China, 1969–1972", "Korea; Japan")."""
    found = []
    for part in _TITLE_PARTS.split(title):
        ref = country_named(_TITLE_NOISE.sub(" ", part).strip(), when) if part else None
        if ref is not None and ref.code != "USA":
            found.append(ref)
    return found


def _divisions(div: etree._Element) -> tuple[str, ...]:
    """The headings of the compilations and chapters above a document, outermost first."""
    heads = []
    for ancestor in div.iterancestors(f"{{{TEI_NS}}}div"):
        head = ancestor.find("t:head", NS)
        if head is not None and inline_text(head):
            heads.append(_tidy(inline_text(head)))
    return tuple(reversed(heads))


def _tidy(text: str) -> str:
    """Spaces that markup left inside brackets: "( Marshall )" → "(Marshall)"."""
    return re.sub(r"([(\[])\s+|\s+([)\]])", lambda m: m.group(1) or m.group(2), text)


_GLOSS_ROLES = {"from": ParticipantRole.AUTHOR, "to": ParticipantRole.RECIPIENT}
_BODIES = re.compile(
    r"\b(?:department|embassy|legation|consulate|mission|delegation|office|ministry|bureau|"
    r"agency|council|committee|commission|government|secretariat|staff|headquarters|"
    r"command|station|board|administration|service)s?\b",
    re.IGNORECASE,
)


def _as_body(person: Participant) -> Participant:
    """A correspondent named by a heading is a body when its name is one ("the Embassy
    in Poland", "the Department of State")."""
    if not person.authority_id and _BODIES.search(person.name):
        return replace(person, organisation=True)
    return person


def _gloss_correspondents(div: etree._Element) -> list[Participant]:
    """Senders and addressees that are offices, not listed people: a head's
    `<gloss type="from">Secretary of State</gloss>` and
    `<gloss type="to">Department of State</gloss>`."""
    head = div.find("t:head", NS)
    if head is None:
        return []
    found = []
    for gloss in head.iter(f"{{{TEI_NS}}}gloss"):
        role = _GLOSS_ROLES.get(gloss.get("type", ""))
        # "the <gloss>Embassy</gloss> in France": the office is named with what follows.
        tail = re.split(r"\s(?:to|from|through|via)\s|[(,;]", gloss.tail or "", maxsplit=1)[0]
        name = re.sub(r"^the\s+", "", f"{inline_text(gloss)} {tail}".strip(), flags=re.I)
        name = " ".join(name.split())
        in_note = any(local(a) == "note" for a in gloss.iterancestors() if a is not head)
        if role is not None and name and not in_note and not _target(gloss):
            found.append(Participant(name, role, None, "", organisation=True))
    return found


def is_volume(root: etree._Element) -> bool:
    """True if a parsed TEI root is a FRUS volume with at least one record."""
    return local(root) == "TEI" and root.find(".//t:div[@type='document']", NS) is not None
