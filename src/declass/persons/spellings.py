"""Which names of a person authority record are spellings of that person.

An authority's variants are not all evidence. The people authority's preferred name,
alternates and originals are spellings its editors recorded. A FRUS persons-list
entry's own listed name is one too; but the reader also keeps every form the volume's
markup ties to the entry, and some of those are titles ("Chairman"), initials ("K") or
another person where the markup's link is wrong ("Stalin" tied to Khrushchev). Such a
form counts only when it is a full name that agrees with the entry's listed name
("Nikita Khrushchev" for "Khrushchev, Nikita S.").
"""

from __future__ import annotations

from declass.model import Authority
from declass.names import PersonName, alternatives, compatible, parse_person
from declass.search.variants import surname_first
from declass.store.base import PersonSpelling

LISTED = " persons list"  # the FRUS reader's source for a listed name


def parse_spelling(name: str) -> PersonName:
    """A spelling's parts, with Chinese names read surname first."""
    return parse_person(name, surname_first=surname_first(name.split("(")[0].strip()))


def recorded_spellings(authority: Authority) -> list[PersonSpelling]:
    """The spellings `authority` records for its person, each with where it was found."""
    found: dict[tuple[str, str], PersonSpelling] = {}

    def add(name: str, source: str) -> None:
        for one in alternatives(name):
            parsed = parse_spelling(one)
            if not parsed.key:
                continue
            spelling = PersonSpelling(
                authority.id, parsed.text, parsed.key, parsed.surname_key, source
            )
            found.setdefault((parsed.key, source), spelling)

    if authority.id.startswith("frus:"):
        volume = authority.id.split(":")[1]
        listed = [v.name for v in authority.variants if v.source.endswith(LISTED)]
        for name in [authority.name, *listed]:
            add(name, volume)
        agreed = [parse_spelling(n) for n in [authority.name, *listed]]
        for variant in authority.variants:
            if variant.source.endswith(LISTED):
                continue
            form = parse_spelling(variant.name)
            if not form.bare and any(compatible(form, a) for a in agreed):
                add(variant.name, volume)
        return list(found.values())
    origin = authority.id.split(":", 1)[0]
    for name in authority.all_names:
        sources = [v.source for v in authority.variants if v.name == name and v.source]
        where = sources[0] if sources else origin
        # The people authority lists the pages a spelling was printed on, space-separated.
        add(name, " ".join(_short(page) for page in where.split()))
    return list(found.values())


def _short(page: str) -> str:
    """A source page as a reader names it: a FRUS persons page by its volume."""
    marker = "/historicaldocuments/"
    if marker in page:
        return page.split(marker, 1)[1].split("/", 1)[0]
    return page
