"""The pre-1861 Serial Set index: entries grouped into one catalogued document each."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from declass.ingest.serial_set import SerialSetReader
from declass.ingest.source import Source
from declass.model import Collection, DatePrecision, Document, DocumentType, Rejection
from tests.ingest.hsg_extra import TEI, members, source, tarball, tree

MEMBER = "./HistoryAtState+other-publications/serial-set/pre-1861.xml"


@pytest.fixture(scope="module")
def path(corpora: Path) -> Path:
    return tarball(corpora)


@pytest.fixture(scope="module")
def items(path: Path) -> list[object]:
    return list(SerialSetReader().read(source(path, MEMBER)))


@pytest.fixture(scope="module")
def documents(items: list[object]) -> dict[str, Document]:
    assert not [r for r in items if isinstance(r, Rejection)]
    return {d.id: d for d in items if isinstance(d, Document)}


def _words(text: str) -> str:
    return " ".join(text.split())


def test_every_index_entry_is_catalogued_under_its_volume_and_subject(
    path: Path, documents: dict[str, Document]
) -> None:
    entries = tree(members(path)[MEMBER]).xpath("//t:listBibl/t:bibl", namespaces=TEI)
    assert len(entries) == 2805
    citations = {_words(e.xpath("string(t:bibl)", namespaces=TEI)) for e in entries}
    # Each document is listed once per subject, and some citations differ only in commas.
    assert len(citations) == 1652
    assert 1550 < len(documents) <= len(citations)
    by_volume: dict[str, list[Document]] = {}
    for doc in documents.values():
        by_volume.setdefault(doc.id.split(":")[1].split("/")[0], []).append(doc)
    for entry in entries:
        volume = re.search(r"Vol\. No\. ([\w-]+)", entry.xpath("string(t:bibl)", namespaces=TEI))
        assert volume is not None
        subject = _words(entry.xpath("string(t:term[@type='subject'])", namespaces=TEI))
        assert any(subject in d.subjects for d in by_volume[volume.group(1).strip("-")])


def test_document_listed_under_several_subjects_is_one_record(
    documents: dict[str, Document],
) -> None:
    doc = documents["serial-set:500/h-doc-96"]
    assert doc.doc_type is DocumentType.LETTER
    assert doc.date is not None and doc.date.precision is DatePrecision.DAY
    assert doc.date.earliest == date(1847, 2, 17)
    assert {"JPN", "MMR", "ETH"} <= {c.code for c in doc.countries}
    assert {"Asia and the Pacific", "Japan", "Phillippines"} <= set(doc.subjects)
    assert doc.source_note.endswith("29th Congress, 2nd Session, H. Doc. 96")
    assert [n.text for n in doc.notes] == ["39 pages"]


def test_year_only_entry_stays_a_year(documents: dict[str, Document]) -> None:
    perry = documents["serial-set:769/s-exec-doc-79-pt-1"]
    assert perry.date is not None and perry.date.precision is DatePrecision.YEAR
    assert perry.date.display() == "1855"
    assert "Commodore M.C. Perry" in perry.title


def test_entries_that_disagree_on_the_date_give_a_doubtful_span(
    documents: dict[str, Document],
) -> None:
    message = documents["serial-set:673/h-exec-doc-1-pt-1"]
    assert message.date is not None and message.date.precision is DatePrecision.RANGE
    assert (message.date.earliest, message.date.latest) == (date(1852, 12, 6), date(1852, 12, 7))
    assert "2 dates" in message.date.doubtful
    assert "(the index gives different counts)" in message.notes[0].text


def test_collection_holds_editor_introduction_and_span(items: list[object]) -> None:
    collection = next(c for c in items if isinstance(c, Collection) and c.id == "serial-set")
    assert collection.editors == ("Aaron Marrs",)
    assert collection.coverage is not None and collection.coverage.year == 1817
    assert "Serial Set, which began publication in 1817" in collection.description


def test_entry_without_a_citation_is_rejected(tmp_path: Path) -> None:
    # Synthetic: two entries, one lacking its Serial Set citation.
    entry = (
        '<bibl><term type="region">Europe</term><term type="subject">France</term>'
        '<title>{title}</title><date when="1830-01-05"/>{cite}</bibl>'
    )
    f = tmp_path / "serial.xml"
    f.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>'
        "U.S. foreign relations materials in the pre-1861 U.S. Congressional Serial Set</title>"
        "</titleStmt></fileDesc></teiHeader><text><body><div><listBibl>"
        + entry.format(
            title="Claims on France",
            cite="<bibl>Serial Set Vol. No. 1, Session "
            "Vol. No. 1, 21st Congress, 1st Session, H. Doc. 5</bibl>",
        )
        + entry.format(title="Uncited", cite="")
        + "</listBibl></div></body></text></TEI>"
    )
    assert SerialSetReader().detect(Source(f))
    items = list(SerialSetReader().read(Source(f)))
    (doc,) = [d for d in items if isinstance(d, Document)]
    assert doc.id == "serial-set:1/h-doc-5" and [c.code for c in doc.countries] == ["FRA"]
    (rejection,) = [r for r in items if isinstance(r, Rejection)]
    assert "no Serial Set citation" in rejection.reason
