"""Visits of foreign leaders: dated Events linked to the visitor and the visitor's country."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from declass.errors import IngestError
from declass.ingest.source import Source
from declass.ingest.visits import VisitsReader, visitors
from declass.model import Collection, CountryRef, DatePrecision, Event, EventKind, Rejection


@pytest.fixture(scope="module")
def folder(corpora: Path) -> Path:
    return corpora / "hsg" / "visits"


@pytest.fixture(scope="module")
def items(folder: Path) -> list[object]:
    return list(VisitsReader().read(Source(folder)))


@pytest.fixture(scope="module")
def events(items: list[object]) -> dict[str, Event]:
    return {e.id: e for e in items if isinstance(e, Event)}


def test_reader_claims_the_visits_folder_and_decade_files(folder: Path) -> None:
    assert VisitsReader().detect(Source(folder))
    assert VisitsReader().detect(Source(folder / "data" / "1950.xml"))
    assert not VisitsReader().detect(Source(folder.parent))
    assert not VisitsReader().detect(Source(folder.parent / "travels"))


def test_every_visit_becomes_one_event(folder: Path, items: list[object]) -> None:
    files = sorted((folder / "data").glob("*.xml"))
    expected = [v for f in files for v in etree.parse(str(f)).xpath("/visits/visit/id/text()")]
    assert len(expected) == 3264
    events = [e for e in items if isinstance(e, Event)]
    assert [e.id for e in events] == [f"visit:{v.strip()}" for v in expected]
    assert all(e.kind is EventKind.VISIT and e.countries and e.people for e in events)
    assert [c.id for c in items if isinstance(c, Collection)] == ["hsg-visits"]
    assert not [r for r in items if isinstance(r, Rejection)]


def test_soviet_leader_visit_is_dated_and_linked_to_the_ussr(events: dict[str, Event]) -> None:
    summit = events["visit:671"]
    assert (summit.date.earliest, summit.date.latest) == (date(1987, 12, 7), date(1987, 12, 10))
    assert summit.date.precision is DatePrecision.RANGE
    assert summit.countries == (CountryRef("SUN", "Union of Soviet Socialist Republics"),)
    (gorbachev,) = summit.people
    assert (gorbachev.post, gorbachev.name) == ("General Secretary", "Mikhail S. Gorbachev")
    assert "INF Treaty" in summit.description
    assert summit.provenance is not None
    assert summit.provenance.position == "data/1980.xml#671"


def test_chinese_leader_visit_is_linked_to_the_prc(events: dict[str, Event]) -> None:
    deng = events["visit:3082"]
    assert deng.date.earliest == date(1979, 1, 29)
    assert deng.countries[0].code == "CHN"
    assert deng.countries[0].name == "People's Republic of China"
    assert (deng.people[0].post, deng.people[0].name) == ("Vice Premier", "Deng Xiaoping")


def test_one_day_visit_has_day_precision(events: dict[str, Event]) -> None:
    quirino = events["visit:2271"]
    assert quirino.date.precision is DatePrecision.DAY
    assert quirino.date.earliest == quirino.date.latest == date(1950, 2, 1)
    assert quirino.countries == (CountryRef("PHL", "Philippines"),)
    assert (quirino.people[0].post, quirino.people[0].name) == ("President", "Quirino")


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        (
            "President Anwar Sadat, Prime Minister Mustafa Khalil",
            [("President", "Anwar Sadat"), ("Prime Minister", "Mustafa Khalil")],
        ),
        (
            "King Abdullah and Crown Prince Hussein",
            [("King", "Abdullah"), ("Crown Prince", "Hussein")],
        ),
        ("President Benigno S. Aquino, 3rd", [("President", "Benigno S. Aquino, 3rd")]),
        ("Premier and Prince Sihanouk", [("Premier and Prince", "Sihanouk")]),
        ("President- designate Roberto E. Viola", [("President-designate", "Roberto E. Viola")]),
        ("Jose Luis Rodriguez Zapatero", [("", "Jose Luis Rodriguez Zapatero")]),
    ],
)
def test_visitor_field_splits_into_people_with_posts(
    printed: str, expected: list[tuple[str, str]]
) -> None:
    assert [(p.post, p.name) for p in visitors(printed)] == expected


def test_bad_date_is_rejected_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "1950.xml"
    path.write_text(
        "<visits><visit><id>1</id><start-date>1950-02-30</start-date><end-date>1950-03-01"
        "</end-date><visitor>King X</visitor><from id='chile'>Chile</from></visit>"
        "<visit><id>2</id><start-date>1950-03-01</start-date><end-date>1950-03-02</end-date>"
        "<visitor>King Y</visitor><from id='chile'>Chile</from></visit></visits>"
    )
    items = list(VisitsReader().read(Source(path)))
    assert [e.id for e in items if isinstance(e, Event)] == ["visit:2"]
    (rejected,) = [r for r in items if isinstance(r, Rejection)]
    assert (rejected.source, rejected.position) == (str(path), "1950.xml#1")


def test_malformed_file_is_an_ingest_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "1960.xml"
    path.write_text("<visits>\n<visit>\n<id>1</id>\n</visits>\n")
    with pytest.raises(IngestError) as err:
        list(VisitsReader().read(Source(path)))
    assert (err.value.path, err.value.position) == (str(path), "line 4")


def test_hostile_entities_are_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "1970.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE v [<!ENTITY x SYSTEM "file:///etc/passwd">'
        '<!ENTITY y "laugh">]><visits><visit><id>1</id><start-date>1970-01-01</start-date>'
        "<visitor>King &x;&y;Z</visitor><from id='chile'>Chile</from></visit></visits>"
    )
    (event,) = [e for e in VisitsReader().read(Source(path)) if isinstance(e, Event)]
    assert (event.people[0].post, event.people[0].name) == ("King", "Z")
