"""The Office of the Historian's histories, guides and teaching packets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from declass.ingest.hsg_publications import PublicationReader
from declass.ingest.secretary_bios import SecretaryBioReader
from declass.model import Collection, DatePrecision, Document, ParticipantRole, Rejection
from tests.ingest.hsg_extra import TEI, members, read_all, source, tarball, tree, under

PUBS = "./HistoryAtState+other-publications/"


@pytest.fixture(scope="module")
def path(corpora: Path) -> Path:
    return tarball(corpora)


@pytest.fixture(scope="module")
def items(path: Path) -> list[object]:
    reader = PublicationReader()
    found = []
    for folder in ("short-history/", "buildings/", "views-from", "vietnam-guide/", "education/"):
        found += list(read_all(reader, path, folder))
    assert not [r for r in found if isinstance(r, Rejection)]
    return found


@pytest.fixture(scope="module")
def documents(items: list[object]) -> dict[str, Document]:
    return {d.id: d for d in items if isinstance(d, Document)}


@pytest.fixture(scope="module")
def collections(items: list[object]) -> dict[str, Collection]:
    return {c.id: c for c in items if isinstance(c, Collection)}


def test_short_history_is_one_essay_per_subchapter(
    path: Path, documents: dict[str, Document]
) -> None:
    subchapters = tree(members(path)[f"{PUBS}short-history/short-history.xml"]).xpath(
        "//t:div[@type='subchapter']", namespaces=TEI
    )
    assert len(subchapters) == 94
    history = [d for d in documents.values() if d.id.startswith("short-history:")]
    assert len(history) == 94
    assert [d.sequence for d in history] == list(range(1, 95))


def test_short_history_section_is_dated_by_its_chapter_period(
    documents: dict[str, Document],
) -> None:
    truman = documents["short-history:truman"]
    assert truman.title == "The Truman Doctrine and the Marshall Plan"
    assert truman.divisions == ("Containment and Cold War, 1945-1961",)
    assert truman.date is not None and truman.date.precision is DatePrecision.RANGE
    assert (truman.date.earliest, truman.date.latest) == (date(1945, 1, 1), date(1961, 12, 31))
    # The chapter head's markup says 1876; the words say 1867-1913.
    assert documents["short-history:worlds"].date.earliest == date(1867, 1, 1)  # type: ignore[union-attr]


def test_biographies_links_to_the_short_history_all_resolve(
    path: Path, documents: dict[str, Document]
) -> None:
    bios = [d for d in read_all(SecretaryBioReader(), path, "secretary-bios/")]
    targets = {
        r.target
        for d in bios
        if isinstance(d, Document)
        for r in d.references
        if r.target.startswith("short-history:")
    }
    assert len(targets) >= 5 and targets <= set(documents)


def test_buildings_are_one_essay_each_with_occupancy_dates_and_place(
    path: Path, documents: dict[str, Document], collections: dict[str, Collection]
) -> None:
    body = tree(members(path)[f"{PUBS}buildings/buildings.xml"]).xpath(
        "/t:TEI/t:text/t:body/t:div", namespaces=TEI
    )
    buildings = {i: d for i, d in documents.items() if i.startswith("buildings:")}
    assert len(buildings) == len(body) == 30
    hall = buildings["buildings:section2"]
    assert hall.title.startswith("Carpenters’ Hall, Philadelphia")
    assert hall.place == "Philadelphia"
    assert hall.date is not None
    assert (hall.date.earliest, hall.date.latest) == (date(1774, 9, 5), date(1774, 10, 26))
    assert len(hall.notes) == 7
    assert [s.title for s in collections["buildings"].sections] == [
        "Introduction",
        "Original Foreword",
        "Photo Credits",
        "Publication Information",
    ]


def test_building_heading_dates_that_run_backwards_are_marked_doubtful(
    documents: dict[str, Document],
) -> None:
    treasury = documents["buildings:section20"].date
    assert treasury is not None and "1600-08" in treasury.doubtful
    assert treasury.earliest == date(1800, 6, 1)


def test_views_from_the_embassy_has_author_notes_and_edition(
    documents: dict[str, Document],
) -> None:
    views = documents["hsg-publications:views-from-the-embassy"]
    assert views.title.startswith("Views From the Embassy: The Role of the U.S. Diplomatic")
    assert views.participants[0].name == "Lindsay Sarah Krasnoff"
    assert views.participants[0].role is ParticipantRole.AUTHOR
    assert len(views.notes) == 140
    assert views.date is not None and views.date.display() == "September 2014"


def test_vietnam_guide_has_its_compilers_and_release_date(documents: dict[str, Document]) -> None:
    guide = documents["hsg-publications:guide-to-sources-on-vietnam-1969-1975"]
    assert guide.title == (
        "Foreign Relations of the United States Guide to Sources on Vietnam, 1969-1975"
    )
    authors = [p.name for p in guide.participants if p.role is ParticipantRole.AUTHOR]
    assert authors == ["Edward C. Keefer", "John M. Carland", "Bradley L. Coleman"]
    assert guide.date is not None and guide.date.earliest == date(2012, 2, 1)


def test_education_packets_are_collections_pointing_at_their_introductions(
    path: Path, documents: dict[str, Document], collections: dict[str, Collection]
) -> None:
    modules = tree(members(path)[f"{PUBS}education/modules/modules.xml"]).findall("module")
    packets = {i: c for i, c in collections.items() if c.parent == "education"}
    assert len(packets) == len(modules) == 8
    diplomacy = packets["education:documents-on-diplomacy"]
    assert diplomacy.published == "2011-12-02"
    introduction = dict(diplomacy.identifiers)["introduction"]
    assert introduction == "education:documents-intro" and introduction in documents
    intros = under(path, "education/introductions/")
    assert {f"education:{Path(n).stem}" for n in intros} <= set(documents)


def test_every_other_publication_is_claimed_by_this_reader_or_the_biographies(
    path: Path,
) -> None:
    for name in under(path, "other-publications/"):
        claimed = PublicationReader().detect(source(path, name))
        is_bio = SecretaryBioReader().detect(source(path, name))
        assert claimed or is_bio or "serial-set" in name, name
