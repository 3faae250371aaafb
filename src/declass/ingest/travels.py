"""Travels abroad of US presidents and secretaries of state (history.state.gov): Events.

There is one file per traveller (`president-travels/truman-harry-s.xml`); each trip to
one country is an Event. The traveller's slug links the trip to his or her Authority:
a secretary's slug is the pocom id ("person:<slug>"), a president's is the slug of
presidents.xml, which people.tgz files as "person:president-<slug>".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from declass.ingest.hsg import country_for, each_root, element_hash, first_xml_root, root_tag, text
from declass.ingest.source import Source
from declass.model import (
    Collection,
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
    id="hsg-travels",
    title="Travels of the President and the Secretary of State",
    description=(
        "Trips abroad of US presidents (since 1906) and secretaries of state (since 1866), "
        "with the countries, places and dates, from the Office of the Historian."
    ),
)

_FOLDERS = ("president-travels", "secretary-travels")
_POSTS = {"president": "President", "secretary": "Secretary of State"}
# people.tgz files a president who also served the Department under his pocom slug.
_POCOM_SLUGS = {"bush-george-h-w": "bush-george-herbert-walker"}


class TravelsReader:
    """Reads the travels folder whole (one Collection), or one traveller's file."""

    name = "hsg-travels"

    def detect(self, source: Source) -> bool:
        if source.is_dir:
            return _files(source.path) != []
        return source.name.endswith(".xml") and root_tag(source.head()) == "trips"

    def read(self, source: Source) -> Iterator[Item]:
        yield COLLECTION
        for found in each_root(source, _files(source.path) if source.is_dir else []):
            if isinstance(found, Rejection):
                yield found
                continue
            root, position = found
            yield from _trips(root, source.label, position)


def _files(folder: Path) -> list[Path]:
    """The traveller files under a travels folder, [] if it is not one."""
    return [
        path
        for sub in _FOLDERS
        if first_xml_root(folder / sub) == "trips"
        for path in sorted((folder / sub).glob("*.xml"))
    ]


def _trips(root: etree._Element, label: str, where: str) -> Iterator[Item]:
    if root.tag != "trips":
        yield Rejection(label, where, f"not a travels file (root <{root.tag}>)")
        return
    for number, trip in enumerate(root.iterfind("trip"), start=1):
        yield _trip(trip, label, f"{where}#{text(trip, 'id') or number}")


def _trip(trip: etree._Element, label: str, position: str) -> Item:
    trip_id = text(trip, "id")
    if not trip_id:
        return Rejection(label, position, "trip without an id")
    start, end = text(trip, "start-date"), text(trip, "end-date")
    if not start and not end:
        return Rejection(label, position, "trip without a date")
    try:
        date = HistoricalDate.between(start or None, end or None, _label(start, end))
    except ValueError as exc:
        return Rejection(label, position, f"bad date: {exc}")
    countries = tuple(
        country_for(c.get("id") or "", text(c), date.earliest)
        for c in trip.iterfind("country")
        if c.get("id") or text(c)
    )
    return Event(
        id=f"travel:{trip_id}",
        kind=EventKind.TRAVEL,
        date=date,
        description=text(trip, "remarks"),
        people=(_traveller(trip),),
        countries=countries,
        place=text(trip, "locale"),
        provenance=Provenance(label, position, element_hash(trip), TravelsReader.name),
    )


def _traveller(trip: etree._Element) -> Participant:
    role = trip.get("role") or text(trip, "role")
    who = trip.get("who") or ""
    if not who:
        authority = None
    elif role == "president":
        pocom = _POCOM_SLUGS.get(who)
        authority = f"person:{pocom}" if pocom else f"person:president-{who}"
    else:
        authority = f"person:{who}"
    return Participant(
        name=text(trip, "name") or who,
        role=ParticipantRole.PARTICIPANT,
        authority_id=authority,
        post=_POSTS.get(role, role.capitalize()),
    )


def _label(start: str, end: str) -> str:
    return start if start == end or not end else f"{start or '?'} – {end}"
