"""Biographies of the Secretaries of State, each linked to the Secretary's person authority."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import pytest

from declass.ingest.secretary_bios import SecretaryBioReader
from declass.ingest.tei import TeiReader
from declass.model import Authority, Document, DocumentType, ParticipantRole
from tests.ingest.hsg_extra import TEI, read_all, source, tarball, tree, under

FOLDER = "secretary-bios/"


@pytest.fixture(scope="module")
def path(corpora: Path) -> Path:
    return tarball(corpora)


@pytest.fixture(scope="module")
def items(path: Path) -> list[object]:
    return list(read_all(SecretaryBioReader(), path, FOLDER))


@pytest.fixture(scope="module")
def bios(items: list[object]) -> dict[str, Document]:
    return {d.id: d for d in items if isinstance(d, Document)}


@pytest.fixture(scope="module")
def people_slugs(corpora: Path) -> set[str]:
    """Slugs people.tgz files under history.state.gov/departmenthistory/people/<slug>."""
    pattern = re.compile(rb"departmenthistory/people/([a-z0-9-]+)")
    found: set[str] = set()
    with tarfile.open(corpora / "hsg" / "people.tgz") as tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is not None:
                found |= {m.decode() for m in pattern.findall(handle.read())}
    return found


def test_every_biography_becomes_one_essay(path: Path, bios: dict[str, Document]) -> None:
    names = under(path, FOLDER)
    assert len(names) == 69
    assert set(bios) == {f"secretary-bios:{Path(n).stem}" for n in names}
    assert all(d.doc_type is DocumentType.ESSAY for d in bios.values())
    assert all("secretary-bios" in d.collections for d in bios.values())


def test_each_biography_names_its_secretary_with_the_person_id(bios: dict[str, Document]) -> None:
    for doc in bios.values():
        slug = doc.id.split(":", 1)[1]
        secretary = doc.participants[0]
        assert secretary.authority_id == f"person:{slug}"
        assert secretary.role is ParticipantRole.MENTIONED
        assert secretary.post == "Secretary of State"
    acheson = bios["secretary-bios:acheson-dean-gooderham"]
    assert acheson.participants[0].name == "Dean Gooderham Acheson"
    assert acheson.title == "Biographies of the Secretaries of State: Dean Gooderham Acheson"


def test_sixty_six_biographies_link_a_person_of_the_people_authority(
    bios: dict[str, Document], people_slugs: set[str]
) -> None:
    linked = {d.participants[0].authority_id for d in bios.values()}
    matched = {a for a in linked if a and a.removeprefix("person:") in people_slugs}
    assert len(matched) == 66
    # The people data has no Pompeo or Tillerson, and files Blinken as blinken-antony.
    assert linked - matched == {
        "person:blinken-antony-j",
        "person:pompeo-michael-r",
        "person:tillerson-rex-w",
    }


def test_each_secretary_gets_a_provisional_authority(items: list[object]) -> None:
    persons = {a.id: a for a in items if isinstance(a, Authority)}
    assert len(persons) == 69 and all(a.provisional for a in persons.values())
    assert persons["person:hull-cordell"].name == "Cordell Hull"


def test_taxonomy_keywords_become_subject_ids(path: Path, bios: dict[str, Document]) -> None:
    for name, data in under(path, FOLDER).items():
        terms = tree(data).xpath(
            "//t:keywords[@scheme='https://history.state.gov/tags']/t:term/text()", namespaces=TEI
        )
        doc = bios[f"secretary-bios:{Path(name).stem}"]
        assert doc.subjects == tuple(f"subject:{t.strip()}" for t in terms)
    assert bios["secretary-bios:webster-daniel"].subjects == (
        "subject:webster-daniel-1841-1843",
        "subject:webster-daniel-1850-1852",
    )


def test_links_to_people_and_other_pages_are_kept(bios: dict[str, Document]) -> None:
    acheson = bios["secretary-bios:acheson-dean-gooderham"]
    byrnes = [p for p in acheson.participants if p.authority_id == "person:byrnes-james-francis"]
    assert [p.name for p in byrnes] == ["James F. Byrnes"]
    assert [r.target for r in acheson.references] == [
        "short-history:truman",
        "milestones:1945-1952/nato",
        "short-history:cubanmissile",
    ]
    assert "Brandeis" in {p.name.split()[-1] for p in acheson.participants}


def test_reader_claims_biographies_before_the_general_tei_reader(path: Path) -> None:
    bio = source(path, "./HistoryAtState+other-publications/secretary-bios/rusk-david-dean.xml")
    assert SecretaryBioReader().detect(bio) and TeiReader().detect(bio)
