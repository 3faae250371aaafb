"""Real NARA scans (pdf-scans/): a good OCR layer kept, a poor or missing one re-OCRed.

Facts are checked against poppler's own reading of the files (`pdftotext -f N -l N`,
`pdfinfo`), not against the reader. Only three pages are OCRed here (a few seconds
each); bench/ocr.py reads the whole corpus.
"""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader as Pypdf
from pypdf import PdfWriter
from pypdf.constants import PageLabelStyle
from pypdf.generic import DecodedStreamObject, NameObject, StreamObject

from declass.errors import IngestError
from declass.ingest import ocr, pdf
from declass.ingest.nara import NaraRecordReader
from declass.ingest.ocr_quality import score_text
from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source
from declass.model import Document, DocumentType, NoteKind, ParticipantRole, Rejection
from declass.search.engine import search
from declass.store import open_store

MEMO_DISPATCH = "104-10061-10053_ocr.pdf"  # 4 pages; a memo on RODRIGUEZ Echazabal from p. 2
SUPPORT_MEMO = "104-10110-10245_ocr.pdf"  # memorandum of 1 July 1963 on Manuel ARTIME
CONTINGENCY_PLAN = "104-10095-10276_ocr.pdf"  # p. 5: a faint, smudged carbon copy


def scans(corpora: Path) -> Path:
    return corpora / "pdf-scans"


def poppler_page(path: Path, number: int) -> str:
    """Poppler's reading of one page's text layer: the independent check."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(path), "-"],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def poppler_page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def squeezed(text: str) -> str:
    return " ".join(text.split())


def pages_of(source: Path, numbers: list[int], out: Path) -> Path:
    """A copy of some pages of a real scan (1-based), for a test that OCRs only those."""
    reader = Pypdf(source)
    writer = PdfWriter()
    for number in numbers:
        writer.add_page(reader.pages[number - 1])
    with out.open("wb") as f:
        writer.write(f)
    return out


def without_text_layer(path: Path, number: int) -> None:
    """Remove the invisible OCR text from one page, leaving its scanned image."""
    writer = PdfWriter(clone_from=Pypdf(path))
    page = writer.pages[number - 1]
    content = page.get_contents()
    assert content is not None
    stream = DecodedStreamObject()
    stream.set_data(re.sub(rb"BT\b.*?\bET\b", b"", content.get_data(), flags=re.S))
    page[NameObject("/Contents")] = writer._add_object(stream)
    with path.open("wb") as f:
        writer.write(f)


def no_tesseract(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make any OCR fail the test; returns nothing (the list stays empty)."""
    ran: list[str] = []

    def refuse(image: bytes, models: str, where: str) -> tuple[str, float]:
        ran.append(where)
        raise AssertionError(f"OCR ran on {where} although its layer is good")

    monkeypatch.setattr(ocr, "run_tesseract", refuse)
    return ran


def counting_tesseract(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Let OCR run, remembering which pages it read."""
    ran: list[str] = []
    real = ocr.run_tesseract

    def counted(image: bytes, models: str, where: str) -> tuple[str, float]:
        ran.append(where)
        return real(image, models, where)

    monkeypatch.setattr(ocr, "run_tesseract", counted)
    return ran


# --- the score -----------------------------------------------------------------------


def test_score_counts_words_numbers_and_office_codes_but_not_stray_marks() -> None:
    routing = score_text("WH/COPS 1 WH/SA/CI 30 CS-311/01258-65 S-E-C-R-E-T U.S. 17 August 1913")
    assert routing.score == 1.0
    # Stray marks as OCR reads them (from the layers of pdf-scans/104-10061-10053, p. 1).
    specks = score_text("poe eee ee eee eee eee eed T Pad | — jee eet ee ~")
    assert specks.score < 0.3
    assert specks.garbage == pytest.approx(3 / 15)  # "|", "—" and "~"
    assert score_text("   \n ").empty and score_text("").score == 0.0


def test_typed_memo_page_scores_above_the_threshold_and_a_smudged_carbon_below(
    corpora: Path,
) -> None:
    threshold = ReaderSettings().ocr_layer_below
    memo = poppler_page(scans(corpora) / MEMO_DISPATCH, 2)
    carbon = poppler_page(scans(corpora) / CONTINGENCY_PLAN, 5)
    assert "RODRIGUEZ" in memo and "17 August" in memo  # what the page shows, typed clearly
    assert score_text(memo).score >= threshold + 0.2
    assert score_text(carbon).score < threshold


# --- choosing the layer or OCR ------------------------------------------------------------


def test_good_layers_are_kept_as_they_are_without_ocr(
    corpora: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = scans(corpora) / MEMO_DISPATCH
    no_tesseract(monkeypatch)
    text = pdf.read_pdf_text(path.read_bytes(), str(path), ReaderSettings())
    assert [p.label for p in text.pages] == [str(n) for n in range(1, poppler_page_count(path) + 1)]
    assert {p.source for p in text.pages} == {pdf.LAYER}
    assert all(p.ocr is None for p in text.pages)
    page_two = next(p for p in text.pages if p.label == "2")
    assert "born in Cuba on 17 August" in squeezed(page_two.text)
    assert "born in Cuba on 17 August" in squeezed(poppler_page(path, 2))


def test_poor_layer_is_reocred_and_the_better_scoring_text_kept(
    corpora: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    two = pages_of(scans(corpora) / CONTINGENCY_PLAN, [4, 5], tmp_path / "two.pdf")
    ran = counting_tesseract(monkeypatch)
    settings = ReaderSettings()
    text = pdf.read_pdf_text(two.read_bytes(), str(two), settings)
    good, poor = text.pages
    assert ran == [f"{two}, page 2"]  # only the poor page was OCRed
    assert good.ocr is None and good.source == pdf.LAYER
    assert poor.layer.score < settings.ocr_layer_below and poor.ocr is not None
    assert poor.score.score == max(poor.layer.score, poor.ocr.score)
    assert poor.source == (pdf.OCR if poor.ocr.score > poor.layer.score else pdf.LAYER)
    body = pdf.body_from_text(text, settings)
    (account,) = [n for n in body.notes if n.label == pdf.LAYER_NOTE_LABEL]
    assert f"p. 1 text layer {good.layer.score:.2f};" in account.text
    assert "p. 2 " in account.text and f"{poor.ocr.score:.2f}" in account.text
    assert account.anchor is None  # about the document as a whole
    if poor.score.score < settings.ocr_layer_below:
        (flag,) = [n for n in body.notes if n.label == ocr.REVIEW_LABEL]
        assert flag.text.startswith("Page 2:") and flag.kind is NoteKind.EDITORIAL


def test_page_without_a_text_layer_is_read_by_ocr(corpora: Path, tmp_path: Path) -> None:
    original = scans(corpora) / MEMO_DISPATCH
    scan = pages_of(original, [2], tmp_path / "memo.pdf")
    without_text_layer(scan, 1)
    assert poppler_page(scan, 1).strip() == ""
    # The records are English; saying so spares a first pass with every Tesseract model.
    text = pdf.read_pdf_text(scan.read_bytes(), str(scan), ReaderSettings(), language="en")
    (page,) = text.pages
    assert page.source == pdf.OCR and page.layer.empty
    assert page.ocr is not None and page.ocr.score > 0.7
    # Printed on the page (poppler reads it in the original's layer too).
    for phrase in ("RODRIGUEZ", "Cuba on 17 August 1913"):
        assert phrase in squeezed(poppler_page(original, 2))
        assert phrase in squeezed(page.text)


def test_damaged_page_is_a_rejection_naming_file_and_page_and_the_rest_is_read(
    corpora: Path, tmp_path: Path
) -> None:
    three = pages_of(scans(corpora) / MEMO_DISPATCH, [2, 3, 4], tmp_path / "three.pdf")
    writer = PdfWriter(clone_from=Pypdf(three))
    broken = StreamObject()
    broken._data = b"\x00not a deflate stream" * 20
    broken[NameObject("/Filter")] = NameObject("/FlateDecode")
    writer.pages[1][NameObject("/Contents")] = writer._add_object(broken)
    with three.open("wb") as f:
        writer.write(f)
    items = list(pdf.PdfReader().read(Source(three)))
    rejections = [i for i in items if isinstance(i, Rejection)]
    (doc,) = [i for i in items if isinstance(i, Document)]
    assert [(r.source, r.position) for r in rejections] == [(str(three), "page 2")]
    assert "flate" in rejections[0].reason.lower()
    assert {b.page for b in doc.texts[0].blocks} == {"1", "3"}
    assert "Martinique" in doc.body  # the last page, read
    (account,) = [n for n in doc.notes if n.label == pdf.LAYER_NOTE_LABEL]
    assert account.text.endswith("page 2 unreadable.")


def test_blocks_cite_the_pdfs_own_page_labels(
    corpora: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_tesseract(monkeypatch)
    labelled = pages_of(scans(corpora) / MEMO_DISPATCH, [3, 4], tmp_path / "labelled.pdf")
    writer = PdfWriter(clone_from=Pypdf(labelled))
    writer.set_page_label(0, 1, style=PageLabelStyle.DECIMAL, start=12)
    with labelled.open("wb") as f:
        writer.write(f)
    body = pdf.read_pdf_body(labelled.read_bytes(), str(labelled), ReaderSettings())
    assert Pypdf(labelled).page_labels == ["12", "13"]
    martinique = next(b for b in body.blocks if "Martinique" in b.text)
    assert martinique.page == "13"
    assert {b.page for b in body.blocks} == {"12", "13"}


# --- the records ---------------------------------------------------------------------


def test_memorandum_header_gives_date_people_subject_and_classification(
    corpora: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = scans(corpora) / SUPPORT_MEMO
    no_tesseract(monkeypatch)  # every page of this record has a good layer
    items = list(NaraRecordReader().read(Source(path)))
    (doc,) = [i for i in items if isinstance(i, Document)]
    first = squeezed(poppler_page(path, 1))
    assert "DATE: 1 July 1963" in first and "FROM : Mr. Ramon R. Hart" in first
    assert doc.id == "nara:104-10110-10245"
    assert doc.doc_type is DocumentType.MEMORANDUM
    assert doc.date is not None and doc.date.inferred
    assert doc.date.earliest is not None and doc.date.earliest.isoformat() == "1963-07-01"
    people = {(p.name, p.role) for p in doc.participants}
    assert ("Mr. Ramon R. Hart", ParticipantRole.AUTHOR) in people
    assert ("Chief, Support Branch", ParticipantRole.RECIPIENT) in people
    assert doc.title == "Manuel F. ARTIME Buesa"
    assert "SECRET" in doc.source_note
    with (scans(corpora) / "provenance.tsv").open(encoding="utf-8") as table:
        rows = {Path(r["file"]).name: r for r in csv.DictReader(table, delimiter="\t")}
    url = rows[path.name]["nara_original_url"]
    ref = doc.archival_reference
    assert ref is not None and ref.item == "104-10110-10245" and ref.repository.startswith("Nat")
    assert url in ref.text and url in doc.source_note


def test_corpus_folder_ingests_with_a_truncated_scan_rejected_by_name(
    corpora: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    good = scans(corpora) / MEMO_DISPATCH
    (folder / good.name).write_bytes(good.read_bytes())
    data = (scans(corpora) / CONTINGENCY_PLAN).read_bytes()
    truncated = folder / CONTINGENCY_PLAN
    truncated.write_bytes(data[: len(data) // 2])
    (folder / "provenance.tsv").write_bytes((scans(corpora) / "provenance.tsv").read_bytes())
    with pytest.raises(IngestError):
        list(NaraRecordReader().read(Source(truncated)))
    store = open_store(tmp_path / "a.sqlite3")
    try:
        summary = ingest(store, [folder], default_registry())
        assert [r.source for r in summary.rejections] == [str(truncated)]
        doc = store.document("nara:104-10061-10053")
        # A dispatch: its form's number box, as poppler reads the layer.
        form = squeezed(poppler_page(good, 1))
        assert re.search(r"DISPATCH SYM\S* AND NUMBER GFPG-32716", form)
        assert doc.number == "GFPG-32716" and doc.doc_type is DocumentType.LETTER
        # A search hit cites its page: "Martinique" is on page 4 (poppler agrees).
        assert "Martinique" in poppler_page(good, 4)
        hits = search(store, "Martinique")
        assert [r.doc_id for r in hits.results] == [doc.id]
        assert {b.page for b in doc.texts[0].blocks if "Martinique" in b.text} == {"4"}
    finally:
        store.close()
