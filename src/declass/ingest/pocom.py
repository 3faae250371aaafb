"""Principal Officers and Chiefs of Mission (pocom): who held which post, where, and when.

By default pocom contributes appointments only. Its people are also in people.tgz under
the same "person:<slug>" ids, with every spelling, VIAF id and FRUS id, so people.tgz owns
the Authority records and a pocom ingest never overwrites them with thinner ones; pocom's
own person files supply the names its Participants carry. `PocomReader(authorities=True)`
also yields pocom's own (thinner) person records, for an archive without people.tgz.

Read the folder whole: appointments name people, positions and chiefs of mission that
live in other files. A single file still reads, with slugs standing in for names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from declass.errors import IngestError
from declass.ingest.hsg import country_for, element_hash, parse_xml, root_tag, slug_words, text
from declass.ingest.source import Source
from declass.model import (
    Authority,
    AuthorityKind,
    Collection,
    CountryRef,
    DatePrecision,
    Event,
    EventKind,
    HistoricalDate,
    Item,
    NameVariant,
    Participant,
    ParticipantRole,
    Provenance,
    Rejection,
    VariantKind,
)

COLLECTION = Collection(
    id="pocom",
    title="Principal Officers and Chiefs of Mission",
    description=(
        "The Department of State's principal officers and the chiefs of US diplomatic "
        "missions since 1778, with the dates of appointment, credentials and departure."
    ),
)

_MISSIONS, _POSITIONS, _CONCURRENT, _PEOPLE = (
    "missions-countries",
    "positions-principals",
    "concurrent-appointments",
    "people",
)
_RECORD_ROOTS = {"country-mission", "principal-position", "concurrent-appointments"}

# Chief-of-mission ranks as history.state.gov prints them; others are spelled out from the slug.
_ROLE_TITLES = {
    "ambassador-e-p": "Ambassador Extraordinary and Plenipotentiary",
    "envoy-extraordinary-minister-plenipotentiary": (
        "Envoy Extraordinary and Minister Plenipotentiary"
    ),
    "envoy-extraordinary-minister-plenipotentiary-consul-general": (
        "Envoy Extraordinary and Minister Plenipotentiary/Consul General"
    ),
    "charge-daffaires": "Chargé d’Affaires",
    "charge-daffaires-ad-interim": "Chargé d’Affaires ad interim",
    "charge-daffaires-pro-tem": "Chargé d’Affaires pro tem",
    "charge-daffaires-consul-general": "Chargé d’Affaires/Consul General",
    "minister-resident-consul-general": "Minister Resident/Consul General",
    "agent-consul-general": "Agent/Consul General",
    "diplomatic-agent-consul-general": "Diplomatic Agent/Consul General",
    "commissioner-consul-general": "Commissioner/Consul General",
    "personal-representative-of-the-president": "Personal Representative of the President",
    "chief": "Chief of Mission",
}
_SMALL_WORDS = {"and", "of", "the", "for", "ad", "interim", "at", "to", "on"}


@dataclass
class _Index:
    """What appointments look up in other files: names, position titles, chiefs by id."""

    names: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    chiefs: dict[str, Event] = field(default_factory=dict)


class PocomReader:
    """Reads the pocom folder whole, or one of its files on its own."""

    name = "pocom"

    def __init__(self, authorities: bool = True) -> None:
        # POCOM's person records are provisional: people.tgz's fuller records win
        # over them in the store whichever is ingested first.
        self.authorities = authorities

    def detect(self, source: Source) -> bool:
        if source.is_dir:
            return (source.path / _MISSIONS).is_dir() or (source.path / _POSITIONS).is_dir()
        if not source.name.endswith(".xml"):
            return False
        head = source.head()
        tag = root_tag(head)
        return tag in _RECORD_ROOTS or (tag == "person" and b"<persName" in head)

    def read(self, source: Source) -> Iterator[Item]:
        yield COLLECTION
        if source.is_dir:
            yield from _read_folder(source, self.authorities)
            return
        root = parse_xml(source.read_bytes(), source.label)
        where = source.member or source.name
        if root.tag == "person" and self.authorities:
            yield person_authority(root, source.label, where)
        yield from _records(root, _Index(), source.label, where)


def _read_folder(source: Source, authorities: bool) -> Iterator[Item]:
    """Names and titles first, then appointments; a malformed file is rejected, not fatal."""
    folder = source.path
    index = _Index()

    def parsed(
        sub: str, pattern: str = "*.xml"
    ) -> Iterator[tuple[str, etree._Element] | Rejection]:
        for path in sorted((folder / sub).glob(pattern)):
            try:
                yield path.relative_to(folder).as_posix(), parse_xml(path.read_bytes(), str(path))
            except IngestError as exc:
                yield Rejection(exc.path, exc.position, exc.reason)

    for found in parsed(_PEOPLE, "*/*.xml"):
        if isinstance(found, Rejection):
            yield found
        elif found[1].tag == "person":
            index.names[text(found[1], "id")] = _display_name(found[1])
            if authorities:
                yield person_authority(found[1], source.label, found[0])
    positions = list(parsed(_POSITIONS))
    for found in positions:
        if not isinstance(found, Rejection):
            index.titles[text(found[1], "id")] = text(found[1], "names/singular")
    for sub in (_POSITIONS, _MISSIONS, _CONCURRENT):
        for found in positions if sub == _POSITIONS else parsed(sub):
            if isinstance(found, Rejection):
                yield found
            else:
                yield from _records(found[1], index, source.label, found[0])


def _records(root: etree._Element, index: _Index, label: str, where: str) -> Iterator[Item]:
    if root.tag == "principal-position":
        yield from _principals(root, index, label, where)
    elif root.tag == "country-mission":
        yield from _chiefs(root, index, label, where)
    elif root.tag == "concurrent-appointments":
        yield _concurrent(root, index, label, where)
    elif root.tag != "person":
        yield Rejection(label, where, f"not a pocom record (root <{root.tag}>)")


def _principals(root: etree._Element, index: _Index, label: str, where: str) -> Iterator[Item]:
    position_id = text(root, "id")
    index.titles.setdefault(position_id, text(root, "names/singular"))
    seen: dict[str, int] = {}
    for group, nominee in (("principals", False), ("other-appointees", True)):
        for record in root.iterfind(f"{group}/principal"):
            record_id = _unique(f"pocom:principal:{position_id}:{text(record, 'id')}", seen)
            role = text(record, "role-title-id") or position_id
            title = index.titles.get(role) or _title(role)
            yield _appointment(record, record_id, title, None, nominee, index, label, where)


def _chiefs(root: etree._Element, index: _Index, label: str, where: str) -> Iterator[Item]:
    territory = text(root, "territory-id")
    seen: dict[str, int] = {}
    for group, nominee in (("chiefs", False), ("other-nominees", True)):
        for record in root.iterfind(f"{group}/chief"):
            chief_id = text(record, "id")
            record_id = _unique(f"pocom:chief:{chief_id}", seen)
            role = text(record, "role-title-id")
            title = _ROLE_TITLES.get(role) or _title(role)
            place = (text(record, "contemporary-territory-id") or territory, territory)
            item = _appointment(record, record_id, title, place, nominee, index, label, where)
            if isinstance(item, Event):
                index.chiefs.setdefault(chief_id, item)
            yield item


def _concurrent(root: etree._Element, index: _Index, label: str, where: str) -> Item:
    """One person accredited to several countries at once, while resident in one of them."""
    record_id = text(root, "id")
    person = text(root, "person-id")
    resident = text(root, "resident-at/contemporary-territory-id")
    locale = text(root, "resident-at/locale-id")
    chiefs = [text(c) for c in root.iterfind("chief-id")]
    found = [index.chiefs[c] for c in chiefs if c in index.chiefs]
    missing = [c for c in chiefs if c not in index.chiefs]
    countries: dict[CountryRef, None] = {}
    for event in found:
        countries.update(dict.fromkeys(event.countries))
    if not found and resident:
        countries[country_for(resident, "", None)] = None
    starts = [e.date.earliest for e in found if e.date.earliest]
    ends = [e.date.latest for e in found]
    # Accredited from the first credentials to the last departure; open while any continues.
    date = HistoricalDate(
        min(starts) if starts else None,
        max(e for e in ends if e) if ends and None not in ends else None,
        DatePrecision.RANGE if found else DatePrecision.UNKNOWN,
        "; ".join(e.date.label for e in found),
    )
    posts = dict.fromkeys(p.post for e in found for p in e.people if p.post)
    names = ", ".join(c.name for c in countries)
    # Locale ids are city slugs, some with a country suffix: "london_uk".
    city = slug_words(locale.split("_")[0])
    description = f"Concurrent appointment: {names}, resident at {city or slug_words(resident)}"
    if missing:
        description += f"; chief-of-mission records not in this corpus: {', '.join(missing)}"
    return Event(
        id=f"pocom:concurrent:{record_id}",
        kind=EventKind.APPOINTMENT,
        date=date,
        description=description,
        people=(_participant(person, index, " / ".join(posts)),),
        countries=tuple(countries),
        place=city,
        provenance=Provenance(label, f"{where}#{record_id}", element_hash(root), PocomReader.name),
    )


def _appointment(
    record: etree._Element,
    record_id: str,
    title: str,
    territory: tuple[str, str] | None,
    nominee: bool,
    index: _Index,
    label: str,
    where: str,
) -> Item:
    position = f"{where}#{text(record, 'id')}"
    try:
        date = _service(record)
    except ValueError as exc:
        return Rejection(label, position, f"bad date: {exc}")
    # The territory as it was then ("albania-1946"), else the mission's country today.
    countries = (country_for(territory[0], "", date.earliest, territory[1]),) if territory else ()
    post = f"{title}, {countries[0].name}" if countries else title
    steps = [
        _step(record, "appointed", "appointed"),
        _step(record, "arrived", "arrived at post"),
        _step(record, "started", "presented credentials" if countries else "entered on duty"),
        _step(record, "ended", "left post"),
        text(record, "note"),
    ]
    description = "; ".join(
        s for s in [post + (" (other nominee)" if nominee else ""), *steps] if s
    )
    return Event(
        id=record_id,
        kind=EventKind.APPOINTMENT,
        date=date,
        description=description,
        people=(_participant(text(record, "person-id"), index, title),),
        countries=countries,
        provenance=Provenance(label, position, element_hash(record), PocomReader.name),
    )


def _service(record: etree._Element) -> HistoricalDate:
    """From taking up the post (or, failing that, appointment) to leaving it; open if serving."""
    start = (
        text(record, "started/date")
        or text(record, "arrived/date")
        or text(record, "appointed/date")
    )
    end = text(record, "ended/date")
    label = f"{start or '?'} – {end or ''}".strip()
    return HistoricalDate.between(start or None, end or None, label)


def _step(record: etree._Element, tag: str, default: str) -> str:
    """ "left post on 1947-03-22": the record's own wording for a dated step when it has one."""
    day = text(record, f"{tag}/date")
    if not day:
        return ""
    wording = text(record, f"{tag}/note") or default
    wording = wording[0].lower() + wording[1:]
    return f"{wording} {day}" if wording.endswith(" on") else f"{wording}: {day}"


def _participant(person: str, index: _Index, post: str) -> Participant:
    return Participant(
        name=index.names.get(person) or person,
        role=ParticipantRole.PARTICIPANT,
        authority_id=f"person:{person}" if person else None,
        post=post,
    )


def person_authority(person: etree._Element, label: str, where: str) -> Authority:
    """A pocom person as an Authority: thinner than people.tgz's record for the same id."""
    slug = text(person, "id")
    surname, forename = text(person, "persName/surname"), text(person, "persName/forename")
    suffix = text(person, "persName/genName")
    inverted = ", ".join(filter(None, (surname, forename, suffix)))
    variants = dict.fromkeys(
        [_display_name(person), *(text(a) for a in person.iterfind("persName/altname"))]
    )
    career = text(person, "career-type")
    return Authority(
        id=f"person:{slug}",
        kind=AuthorityKind.PERSON,
        name=inverted or slug,
        variants=(
            NameVariant(inverted or slug, VariantKind.PREFERRED),
            *(NameVariant(v) for v in variants if v and v != inverted),
        ),
        identifiers=(
            ("pocom-person", slug),
            *(("pocom-old-id", text(o)) for o in person.iterfind("old-ids/old-id") if text(o)),
        ),
        birth_year=_year(text(person, "birth")),
        death_year=_year(text(person, "death")),
        description=f"Foreign Service: {career}" if career else "",
        provenance=Provenance(label, f"{where}#{slug}", element_hash(person), PocomReader.name),
        provisional=True,
    )


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) > 0 else None


def _display_name(person: etree._Element) -> str:
    """ "Anthony Joseph Drexel Biddle, Jr.": forenames, surname, then any generational suffix."""
    name = " ".join(
        filter(None, (text(person, "persName/forename"), text(person, "persName/surname")))
    )
    suffix = text(person, "persName/genName")
    return f"{name}, {suffix}" if suffix else name


def _title(slug: str) -> str:
    """A position title spelled out from its slug, for ranks the table above lacks."""
    words = slug.split("-")
    return " ".join(w if w in _SMALL_WORDS and i else w.capitalize() for i, w in enumerate(words))


def _unique(record_id: str, seen: dict[str, int]) -> str:
    """pocom reuses a few record ids within one file: number the repeats in file order."""
    seen[record_id] = seen.get(record_id, 0) + 1
    return record_id if seen[record_id] == 1 else f"{record_id}#{seen[record_id]}"
