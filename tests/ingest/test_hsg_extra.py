"""The whole hsg-extra tarball through the pipeline into a real SQLite archive."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from declass.ingest.pipeline import IngestResult, ingest
from declass.ingest.registry import default_registry
from declass.model import AuthorityKind, EventKind
from declass.store import open_store
from declass.store.base import Store
from tests.ingest.hsg_extra import TEI, members, source, tarball, tree, under

TIMELINE = "./HistoryAtState+administrative-timeline/timeline/timeline.xml"
TAXONOMY = "./HistoryAtState+tags/taxonomy/taxonomy.xml"


@pytest.fixture(scope="module")
def path(corpora: Path) -> Path:
    return tarball(corpora)


@pytest.fixture(scope="module")
def archive(
    path: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Store, Path, IngestResult]:
    db = tmp_path_factory.mktemp("hsg-extra") / "a.sqlite3"
    store = open_store(db)
    return store, db, ingest(store, [path], default_registry())


def test_every_xml_member_is_claimed_by_a_specific_reader(path: Path) -> None:
    registry = default_registry()
    xml = [n for n in members(path) if n.endswith(".xml")]
    assert len(xml) == 224
    claimed = Counter(registry.reader_for(source(path, n)).name for n in xml)  # type: ignore[union-attr]
    assert claimed == {
        "wwdai": 140,
        "hsg-secretary-bios": 69,
        "hsg-publications": 12,
        "serial-set": 1,
        "hsg-timeline": 1,
        "hsg-taxonomy": 1,
    }


def test_whole_tarball_is_ingested_without_rejections(
    path: Path, archive: tuple[Store, Path, IngestResult]
) -> None:
    store, db, result = archive
    assert result.rejections == ()
    con = sqlite3.connect(db)
    prefixes = Counter(
        row[0].split(":")[0] for row in con.execute("SELECT id FROM documents").fetchall()
    )
    assert prefixes["wwdai"] == len(under(path, "wwdai/articles/")) == 140
    assert prefixes["secretary-bios"] == len(under(path, "secretary-bios/")) == 69
    assert prefixes["education"] == len(under(path, "education/introductions/")) == 7
    subchapters = tree(
        members(path)["./HistoryAtState+other-publications/short-history/short-history.xml"]
    ).xpath("//t:div[@type='subchapter']", namespaces=TEI)
    assert prefixes["short-history"] == len(subchapters)
    entries = tree(members(path)[TIMELINE]).xpath("//t:body/t:div/t:div", namespaces=TEI)
    assert len(list(store.events(kind=EventKind.ADMINISTRATIVE))) == len(entries) == 1488
    terms = tree(members(path)[TAXONOMY]).xpath("//category/id | //tag/id")
    assert len(list(store.authorities(AuthorityKind.TERM))) == len(terms) == 511


def test_sampled_records_survive_the_store(archive: tuple[Store, Path, IngestResult]) -> None:
    store = archive[0]
    russia = store.document("wwdai:russia")
    assert [(c.code, c.name) for c in russia.countries] == [("RUS", "Russian Federation")]
    france = store.authority("subject:france")
    assert ("broader", "subject:europe") in france.identifiers
    (founding,) = [e for e in store.events(person="person:jefferson-thomas") if "1789" in e.id]
    assert founding.date.display() == "1789-09-26"
    acheson = store.document("secretary-bios:acheson-dean-gooderham")
    assert acheson.participants[0].authority_id == "person:acheson-dean-gooderham"
    assert store.authority("person:acheson-dean-gooderham").provisional


def test_reingest_of_the_unchanged_tarball_writes_nothing(
    path: Path, archive: tuple[Store, Path, IngestResult]
) -> None:
    store, _, first = archive
    again = ingest(store, [path], default_registry())
    assert (again.added, again.updated, again.rejections) == (0, 0, ())
    assert again.unchanged == first.added
