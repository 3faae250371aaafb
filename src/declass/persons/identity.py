"""One person per real person: which person each person authority record stands for.

Evidence, strongest first:
  * "self": the record is a person's own (the people authority's `person:<slug>`; a
    provisional POCOM or biography record has the same id and is the same record);
  * "frus-person": a people-authority record lists the volume's persons-list entry
    among its sources (`("frus-person", "<volume>#<pid>")`);
  * "name-match": an entry no record lists takes the person whose recorded spelling
    is the entry's full listed name, when exactly one person has it and the years in
    the entry's identification fall within that person's life; entries that no record
    lists are merged with one another by the same full name only when their
    identifications name the same body or country. A surname, a given name or
    initials never match; two people of one name stay apart.
An entry that nothing links is its own person. `link_persons` derives the links from
what the store holds, whatever the order of ingest, and writes only what changed:
run again over the same records it writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from declass.errors import NotFound
from declass.model import Authority, AuthorityKind
from declass.persons.spellings import parse_spelling, recorded_spellings
from declass.store.base import PersonLink, PersonSpelling, Store

FRUS_PERSON = "frus-person"
RULES = "2"  # the version of the spelling and matching rules below and in spellings.py
_YEAR = re.compile(r"\b(1[89]\d\d|20[0-2]\d)\b")
_PROPER = re.compile(r"\b[A-Z][a-z]{2,}\b")
# Words of an identification that say nothing of who the person is.
_COMMON = {
    "Department", "State", "Secretary", "Assistant", "Director", "Office", "Deputy",
    "Ambassador", "United", "States", "President", "Chief", "Special", "Member",
    "Chairman", "General", "Minister", "Affairs", "Foreign", "From", "Under", "The",
    "Head", "National", "Council", "Staff", "Executive", "Vice", "Senior", "Acting",
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December", "Bureau", "Division", "Former",
}  # fmt: skip
_BULK = 500  # past this many changed records, read them all in one pass


@dataclass(frozen=True)
class LinkReport:
    """What one linking pass changed."""

    links_written: int
    spellings_rewritten: int
    removed: int
    persons: int


def link_persons(store: Store) -> LinkReport:
    """Bring the store's person links and spellings level with its authorities."""
    # A link remembers the record's content and the rules it was made by: either
    # changing relinks the record.
    hashes = {a: f"{h}:{RULES}" for a, h in store.authority_hashes(AuthorityKind.PERSON).items()}
    stored = store.person_links()
    changed = [a for a, h in hashes.items() if a not in stored or stored[a].content_hash != h]
    removed = sorted(a for a in stored if a not in hashes)
    if not changed and not removed:
        return LinkReport(0, 0, 0, len({k.person_id for k in stored.values()}))

    records = _read(store, changed)
    spellings = {a.id: recorded_spellings(a) for a in records.values()}
    claims: dict[str, list[str]] = {}
    for owner, value in store.identifier_values(FRUS_PERSON):
        if not owner.startswith("frus:") and owner in hashes:
            claims.setdefault(value, []).append(owner)

    target: dict[str, tuple[str, str, str]] = {}
    unclaimed: list[str] = []
    for authority_id in hashes:
        entry = _entry_value(authority_id)
        owners = sorted(claims.get(entry, ())) if entry else []
        if owners:
            detail = f"{owners[0]} lists {entry}"
            if len(owners) > 1:
                detail += f" (so do {', '.join(owners[1:])})"
            target[authority_id] = (owners[0], FRUS_PERSON, detail)
        elif entry:
            unclaimed.append(authority_id)
        else:
            target[authority_id] = (authority_id, "self", "")
    target.update(_match_unclaimed(store, unclaimed, records, spellings, target))

    links = [
        PersonLink(a, person, evidence, detail, hashes[a])
        for a, (person, evidence, detail) in sorted(target.items())
        if a not in stored
        or (stored[a].person_id, stored[a].evidence, stored[a].detail) != (person, evidence, detail)
        or stored[a].content_hash != hashes[a]
    ]
    store.update_person_links(links, spellings, removed)
    return LinkReport(
        len(links), len(spellings), len(removed), len({p for p, _, _ in target.values()})
    )


def _entry_value(authority_id: str) -> str:
    """ "frus:frus1955-57v02:p_CE1" → "frus1955-57v02#p_CE1"; "" for any other record."""
    parts = authority_id.split(":")
    return f"{parts[1]}#{parts[2]}" if len(parts) == 3 and parts[0] == "frus" else ""


def _read(store: Store, ids: list[str]) -> dict[str, Authority]:
    if len(ids) > _BULK:
        wanted = set(ids)
        return {a.id: a for a in store.authorities(AuthorityKind.PERSON) if a.id in wanted}
    return {a: store.authority(a) for a in ids}


def _match_unclaimed(
    store: Store,
    unclaimed: list[str],
    records: dict[str, Authority],
    spellings: dict[str, list[PersonSpelling]],
    known: dict[str, tuple[str, str, str]],
) -> dict[str, tuple[str, str, str]]:
    """Links for the persons-list entries no record lists (see the module's doc)."""
    if not unclaimed:
        return {}
    entries = {a: records.get(a) or store.authority(a) for a in unclaimed}
    names = {a: _full_names(spellings.get(a) or recorded_spellings(e)) for a, e in entries.items()}
    unclaimed_set = set(unclaimed)
    keys = sorted({k for ks in names.values() for k in ks})
    # The persons that already have these spellings: people records, and the entries
    # they list (whose person is their lister).
    holders: dict[str, set[str]] = {}
    for s in store.person_spellings(keys=keys):
        if s.authority_id not in unclaimed_set:
            holders.setdefault(s.key, set()).add(s.authority_id)
    for a, spelled in spellings.items():  # written in this same pass
        if a not in unclaimed_set:
            for s in spelled:
                holders.setdefault(s.key, set()).add(a)
    out: dict[str, tuple[str, str, str]] = {}
    for a in sorted(unclaimed):
        candidates: set[str] = set()
        for key in names[a]:
            candidates |= {known[h][0] for h in holders.get(key, ()) if h in known}
        fitting = [p for p in sorted(candidates) if _fits_life(entries[a], _life(store, p))]
        if len(fitting) == 1 and len(candidates) == 1:
            shared = sorted(names[a])[0]
            out[a] = (fitting[0], "name-match", f"listed as '{shared}', a spelling of {fitting[0]}")
    rest = [a for a in sorted(unclaimed) if a not in out]
    out.update(_merge_entries(rest, entries, names))
    return out


def _full_names(spellings: Iterable[PersonSpelling]) -> set[str]:
    """Keys of spellings that name one person: not bare, not initials alone."""
    out = set()
    for s in spellings:
        parsed = parse_spelling(s.name)
        if not parsed.bare and not parsed.initials_only:
            out.add(s.key)
    return out


def _life(store: Store, person_id: str) -> tuple[int | None, int | None]:
    try:
        record = store.authority(person_id)
    except NotFound:  # a person known only by its link: no dates to check
        return None, None
    return record.birth_year, record.death_year


def _fits_life(entry: Authority, life: tuple[int | None, int | None]) -> bool:
    """Whether every year the entry's identification names falls within the life."""
    born, died = life
    for year in (int(y) for y in _YEAR.findall(entry.description)):
        if born is not None and year < born + 10:
            return False
        if died is not None and year > died + 1:
            return False
    return True


def _merge_entries(
    rest: list[str], entries: dict[str, Authority], names: dict[str, set[str]]
) -> dict[str, tuple[str, str, str]]:
    """Entries no record lists, merged across volumes by full name and a shared
    particular word in their identifications; each group takes its first id."""
    out: dict[str, tuple[str, str, str]] = {}
    for a in rest:
        words = _particular(entries[a].description)
        for b in rest:
            if b >= a:
                continue
            shared = names[a] & names[b]
            common = words & _particular(entries[b].description)
            if shared and common and _years_close(entries[a], entries[b]):
                head = out[b][0]
                detail = f"listed as '{sorted(shared)[0]}' like {b}; both: {sorted(common)[0]}"
                out[a] = (head, "name-match", detail)
                break
        if a not in out:
            out[a] = (a, "self", "")
    return out


def _particular(description: str) -> set[str]:
    return {w for w in _PROPER.findall(description) if w not in _COMMON}


def _years_close(a: Authority, b: Authority) -> bool:
    years = [int(y) for y in _YEAR.findall(a.description + " " + b.description)]
    return not years or max(years) - min(years) <= 60
