"""The FRUS volume reader against two synthetic volumes written to the frus ODD."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from declass.errors import IngestError
from declass.ingest.frus import FrusVolumeReader
from declass.ingest.source import Source
from declass.ingest.tei import TeiReader
from declass.model import (
    Authority,
    AuthorityKind,
    BlockKind,
    Collection,
    DatePrecision,
    Document,
    DocumentType,
    NoteKind,
    ParticipantRole,
    Rejection,
)

NS = {"t": "http://www.tei-c.org/ns/1.0"}
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


@pytest.fixture(scope="module")
def volume1(fixtures: Path) -> Path:
    return fixtures / "frus" / "frus1969-76synth01.xml"


@pytest.fixture(scope="module")
def volume2(fixtures: Path) -> Path:
    return fixtures / "frus" / "frus1949synth02.xml"


def read(path: Path) -> list:
    return list(FrusVolumeReader().read(Source(path)))


def docs_of(path: Path) -> dict[str, Document]:
    return {i.id: i for i in read(path) if isinstance(i, Document)}


def participant(doc: Document, name: str):
    return next(p for p in doc.participants if p.name == name)


def test_volumes_are_claimed_by_the_volume_reader_only(volume1: Path, volume2: Path):
    for path in (volume1, volume2):
        assert FrusVolumeReader().detect(Source(path))
        assert not TeiReader().detect(Source(path))


def test_single_hsg_records_are_not_taken_for_volumes(corpora: Path):
    paths = sorted((corpora / "hsg").glob("*/*/*.xml"))
    assert len(paths) > 300
    assert not any(FrusVolumeReader().detect(Source(p)) for p in paths)


def test_every_document_div_gives_a_document_or_a_rejection(volume1: Path, volume2: Path):
    for path in (volume1, volume2):
        divs = etree.parse(str(path)).xpath("//t:div[@type='document']", namespaces=NS)
        items = read(path)
        produced = [i for i in items if isinstance(i, Document | Rejection)]
        assert len(produced) == len(divs)
        expected_ids = {f"frus:{path.stem}:{d.get(XML_ID)}" for d in divs}
        rejected = {r.position for r in items if isinstance(r, Rejection)}
        documents = {i.id for i in items if isinstance(i, Document)}
        assert documents <= expected_ids
        assert len(documents) + len(rejected) == len(expected_ids)


def test_an_impossible_date_is_kept_as_written_and_flagged_never_dropped(volume1: Path):
    items = read(volume1)
    assert not [i for i in items if isinstance(i, Rejection)]
    docs = [i for i in items if isinstance(i, Document)]
    assert [d.id.rsplit(":", 1)[1] for d in docs] == ["d1", "d2", "d3", "d4", "d5", "d6"]
    (doc,) = [d for d in docs if d.id.endswith(":d5")]
    assert "1969-02-31" in doc.date.doubtful
    # The volume's own span (1969–1970, from its title) stands in for the impossible day.
    assert (doc.date.earliest, doc.date.latest) == (date(1969, 1, 1), date(1970, 12, 31))
    assert doc.date.precision is DatePrecision.RANGE


def test_volume_collection_takes_its_title_from_the_title_statement(volume1: Path, volume2: Path):
    collections = {c.id: c for c in read(volume1) if isinstance(c, Collection)}
    assert collections["frus"].parent is None
    volume = collections["frus:frus1969-76synth01"]
    assert volume.parent == "frus"
    assert volume.title == (
        "Foreign Relations of the United States, 1969–1976, Volume S–1, "
        "Synthetic Documents on China, 1969–1970"
    )
    # Without a "complete" title the parts are joined in order.
    titles = {c.id: c.title for c in read(volume2) if isinstance(c, Collection)}
    assert titles["frus:frus1949synth02"] == (
        "Foreign Relations of the United States, 1949, Volume S–2, The Far East: A Synthetic China"
    )
    for doc in docs_of(volume1).values():
        assert doc.collections == ("frus", "frus:frus1969-76synth01")
        assert doc.series == "frus1969-76synth01"


def test_every_person_in_the_list_becomes_an_authority(volume1: Path, volume2: Path):
    for path in (volume1, volume2):
        listed = etree.parse(str(path)).xpath(
            "//t:div[@xml:id='persons']//t:item[starts-with(@xml:id, 'p_') "
            "or .//t:persName[starts-with(@xml:id, 'p_')]]",
            namespaces=NS,
        )
        people = [
            i for i in read(path) if isinstance(i, Authority) and i.kind is AuthorityKind.PERSON
        ]
        assert len(people) == len(listed) > 0
        assert all(a.id.startswith(f"frus:{path.stem}:p_") for a in people)
    people = {a.id: a for a in read(volume1) if isinstance(a, Authority)}
    hammond = people["frus:frus1969-76synth01:p_HAM1"]
    assert hammond.name == "Arthur M. Hammond"
    assert hammond.description == "Assistant to the President for National Security Affairs"
    assert {"Hammond, Arthur M.", "Hammond", "A.M.H."} <= set(hammond.all_names)
    assert people["frus:frus1969-76synth01:p_STO1"].name == "Walter J. Stone, Jr."
    terms = {a.id: a for a in people.values() if a.kind is AuthorityKind.TERM}
    assert terms["frus:frus1969-76synth01:t_PRC1"].name == "People’s Republic of China"


def test_names_in_the_heading_are_resolved_as_author_and_recipient(volume1: Path):
    doc = docs_of(volume1)["frus:frus1969-76synth01:d1"]
    hammond = participant(doc, "Arthur M. Hammond")
    assert hammond.role is ParticipantRole.AUTHOR
    assert hammond.authority_id == "frus:frus1969-76synth01:p_HAM1"
    assert hammond.post == "Assistant to the President for National Security Affairs"
    prescott = participant(doc, "Eleanor Prescott")
    assert (prescott.role, prescott.authority_id) == (
        ParticipantRole.RECIPIENT,
        "frus:frus1969-76synth01:p_PRE1",
    )
    stone = participant(doc, "Walter J. Stone, Jr.")
    assert stone.role is ParticipantRole.MENTIONED
    assert len(doc.participants) == 3  # Hammond once, although named twice


def test_memorandum_of_conversation_lists_its_participants(volume1: Path):
    doc = docs_of(volume1)["frus:frus1969-76synth01:d3"]
    assert doc.doc_type is DocumentType.MEMORANDUM_OF_CONVERSATION
    stone = participant(doc, "Walter J. Stone, Jr.")
    liu = participant(doc, "Liu Wenbo")
    assert (stone.role, stone.post) == (ParticipantRole.PARTICIPANT, "Ambassador")
    assert (liu.role, liu.post) == (ParticipantRole.PARTICIPANT, "Vice Foreign Minister")
    assert participant(doc, "Ruth Kellerman").role is ParticipantRole.MENTIONED


def test_unlisted_person_keeps_the_name_but_no_authority(volume1: Path):
    doc = docs_of(volume1)["frus:frus1969-76synth01:d6"]
    zhang = participant(doc, "Premier Zhang")
    assert (zhang.role, zhang.authority_id) == (ParticipantRole.RECIPIENT, None)


def test_names_in_an_enclosure_are_not_the_records_authors(volume2: Path):
    doc = docs_of(volume2)["frus:frus1949synth02:d11"]
    assert participant(doc, "Samuel Okafor").role is ParticipantRole.AUTHOR
    assert participant(doc, "Dana Whitcombe").role is ParticipantRole.RECIPIENT
    assert participant(doc, "Ma Tianyi").role is ParticipantRole.MENTIONED


@pytest.mark.parametrize(
    ("doc_id", "earliest", "latest", "precision", "label"),
    [
        ("d1", date(1969, 2, 3), date(1969, 2, 3), DatePrecision.DAY, "February 3, 1969"),
        (
            "d2",
            date(1969, 2, 20),
            date(1969, 2, 20),
            DatePrecision.MINUTE,
            "February 20, 1969, 1430Z",
        ),
        ("d3", date(1969, 3, 10), date(1969, 3, 12), DatePrecision.RANGE, "March 10–12, 1969"),
        ("d4", date(1969, 4, 1), date(1969, 6, 30), DatePrecision.RANGE, ""),
    ],
)
def test_dates_come_from_the_datetime_attributes_with_the_printed_label(
    volume1: Path, doc_id, earliest, latest, precision, label
):
    doc = docs_of(volume1)[f"frus:frus1969-76synth01:{doc_id}"]
    assert (doc.date.earliest, doc.date.latest) == (earliest, latest)
    assert doc.date.precision is precision
    assert doc.date.label == label


def test_without_datetime_attributes_the_dateline_dates_the_record(volume2: Path):
    doc = docs_of(volume2)["frus:frus1949synth02:d11"]
    assert (doc.date.earliest, doc.date.precision) == (date(1949, 4, 25), DatePrecision.DAY)
    assert doc.place == "Washington"


def test_source_note_and_footnotes(volume1: Path):
    doc = docs_of(volume1)["frus:frus1969-76synth01:d1"]
    assert doc.source_note == (
        "Synthetic Archive, Invented Files, Box 7, Lot 99 D 1. Secret. Drafted for tests only."
    )
    assert (doc.archival_reference.box, doc.archival_reference.lot) == ("7", "99 D 1")
    kinds = [n.kind for n in doc.notes]
    assert kinds == [NoteKind.SOURCE, NoteKind.FOOTNOTE]
    footnote = doc.notes[1]
    assert footnote.label == "2"
    block = doc.texts[0].blocks[footnote.anchor.block_index]
    assert block.text[: footnote.anchor.offset].endswith("a new meeting in Warsaw.")
    assert block.text[footnote.anchor.offset :].startswith(" Ambassador Stone")
    assert "not printed" not in doc.body
    assert "Synthetic Archive" not in doc.body
    assert doc.title.endswith("to President Prescott")


def test_footnote_in_a_list_item_is_anchored_to_that_item(volume1: Path):
    doc = docs_of(volume1)["frus:frus1969-76synth01:d6"]
    note = next(n for n in doc.notes if n.kind is NoteKind.FOOTNOTE)
    block = doc.texts[0].blocks[note.anchor.block_index]
    assert block.kind is BlockKind.LIST_ITEM
    assert block.text == "an exchange of journalists;"
    assert note.anchor.offset == len(block.text)


def test_record_structure_is_kept_as_blocks(volume1: Path):
    doc = docs_of(volume1)["frus:frus1969-76synth01:d6"]
    kinds = [b.kind for b in doc.texts[0].blocks]
    assert kinds == [
        BlockKind.HEADING,
        BlockKind.DATELINE,
        BlockKind.PARAGRAPH,
        BlockKind.PARAGRAPH,
        BlockKind.LIST_ITEM,
        BlockKind.LIST_ITEM,
        BlockKind.LIST_ITEM,
        BlockKind.SIGNATURE,
    ]
    assert doc.texts[0].blocks[-1].text == "Sincerely, Eleanor Prescott"


@pytest.mark.parametrize(
    ("path_fixture", "doc_id", "doc_type"),
    [
        ("volume1", "frus:frus1969-76synth01:d1", DocumentType.MEMORANDUM),
        ("volume1", "frus:frus1969-76synth01:d2", DocumentType.TELEGRAM),
        ("volume1", "frus:frus1969-76synth01:d4", DocumentType.EDITORIAL_NOTE),
        ("volume1", "frus:frus1969-76synth01:d6", DocumentType.LETTER),
        ("volume2", "frus:frus1949synth02:d10", DocumentType.TELEGRAM),  # from its source note
        ("volume2", "frus:frus1949synth02:d12", DocumentType.EDITORIAL_NOTE),
    ],
)
def test_document_types(request, path_fixture, doc_id, doc_type):
    assert docs_of(request.getfixturevalue(path_fixture))[doc_id].doc_type is doc_type


def test_glossed_terms_become_subjects_and_chapters_divisions(volume1: Path):
    docs = docs_of(volume1)
    doc = docs["frus:frus1969-76synth01:d1"]
    assert doc.subjects == ("People’s Republic of China", "National Security Council")
    assert doc.divisions == ("Synthetic Compilation on China", "Talks in Warsaw, 1969–1970")
    assert "Republic of China" in docs["frus:frus1969-76synth01:d3"].subjects


def test_sequence_is_the_place_in_the_volume_and_provenance_the_div(volume1: Path):
    docs = docs_of(volume1)
    doc = docs["frus:frus1969-76synth01:d3"]
    assert (doc.sequence, doc.number) == (3, "3")
    div = etree.parse(str(volume1)).xpath("//t:div[@xml:id='d3']", namespaces=NS)[0]
    assert (
        doc.provenance.content_hash
        == hashlib.sha256(etree.tostring(div, with_tail=False)).hexdigest()
    )
    assert doc.provenance.position == "//div[@xml:id='d3']"
    assert doc.provenance.reader == "frus-volume"
    assert docs_of(volume1)["frus:frus1969-76synth01:d3"].provenance == doc.provenance


def test_volume_without_records_is_an_error(tmp_path: Path, volume1: Path):
    root = etree.parse(str(volume1)).getroot()
    for div in root.xpath("//t:div[@type='document']", namespaces=NS):
        div.getparent().remove(div)
    path = tmp_path / "frus1969-76synth01.xml"
    path.write_bytes(etree.tostring(root))
    with pytest.raises(IngestError, match="no div"):
        read(path)


def test_malformed_volume_names_file_and_line(tmp_path: Path, volume1: Path):
    lines = volume1.read_text().splitlines()
    lines[39] = lines[39] + "<unclosed>"
    path = tmp_path / "frus1969-76synth01.xml"
    path.write_text("\n".join(lines))
    with pytest.raises(IngestError) as info:
        read(path)
    assert info.value.path == str(path)
    assert info.value.position.startswith("line ")
    assert int(info.value.position.split()[1]) >= 40
