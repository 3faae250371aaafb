"""pocom: appointments of chiefs of mission and principal officers as dated Events."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from declass.errors import IngestError
from declass.ingest.hsg_people import PeopleReader
from declass.ingest.pocom import PocomReader
from declass.ingest.source import Source
from declass.model import Authority, Collection, CountryRef, Event, EventKind, Rejection


@pytest.fixture(scope="module")
def pocom(corpora: Path) -> Path:
    return corpora / "hsg" / "pocom"


@pytest.fixture(scope="module")
def items(pocom: Path) -> list[object]:
    return list(PocomReader().read(Source(pocom)))


@pytest.fixture(scope="module")
def events(items: list[object]) -> dict[str, Event]:
    return {e.id: e for e in items if isinstance(e, Event)}


def _count(folder: Path, xpath: str) -> int:
    return sum(int(etree.parse(str(p)).xpath(f"count({xpath})")) for p in folder.glob("*.xml"))


def test_reader_claims_the_pocom_folder_whole(pocom: Path) -> None:
    assert PocomReader().detect(Source(pocom))
    assert not PocomReader().detect(Source(pocom.parent))
    assert not PocomReader().detect(Source(pocom.parent / "visits"))


def test_every_appointment_is_an_event_or_a_rejection(
    pocom: Path, items: list[object], events: dict[str, Event]
) -> None:
    chiefs = _count(pocom / "missions-countries", "/country-mission/*/chief")
    principals = _count(pocom / "positions-principals", "/principal-position/*/principal")
    concurrent = len(list((pocom / "concurrent-appointments").glob("*.xml")))
    assert (chiefs, principals, concurrent) == (5743, 1294, 333)
    rejected = [r for r in items if isinstance(r, Rejection)]
    kinds = [e.id.split(":")[1] for e in events.values()]
    assert kinds.count("chief") == chiefs
    assert kinds.count("principal") + len(rejected) == principals
    assert kinds.count("concurrent") == concurrent
    assert len(events) == sum(isinstance(e, Event) for e in items)  # ids are unique
    assert all(e.kind is EventKind.APPOINTMENT for e in events.values())
    assert [c.id for c in items if isinstance(c, Collection)] == ["pocom"]


def test_person_authorities_are_provisional_so_people_tgz_wins(items: list[object]) -> None:
    authorities = [a for a in items if isinstance(a, Authority)]
    assert authorities
    assert all(a.provisional for a in authorities)


def test_authorities_can_be_left_out(pocom: Path) -> None:
    items = list(PocomReader(authorities=False).read(Source(pocom)))
    assert not [a for a in items if isinstance(a, Authority)]


def test_chief_of_mission_is_dated_and_linked(events: dict[str, Event]) -> None:
    mcnutt = events["pocom:chief:ph-1946-mcnu-01"]
    assert (mcnutt.date.earliest, mcnutt.date.latest) == (date(1946, 7, 4), date(1947, 3, 22))
    assert mcnutt.countries == (CountryRef("PHL", "Philippines"),)
    (person,) = mcnutt.people
    assert person.name == "Paul Vories McNutt"
    assert person.authority_id == "person:mcnutt-paul-vories"
    assert person.post == "Ambassador Extraordinary and Plenipotentiary"
    assert "appointed: 1946-06-21" in mcnutt.description
    assert "left post on 1947-03-22" in mcnutt.description
    assert mcnutt.provenance is not None
    assert mcnutt.provenance.position == "missions-countries/philippines.xml#ph-1946-mcnu-01"


def test_country_is_named_as_it_was_at_the_time(events: dict[str, Event]) -> None:
    thompson = events["pocom:chief:ru-1957-thom-01"]
    assert thompson.countries[0].code == "SUN"
    assert thompson.countries[0].name == "Union of Soviet Socialist Republics"
    assert thompson.people[0].authority_id == "person:thompson-llewellyn-e"


def test_principal_officer_carries_the_position_title(events: dict[str, Event]) -> None:
    hull = events["pocom:principal:secretary:secr-1933-hull"]
    assert hull.people[0].post == "Secretary of State"
    assert hull.people[0].name == "Cordell Hull"
    assert (hull.date.earliest, hull.date.latest) == (date(1933, 3, 4), date(1944, 11, 30))
    assert hull.countries == ()


def test_repeated_record_ids_stay_distinct(events: dict[str, Event]) -> None:
    # pocom reuses "secr-1861-sewa" in two files and "bz-1983-barn-01" twice in one
    assert (
        events["pocom:principal:secretary:secr-1861-sewa"].people[0].name == "William Henry Seward"
    )
    assert events["pocom:principal:assistant-secretary:secr-1861-sewa"].people[0].name != (
        "William Henry Seward"
    )
    first, second = events["pocom:chief:bz-1983-barn-01"], events["pocom:chief:bz-1983-barn-01#2"]
    assert first.people[0].post != second.people[0].post


def test_concurrent_appointment_spans_its_missions(events: dict[str, Event]) -> None:
    adams = events["pocom:concurrent:1781-adam-01"]
    assert {c.code for c in adams.countries} == {"NLD", "GBR"}
    assert adams.people[0].authority_id == "person:adams-john"
    assert adams.date.earliest is not None and adams.date.latest is not None
    assert adams.date.earliest.year == 1782 and adams.date.latest.year == 1788
    assert adams.place == "London"


def test_unresolved_territory_keeps_its_slug(events: dict[str, Event]) -> None:
    assert events["pocom:chief:xl-1853-greg-01"].countries == (CountryRef("hawaii", "Hawaii"),)


def test_impossible_date_range_is_rejected(items: list[object]) -> None:
    rejected = [r for r in items if isinstance(r, Rejection)]
    assert [r.position for r in rejected] == [
        "positions-principals/second-assistant-secretary.xml#secr-1866-hunt"
    ]
    assert "ends before it starts" in rejected[0].reason


def test_authorities_option_yields_one_per_person_file(pocom: Path) -> None:
    items = list(PocomReader(authorities=True).read(Source(pocom)))
    authorities = {a.id: a for a in items if isinstance(a, Authority)}
    assert len(authorities) == len(list((pocom / "people").glob("*/*.xml")))
    biddle = authorities["person:biddle-anthony-joseph-drexel-jr"]
    assert biddle.name == "Biddle, Anthony Joseph Drexel, Jr."
    assert "Anthony Joseph Drexel Biddle, Jr." in biddle.all_names
    assert (biddle.birth_year, biddle.death_year) == (1896, 1961)


def test_single_mission_file_reads_without_the_folder(pocom: Path) -> None:
    path = pocom / "missions-countries" / "philippines.xml"
    assert PocomReader().detect(Source(path))
    assert not PeopleReader().detect(Source(path))
    events = [e for e in PocomReader().read(Source(path)) if isinstance(e, Event)]
    assert len(events) == _count(
        path.parent, "/country-mission[territory-id='philippines']/*/chief"
    )
    assert events[0].people[0].name == "mcnutt-paul-vories"  # no people folder: the slug


def test_malformed_file_is_an_ingest_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(
        b"<country-mission>\n<territory-id>x</territory-id>\n<chiefs>\n</country-mission>"
    )
    assert PocomReader().detect(Source(path))
    with pytest.raises(IngestError) as err:
        list(PocomReader().read(Source(path)))
    assert (err.value.path, err.value.position) == (str(path), "line 4")


def test_malformed_file_in_the_folder_is_rejected_and_the_rest_read(
    pocom: Path, tmp_path: Path
) -> None:
    root = tmp_path / "pocom"
    (root / "missions-countries").mkdir(parents=True)
    shutil.copy(pocom / "missions-countries" / "philippines.xml", root / "missions-countries")
    (root / "missions-countries" / "zz.xml").write_bytes(b"<country-mission>\n<chiefs>")
    items = list(PocomReader().read(Source(root)))
    rejected = [r for r in items if isinstance(r, Rejection)]
    assert [(r.source, r.position) for r in rejected] == [
        (str(root / "missions-countries" / "zz.xml"), "line 2")
    ]
    assert sum(isinstance(e, Event) for e in items) == 29


def test_hostile_entities_are_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<country-mission><territory-id>&x;</territory-id><chiefs><chief><id>a</id>"
        b"<person-id>&x;p</person-id><started><date>1950-01-01</date></started></chief>"
        b"</chiefs></country-mission>"
    )
    (event,) = [e for e in PocomReader().read(Source(path)) if isinstance(e, Event)]
    assert event.people[0].authority_id == "person:p"
    assert "root:" not in repr(event)
