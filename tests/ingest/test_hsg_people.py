"""people.tgz: one Authority per person record, with every spelling and identifier."""

from __future__ import annotations

import io
import tarfile
import time
from pathlib import Path

import pytest

from declass.errors import IngestError
from declass.ingest.hsg_people import PeopleReader
from declass.ingest.pocom import PocomReader
from declass.ingest.source import Source
from declass.model import Authority, Collection, Rejection, VariantKind

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tarball(corpora: Path) -> Path:
    return corpora / "hsg" / "people.tgz"


@pytest.fixture(scope="module")
def people(tarball: Path) -> list[object]:
    start = time.perf_counter()
    items = list(PeopleReader().read(Source(tarball)))
    elapsed = time.perf_counter() - start
    records = len(items) - 1
    print(f"people.tgz: {records} records in {elapsed:.1f}s, {records / elapsed:.0f}/s")
    return items


@pytest.fixture(scope="module")
def by_hsg_id(people: list[object]) -> dict[str, Authority]:
    return {dict(a.identifiers)["hsg-person"]: a for a in people if isinstance(a, Authority)}


def _member(tarball: Path, stem: str) -> tuple[str, bytes]:
    with tarfile.open(tarball, "r:*") as tar:
        for member in tar:
            if member.name.endswith(f"/{stem}.xml"):
                handle = tar.extractfile(member)
                assert handle is not None
                return member.name, handle.read()
    raise LookupError(stem)


def test_reader_claims_the_people_tarball_whole(tarball: Path) -> None:
    assert PeopleReader().detect(Source(tarball))
    assert not PeopleReader().detect(Source(tarball.parent))


def test_every_person_member_becomes_one_authority(tarball: Path, people: list[object]) -> None:
    with tarfile.open(tarball, "r:*") as tar:
        stems = {Path(m.name).stem for m in tar if m.isfile() and m.name.endswith(".xml")}
    authorities = [a for a in people if isinstance(a, Authority)]
    assert len(stems) == 16_312
    assert len(authorities) == len(stems)
    assert {dict(a.identifiers)["hsg-person"] for a in authorities} == stems
    assert len({a.id for a in authorities}) == len(authorities)
    assert not [r for r in people if isinstance(r, Rejection)]


def test_collection_is_yielded_once_for_the_tarball(people: list[object]) -> None:
    collections = [c for c in people if isinstance(c, Collection)]
    assert [c.id for c in collections] == ["hsg-people"]


def test_departmenthistory_slug_is_the_authority_id(by_hsg_id: dict[str, Authority]) -> None:
    aaron = by_hsg_id["100001"]
    assert aaron.id == "person:aaron-david-laurence"
    assert aaron.name == "Aaron, David Laurence"
    assert aaron.birth_year == 1938 and aaron.death_year is None
    assert aaron.description.startswith("Non-career appointee.")
    assert ("pocom-person", "aaron-david-laurence") in aaron.identifiers
    assert ("frus-person", "frus1977-80v18#p_ADL_1") in aaron.identifiers
    preferred = aaron.variants[0]
    assert preferred.kind is VariantKind.PREFERRED
    assert "departmenthistory/people/aaron-david-laurence" in preferred.source


def test_alternates_and_original_spellings_are_variants(by_hsg_id: dict[str, Authority]) -> None:
    deng = by_hsg_id["103352"]
    assert deng.id == "person:hsg-103352"  # no departmenthistory page
    assert deng.name == "Deng Xiaoping"
    kinds = {v.name: v for v in deng.variants}
    assert kinds["Teng Hsiao-p’ing"].kind is VariantKind.ALTERNATE
    spelled = kinds["Deng Xiaoping (Teng Hsiao-ping)"]
    assert spelled.source == (
        "https://history.state.gov/historicaldocuments/frus1969-76v15/persons#p_DX_1"
    )
    # one spelling seen on three pages is one variant listing all three
    assert len(kinds["Teng Hsiao-p’ing"].source.split()) == 3
    assert ("frus-person", "frus1969-76ve12#p_deng-xiaoping") in deng.identifiers
    assert "Chou En-lai" in by_hsg_id["115035"].all_names


def test_viaf_id_becomes_an_identifier(by_hsg_id: dict[str, Authority]) -> None:
    adams = by_hsg_id["100097"]
    assert adams.id == "person:adams-john-quincy"
    assert ("viaf", "36980021") in adams.identifiers
    assert (adams.birth_year, adams.death_year) == (1767, 1848)
    assert ("viaf", "75337374") in by_hsg_id["102556"].identifiers
    assert not any(k == "viaf" for k, _ in by_hsg_id["103352"].identifiers)  # empty element


def test_president_slug_does_not_collide_with_pocom_slug(by_hsg_id: dict[str, Authority]) -> None:
    assert by_hsg_id["113302"].id == "person:president-taft-william-howard"
    assert by_hsg_id["113303"].id == "person:taft-william-howard"  # Taft III, ambassador


def test_one_member_reads_on_its_own(tarball: Path) -> None:
    name, data = _member(tarball, "103352")
    source = Source(tarball, name, data)
    assert PeopleReader().detect(source)
    items = list(PeopleReader().read(source))
    assert [type(i) for i in items] == [Collection, Authority]
    person = items[1]
    assert isinstance(person, Authority) and person.provenance is not None
    assert person.provenance.position == name
    assert person.provenance.reader == "hsg-people"
    assert len(person.provenance.content_hash) == 64


def test_pocom_person_file_is_left_to_the_pocom_reader(corpora: Path) -> None:
    path = corpora / "hsg" / "pocom" / "people" / "a" / "aaron-david-laurence.xml"
    assert not PeopleReader().detect(Source(path))
    assert PocomReader().detect(Source(path))


def test_malformed_member_is_an_ingest_error_naming_member_and_line(tarball: Path) -> None:
    data = b"<?xml version='1.0'?>\n<person>\n<names>\n<preferred><name>X</name></preferred>\n"
    data += b"</person>\n"
    source = Source(tarball, "people/data/999999.xml", data)
    assert PeopleReader().detect(source)
    with pytest.raises(IngestError) as err:
        list(PeopleReader().read(source))
    assert err.value.path == f"{tarball}!people/data/999999.xml"
    assert err.value.position == "line 5"


def test_bad_member_in_a_tarball_is_rejected_and_the_rest_read(
    tarball: Path, tmp_path: Path
) -> None:
    name, good = _member(tarball, "100001")
    bad_year = good.replace(b"<birth-year>1938</birth-year>", b"<birth-year>19x8</birth-year>")
    path = tmp_path / "people.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for member, data in [
            (name, good),
            ("people/data/2.xml", b"<person><names>\n<oops></person>"),
            ("people/data/3.xml", bad_year),
        ]:
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert PeopleReader().detect(Source(path))
    items = list(PeopleReader().read(Source(path)))
    rejections = [i for i in items if isinstance(i, Rejection)]
    assert [a.id for a in items if isinstance(a, Authority)] == ["person:aaron-david-laurence"]
    assert [(r.source, r.position) for r in rejections] == [
        (f"{path}!people/data/2.xml", "line 2"),
        (str(path), "people/data/3.xml"),
    ]
    assert "19x8" in rejections[1].reason


def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    path = tmp_path / "1.xml"
    path.write_bytes(
        f'<?xml version="1.0"?>\n<!DOCTYPE person [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        "<person><id>1</id><names><preferred><name>A&xxe;</name></preferred></names>"
        "<remarks><remark><p>&xxe;</p></remark></remarks></person>".encode()
    )
    person = list(PeopleReader().read(Source(path)))[1]
    assert isinstance(person, Authority)
    assert person.name == "A"
    assert "SECRET" not in person.description


def test_billion_laughs_is_refused_without_expanding(tmp_path: Path) -> None:
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    path = tmp_path / "1.xml"
    path.write_bytes(
        f'<?xml version="1.0"?>\n<!DOCTYPE person [<!ENTITY l0 "lol">{lol}]>\n'
        "<person><id>1</id><names><preferred><name>&l9;</name></preferred></names></person>".encode()
    )
    start = time.perf_counter()
    with pytest.raises(IngestError) as err:
        list(PeopleReader().read(Source(path)))
    assert time.perf_counter() - start < 2
    assert err.value.path == str(path)
    assert err.value.position.startswith("line ")
