"""One person per real person, on real FRUS volumes and people records."""

from __future__ import annotations

import gzip
import tarfile
from pathlib import Path

from lxml import etree

from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.persons import link_persons, person, person_documents, person_of, persons_named
from declass.store import open_store
from declass.store.base import PersonLink, PersonSpelling, Store

TEI = {"t": "http://www.tei-c.org/ns/1.0"}
ZHOU = "person:hsg-115035"
KHRUSHCHEV = "person:hsg-107127"
GROMYKO = "person:hsg-105222"


def _people_record(slice_path: Path, hsg_id: str) -> str:
    with tarfile.open(slice_path) as tar:
        for member in tar:
            if member.name.endswith(f"/{hsg_id}.xml") or member.name.endswith(f"{hsg_id}.xml"):
                handle = tar.extractfile(member)
                assert handle is not None
                return handle.read().decode("utf-8")
    raise AssertionError(f"no people record {hsg_id}")


def _documents_naming(volume: Path, pid: str) -> set[str]:
    """Independently: the volume's documents holding a persName pointing at `pid`."""
    root = etree.fromstring(gzip.decompress(volume.read_bytes()))
    vol = volume.name.removesuffix(".xml.gz")
    found = set()
    for div in root.iterfind(".//t:div[@type='document']", TEI):
        if div.xpath(".//t:persName[@corresp=$c]", namespaces=TEI, c=f"#{pid}"):
            found.add(f"frus:{vol}:{div.get('{http://www.w3.org/XML/1998/namespace}id')}")
    return found


def test_a_volume_entry_is_the_people_record_that_lists_it(
    persons_archive: Store, people_slice: Path
) -> None:
    record = _people_record(people_slice, "115035")
    assert "/historicaldocuments/frus1964-68v30/persons#p_CEZE1" in record
    link = persons_archive.person_links(["frus:frus1964-68v30:p_CEZE1"])
    assert link["frus:frus1964-68v30:p_CEZE1"].person_id == ZHOU
    assert link["frus:frus1964-68v30:p_CEZE1"].evidence == "frus-person"
    assert person_of(persons_archive, "frus:frus1955-57v02:p_CE1") == ZHOU


def test_an_entry_no_record_lists_is_matched_by_full_name_within_the_life(
    persons_archive: Store, people_slice: Path
) -> None:
    # The Intel volume's list was renumbered after the people records were made:
    # they list p_KNS1, the volume has p_KNS2.
    assert "frus1950-55Intel/persons#p_KNS2" not in _people_record(people_slice, "107127")
    links = persons_archive.person_links(
        [
            "frus:frus1950-55Intel:p_KNS2",
            "frus:frus1950-55Intel:p_HHJ2",
            "frus:frus1950-55Intel:p_HJE4",
        ]
    )
    assert links["frus:frus1950-55Intel:p_KNS2"].person_id == KHRUSHCHEV
    assert links["frus:frus1950-55Intel:p_KNS2"].evidence == "name-match"
    # Herbert Hoover, Jr. is the son, not the President; J. Edgar Hoover neither.
    junior = links["frus:frus1950-55Intel:p_HHJ2"].person_id
    assert junior == "person:hoover-herbert-clark-jr"
    assert links["frus:frus1950-55Intel:p_HJE4"].person_id not in (
        junior,
        "person:president-hoover-herbert-c",
    )


def test_different_people_of_one_surname_stay_apart(persons_archive: Store) -> None:
    gromykos = persons_named(persons_archive, "Gromyko")
    ids = [p.id for p in gromykos]
    assert ids[0] == GROMYKO  # the most documented first
    assert len(ids) == len(set(ids)) >= 2  # Lydia Gromyko is someone else
    assert all(p.name != "Gromyko" for p in gromykos)


def test_gromyko_is_one_person_with_every_spelling_and_the_volumes_it_was_seen_in(
    persons_archive: Store,
) -> None:
    found = persons_named(persons_archive, "Andrei Gromyko")
    assert [p.id for p in found] == [GROMYKO]
    andrei = found[0]
    assert {"frus:frus1964-68v30:p_GAA1", "frus:frus1961-63v06:p_GAA1"} <= set(andrei.authority_ids)
    seen = {s.name: set(s.sources) for s in andrei.spellings}
    assert {"frus1964-68v30", "frus1961-63v06"} <= seen["Andrei A. Gromyko"]
    assert "Stalin" not in seen and "Gromyko" not in seen


def test_a_persons_documents_span_the_volumes(
    persons_archive: Store, volume_paths: list[Path]
) -> None:
    expected = set()
    for volume in volume_paths:
        vol = volume.name.removesuffix(".xml.gz")
        pid = {"frus1964-68v30": "p_GAA1", "frus1961-63v06": "p_GAA1"}.get(vol)
        if pid:
            expected |= _documents_naming(volume, pid)
    got = {d.doc_id for d in person_documents(persons_archive, "frus:frus1961-63v06:p_GAA1")}
    assert expected and expected <= got
    assert {d.split(":")[1] for d in got} >= {"frus1964-68v30", "frus1961-63v06"}


def test_a_person_page_has_the_people_record_name_and_identifications(
    persons_archive: Store,
) -> None:
    zhou = person(persons_archive, "frus:frus1964-68v30:p_CEZE1")
    assert zhou.id == ZHOU and zhou.name == "Zhou Enlai"
    assert any("Premier" in i.text for i in zhou.identifications)


def test_linking_again_writes_nothing(persons_archive: Store) -> None:
    report = link_persons(persons_archive)
    assert (report.links_written, report.spellings_rewritten, report.removed) == (0, 0, 0)


def test_the_order_of_ingest_gives_the_same_persons(
    tmp_path: Path, persons_archive: Store, people_slice: Path, volume_paths: list[Path]
) -> None:
    other = open_store(tmp_path / "people-first.sqlite3")
    ingest(other, [people_slice], default_registry(), workers=1)
    ingest(other, volume_paths[:2], default_registry(), workers=1)
    mine = other.person_links()
    theirs = persons_archive.person_links(list(mine))
    frus = [a for a in mine if a.startswith("frus:")]
    assert frus
    assert {a: mine[a].person_id for a in frus} == {a: theirs[a].person_id for a in frus}
    other.close()


def test_person_links_and_spellings_are_replaced_and_forgotten(store: Store) -> None:
    link = PersonLink("frus:v1:p_A", "person:a", "frus-person", "person:a lists v1#p_A", "h1")
    spelled = PersonSpelling(
        "frus:v1:p_A", "Andrei A. Gromyko", "andrei a gromyko", "gromyko", "v1"
    )
    store.update_person_links([link], {"frus:v1:p_A": [spelled]})
    assert store.person_links()["frus:v1:p_A"] == link
    assert [s.person_id for s in store.person_spellings(keys=["andrei a gromyko"])] == ["person:a"]
    assert store.person_spellings(surnames=["gromyko"])[0].name == "Andrei A. Gromyko"
    assert [m.authority_id for m in store.person_members(["person:a"])] == ["frus:v1:p_A"]
    moved = PersonLink("frus:v1:p_A", "person:b", "name-match", "", "h2")
    store.update_person_links([moved], {})
    assert store.person_spellings(person_ids=["person:b"])[0].key == "andrei a gromyko"
    store.update_person_links([], {}, removed=["frus:v1:p_A"])
    assert store.person_links() == {} and store.person_spellings(keys=["andrei a gromyko"]) == []
