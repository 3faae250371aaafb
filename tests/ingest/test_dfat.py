"""The DFAT reader (Documents on Australian Foreign Policy) against the real tarball, and
synthetic files for the older front-matter style and a malformed one."""

from __future__ import annotations

import io
import re
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from declass.ingest.dfat import DfatReader, title_participants
from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.ingest.source import Source
from declass.model import (
    BlockKind,
    Collection,
    DatePrecision,
    Document,
    DocumentType,
    ParticipantRole,
    Rejection,
)
from declass.store import open_store

NAA = "National Archives of Australia"


@dataclass
class Corpus:
    documents: dict[str, Document]
    collections: dict[str, Collection]
    rejections: list[Rejection]
    undetected: list[str]
    seconds: float


@pytest.fixture(scope="module")
def tarball(corpora: Path) -> Path:
    return corpora / "dfat" / "dfat_volumes_md.tgz"


@pytest.fixture(scope="module")
def members(tarball: Path) -> list[tarfile.TarInfo]:
    with tarfile.open(tarball) as tar:
        return tar.getmembers()


def _read_members(reader: DfatReader, path: Path) -> Corpus:
    """Stream the tarball as the pipeline does, one Source a member."""
    corpus = Corpus({}, {}, [], [], 0.0)
    start = time.perf_counter()
    with tarfile.open(path, "r|*") as tar:
        for member in tar:
            if not member.isfile():
                continue
            handle = tar.extractfile(member)
            source = Source(path, member.name, handle.read() if handle else b"")
            if not reader.detect(source):
                corpus.undetected.append(member.name)
                continue
            for item in reader.read(source):
                if isinstance(item, Document):
                    assert item.id not in corpus.documents, f"{item.id} read twice"
                    corpus.documents[item.id] = item
                elif isinstance(item, Collection):
                    corpus.collections[item.id] = item
                elif isinstance(item, Rejection):
                    corpus.rejections.append(item)
    corpus.seconds = time.perf_counter() - start
    return corpus


@pytest.fixture(scope="module")
def corpus(tarball: Path) -> Corpus:
    return _read_members(DfatReader(), tarball)


def _doc(corpus: Corpus, doc_id: str) -> Document:
    return corpus.documents[doc_id]


# --- counts -----------------------------------------------------------------------------


def test_tarball_holds_one_markdown_file_a_document_in_28_volume_folders(
    members: list[tarfile.TarInfo],
) -> None:
    files = [m.name for m in members if m.isfile()]
    folders = [m.name for m in members if m.isdir()]
    assert len(members) == 10_912
    # 10,912 members: the `_volumes/` folder, 28 volume folders, and 10,883 documents.
    assert len(folders) == 29 and len(files) == 10_883
    assert all(re.fullmatch(r"_volumes/volume-\d+-[^/]+/[^/]+\.md", f) for f in files)
    assert len({f.split("/")[1] for f in files}) == 28


def test_every_document_of_the_tarball_is_read_without_rejection(
    corpus: Corpus, members: list[tarfile.TarInfo]
) -> None:
    markdown = [m.name for m in members if m.isfile() and m.name.endswith(".md")]
    assert corpus.rejections == []
    assert corpus.undetected == []
    assert len(corpus.documents) == len(markdown) == 10_883
    assert {d.provenance.position for d in corpus.documents.values() if d.provenance} == set(
        markdown
    )
    print(f"\nDFAT parse: {len(markdown) / corpus.seconds:,.0f} documents/s")


def test_every_front_matter_in_the_tarball_has_the_same_eight_keys(tarball: Path) -> None:
    keys: set[frozenset[str]] = set()
    with tarfile.open(tarball, "r|*") as tar:
        for member in tar:
            if member.isfile():
                handle = tar.extractfile(member)
                text = handle.read().decode() if handle else ""
                front = text.split("\n---", 1)[0].lstrip("-")
                keys.add(frozenset(yaml.load(front, Loader=yaml.CSafeLoader)))
    # The older style (`doc_id`, `volume`, `date`) is not in this tarball: see the fixture.
    assert keys == {
        frozenset(
            {"doc_date", "doc_num", "doc_order", "naa_refs", "title", "vol_full_title"}
            | {"vol_id", "vol_title"}
        )
    }


# --- ids, numbers, collections ---------------------------------------------------------


def test_ids_come_from_volume_and_printed_number(corpus: Corpus) -> None:
    doc = _doc(corpus, "dfat:22:1")
    assert (doc.number, doc.series, doc.sequence) == ("1", "dfat:22", 1)
    assert doc.collections == ("dfat", "dfat:22")
    assert _doc(corpus, "dfat:27:508").sequence == 508


def test_a_number_printed_twice_or_not_at_all_gives_file_named_ids(corpus: Corpus) -> None:
    # Vol 5 prints two documents 8; vol 20 has two 484s and an unnumbered appendix.
    assert "dfat:5:8" not in corpus.documents and "dfat:20:484" not in corpus.documents
    twins = [i for i in corpus.documents if i.startswith("dfat:5:8-")]
    assert len(twins) == 2 and {_doc(corpus, i).number for i in twins} == {"8"}
    appendix = _doc(corpus, "dfat:20:512-submission-to-peacock")
    assert appendix.number == "" and appendix.sequence == 512


def test_series_and_volume_collections_carry_titles_and_coverage(corpus: Corpus) -> None:
    series = corpus.collections["dfat"]
    assert (series.title, series.kind) == ("Documents on Australian Foreign Policy", "series")
    volumes = [c for c in corpus.collections.values() if c.kind == "volume"]
    assert len(volumes) == 28 and all(c.parent == "dfat" for c in volumes)
    china = corpus.collections["dfat:22"]
    assert "Recognition of the People’s Republic of China" in china.title
    assert china.coverage is not None
    assert (china.coverage.earliest.isoformat(), china.coverage.latest.isoformat()) == (  # type: ignore[union-attr]
        "1949-01-01",
        "1972-12-31",
    )
    war = corpus.collections["dfat:4"].coverage
    assert war is not None and (str(war.earliest), str(war.latest)) == ("1940-07-01", "1941-06-30")


# --- dates, places, genre, people --------------------------------------------------------


def test_front_matter_dates_keep_their_precision_in_the_datelines_words(corpus: Corpus) -> None:
    day = _doc(corpus, "dfat:1:1").date
    assert day is not None and day.precision is DatePrecision.DAY
    assert (str(day.earliest), day.label, day.inferred) == ("1937-01-26", "26 January 1937", False)
    timed = _doc(corpus, "dfat:13:5").date
    assert timed is not None and timed.precision is DatePrecision.MINUTE
    assert timed.label == "9 January 1948, 4.30 p.m."
    month = _doc(corpus, "dfat:1:4").date  # front matter: '1937-02'
    assert month is not None and month.precision is DatePrecision.MONTH
    year = _doc(corpus, "dfat:12:296").date  # front matter: '1947'
    assert year is not None and year.precision is DatePrecision.YEAR


def test_place_and_genre_come_from_the_first_line(corpus: Corpus) -> None:
    letter = _doc(corpus, "dfat:1:1")  # "Letter MELBOURNE, 26 January 1937, …"
    assert (letter.place, letter.doc_type) == ("Melbourne", DocumentType.LETTER)
    assert letter.texts[0].blocks[0].kind is BlockKind.DATELINE
    cable = _doc(corpus, "dfat:13:5")  # "Cablegram 13 CANBERRA, 9 January 1948, 4.30 p.m."
    assert (cable.place, cable.doc_type) == ("Canberra", DocumentType.TELEGRAM)
    china = _doc(corpus, "dfat:22:10")  # "Canberra, 6 February 1950"; title CABLEGRAM TO LONDON
    assert (china.place, china.doc_type) == ("Canberra", DocumentType.TELEGRAM)
    conversation = _doc(corpus, "dfat:19:101")
    assert conversation.doc_type is DocumentType.MEMORANDUM_OF_CONVERSATION


def test_title_names_author_and_recipient_with_their_posts(corpus: Corpus) -> None:
    people = {(p.role, p.name, p.post) for p in _doc(corpus, "dfat:1:1").participants}
    assert people == {
        (ParticipantRole.AUTHOR, "Sir George Pearce", "Minister for External Affairs"),
        (ParticipantRole.RECIPIENT, "Mr J. A. Lyons", "Prime Minister"),
    }
    attlee = {(p.role, p.name) for p in _doc(corpus, "dfat:22:1").participants}
    assert attlee == {(ParticipantRole.AUTHOR, "Attlee"), (ParticipantRole.RECIPIENT, "Menzies")}


def test_a_post_in_the_title_is_not_a_person() -> None:
    found = title_participants("Cablegram from Critchley to Canberra")
    assert [(p.role, p.name) for p in found] == [(ParticipantRole.AUTHOR, "Critchley")]
    casey = title_participants(
        "Mr R. G. Casey, Minister to the United States, to Department of External Affairs"
    )
    assert [(p.name, p.post) for p in casey] == [
        ("Mr R. G. Casey", "Minister to the United States"),
        ("Department of External Affairs", ""),
    ]


def test_countries_only_where_the_title_names_them(corpus: Corpus) -> None:
    codes = {c.code for c in _doc(corpus, "dfat:1:113").countries}  # "…U.K. Consul-General…"
    assert codes == {"GBR"}
    assert _doc(corpus, "dfat:1:1").countries == ()  # Australia, the sender, is left out


# --- notes, citations, links --------------------------------------------------------------


def test_notes_are_anchored_where_their_marker_was_and_the_marker_leaves_the_text(
    corpus: Corpus,
) -> None:
    doc = _doc(corpus, "dfat:1:1")
    # The letter's note 1, then the enclosure's own notes 1–4.
    assert [n.label for n in doc.notes] == ["1", "1", "2", "3", "4"]
    blocks = doc.texts[0].blocks
    first = doc.notes[0]
    assert first.text.startswith("Copies of the memorandum were sent to Sir Archdale Parkhill")
    assert first.anchor is not None
    text = blocks[first.anchor.block_index].text
    assert text[: first.anchor.offset].endswith("send a copy to Parkhill and Casey.")
    assert "[1]" not in text and text[first.anchor.offset :].startswith(" I have not mentioned")
    forbes = doc.notes[2]
    assert forbes.anchor is not None
    assert blocks[forbes.anchor.block_index].text[: forbes.anchor.offset].endswith("Mr Forbes")
    assert not any(b.text.startswith(("1 Copies", "2 George W. Forbes")) for b in blocks)


def test_linked_markers_anchor_notes_and_title_markers_leave_them_unanchored(
    corpus: Corpus,
) -> None:
    doc = _doc(
        corpus, "dfat:22:10"
    )  # "…international bodies[2](#f2) and at reports of Lie’s[3](#f3)"
    notes = {n.label: n for n in doc.notes}
    lie = notes["3"]
    assert lie.text == "Trygve Lie, Secretary–General of the United Nations."
    assert lie.anchor is not None
    assert doc.texts[0].blocks[lie.anchor.block_index].text[: lie.anchor.offset].endswith("Lie’s")
    # Attlee's message: notes 1 and 2 gloss names in the title, where no marker survives.
    attlee = _doc(corpus, "dfat:22:1")
    assert [(n.label, n.anchor is None) for n in attlee.notes[:2]] == [("1", True), ("2", True)]


def test_naa_refs_become_structured_archival_references(corpus: Corpus) -> None:
    doc = _doc(corpus, "dfat:1:1")
    ref = doc.archival_reference
    assert ref is not None
    assert (ref.repository, ref.series, ref.item, ref.barcode) == (
        NAA,
        "CP290/6",
        "BUNDLE 1/28",
        "257409",
    )
    assert ref.text == doc.source_note == "[AA : CP 290/6, BUNDLE 1, ITEM 28]"
    assert not any(b.text.startswith("[AA") for b in doc.texts[0].blocks)
    two = _doc(corpus, "dfat:1:203")
    assert two.source_note == "[AA : A981, AUSTRALIA 90]; [AA : A1608, C47/1/4, iii]"


def test_a_citation_printed_only_in_the_body_is_parsed_from_its_text(corpus: Corpus) -> None:
    ref = _doc(corpus, "dfat:1:251").archival_reference  # no naa_refs in its front matter
    assert ref is not None
    assert (ref.repository, ref.series, ref.item, ref.barcode) == (
        NAA,
        "AA1970/556",
        "ITEM 6(2)",
        "",
    )


def test_document_n_links_resolve_in_the_volume_or_the_volume_named(corpus: Corpus) -> None:
    (link,) = _doc(corpus, "dfat:23:100").references  # note 1: "Document 97."
    assert (link.target, link.label, link.in_note) == ("dfat:23:97", "Document 97", True)
    targets = [r.target for r in _doc(corpus, "dfat:24:1").references]
    assert "dfat:14:90" in targets  # "See Document 90, Volume XIV, Documents on …"
    every = [r.target for d in corpus.documents.values() for r in d.references]
    assert len(every) > 11_000
    assert set(every) <= set(corpus.documents)


# --- the older style and bad input ---------------------------------------------------------


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_older_front_matter_style_takes_number_from_title_and_date_from_dateline(
    fixtures: Path,
) -> None:
    path = fixtures / "dfat" / "synthetic_older_style.md"
    reader = DfatReader()
    source = Source(path)
    assert reader.detect(source)
    (doc,) = [i for i in reader.read(source) if isinstance(i, Document)]
    assert (doc.id, doc.number) == ("dfat:1:2", "2")
    assert doc.title.startswith("Mr J. A. Lyons, Prime Minister, to")
    assert doc.date is not None and doc.date.inferred
    assert (str(doc.date.earliest), doc.date.precision) == ("1937-02-02", DatePrecision.DAY)
    assert (doc.place, doc.doc_type) == ("Canberra", DocumentType.TELEGRAM)
    assert doc.texts[0].blocks[0].kind is BlockKind.DATELINE  # the "# title" heading is gone
    assert doc.archival_reference is not None and doc.archival_reference.barcode == "257409"
    (note,) = doc.notes
    assert note.anchor is not None
    text = doc.texts[0].blocks[note.anchor.block_index].text
    assert text[: note.anchor.offset].endswith("the memorandum.")


def test_malformed_front_matter_is_rejected_naming_member_and_line_and_the_rest_is_read(
    tmp_path: Path, fixtures: Path, tarball: Path
) -> None:
    with tarfile.open(tarball) as tar:
        good = {
            name: tar.extractfile(name).read()  # type: ignore[union-attr]
            for name in (
                "_volumes/volume-1-1937-38/1-sir-george-pearce-minister-for-external-affairs-to-mr-j-a-lyons-prime-minister.md",
                "_volumes/volume-1-1937-38/10-memorandum-prepared-for-delegation-to-imperial-conference.md",
            )
        }
    bad_name = "_volumes/volume-1-1937-38/999-synthetic-malformed.md"
    bad = (fixtures / "dfat" / "synthetic_malformed_front_matter.md").read_bytes()
    names = list(good)
    path = _tar(
        tmp_path / "damaged.tgz",
        {names[0]: good[names[0]], bad_name: bad, names[1]: good[names[1]]},
    )
    corpus = _read_members(DfatReader(), path)
    assert sorted(corpus.documents) == ["dfat:1:1", "dfat:1:10"]
    (rejection,) = corpus.rejections
    assert rejection.source == f"{path}!{bad_name}"
    assert re.fullmatch(r"line [2-6]", rejection.position)
    assert "malformed YAML front matter" in rejection.reason


def test_ingest_of_the_tarball_stores_every_document(tmp_path: Path, tarball: Path) -> None:
    store = open_store(tmp_path / "a.sqlite3")
    try:
        result = ingest(store, [tarball], default_registry())
        ids = [i for i in store.document_ids() if i.startswith("dfat:")]
    finally:
        store.close()
    assert result.rejections == ()
    assert len(ids) == 10_883
