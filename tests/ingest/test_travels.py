"""Travels of presidents and secretaries of state: dated Events linked to traveller and country."""

from __future__ import annotations

import re
import tarfile
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from declass.errors import IngestError
from declass.ingest.hsg_people import PeopleReader
from declass.ingest.source import Source
from declass.ingest.travels import TravelsReader
from declass.model import Authority, Collection, CountryRef, Event, EventKind, Rejection


@pytest.fixture(scope="module")
def folder(corpora: Path) -> Path:
    return corpora / "hsg" / "travels"


@pytest.fixture(scope="module")
def events(folder: Path) -> dict[str, Event]:
    items = list(TravelsReader().read(Source(folder)))
    assert [c.id for c in items if isinstance(c, Collection)] == ["hsg-travels"]
    assert not [r for r in items if isinstance(r, Rejection)]
    return {e.id: e for e in items if isinstance(e, Event)}


def test_reader_claims_the_travels_folder_and_traveller_files(folder: Path) -> None:
    assert TravelsReader().detect(Source(folder))
    assert TravelsReader().detect(Source(folder / "president-travels" / "truman-harry-s.xml"))
    assert not TravelsReader().detect(Source(folder.parent))
    assert not TravelsReader().detect(Source(folder.parent / "visits"))


def test_every_trip_becomes_one_event(folder: Path, events: dict[str, Event]) -> None:
    ids = [
        i.strip()
        for f in sorted(folder.glob("*-travels/*.xml"))
        for i in etree.parse(str(f)).xpath("/trips/trip/id/text()")
    ]
    assert len(ids) == 4271
    assert set(events) == {f"travel:{i}" for i in ids}
    assert all(e.kind is EventKind.TRAVEL and e.countries for e in events.values())


def test_secretary_trip_links_pocom_person_and_soviet_union(events: dict[str, Event]) -> None:
    moscow = events["travel:977"]
    assert (moscow.date.earliest, moscow.date.latest) == (date(1973, 10, 20), date(1973, 10, 22))
    assert moscow.countries == (CountryRef("SUN", "Union of Soviet Socialist Republics"),)
    assert moscow.place == "Moscow"
    (kissinger,) = moscow.people
    assert kissinger.authority_id == "person:kissinger-henry-a"
    assert kissinger.post == "Secretary of State"
    assert "Brezhnev" in moscow.description


def test_president_trip_to_china(events: dict[str, Event]) -> None:
    china = events["travel:2844"]
    assert china.date.earliest == date(1972, 2, 21)
    assert china.countries[0].code == "CHN"
    assert china.countries[0].name == "People's Republic of China"
    assert china.people[0].authority_id == "person:president-nixon-richard-m"
    assert china.people[0].name == "Richard M. Nixon"


def _people_record(corpora: Path, pattern: bytes) -> Authority:
    """The people.tgz Authority whose record matches `pattern`, read on its own."""
    tarball = corpora / "hsg" / "people.tgz"
    with tarfile.open(tarball, "r:*") as tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            data = handle.read() if handle else b""
            if re.search(pattern, data):
                authority = list(PeopleReader().read(Source(tarball, member.name, data)))[1]
                assert isinstance(authority, Authority)
                return authority
    raise LookupError(pattern)


@pytest.mark.slow
def test_travellers_link_to_people_tgz_authorities(corpora: Path, events: dict[str, Event]) -> None:
    nixon = _people_record(corpora, rb"presidents\.xml#nixon-richard-m<")
    bush = _people_record(corpora, rb"presidents\.xml#bush-george-h-w<")
    kissinger = _people_record(corpora, rb"departmenthistory/people/kissinger-henry-a<")
    linked = {e.people[0].authority_id for e in events.values()}
    assert {nixon.id, bush.id, kissinger.id} <= linked
    assert bush.id == "person:bush-george-herbert-walker"  # his pocom slug wins


def test_malformed_file_is_an_ingest_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text("<trips>\n<trip>\n<id>1</id>\n</trips>\n")
    with pytest.raises(IngestError) as err:
        list(TravelsReader().read(Source(path)))
    assert (err.value.path, err.value.position) == (str(path), "line 4")


def test_malformed_file_in_the_folder_is_rejected_and_the_rest_read(
    folder: Path, tmp_path: Path
) -> None:
    (tmp_path / "president-travels").mkdir()
    good = folder / "president-travels" / "truman-harry-s.xml"
    (tmp_path / "president-travels" / "a.xml").write_bytes(good.read_bytes())
    (tmp_path / "president-travels" / "b.xml").write_text("<trips>\n<trip>")
    items = list(TravelsReader().read(Source(tmp_path)))
    (rejected,) = [r for r in items if isinstance(r, Rejection)]
    assert rejected.source == str(tmp_path / "president-travels" / "b.xml")
    trips = etree.parse(str(good)).xpath("count(/trips/trip)")
    assert sum(isinstance(e, Event) for e in items) == trips


def test_bad_date_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text(
        "<trips><trip role='president' who='x'><id>1</id><name>X</name>"
        "<start-date>1950-05-02</start-date><end-date>1950-05-01</end-date>"
        "<country id='chile'>Chile</country></trip></trips>"
    )
    items = list(TravelsReader().read(Source(path)))
    (rejected,) = [r for r in items if isinstance(r, Rejection)]
    assert rejected.position == "x.xml#1"
    assert not [e for e in items if isinstance(e, Event)]
