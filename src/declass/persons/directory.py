"""One person as a reader looks them up: their name, life, spellings and documents.

Built on the links `identity.link_persons` keeps: a person is every authority record
linked to one canonical id, so a FRUS persons-list entry of any volume, a provisional
POCOM record and the people authority's record answer as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from declass.errors import NotFound
from declass.model import Authority, Event, EventKind
from declass.names import compatible, fold, natural_order
from declass.persons.spellings import parse_spelling
from declass.store.base import PersonDocument, PersonLink, Store


@dataclass(frozen=True)
class Spelling:
    """A way the person's name is written, and every source that records it."""

    name: str
    sources: tuple[str, ...]  # volumes ("frus1964-68v30") and pages, as recorded


@dataclass(frozen=True)
class Identification:
    """How one source identifies the person ("Premier of the State Council…")."""

    authority_id: str
    source: str  # the volume, or the record's corpus
    text: str


@dataclass(frozen=True)
class Person:
    """One real person across every source that names them."""

    id: str
    name: str  # the preferred name, in natural order ("Andreĭ Andreevich Gromyko")
    birth_year: int | None
    death_year: int | None
    description: str
    spellings: tuple[Spelling, ...]
    identifications: tuple[Identification, ...]
    members: tuple[PersonLink, ...]  # every record linked to it, with the evidence

    @property
    def authority_ids(self) -> tuple[str, ...]:
        return tuple(m.authority_id for m in self.members)


def person_of(store: Store, authority_id: str) -> str:
    """The canonical person id of an authority record (the record's own id when it is
    linked to nothing)."""
    link = store.person_links([authority_id]).get(authority_id)
    return link.person_id if link else authority_id


def person(store: Store, person_id: str) -> Person:
    """The person `person_id` (or any authority id linked to one) stands for; raises
    NotFound for an id the archive does not hold."""
    canonical = person_of(store, person_id)
    members = store.person_members([canonical])
    if not members:
        try:
            record = store.authority(canonical)
        except NotFound:
            raise NotFound(f"no person {person_id!r}") from None
        members = [PersonLink(record.id, record.id, "self")]
    records = {m.authority_id: _record(store, m.authority_id) for m in members}
    main = records.get(canonical) or next(r for r in records.values() if r is not None)
    assert main is not None
    seen: dict[str, dict[str, None]] = {}
    for s in store.person_spellings(person_ids=[canonical]):
        for source in s.source.split() or [""]:
            seen.setdefault(s.name, {})[source] = None
    idents = tuple(
        Identification(a, _source(a), r.description)
        for a, r in sorted(records.items())
        if r is not None and r.description and a != canonical
    )
    return Person(
        id=canonical,
        name=display_name(main),
        birth_year=main.birth_year,
        death_year=main.death_year,
        description=main.description if not main.id.startswith("frus:") else "",
        spellings=tuple(
            Spelling(name, tuple(s for s in sources if s)) for name, sources in seen.items()
        ),
        identifications=idents,
        members=tuple(members),
    )


def display_name(record: Authority) -> str:
    """A record's name as a page or facet shows it: natural order ("Gromyko, Andrei
    A." → "Andrei A. Gromyko"), a parenthesised second spelling left out."""
    first = record.name.split("(")[0].strip() or record.name
    return natural_order(first)[0]


def persons_named(store: Store, name: str) -> list[Person]:
    """Every person the name can mean: those with a compatible recorded spelling for a
    full name ("Andrei Gromyko"), those of that surname for a surname ("Gromyko"),
    most documented first."""
    wanted = parse_spelling(name)
    if not wanted.key:
        return []
    rows = store.person_spellings(keys=[wanted.key])
    if not rows:
        rows = [
            s
            for s in store.person_spellings(surnames=[wanted.surname_key or fold(name)])
            if wanted.bare or compatible(wanted, parse_spelling(s.name))
        ]
    ids = sorted({s.person_id for s in rows})
    found = [person(store, p) for p in ids]
    counts = {p.id: len(store.person_documents(p.authority_ids)) for p in found}
    return sorted(found, key=lambda p: (-counts[p.id], p.name, p.id))


def person_documents(
    store: Store, person_id: str, limit: int | None = None
) -> list[PersonDocument]:
    """The current documents naming the person under any of their records, across
    volumes and corpora, in date order (a document once, under its first record)."""
    canonical = person_of(store, person_id)
    members = [m.authority_id for m in store.person_members([canonical])] or [canonical]
    first: dict[str, PersonDocument] = {}
    for row in store.person_documents(members):
        first.setdefault(row.doc_id, row)
    ordered = list(first.values())
    return ordered[:limit] if limit is not None else ordered


def person_posts(store: Store, person_id: str) -> list[Event]:
    """The posts the person held (POCOM appointments), in date order."""
    canonical = person_of(store, person_id)
    members = [m.authority_id for m in store.person_members([canonical])] or [canonical]
    found: dict[str, Event] = {}
    for member in _people_records(members):
        for event in store.events(EventKind.APPOINTMENT, person=member):
            found.setdefault(event.id, event)
    return sorted(found.values(), key=lambda e: (e.date.sort_key(), e.id))


def _people_records(ids: Sequence[str]) -> list[str]:
    return [a for a in ids if not a.startswith("frus:")]


def _record(store: Store, authority_id: str) -> Authority | None:
    try:
        return store.authority(authority_id)
    except NotFound:
        return None


def _source(authority_id: str) -> str:
    parts = authority_id.split(":")
    return parts[1] if parts[0] == "frus" and len(parts) == 3 else parts[0]
