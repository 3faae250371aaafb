"""Visits of foreign leaders to the United States (history.state.gov), one Event each.

The files are per decade (`data/1950.xml`); the reader takes the visits folder whole, or
one file. The visitor is named as printed ("President Quirino"): the office becomes the
Participant's post, and no authority is guessed from a surname alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from declass.ingest.hsg import country_for, each_root, element_hash, first_xml_root, root_tag, text
from declass.ingest.source import Source
from declass.model import (
    Collection,
    CountryRef,
    Event,
    EventKind,
    HistoricalDate,
    Item,
    Participant,
    ParticipantRole,
    Provenance,
    Rejection,
)

COLLECTION = Collection(
    id="hsg-visits",
    title="Visits by foreign leaders",
    description=(
        "Visits of foreign heads of state and government to the United States since 1874, "
        "from the Office of the Historian."
    ),
)

# Offices as the visitor field prints them, longest first so "Prime Minister" beats "Prime".
_OFFICES = sorted(
    (
        "President",
        "Prime Minister",
        "Prime Minster",  # sic, twice in the data
        "Premier",
        "Vice Premier",
        "Chancellor",
        "Federal Chancellor",
        "King",
        "Queen",
        "Emperor",
        "Empress",
        "Prince",
        "Princess",
        "Crown Prince",
        "Grand Duke",
        "Grand Duchess",
        "Amir",
        "Emir",
        "Shah",
        "Sultan",
        "Sheikh",
        "Pope",
        "Taoiseach",
        "Chairman",
        "Chairman of the Presidency",
        "Chief of State",
        "Head of State",
        "General Secretary",
        "First Secretary",
        "Governor General",
        "Regent",
        "Junta Member",
        "General",
        "Lieutenant General",
        "Brigadier General",
        "Vice President",
        "Secretary General",
        "Foreign Minister",
    ),
    key=len,
    reverse=True,
)
_OFFICE = re.compile(
    r"^((?:(?:Acting|Interim|Provisional)\s+)?(?:"
    + "|".join(re.escape(o) for o in _OFFICES)
    + r")(?:\s*-\s*(?:[Ee]lect|[Dd]esignate))?)(?:\s+|$)(.*)$"
)
# "President Sadat, Prime Minister Khalil"; "King Abdullah and Crown Prince Hussein".
_HYPHEN = re.compile(r"\s*-\s*")  # "President- elect" as "President-elect"
_SEPARATOR = re.compile(r"(,\s*|\s+(?:and|&)\s+)")


class VisitsReader:
    """Reads the visits folder whole (one Collection), or one decade's file."""

    name = "hsg-visits"

    def detect(self, source: Source) -> bool:
        if source.is_dir:
            return _files(source.path) != []
        return source.name.endswith(".xml") and root_tag(source.head()) == "visits"

    def read(self, source: Source) -> Iterator[Item]:
        yield COLLECTION
        for found in each_root(source, _files(source.path) if source.is_dir else []):
            if isinstance(found, Rejection):
                yield found
                continue
            root, position = found
            yield from _visits(root, source.label, position)


def _files(folder: Path) -> list[Path]:
    """The decade files of a visits folder (in `data/` or at its top), [] if it is not one."""
    for candidate in (folder / "data", folder):
        if first_xml_root(candidate) == "visits":
            return sorted(candidate.glob("*.xml"))
    return []


def _visits(root: etree._Element, label: str, where: str) -> Iterator[Item]:
    if root.tag != "visits":
        yield Rejection(label, where, f"not a visits file (root <{root.tag}>)")
        return
    for number, visit in enumerate(root.iterfind("visit"), start=1):
        yield _visit(visit, label, f"{where}#{text(visit, 'id') or number}")


def _visit(visit: etree._Element, label: str, position: str) -> Item:
    visit_id = text(visit, "id")
    if not visit_id:
        return Rejection(label, position, "visit without an id")
    start, end = text(visit, "start-date"), text(visit, "end-date")
    if not start and not end:
        return Rejection(label, position, "visit without a date")
    try:
        date = HistoricalDate.between(start or None, end or None, _label(start, end))
    except ValueError as exc:
        return Rejection(label, position, f"bad date: {exc}")
    origin = visit.find("from")
    countries: tuple[CountryRef, ...] = ()
    if origin is not None and (origin.get("id") or text(origin)):
        countries = (country_for(origin.get("id") or "", text(origin), date.earliest),)
    return Event(
        id=f"visit:{visit_id}",
        kind=EventKind.VISIT,
        date=date,
        description=text(visit, "description"),
        people=visitors(text(visit, "visitor")),
        countries=countries,
        provenance=Provenance(label, position, element_hash(visit), VisitsReader.name),
    )


def visitors(printed: str) -> tuple[Participant, ...]:
    """The people a visitor field names, each with the office printed before the name.

    "President Anwar Sadat, Prime Minister Mustafa Khalil" is two visitors; the comma
    in "President Benigno S. Aquino, 3rd" is not, since "3rd" names no office.
    """
    parts = _SEPARATOR.split(printed)
    people: list[tuple[str, str]] = []  # (office, name)
    pending = ""  # an office printed without a name: "Premier and Prince Sihanouk"
    for i in range(0, len(parts), 2):
        part, joint = parts[i].strip(), parts[i - 1] if i else ""
        m = _OFFICE.match(part)
        if m and not m.group(2):
            pending = f"{pending} and {m.group(1)}" if pending else m.group(1)
        elif m:
            office = f"{pending} and {m.group(1)}" if pending else m.group(1)
            people.append((office, m.group(2).strip()))
            pending = ""
        elif people and not pending:
            office, name = people[-1]
            people[-1] = (office, f"{name}{joint}{part}")
        elif part:
            people.append((pending, part))
            pending = ""
    if pending:
        people.append(("", pending))
    return tuple(
        Participant(name, ParticipantRole.PARTICIPANT, None, _HYPHEN.sub("-", office))
        for office, name in people
    )


def _label(start: str, end: str) -> str:
    return start if start == end or not end else f"{start or '?'} – {end}"
