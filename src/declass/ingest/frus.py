"""Whole FRUS volumes (HistoryAtState/frus `volumes/*.xml`), read as the frus ODD encodes them.

One Document per `div type="document"`, dated by `frus:doc-dateTime-min/max`; names
resolved against the volume's persons list (`div xml:id="persons"`), glossed terms
against its terms list; one PERSON Authority per persons-list entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from declass.errors import IngestError
from declass.ingest.archival import archival_reference
from declass.ingest.dates import date_and_place, dateline_of
from declass.ingest.doctype import infer_doc_type, refine_doc_type
from declass.ingest.participants import correspondents, merge_participants, persname_role
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
    parse_tei,
)
from declass.model import (
    Authority,
    AuthorityKind,
    Collection,
    DatePrecision,
    Document,
    DocumentType,
    HistoricalDate,
    Item,
    NameVariant,
    Participant,
    ParticipantRole,
    Provenance,
    Rejection,
    Text,
    TextRole,
    VariantKind,
)

SERIES = Collection(
    "frus",
    "Foreign Relations of the United States",
    "The official documentary record of US foreign policy (Office of the Historian).",
)
READER = "frus-volume"
VOLUME_ID = re.compile(r"^frus[0-9A-Za-z-]+$")
# Ids of the persons and terms sections, as different generations of volumes spell them.
_PERSONS_IDS = {"persons", "persname", "listofpersons", "correspondents"}
_TERMS_IDS = {"terms", "abbreviations", "listofabbreviations"}
_SUFFIXES = {"jr.", "sr.", "ii", "iii", "iv"}


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
        rest = full[len(name) :] if full.startswith(name) else full.split(",", 1)[-1]
        found[entry_id] = Entry(entry_id, name.strip(), rest.lstrip(",;: ").strip(), item)
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


class _BadRecord(ValueError):
    pass


def _date(div: etree._Element, label: str) -> HistoricalDate | None:
    """FRUS dates are ranges: keep both ends; equal ends with a time are to the minute."""
    low: str | None = None
    high: str | None = None
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
        date = HistoricalDate.between(low, high, label)
    except ValueError as e:
        raise _BadRecord(f"bad doc-dateTime-min/max ({low!r}, {high!r}): {e}") from e
    if date.earliest and date.earliest == date.latest:
        return HistoricalDate(date.earliest, date.latest, DatePrecision.DAY, label)
    return date


class FrusVolumeReader:
    """A whole FRUS volume: its Collection, an Authority per listed person, and Documents."""

    name = READER

    def detect(self, source: Source) -> bool:
        if source.is_dir or not source.name.lower().endswith(".xml"):
            return False
        return is_frus_volume(source.head(SNIFF_BYTES))

    def read(self, source: Source) -> Iterator[Item]:
        data = source.read_bytes()
        root = parse_tei(data, source.label)
        vol = volume_id(root, source)
        title = volume_title(root) or vol
        persons = _entries(_section(root, _PERSONS_IDS), "persName", "p_")
        terms = _entries(_section(root, _TERMS_IDS), "term", "t_")
        divs = root.findall(".//t:text//t:div[@type='document']", NS)
        if not divs:
            raise IngestError(source.label, "", 'FRUS volume has no div type="document"')

        volume = Collection(f"frus:{vol}", title, _editors(root), parent=SERIES.id)
        yield SERIES
        yield volume
        forms = _surface_forms(root)
        for entry in persons.values():
            yield _person(source, vol, entry, forms.get(entry.id, []))
        for entry in terms.values():
            yield _term(source, vol, entry)
        context = _Volume(source, vol, volume, persons, terms)
        for index, div in enumerate(divs, 1):
            try:
                yield context.document(div, index)
            except _BadRecord as e:
                yield Rejection(source.label, element_path(div), str(e))


def _editors(root: etree._Element) -> str:
    names = [
        inline_text(e)
        for e in root.iterfind("t:teiHeader/t:fileDesc/t:titleStmt/t:editor", NS)
        if inline_text(e)
    ]
    return f"Edited by {', '.join(names)}" if names else ""


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


@dataclass(frozen=True)
class _Volume:
    source: Source
    vol: str
    collection: Collection
    persons: dict[str, Entry]
    terms: dict[str, Entry]

    def document(self, div: etree._Element, index: int) -> Document:
        writer = BlockWriter()
        writer.write(div, depth=0)
        source_note, notes = collect_notes(writer.notes)
        head_el = div.find("t:head", NS)
        head = inline_text(head_el) if head_el is not None else ""
        dateline = dateline_of(div)
        date_el = dateline.find(".//t:date", NS) if dateline is not None else None
        label = inline_text(date_el) if date_el is not None else ""
        stated, place = date_and_place(dateline)
        date = _date(div, label or (stated.label if stated else "")) or stated

        people = [self._participant(p) for p in div.iter(f"{{{TEI_NS}}}persName")]
        found = [p for p in people if p is not None] + _gloss_correspondents(div)
        if not any(p.role in (ParticipantRole.AUTHOR, ParticipantRole.RECIPIENT) for p in found):
            found = correspondents(head) + found

        if div.get("subtype") == "editorial-note":
            doc_type = DocumentType.EDITORIAL_NOTE
        else:
            doc_type = refine_doc_type(infer_doc_type(head), source_note, found)
        n = div.get("n", "")
        div_id = div.get(XML_ID) or f"d{index}"
        return Document(
            id=f"frus:{self.vol}:{div_id}",
            title=head or f"{self.collection.title}, document {n or index}",
            doc_type=doc_type,
            texts=(Text(language_of(div), TextRole.ORIGINAL, tuple(writer.blocks)),),
            date=date,
            place=place,
            participants=merge_participants(found),
            archival_reference=archival_reference(source_note),
            source_note=source_note,
            notes=tuple(notes),
            collections=(SERIES.id, self.collection.id),
            series=self.vol,
            sequence=int(n) if n.isdigit() else None,
            subjects=self._subjects(div),
            provenance=Provenance(
                self.source.label,
                element_path(div),
                sha256(etree.tostring(div, with_tail=False)),
                READER,
            ),
        )

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
        """The chapters the record sits in, then the terms it glosses, in order of use."""
        found: dict[str, None] = {}
        for ancestor in reversed(list(div.iterancestors(f"{{{TEI_NS}}}div"))):
            head = ancestor.find("t:head", NS)
            if head is not None and inline_text(head):
                found[inline_text(head)] = None
        for gloss in div.iter(f"{{{TEI_NS}}}gloss"):
            entry = self.terms.get(_target(gloss))
            if entry is not None:
                found[entry.description or entry.name] = None
        return tuple(found)


_GLOSS_ROLES = {"from": ParticipantRole.AUTHOR, "to": ParticipantRole.RECIPIENT}


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
        name = re.sub(r"^the\s+", "", inline_text(gloss), flags=re.I)
        in_note = any(local(a) == "note" for a in gloss.iterancestors() if a is not head)
        if role is not None and name and not in_note and not _target(gloss):
            found.append(Participant(name, role, None, ""))
    return found


def is_volume(root: etree._Element) -> bool:
    """True if a parsed TEI root is a FRUS volume with at least one record."""
    return local(root) == "TEI" and root.find(".//t:div[@type='document']", NS) is not None
