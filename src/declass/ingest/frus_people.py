"""The people of a FRUS record, resolved against its volume's persons list.

Editors link most names (`persName corresp="#p_…"`), but not all: a memorandum of
conversation lists its participants as plain lines ("Johnson Cheng, Counselor of
Embassy", "The Secretary"), and the text names people the markup left unlinked
("Huang", where the list has "Huang Chen"). A name is linked to a list entry only on
evidence: its full name as listed; a surname that only one entry bears among the people
the record itself links (else in the whole list); an office ("The Secretary") that only
one entry's description holds. Otherwise the name stays as printed, unlinked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from lxml import etree

from declass.countries import country_named
from declass.ingest.participants import split_outside_parentheses
from declass.ingest.tei_text import inline_text
from declass.ingest.tei_xml import TEI_NS, local
from declass.model import Participant, ParticipantRole

_HONORIFICS = re.compile(
    r"^(?:mr|mrs|miss|ms|dr|sir|lord|lady|madame|mme|m|general|gen|admiral|adm|colonel|col"
    r"|ambassador|minister|premier|chairman|president|secretary|senator|governor|prince"
    r"|ambassador-at-large|vice\s+premier|vice\s+president|vice\s+minister)\.?\s+",
    re.I,
)
# Offices a memorandum names instead of people, and what the persons list calls them.
_OFFICES = {
    "the secretary": ("secretary of state",),
    "secretary": ("secretary of state",),
    "the president": ("president of the united states", "president"),
    "the vice president": ("vice president of the united states", "vice president"),
    "the under secretary": ("under secretary of state",),
    "the acting secretary": ("acting secretary of state",),
}
_COMMA = re.compile(r"\s*,\s*")


class Listed(Protocol):
    """A persons-list entry as the index needs it (frus.Entry)."""

    id: str
    name: str
    description: str

    @property
    def display(self) -> str: ...


def fold(text: str) -> str:
    """Case, accents, dots and hyphens out: "Chou En-lai" and "chou en lai" meet."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[.\-‐‑’'`]", " ", plain).casefold().split())


def tokens(text: str) -> frozenset[str]:
    """A name's words in any order, hyphenated syllables joined and initials dropped:
    "Tingfu F. Tsiang" and the listed "Tsiang Ting-fu" give the same set."""
    joined = re.sub(r"[-‐‑]", "", text)
    return frozenset(w for w in fold(joined).split() if len(w) > 1)


def _surname(entry: Listed) -> str:
    """The listed surname: "Kissinger, Henry A." → "kissinger"; "Huang Chen" → "huang"
    (a Chinese name, listed surname first without a comma)."""
    head = entry.name.split(",", 1)[0] if "," in entry.name else entry.name.split()[0]
    return fold(head)


@dataclass
class PersonsIndex:
    """A volume's persons list, looked up by full name, surname and office."""

    entries: Mapping[str, Listed]
    by_name: dict[str, set[str]] = field(default_factory=dict)
    by_surname: dict[str, set[str]] = field(default_factory=dict)
    by_tokens: dict[frozenset[str], set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.entries.values():
            listed = re.sub(r"\s*\([^)]*\)", "", entry.name)  # "Chou En-lai (Zhou Enlai)"
            for form in {entry.name, entry.display, listed}:
                self.by_name.setdefault(fold(form), set()).add(entry.id)
            self.by_tokens.setdefault(tokens(listed.replace(",", " ")), set()).add(entry.id)
            self.by_surname.setdefault(_surname(entry), set()).add(entry.id)

    def resolve(self, name: str, linked: Iterable[str] = ()) -> Listed | None:
        """The one entry `name` can only mean, or None."""
        bare = _HONORIFICS.sub("", name.strip()).strip(" ,;:")
        key = fold(bare)
        if not key:
            return None
        exact = self.by_name.get(key, set()) or self.by_tokens.get(tokens(bare), set())
        if len(exact) == 1:
            return self.entries[next(iter(exact))]
        office = _OFFICES.get(fold(name.strip()))
        if office:
            return self._office(office)
        if " " in key:
            return None  # a full name not in the list is someone else
        bearers = self.by_surname.get(key, set())
        among_linked = bearers & set(linked)
        if len(among_linked) == 1:
            return self.entries[next(iter(among_linked))]
        if len(bearers) == 1 and not among_linked:
            return self.entries[next(iter(bearers))]
        return None

    def _office(self, titles: tuple[str, ...]) -> Listed | None:
        holders = [
            e
            for e in self.entries.values()
            if any(fold(e.description).startswith(fold(t)) for t in titles)
        ]
        return holders[0] if len(holders) == 1 else None


def listed_participants(
    div: etree._Element, index: PersonsIndex, vol: str, linked: Iterable[str]
) -> list[Participant]:
    """The plain-text lines of a record's participants list, each "Name, post" (or an
    office) resolved against the persons list where the evidence allows."""
    found: list[Participant] = []
    linked = list(linked)
    for lst in div.iter(f"{{{TEI_NS}}}list"):
        if lst.get("type") != "participants" or _in_note(lst, div):
            continue
        for item in lst.iterfind(f"{{{TEI_NS}}}item"):
            if item.find(f".//{{{TEI_NS}}}persName") is not None:
                continue  # linked by the markup: see persname_role
            if item.find(f"{{{TEI_NS}}}list") is not None:
                continue  # a group heading ("Chinese Side"); its own items follow
            text = inline_text(item).strip(" .;")
            if not text or text.endswith(":") or len(text) > 160 or _is_side(text):
                continue
            parts = split_outside_parentheses(text, _COMMA)
            name, post = _HONORIFIC_ONLY.sub("", parts[0]), ", ".join(parts[1:])
            entry = index.resolve(name, linked)
            if entry is None:
                found.append(Participant(name, ParticipantRole.PARTICIPANT, None, post))
            else:
                post = post or (entry.description.split(",")[0] if fold(name) in _OFFICES else "")
                found.append(
                    Participant(
                        entry.display, ParticipantRole.PARTICIPANT, f"frus:{vol}:{entry.id}", post
                    )
                )
    return found


# Forms of address that are not part of a name ("Mr. Chester Cooper"); titles of office
# ("General", "Ambassador") stay, as the record prints them.
_HONORIFIC_ONLY = re.compile(r"^(?:mr|mrs|miss|ms|dr|m|mme)\.?\s+", re.I)
_SIDES = re.compile(r"\b(?:side|delegation|party|participants|present)\b", re.I)


def _is_side(text: str) -> bool:
    """A heading between groups of participants: "U.S.", "Republic of China", "Soviet
    Side", "Chinese Delegation"."""
    if "," in text:
        return False
    if _SIDES.search(text) or fold(text) in {"us", "usa", "united states"}:
        return True
    return country_named(text) is not None


def _in_note(el: etree._Element, div: etree._Element) -> bool:
    return any(local(a) == "note" for a in el.iterancestors() if a is not div)
