"""The UNGDC reader against the real tarball and spreadsheet, and damaged copies of them."""

from __future__ import annotations

import io
import re
import shutil
import tarfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from declass.errors import IngestError
from declass.ingest.source import Source
from declass.ingest.ungdc import SPEAKERS_FILE, UNGDCReader, paragraphs
from declass.model import (
    Collection,
    DatePrecision,
    Document,
    DocumentType,
    ParticipantRole,
    Rejection,
)

SPEECH = re.compile(r"([A-Z]{2,3})_(\d+)_(\d{4})\.txt$")


@pytest.fixture(scope="module")
def tarball(corpora: Path) -> Path:
    return corpora / "ungdc" / "UNGDC_1946-2022.tgz"


@pytest.fixture(scope="module")
def speeches(tarball: Path) -> dict[str, Document]:
    items = list(UNGDCReader().read(Source(tarball)))
    assert not [i for i in items if isinstance(i, Rejection)]
    return {i.id: i for i in items if isinstance(i, Document)}


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _speakers_sheet(path: Path, rows: list[tuple[object, ...]]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(("Year", "Session", "ISO Code", "Country", "Name of Person Speaking", "Post"))
    for row in rows:
        sheet.append(row)
    book.save(path)


def _read(path: Path) -> tuple[list[Document], list[Rejection]]:
    items = list(UNGDCReader().read(Source(path)))
    docs = [i for i in items if isinstance(i, Document)]
    return docs, [i for i in items if isinstance(i, Rejection)]


@pytest.mark.slow
def test_whole_tarball_yields_one_document_per_speech_member(tarball, speeches):
    with tarfile.open(tarball) as tar:
        expected = {"ungdc:" + Path(m.name).stem for m in tar.getmembers() if SPEECH.search(m.name)}
    assert len(expected) == 10_568
    assert set(speeches) == expected


@pytest.mark.slow
def test_every_speech_has_country_year_session_and_text(speeches):
    for doc in speeches.values():
        code, session, year = SPEECH.search(doc.id.removeprefix("ungdc:") + ".txt").groups()
        assert doc.doc_type is DocumentType.SPEECH
        # The UN's seat codes name the state that held the seat (CHN before 25 October
        # 1971 is the Republic of China, TWN; RUS before 1992 the USSR, SUN).
        seat = {("CHN", True): "TWN", ("RUS", True): "SUN"}
        held = (code == "CHN" and 1949 <= int(year) <= 1971) or (
            code == "RUS" and int(year) <= 1991
        )
        assert doc.countries[0].code == seat.get((code, held), code)
        assert doc.countries[0].name and doc.countries[0].name != code
        assert doc.date is not None and doc.date.year == int(year)
        assert doc.date.precision is DatePrecision.YEAR
        assert doc.sequence == int(session) and doc.series == f"ungdc:{code}"
        assert doc.language == "en" and doc.texts[0].blocks
        assert doc.provenance is not None and doc.provenance.position.endswith(".txt")
        assert doc.collections == ("ungdc",)


@pytest.mark.slow
def test_speaker_is_present_wherever_the_spreadsheet_names_one(corpora, speeches):
    book = load_workbook(corpora / "ungdc" / SPEAKERS_FILE, read_only=True)
    named: dict[tuple[str, int], set[str]] = {}
    for row in book["Sheet1"].iter_rows(min_row=2, values_only=True):
        _year, session, code, _country, name = row[:5]
        if code and name and str(name).strip():
            named.setdefault((code.strip(), session), set()).add(" ".join(name.split()).casefold())
    book.close()
    matched = 0
    for doc in speeches.values():
        code, session, _ = doc.id.removeprefix("ungdc:").split("_")
        expected = named.get((code, int(session)))
        if expected:
            assert expected <= {p.name.casefold() for p in doc.participants}, doc.id
            assert all(p.role is ParticipantRole.SPEAKER for p in doc.participants)
            matched += 1
    # The spreadsheet's own codes match about 10,490 speeches; a reader ignoring it fails.
    assert matched > 10_400


@pytest.mark.slow
def test_countries_carry_their_historical_names(speeches):
    def country(doc_id: str) -> str:
        return speeches[doc_id].countries[0].name

    assert country("ungdc:RUS_24_1969") == "Union of Soviet Socialist Republics"
    assert country("ungdc:RUS_46_1991") == "Union of Soviet Socialist Republics"
    assert country("ungdc:RUS_55_2000") == "Russian Federation"
    assert country("ungdc:CHN_15_1960") == "Republic of China (Taiwan)"
    assert country("ungdc:CHN_26_1971") == "Republic of China (Taiwan)"
    assert speeches["ungdc:CHN_15_1960"].countries[0].code == "TWN"
    assert speeches["ungdc:RUS_24_1969"].countries[0].code == "SUN"
    assert country("ungdc:CHN_35_1980") == "People's Republic of China"
    assert country("ungdc:DEU_45_1990") == "Federal Republic of Germany"
    assert country("ungdc:YUG_58_2003") == "Serbia and Montenegro"
    assert country("ungdc:CZE_08_1953") == "Czechoslovakia"
    assert speeches["ungdc:RUS_24_1969"].title.startswith("Union of Soviet Socialist Republics")
    assert "24th session (1969)" in speeches["ungdc:RUS_24_1969"].title


@pytest.mark.slow
def test_gromyko_speaks_for_the_ussr(speeches):
    ussr = [d for d in speeches.values() if d.countries[0].code == "SUN"]
    assert {d.id.split("_")[0] for d in ussr} == {"ungdc:RUS"}
    by_gromyko = [d for d in ussr if any("gromyko" in p.name.lower() for p in d.participants)]
    assert len(by_gromyko) >= 10
    assert all("Gromyko".lower() in d.title.lower() for d in by_gromyko)


@pytest.mark.slow
def test_general_assembly_met_in_paris_in_1948_and_1951(speeches):
    places = {d.date.year: d.place for d in speeches.values()}
    assert places[1948] == places[1951] == "Paris"
    assert places[1947] == places[1969] == "New York"


def test_detects_the_tarball_by_its_members_not_its_name(tarball, tmp_path):
    assert UNGDCReader().detect(Source(tarball))
    other = _tar(tmp_path / "UNGDC_lookalike.tgz", {"x/notes.txt": b"hello"})
    assert not UNGDCReader().detect(Source(other))
    renamed = _tar(tmp_path / "speeches.tar.gz", {"d/FRA_24_1969.txt": b"Bonjour."})
    assert UNGDCReader().detect(Source(renamed))
    assert not UNGDCReader().detect(Source(tarball, "member.txt", b""))
    assert not UNGDCReader().detect(Source(tmp_path / SPEAKERS_FILE))


def test_truncated_tarball_yields_readable_speeches_then_names_the_file(tarball, tmp_path):
    cut = tmp_path / "UNGDC_cut.tgz"
    with tarball.open("rb") as whole, cut.open("wb") as part:
        part.write(whole.read(2_000_000))
    shutil.copy(tarball.with_name(SPEAKERS_FILE), tmp_path / SPEAKERS_FILE)
    reader, docs = UNGDCReader(), []
    with pytest.raises(IngestError) as caught:
        for item in reader.read(Source(cut)):
            if isinstance(item, Document):
                docs.append(item)
    assert 10 < len(docs) < 10_568
    assert caught.value.path == str(cut)
    assert caught.value.position.startswith(("member ", "after member "))
    assert str(cut) in str(caught.value)
    assert docs[0].id == "ungdc:ARG_01_1946" and docs[0].participants


def test_bad_members_are_rejected_and_the_rest_read(tmp_path):
    archive = _tar(
        tmp_path / "UNGDC_small.tgz",
        {
            "TXT/FRA_24_1969.txt": "\ufeffMonsieur le Président,\r\n\r\nNous\nsaluons.".encode(),
            "TXT/notes-about-1969.txt": b"not a speech",
            "TXT/GBR_24_1969.txt": b"Mr. President \xff\xfe caf\xe9",
            "TXT/USA_24_1969.txt": b"1. We meet\n   in hope.\n\n2. Peace.\n",
        },
    )
    _speakers_sheet(
        tmp_path / SPEAKERS_FILE,
        [
            (1969, 24, "USA ", "United States", " Mr. Rogers ", "Secretary of State "),
            (1969, 24, "USA", "United States", "Mr. ROGERS", None),
            (1969, 24, "FRA", "France", None, "missing"),
        ],
    )
    docs, rejections = _read(archive)
    assert [d.id for d in docs] == ["ungdc:FRA_24_1969", "ungdc:USA_24_1969"]
    assert {(r.position, r.reason.split(":")[0]) for r in rejections} == {
        ("TXT/notes-about-1969.txt", "not named like a speech (ISO3_SESSION_YEAR.txt)"),
        ("TXT/GBR_24_1969.txt", "not UTF-8"),
    }
    assert all(r.source == str(archive) for r in rejections)
    fra, usa = docs
    assert [b.text for b in fra.texts[0].blocks] == ["Monsieur le Président,", "Nous saluons."]
    assert fra.participants == ()
    assert [b.text for b in usa.texts[0].blocks] == ["1. We meet in hope.", "2. Peace."]
    assert [(p.name, p.post) for p in usa.participants] == [("Mr. Rogers", "Secretary of State")]
    assert usa.title == (
        "United States, statement by Mr. Rogers in the General Debate, 24th session (1969)"
    )


def test_missing_spreadsheet_is_rejected_but_speeches_still_read(tmp_path):
    archive = _tar(tmp_path / "UNGDC_small.tgz", {"FRA_24_1969.txt": b"Bonjour."})
    docs, rejections = _read(archive)
    assert [d.id for d in docs] == ["ungdc:FRA_24_1969"]
    assert [r.source for r in rejections] == [str(tmp_path / SPEAKERS_FILE)]


def test_corrupt_spreadsheet_is_rejected_with_the_reason(tmp_path):
    archive = _tar(tmp_path / "UNGDC_small.tgz", {"FRA_24_1969.txt": b"Bonjour."})
    (tmp_path / SPEAKERS_FILE).write_bytes(b"this is not a workbook")
    docs, rejections = _read(archive)
    assert len(docs) == 1
    assert len(rejections) == 1 and "xlsx" in rejections[0].reason


def test_reader_yields_the_collection_once(tmp_path):
    archive = _tar(tmp_path / "UNGDC_small.tgz", {"FRA_24_1969.txt": b"Bonjour."})
    collections = [i for i in UNGDCReader().read(Source(archive)) if isinstance(i, Collection)]
    assert [c.id for c in collections] == ["ungdc"]
    assert "Baturo" in collections[0].description


def test_paragraphs_keep_every_word():
    text = "On behalf of the Aus\u00actralian\nGovernment,\n\n\n98.\tNo one\n99.\tcan ignore"
    blocks = [b.text for b in paragraphs(text)]
    assert blocks == ["On behalf of the Australian Government,", "98. No one", "99. can ignore"]
    long_lines = ("a " * 100 + "\n") * 2
    assert len(paragraphs(long_lines)) == 2


def test_sidecar_is_the_spreadsheet_beside_a_ungdc_tarball(tmp_path):
    _tar(tmp_path / "UNGDC_small.tgz", {"FRA_24_1969.txt": b"Bonjour."})
    (tmp_path / SPEAKERS_FILE).write_bytes(b"")
    assert UNGDCReader().sidecars(tmp_path) == {tmp_path / SPEAKERS_FILE}
    (tmp_path / "UNGDC_small.tgz").unlink()
    assert UNGDCReader().sidecars(tmp_path) == set()
