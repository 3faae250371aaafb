"""The TEI reader against the real hsg corpora, and against hostile or broken files."""

from __future__ import annotations

import hashlib
import io
import tarfile
import time
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from declass.errors import IngestError
from declass.ingest.frus import FrusVolumeReader
from declass.ingest.source import Source
from declass.ingest.tei import TeiReader
from declass.model import (
    BlockKind,
    Collection,
    DatePrecision,
    Document,
    DocumentType,
    NoteKind,
    ParticipantRole,
    TextRole,
)

NS = {"t": "http://www.tei-c.org/ns/1.0"}
CORPUS_DIRS = [
    "hsg/frus-history/documents",
    "hsg/frus-history/articles",
    "hsg/milestones/chapters",
    "hsg/rdcr/articles",
]


def read(path: Path) -> list:
    return list(TeiReader().read(Source(path)))


def documents(path: Path) -> list[Document]:
    return [i for i in read(path) if isinstance(i, Document)]


def by_id(path: Path) -> dict[str, Document]:
    return {d.id: d for d in documents(path)}


def xpath_count(path: Path, expr: str) -> int:
    return int(etree.parse(str(path)).xpath(f"count({expr})", namespaces=NS))


@pytest.fixture(scope="module")
def hsg(corpora: Path) -> Path:
    return corpora / "hsg"


# --- whole corpora -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("folder", CORPUS_DIRS)
def test_every_hsg_tei_file_is_detected_and_reads_without_error(corpora: Path, folder: str):
    files = sorted((corpora / folder).glob("*.xml"))
    assert files
    for path in files:
        source = Source(path)
        assert TeiReader().detect(source), path
        assert not FrusVolumeReader().detect(source), path
        docs = [i for i in TeiReader().read(source) if isinstance(i, Document)]
        assert docs, path


def test_frus_history_yields_one_document_per_document_div(hsg: Path):
    files = sorted((hsg / "frus-history").glob("*/*.xml"))
    assert len(files) == 95
    divs = records = whole_files = 0
    for path in files:
        expected = xpath_count(path, "//t:div[@type='document']")
        docs = documents(path)
        divs += expected
        if expected:
            records += len(docs)
            assert len(docs) == expected, path
        else:
            whole_files += len(docs)
            assert len(docs) == 1, path
    assert divs == 94  # the corpora README's count
    assert records == 94
    assert whole_files == 30


def test_milestones_yield_one_essay_per_section(hsg: Path):
    files = sorted((hsg / "milestones/chapters").glob("*.xml"))
    expected = sum(
        xpath_count(p, "/t:TEI/t:text/t:front/t:div | /t:TEI/t:text/t:body/t:div") for p in files
    )
    docs = [d for p in files for d in documents(p)]
    assert len(docs) == expected == 205
    assert {d.doc_type for d in docs} == {DocumentType.ESSAY}
    assert len({d.id for d in docs}) == len(docs)


def test_rdcr_yields_one_essay_per_country_linked_to_it(hsg: Path):
    files = sorted((hsg / "rdcr/articles").glob("*.xml"))
    docs = [d for p in files for d in documents(p)]
    assert len(docs) == len(files) == 228
    assert {d.id for d in docs} == {f"rdcr:{p.stem}" for p in files}
    unlinked = {d.id for d in docs if not d.countries}
    # Only states hsg marks as gone ("Bavaria*", "Texas*") have no country code.
    gone = {
        f"rdcr:{p.stem}"
        for p in files
        if etree.parse(str(p)).findtext(".//t:title[@type='short']", namespaces=NS).endswith("*")
    }
    assert unlinked <= gone
    assert len(unlinked) < 0.15 * len(docs)
    afghanistan = next(d for d in docs if d.id == "rdcr:afghanistan")
    assert [c.code for c in afghanistan.countries] == ["AFG"]
    assert "Afghanistan" in afghanistan.subjects


def test_ids_are_unique_across_the_hsg_corpora_and_stable_between_reads(corpora: Path):
    paths = [p for folder in CORPUS_DIRS for p in sorted((corpora / folder).glob("*.xml"))]
    first = [d.id for p in paths for d in documents(p)]
    assert len(first) == len(set(first))
    again = [d.id for p in reversed(paths) for d in documents(p)]
    assert sorted(again) == sorted(first)


@pytest.mark.parametrize(
    ("folder", "collection_id"),
    [
        ("hsg/frus-history/documents", "frus-history-documents"),
        ("hsg/frus-history/articles", "frus-history-articles"),
        ("hsg/rdcr/articles", "rdcr"),
        ("hsg/milestones/chapters", "milestones"),
    ],
)
def test_each_corpus_names_its_collection_and_documents_belong_to_it(
    corpora: Path, folder: str, collection_id: str
):
    path = sorted((corpora / folder).glob("*.xml"))[0]
    items = read(path)
    collections = [i for i in items if isinstance(i, Collection)]
    assert collection_id in {c.id for c in collections}
    first_document = next(n for n, i in enumerate(items) if isinstance(i, Document))
    assert all(isinstance(i, Collection) for i in items[:first_document])
    for doc in (i for i in items if isinstance(i, Document)):
        assert collection_id in doc.collections


# --- single records ------------------------------------------------------------------


def test_correspondence_file_reads_as_four_dated_letters(hsg: Path):
    path = hsg / "frus-history/documents/1957-03-21-kennan-to-leopold.xml"
    docs = documents(path)
    assert [d.id for d in docs] == [
        "frus-history:1957-03-21-kennan-to-leopold/leopold-to-kennan",
        "frus-history:1957-03-21-kennan-to-leopold/woodward-to-kennan",
        "frus-history:1957-03-21-kennan-to-leopold/freund-to-kennan",
        "frus-history:1957-03-21-kennan-to-leopold/kennan-to-leopold",
    ]
    last = docs[-1]
    assert last.doc_type is DocumentType.LETTER
    assert last.title == "George F. Kennan to Richard W. Leopold"
    assert (last.date.earliest, last.date.precision) == (date(1957, 3, 21), DatePrecision.DAY)
    assert docs[0].date.earliest == date(1957, 2, 3)
    roles = {(p.name, p.role) for p in last.participants}
    assert roles == {
        ("George F. Kennan", ParticipantRole.AUTHOR),
        ("Richard W. Leopold", ParticipantRole.RECIPIENT),
    }
    assert last.source_note.startswith("Department of State, Bureau of Public Affairs")
    assert last.archival_reference.lot == "96 D 292"
    assert last.archival_reference.box == "1"
    kinds = [n.kind for n in last.notes]
    assert NoteKind.SOURCE in kinds and NoteKind.EDITORIAL in kinds
    text = last.texts[0]
    assert (text.language, text.role) == ("en", TextRole.ORIGINAL)
    assert text.blocks[0].kind is BlockKind.HEADING and text.blocks[0].level == 1
    assert text.blocks[1].kind is BlockKind.DATELINE
    assert "Source:" not in last.body


def test_single_record_file_is_identified_by_its_file_name_and_hashed_whole(hsg: Path):
    path = hsg / "frus-history/documents/1958-11-03-noble-to-osborne.xml"
    (doc,) = documents(path)
    assert doc.id == "frus-history:1958-11-03-noble-to-osborne"
    assert doc.doc_type is DocumentType.MEMORANDUM
    assert doc.provenance.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.provenance.reader == "tei"
    assert doc.provenance.source == str(path)
    author = next(p for p in doc.participants if p.role is ParticipantRole.AUTHOR)
    recipient = next(p for p in doc.participants if p.role is ParticipantRole.RECIPIENT)
    assert (author.name, author.post) == ("G. Bernard Noble", "Chief of the Historical Division")
    assert recipient.name == "Melville Osborne"


def test_meeting_dateline_gives_a_range_even_where_the_header_date_is_wrong(hsg: Path):
    # The 1959 file's header says when="1958-11-07"; its own dateline says November 6-7, 1959.
    (doc,) = documents(hsg / "frus-history/documents/1959-11-06-hac-meeting-minutes.xml")
    assert (doc.date.earliest, doc.date.latest) == (date(1959, 11, 6), date(1959, 11, 7))
    assert doc.date.precision is DatePrecision.RANGE
    assert doc.doc_type is DocumentType.TRANSCRIPT


def test_month_only_record_keeps_month_precision(hsg: Path):
    (doc,) = documents(hsg / "frus-history/documents/1981-06-kogan-fgi-study-rp1261.xml")
    assert doc.date.precision is DatePrecision.MONTH
    assert (doc.date.earliest, doc.date.latest) == (date(1981, 6, 1), date(1981, 6, 30))


def test_telegram_keeps_place_and_time_of_its_dateline(hsg: Path):
    (doc,) = documents(hsg / "frus-history/documents/2002-08-19-athens-02867.xml")
    assert doc.doc_type is DocumentType.TELEGRAM
    assert doc.place == "Athens"
    assert doc.date.precision is DatePrecision.MINUTE
    assert doc.date.label == "August 19, 2002, 1425Z"
    assert {(p.name, p.role) for p in doc.participants} >= {
        ("Embassy in Greece", ParticipantRole.AUTHOR),
        ("Department of State", ParticipantRole.RECIPIENT),
    }


def test_transcript_speakers_become_participants(hsg: Path):
    (doc,) = documents(hsg / "frus-history/documents/1976-11-12-hac-meeting-with-kissinger.xml")
    assert doc.doc_type is DocumentType.TRANSCRIPT
    speakers = {p.name for p in doc.participants if p.role is ParticipantRole.SPEAKER}
    assert {"Secretary Kissinger", "Professor Oliver"} <= speakers
    assert "Subject" not in speakers


def test_footnotes_are_anchored_where_they_sit_and_kept_out_of_the_text(hsg: Path):
    docs = by_id(hsg / "frus-history/articles/1980-rereview-transcript.xml")
    doc = docs["frus-history:articles/1980-rereview-transcript/d1"]
    assert doc.source_note.startswith("Folder “Dissent Channel Package (1980),” Box 3")
    source = next(n for n in doc.notes if n.kind is NoteKind.SOURCE)
    assert source.anchor.block_index == 0  # the source note sits in the heading
    note = next(n for n in doc.notes if n.text == "Not located.")
    assert note.kind is NoteKind.FOOTNOTE and note.label == "3"
    block = doc.texts[0].blocks[note.anchor.block_index]
    assert block.text[: note.anchor.offset].endswith("representations made,")
    assert "Not located" not in doc.body
    assert "Source:" not in doc.title


@pytest.mark.parametrize("folder", CORPUS_DIRS)
def test_no_footnote_text_leaks_into_any_body(corpora: Path, folder: str):
    for path in sorted((corpora / folder).glob("*.xml")):
        for doc in documents(path):
            for note in doc.notes:
                if note.anchor is not None and len(note.text) > 30:
                    assert note.text not in doc.body, (doc.id, note.label)
                    block = doc.texts[note.anchor.text_index].blocks[note.anchor.block_index]
                    assert 0 <= note.anchor.offset <= len(block.text)


def test_pages_of_the_printed_original_are_kept_on_blocks(hsg: Path):
    (doc,) = documents(hsg / "frus-history/articles/seward-letter.xml")
    pages = [b.page for b in doc.texts[0].blocks]
    assert pages[0] == "1" and "2" in pages
    assert doc.doc_type is DocumentType.LETTER  # a released record, not an essay


def test_article_essay_has_its_author_and_publication_date(hsg: Path):
    (doc,) = documents(hsg / "frus-history/articles/frus-at-war.xml")
    assert doc.id == "frus-history:articles/frus-at-war"
    assert doc.doc_type is DocumentType.ESSAY
    assert [p.name for p in doc.participants if p.role is ParticipantRole.AUTHOR] == [
        "Joshua Botts"
    ]
    assert doc.date.earliest == date(2011, 10, 20)
    assert len([n for n in doc.notes if n.kind is NoteKind.FOOTNOTE]) == xpath_count(
        hsg / "frus-history/articles/frus-at-war.xml", "//t:note"
    )


def test_milestone_essay_is_dated_by_its_chapter_period(hsg: Path):
    path = hsg / "milestones/chapters/1945-1952.xml"
    items = read(path)
    chapter = next(i for i in items if isinstance(i, Collection) and i.id != "milestones")
    assert (chapter.id, chapter.parent) == ("milestones:1945-1952", "milestones")
    doc = {d.id: d for d in items if isinstance(d, Document)}["milestones:1945-1952/chinese-rev"]
    assert doc.title == "The Chinese Revolution of 1949"
    assert doc.doc_type is DocumentType.ESSAY
    assert (doc.date.earliest, doc.date.latest) == (date(1945, 1, 1), date(1952, 12, 31))
    assert doc.date.precision is DatePrecision.RANGE
    assert "1945–1952" in doc.subjects
    assert doc.collections == ("milestones", "milestones:1945-1952")
    assert doc.texts[0].blocks[0].text == "The Chinese Revolution of 1949"
    assert "Mao Zedong" in {p.name for p in doc.participants}


def test_milestone_essay_links_the_countries_its_markup_names(hsg: Path):
    docs = by_id(hsg / "milestones/chapters/1830-1860.xml")
    assert [c.code for c in docs["milestones:1830-1860/china-1"].countries] == ["CHN"]
    # The United States is in every essay; naming it would link nothing.
    assert all("USA" not in {c.code for c in d.countries} for d in docs.values())


def test_rdcr_article_names_its_author(hsg: Path):
    (doc,) = documents(hsg / "rdcr/articles/afghanistan.xml")
    authors = [p.name for p in doc.participants if p.role is ParticipantRole.AUTHOR]
    assert authors == ["Chris Morrison"]
    assert (doc.date.earliest, doc.date.precision) == (date(2009, 2, 1), DatePrecision.MONTH)
    headings = [b for b in doc.texts[0].blocks if b.kind is BlockKind.HEADING]
    assert (headings[0].text, headings[0].level) == ("Summary", 1)
    assert any(h.level == 2 for h in headings)


def test_tarball_member_is_recognised_by_its_member_path(hsg: Path, tmp_path: Path):
    data = (hsg / "rdcr/articles/albania.xml").read_bytes()
    tar_path = tmp_path / "bundle.tgz"
    with tarfile.open(tar_path, "w:gz") as tar:
        info = tarfile.TarInfo("rdcr/articles/albania.xml")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    source = Source(tar_path, member="rdcr/articles/albania.xml", data=data)
    assert TeiReader().detect(source)
    (doc,) = [i for i in TeiReader().read(source) if isinstance(i, Document)]
    assert doc.id == "rdcr:albania"
    assert doc.provenance.source == f"{tar_path}!rdcr/articles/albania.xml"


# --- broken and hostile input -------------------------------------------------------

TEI_HEAD = (
    '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
    "<title>Test</title></titleStmt></fileDesc></teiHeader>"
)


def test_malformed_xml_names_the_file_and_line(tmp_path: Path):
    path = tmp_path / "broken.xml"
    path.write_text(
        TEI_HEAD
        + "\n<text>\n<body>\n<div type='document'>\n<p>unclosed</div>\n</body></text></TEI>"
    )
    with pytest.raises(IngestError) as info:
        read(path)
    assert info.value.path == str(path)
    assert info.value.position == "line 5"
    assert str(path) in str(info.value)


def test_tei_file_without_text_is_an_error(tmp_path: Path):
    path = tmp_path / "empty.xml"
    path.write_text(TEI_HEAD + "<text><body><div/></body></text></TEI>")
    with pytest.raises(IngestError, match="no document text"):
        read(path)


def test_other_xml_is_not_claimed(tmp_path: Path):
    path = tmp_path / "other.xml"
    path.write_text('<?xml version="1.0"?><catalog><book/></catalog>')
    assert not TeiReader().detect(Source(path))
    with pytest.raises(IngestError, match="not a TEI document"):
        read(path)


def test_external_entity_is_refused_and_never_read(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE TEI [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>\n'
        + TEI_HEAD
        + "<text><body><div type='document'><head>Leak</head>"
        "<p>before &xxe; after</p></div></body></text></TEI>"
    )
    with pytest.raises(IngestError) as info:
        read(path)
    assert (info.value.path, info.value.position) == (str(path), "line 2")
    assert "TOP-SECRET" not in str(info.value)


def _laughs(levels: int) -> str:
    entities = ['<!ENTITY lol0 "lol">']
    for i in range(1, levels + 1):
        entities.append(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">')
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE TEI [\n{chr(10).join(entities)}\n]>\n'
        + TEI_HEAD
        + f"<text><body><div type='document'><head>Laughs</head><p>a &lol{levels}; b</p>"
        "</div></body></text></TEI>"
    )


@pytest.mark.parametrize("levels", [2, 9])
def test_entity_expansion_is_refused_quickly(tmp_path: Path, levels: int):
    path = tmp_path / "lol.xml"
    path.write_text(_laughs(levels))
    started = time.monotonic()
    with pytest.raises(IngestError) as info:
        read(path)
    assert time.monotonic() - started < 5
    assert info.value.path == str(path)
    assert info.value.position.startswith("line ")


def test_doctype_without_entities_is_accepted(tmp_path: Path):
    path = tmp_path / "doctype.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE TEI SYSTEM "http://example.invalid/tei_all.dtd">\n'
        + TEI_HEAD
        + "<text><body><div type='document'><head>Plain</head><p>text</p></div></body></text></TEI>"
    )
    (doc,) = documents(path)
    assert doc.body == "Plain\n\ntext"


def test_wrongly_declared_encoding_is_an_error(tmp_path: Path):
    path = tmp_path / "latin1.xml"
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + TEI_HEAD
        + ("<text><body><div type='document'><head>Café</head><p>x</p></div></body></text></TEI>")
    )
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(IngestError) as info:
        read(path)
    assert info.value.position == "line 2"


def test_a_record_copied_out_of_its_folder_keeps_its_ids(hsg: Path, tmp_path: Path):
    original = hsg / "frus-history/documents/1958-11-03-noble-to-osborne.xml"
    copy = tmp_path / "inbox" / original.name
    copy.parent.mkdir()
    copy.write_bytes(original.read_bytes())
    assert [d.id for d in documents(copy)] == [d.id for d in documents(original)]


def test_other_tei_gets_a_generic_id_and_no_invented_collection(tmp_path: Path):
    path = tmp_path / "letter.xml"
    path.write_text(
        TEI_HEAD + "<text><body><div type='document'><head>Letter From Ann Bell to Cy Dunn</head>"
        "<p>Dear Cy:</p></div></body></text></TEI>"
    )
    items = read(path)
    assert not any(isinstance(i, Collection) for i in items)
    (doc,) = items
    assert (doc.id, doc.collections, doc.doc_type) == ("tei:letter", (), DocumentType.LETTER)
    assert {(p.name, p.role) for p in doc.participants} == {
        ("Ann Bell", ParticipantRole.AUTHOR),
        ("Cy Dunn", ParticipantRole.RECIPIENT),
    }
