"""The Department's administrative timeline: one dated Event per entry, at its own precision."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from declass.ingest.source import Source
from declass.ingest.timeline import AdministrativeTimelineReader
from declass.model import Collection, DatePrecision, Event, EventKind, Rejection
from tests.ingest.hsg_extra import TEI, members, source, tarball, tree

MEMBER = "./HistoryAtState+administrative-timeline/timeline/timeline.xml"


@pytest.fixture(scope="module")
def path(corpora: Path) -> Path:
    return tarball(corpora)


@pytest.fixture(scope="module")
def read(path: Path) -> tuple[Collection, dict[str, Event]]:
    items = list(AdministrativeTimelineReader().read(source(path, MEMBER)))
    assert not [r for r in items if isinstance(r, Rejection)]
    (collection,) = [c for c in items if isinstance(c, Collection)]
    return collection, {e.id: e for e in items if isinstance(e, Event)}


@pytest.fixture(scope="module")
def events(read: tuple[Collection, dict[str, Event]]) -> dict[str, Event]:
    return read[1]


def test_every_entry_becomes_one_administrative_event(path: Path, events: dict[str, Event]) -> None:
    entries = tree(members(path)[MEMBER]).xpath("/t:TEI/t:text/t:body/t:div/t:div", namespaces=TEI)
    assert len(entries) == 1488
    assert len(events) == len(entries)
    assert all(e.kind is EventKind.ADMINISTRATIVE and e.description for e in events.values())


def test_year_only_entries_are_whole_years_never_a_made_up_day(
    path: Path, events: dict[str, Event]
) -> None:
    years = [
        d.get("notBefore")[:4]
        for d in tree(members(path)[MEMBER]).iterfind(".//t:head/t:date[@notBefore]", TEI)
        if d.get("notBefore").endswith("-01-01")
        and d.get("notAfter").endswith("-12-31")
        and d.get("notBefore")[:4] == d.get("notAfter")[:4]
    ]
    assert len(years) == 25
    for year in years:
        found = events[f"admin-timeline:{year}"].date
        assert found.precision is DatePrecision.YEAR
        assert (found.earliest, found.latest) == (date(int(year), 1, 1), date(int(year), 12, 31))
        assert found.display() == year


def test_sample_entries_keep_their_stated_precision(events: dict[str, Event]) -> None:
    renamed = events["admin-timeline:1789-09-15"]
    assert renamed.date.precision is DatePrecision.DAY
    assert renamed.date.label == "September 15, 1789"
    assert "changed the name of the Department of Foreign Affairs" in renamed.description
    june = events["admin-timeline:1870-06"].date
    assert june.precision is DatePrecision.MONTH and june.latest == date(1870, 6, 30)
    consuls = events["admin-timeline:1790-02-10_1790-08-05"].date
    assert consuls.precision is DatePrecision.RANGE
    assert (consuls.earliest, consuls.latest) == (date(1790, 2, 10), date(1790, 8, 5))


def test_linked_people_carry_their_person_authority(path: Path, events: dict[str, Event]) -> None:
    (jefferson,) = events["admin-timeline:1789-09-26"].people
    assert (jefferson.name, jefferson.authority_id) == (
        "Thomas Jefferson",
        "person:jefferson-thomas",
    )
    links = tree(members(path)[MEMBER]).xpath(
        "//t:body/t:div/t:div[.//t:ref[contains(@target, '/departmenthistory/people/')]]",
        namespaces=TEI,
    )
    assert sum(1 for e in events.values() if e.people) == len(links)


def test_linked_countries_are_resolved_at_the_event_date(events: dict[str, Event]) -> None:
    assert [c.code for c in events["admin-timeline:1821-12-04"].countries] == ["MAR"]


def test_second_entry_on_a_date_gets_its_own_id(events: dict[str, Event]) -> None:
    assert {"admin-timeline:2003", "admin-timeline:2003.2"} <= set(events)
    assert events["admin-timeline:2003"].description != events["admin-timeline:2003.2"].description


def test_introduction_is_a_section_of_the_collection(
    read: tuple[Collection, dict[str, Event]],
) -> None:
    collection = read[0]
    assert collection.id == "admin-timeline"
    (intro,) = collection.sections
    assert intro.title == "Introduction"
    assert "Federal Register" in intro.blocks[0].text


def test_entry_with_a_bad_date_is_rejected_and_the_rest_read(tmp_path: Path) -> None:
    # Synthetic: one entry dated 31 February, one good entry.
    f = tmp_path / "timeline.xml"
    f.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
        '<title type="complete">Administrative Timeline of the Department of State</title>'
        "</titleStmt></fileDesc></teiHeader><text><body>"
        '<div xml:id="chapter_1900-1909"><head>1900–1909</head>'
        '<div><head><date when="1901-02-31">February 31, 1901</date></head><p>Never.</p></div>'
        '<div><head><date when="1902">1902</date></head><p>A year.</p></div>'
        "</div></body></text></TEI>"
    )
    reader = AdministrativeTimelineReader()
    assert reader.detect(Source(f))
    items = list(reader.read(Source(f)))
    assert [e.id for e in items if isinstance(e, Event)] == ["admin-timeline:1902"]
    (rejection,) = [r for r in items if isinstance(r, Rejection)]
    assert "bad date" in rejection.reason and "div[1]" in rejection.position
