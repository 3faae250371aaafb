"""The FRUS volume reader on the real volumes in ../shared/corpora (2015 encoding, and
the older volumes not yet reviewed), checked against the TEI by independent XPaths."""

from __future__ import annotations

import gzip
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from declass.ingest.frus import FrusVolumeReader
from declass.ingest.reading import read_in_workers
from declass.ingest.registry import Registry
from declass.ingest.source import Source
from declass.ingest.walk import Task
from declass.model import (
    Authority,
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
UNDATED = re.compile(r"\bundated\b|\bno date\b", re.I)


@dataclass
class Corpus:
    """What the reader made of every volume of one corpus, read once per test session."""

    documents: dict[str, Document] = field(default_factory=dict)
    collections: dict[str, Collection] = field(default_factory=dict)
    authorities: dict[str, Authority] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)


def _read_corpus(folder: Path) -> Corpus:
    """Every volume through the reader, in two worker processes as ingest reads them."""
    reader = FrusVolumeReader()
    tasks = [
        Task(Source(path, path.name[:-3], gzip.decompress(path.read_bytes())), reader, "frus")
        for path in sorted(folder.glob("*.xml.gz"))
    ]
    corpus = Corpus()
    for event in read_in_workers(tasks, Registry([reader]), 2):
        assert isinstance(event, tuple), event
        for item in event[2]:
            if isinstance(item, Document):
                assert item.id not in corpus.documents, f"{item.id} read twice"
                corpus.documents[item.id] = item
            elif isinstance(item, Collection):
                corpus.collections[item.id] = item
            elif isinstance(item, Authority):
                corpus.authorities[item.id] = item
            elif isinstance(item, Rejection):
                corpus.rejections.append(item)
    return corpus


@pytest.fixture(scope="module")
def frus(corpora: Path) -> Corpus:
    return _read_corpus(corpora / "frus" / "volumes")


@pytest.fixture(scope="module")
def nyr(corpora: Path) -> Corpus:
    return _read_corpus(corpora / "frus-nyr" / "volumes")


def _tree(path: Path) -> etree._Element:
    """The volume parsed independently of the reader (recovering past duplicate ids)."""
    return etree.fromstring(gzip.decompress(path.read_bytes()), etree.XMLParser(recover=True))


def _divs_per_volume(folder: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in folder.glob("*.xml.gz"):
        counts[path.name[: -len(".xml.gz")]] = len(
            _tree(path).xpath("//t:div[@type='document']", namespaces=NS)
        )
    return counts


@pytest.mark.slow
def test_every_document_of_every_frus_volume_is_read(frus: Corpus, corpora: Path) -> None:
    expected = _divs_per_volume(corpora / "frus" / "volumes")
    assert sum(expected.values()) == 29_351
    found = Counter(doc.series for doc in frus.documents.values())
    assert found == expected


@pytest.mark.slow
def test_every_document_of_the_older_volumes_is_read(nyr: Corpus, corpora: Path) -> None:
    expected = _divs_per_volume(corpora / "frus-nyr" / "volumes")
    assert sum(expected.values()) == 8_337
    assert Counter(doc.series for doc in nyr.documents.values()) == expected
    # Dirt in the vendor conversions costs no document: nothing is rejected.
    assert nyr.rejections == []


def test_a_repeated_xml_id_is_recorded_and_costs_nothing(frus: Corpus, corpora: Path) -> None:
    """frus1948v01p1 defines `d173fn4` twice; the volume used to be refused whole."""
    faults = [r for r in frus.rejections if "frus1948v01p1" in r.source]
    assert len(faults) == 1
    assert "d173fn4" in faults[0].reason and faults[0].position.startswith("line ")
    tree = _tree(corpora / "frus" / "volumes" / "frus1948v01p1.xml.gz")
    ids = tree.xpath("//t:div[@type='document']/@xml:id", namespaces=NS)
    held = {d.id for d in frus.documents.values() if d.series == "frus1948v01p1"}
    assert held == {f"frus:frus1948v01p1:{i}" for i in ids}
    # Every rejection of the whole corpus is such a fault, never a lost document.
    assert all("both elements are kept" in r.reason for r in frus.rejections)


def _undated_by_the_volume(doc: Document) -> bool:
    opening = " ".join(b.text for b in doc.texts[0].blocks[:3]) if doc.texts else ""
    return bool(UNDATED.search(f"{doc.title} {opening}"))


def test_at_most_one_percent_of_frus_records_lack_a_date(frus: Corpus) -> None:
    """Records that are not editorial notes and that the volume does not call undated."""
    records = [
        d
        for d in frus.documents.values()
        if d.doc_type is not DocumentType.EDITORIAL_NOTE and not _undated_by_the_volume(d)
    ]
    missing = sorted(d.id for d in records if d.date is None)
    assert len(records) > 26_000
    assert len(missing) <= len(records) // 100, missing


def test_dates_in_the_heading_are_read_with_their_precision(frus: Corpus, corpora: Path):
    """frus1955-57v02 puts the date element in the head, not in a dateline."""
    tree = _tree(corpora / "frus" / "volumes" / "frus1955-57v02.xml.gz")
    heads = tree.xpath(
        "//t:div[@type='document'][not(.//t:dateline//t:date)][t:head/t:date/@when]",
        namespaces=NS,
    )
    assert len(heads) > 20
    for div in heads:
        when = div.xpath("string(t:head/t:date/@when)", namespaces=NS)
        doc = frus.documents[f"frus:frus1955-57v02:{div.get(XML_ID)}"]
        assert doc.date is not None and doc.date.earliest == date.fromisoformat(when[:10])
        precision = DatePrecision.MINUTE if "T" in when else DatePrecision.DAY
        assert doc.date.precision is precision


def test_a_day_without_its_year_takes_the_year_of_its_chapter(frus: Corpus, corpora: Path):
    """The 1961–63 microfiche supplement heads each record "…, August 4." under a
    chapter "August 1961"."""
    tree = _tree(corpora / "frus" / "volumes" / "frus1961-63v07-09mSupp.xml.gz")
    checked = 0
    for div in tree.xpath("//t:div[@type='document']", namespaces=NS)[:150]:
        chapter = div.xpath("string(ancestor::t:div[@type='chapter'][1]/t:head)", namespaces=NS)
        head = " ".join(div.xpath("string(t:head)", namespaces=NS).split())
        m = re.search(r"(January|February|March|April|May|June|July|August|September"
                      r"|October|November|December) (\d{1,2})\b(?!, \d{4})", head)  # fmt: skip
        year = re.search(r"\b(19\d\d)\b", chapter)
        if not (m and year and m.group(1) in chapter):
            continue
        doc = frus.documents[f"frus:frus1961-63v07-09mSupp:{div.get(XML_ID)}"]
        assert doc.date is not None and doc.date.inferred
        assert (doc.date.earliest.year, doc.date.earliest.day) == (
            int(year.group(1)),
            int(m.group(2)),
        )
        checked += 1
    assert checked > 50


def test_titles_lose_the_spaces_markup_left_in_brackets(frus: Corpus) -> None:
    assert not [d.id for d in frus.documents.values() if re.search(r"\( | \)", d.title)]


def test_a_telegram_keeps_its_place_number_notes_and_links(frus: Corpus, corpora: Path):
    """China 1964–68, document 1, checked against its TEI."""
    tree = _tree(corpora / "frus" / "volumes" / "frus1964-68v30.xml.gz")
    (div,) = tree.xpath("//t:div[@xml:id='d1']", namespaces=NS)
    doc = frus.documents["frus:frus1964-68v30:d1"]
    assert doc.title.startswith("1. Telegram From the Department of State")
    assert (doc.number, doc.sequence) == ("1", 1)
    assert doc.divisions == tuple(
        " ".join(h.split()) for h in div.xpath("ancestor::t:div/t:head/text()[1]", namespaces=NS)
    )
    assert doc.date.earliest == date(1964, 1, 15) and doc.date.precision is DatePrecision.MINUTE
    assert doc.place == "Washington"
    assert doc.source_note.startswith("Department of State, Central Files, POL 16 CHICOM")
    labels = [n.label for n in doc.notes]
    assert labels == div.xpath(".//t:note/@n", namespaces=NS)
    assert doc.notes[0].kind is NoteKind.SOURCE
    # Note 2 sits after "decision" in its paragraph, as printed.
    note2 = next(n for n in doc.notes if n.label == "2")
    block = doc.texts[0].blocks[note2.anchor.block_index]
    assert block.text[: note2.anchor.offset].endswith("before carrying out any decision")
    # The reference to another volume in note 2 is a link to that volume.
    assert [r.target for r in doc.references] == ["frus:frus1961-63v22"]
    assert doc.references[0].in_note
    alphand = next(p for p in doc.participants if p.authority_id == "frus:frus1964-68v30:p_AH1")
    assert alphand.name == "Herve Alphand"


def test_links_within_a_volume_point_at_documents(frus: Corpus, corpora: Path) -> None:
    tree = _tree(corpora / "frus" / "volumes" / "frus1964-68v30.xml.gz")
    pairs = set()
    for ref in tree.xpath("//t:div[@type='document']//t:ref[starts-with(@target,'#d')]",
                          namespaces=NS):  # fmt: skip
        source = ref.xpath("string(ancestor::t:div[@type='document'][1]/@xml:id)", namespaces=NS)
        target = re.match(r"#(d\d+)", ref.get("target")).group(1)
        if source != target:
            pairs.add((f"frus:frus1964-68v30:{source}", f"frus:frus1964-68v30:{target}"))
    assert len(pairs) > 50
    for source, target in pairs:
        assert target in {r.target for r in frus.documents[source].references}, (source, target)


def test_every_persname_resolves_against_the_volume_persons_list(frus: Corpus, corpora: Path):
    tree = _tree(corpora / "frus" / "volumes" / "frus1964-68v30.xml.gz")
    listed = {
        p.get(XML_ID): " ".join(p.xpath("string()").split())
        for p in tree.xpath("//t:div[@xml:id='persons']//t:persName[@xml:id]", namespaces=NS)
    }
    assert len(listed) > 100
    for pid, name in listed.items():
        authority = frus.authorities[f"frus:frus1964-68v30:{pid}"]
        assert name.rstrip(",") in authority.all_names
        assert ("frus-person", f"frus1964-68v30#{pid}") in authority.identifiers
    for div in tree.xpath("//t:div[@type='document']", namespaces=NS)[:60]:
        doc = frus.documents[f"frus:frus1964-68v30:{div.get(XML_ID)}"]
        cited = {
            c.lstrip("#")
            for c in div.xpath(".//t:persName/@corresp", namespaces=NS)
            if c.lstrip("#") in listed
        }
        linked = {p.authority_id.rsplit(":", 1)[1] for p in doc.participants if p.authority_id}
        assert cited <= linked, div.get(XML_ID)


def test_heads_name_authors_and_recipients(frus: Corpus) -> None:
    """Document 102: "Letter From the Ambassador to Poland (Cabot) to the Assistant
    Secretary of State for Far Eastern Affairs (Bundy)"."""
    doc = frus.documents["frus:frus1964-68v30:d102"]
    roles = {p.name: (p.role, p.post) for p in doc.participants}
    cabot = next(p for p in doc.participants if p.authority_id == "frus:frus1964-68v30:p_CJM1")
    assert (cabot.role, cabot.post) == (ParticipantRole.AUTHOR, "Ambassador to Poland")
    assert roles["Bundy"][0] is ParticipantRole.RECIPIENT


def test_the_volume_is_a_collection_with_its_metadata(frus: Corpus) -> None:
    volume = frus.collections["frus:frus1964-68v30"]
    assert volume.title == "Foreign Relations of the United States, 1964–1968, Volume XXX, China"
    assert volume.editors == ("Harriet Dashiell Schwar", "David S. Patterson")
    assert (volume.coverage.earliest, volume.coverage.latest) == (
        date(1964, 1, 1),
        date(1968, 12, 31),
    )
    assert ("administration", "johnson") in volume.identifiers
    assert ("isbn-13", "9780160488115") in volume.identifiers
    assert volume.published.endswith("1998")
    assert "Tibet" in volume.summary
    sections = [s.title for s in volume.sections]
    assert {"Preface", "Sources", "Abbreviations", "Persons"} <= set(sections)
    assert "Contents" not in sections


def test_dirty_dates_are_kept_as_written_and_flagged(nyr: Corpus, corpora: Path) -> None:
    """The vendor conversions write `when="0201-06-05"` for June 1864."""
    tree = _tree(corpora / "frus-nyr" / "volumes" / "frus1864p3.xml.gz")
    (div,) = tree.xpath("//t:div[@type='document'][.//t:date[@when='0201-06-05']]",
                        namespaces=NS)  # fmt: skip
    doc = nyr.documents[f"frus:frus1864p3:{div.get(XML_ID)}"]
    assert doc.date is not None and doc.date.doubtful
    assert doc.date.label.startswith("June 5")
    volume = nyr.collections["frus:frus1864p3"].coverage
    assert (doc.date.earliest, doc.date.latest) == (volume.earliest, volume.latest)
    doubtful = [d for d in nyr.documents.values() if d.date and d.date.doubtful]
    assert doubtful and all(d.date.year and d.date.year >= 1500 for d in doubtful)


def test_a_memorandums_participants_list_gives_participants_with_posts(frus: Corpus):
    """China 1964–68, doc. 6: the list names "Tingfu F. Tsiang, Chinese Ambassador",
    "Johnson Cheng, Counselor of Embassy" and "The Secretary" in plain text."""
    doc = frus.documents["frus:frus1964-68v30:d6"]
    people = {p.name: p for p in doc.participants}
    tsiang = people["Tsiang Ting-fu"]  # the persons list's own spelling
    assert (tsiang.role, tsiang.post, tsiang.authority_id) == (
        ParticipantRole.PARTICIPANT,
        "Chinese Ambassador",
        "frus:frus1964-68v30:p_TT1",
    )
    assert (people["Johnson Cheng"].role, people["Johnson Cheng"].post) == (
        ParticipantRole.PARTICIPANT,
        "Counselor of Embassy",
    )
    rusk = people["Dean Rusk"]  # "The Secretary"
    assert rusk.role is ParticipantRole.PARTICIPANT and rusk.post == "Secretary of State"
    assert not [p for p in doc.participants if p.name in ("Johnson Cheng", "Johnson") and
                p.authority_id]  # fmt: skip


def test_every_listed_participant_takes_part(frus: Corpus, corpora: Path) -> None:
    """Each person line of each participants list of China 1964–68 is a participant."""
    tree = _tree(corpora / "frus" / "volumes" / "frus1964-68v30.xml.gz")
    checked = 0
    for div in tree.xpath("//t:div[@type='document'][.//t:list[@type='participants']]",
                          namespaces=NS):  # fmt: skip
        doc = frus.documents[f"frus:frus1964-68v30:{div.get(XML_ID)}"]
        taking_part = [p for p in doc.participants if p.role is not ParticipantRole.MENTIONED]
        ids = {p.authority_id for p in taking_part}
        for corresp in div.xpath(".//t:list[@type='participants']//t:persName/@corresp",
                                 namespaces=NS):  # fmt: skip
            assert f"frus:frus1964-68v30:{corresp.lstrip('#')}" in ids, div.get(XML_ID)
            checked += 1
    assert checked > 80


def test_countries_are_derived_and_labelled_so(frus: Corpus) -> None:
    china = frus.documents["frus:frus1964-68v30:d1"]
    assert (china.countries[0].code, china.countries[0].derived) == ("CHN", "chapter")
    assert china.countries[0].name == "People's Republic of China"
    soviet = [d for d in frus.documents.values() if d.series == "frus1969-76v12"]
    assert soviet and all(d.countries and d.countries[0].code == "SUN" for d in soviet)
    # A telegram from Taipei is about the Republic of China, not the PRC.
    taipei = [
        d for d in frus.documents.values() if d.series == "frus1964-68v30" and d.place == "Taipei"
    ]
    assert taipei and all(("TWN", "dateline") in {(c.code, c.derived) for c in d.countries}
                          for d in taipei)  # fmt: skip


def test_the_volume_names_its_parts_and_its_editors_roles(frus: Corpus, corpora: Path):
    tree = _tree(corpora / "frus" / "volumes" / "frus1964-68v30.xml.gz")
    ids = dict(frus.collections["frus:frus1964-68v30"].identifiers)
    title = "//t:titleStmt/t:title[@type='{}']"
    assert ids["subseries"] == tree.xpath(f"string({title.format('subseries')})", namespaces=NS)
    assert ids["volume-number"] == " ".join(
        tree.xpath(f"string({title.format('volumenumber')})", namespaces=NS).split()
    )
    assert ids["volume-title"] == tree.xpath(f"string({title.format('volume')})", namespaces=NS)
    for editor in tree.xpath("//t:titleStmt/t:editor", namespaces=NS):
        assert ids[f"{editor.get('role')}-editor"] == editor.text


def test_offices_in_a_heading_are_bodies_not_people(frus: Corpus) -> None:
    """China 1964–68, doc. 1: "Telegram From the Department of State to the Embassy in
    France" — sender and addressee are offices (`gloss type="from|to"`)."""
    doc = frus.documents["frus:frus1964-68v30:d1"]
    bodies = {p.name: p.role for p in doc.participants if p.organisation}
    assert bodies == {
        "Department of State": ParticipantRole.AUTHOR,
        "Embassy in France": ParticipantRole.RECIPIENT,
    }
    assert not any(p.organisation for p in doc.participants if p.authority_id)
