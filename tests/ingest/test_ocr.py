"""Scans through Tesseract: real text rendered, rasterised to an image-only PDF, OCRed.

Character error rates are measured against the rendered text and printed (pytest -s).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from declass.errors import IngestError
from declass.ingest import ocr
from declass.ingest.pdf import PdfReader, read_pdf_body
from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source
from declass.model import Document, NoteKind
from tests.ingest.renders import (
    character_error_rate,
    first_speech,
    image_only_pdf,
    rasterise,
    render_pdf,
    russian_country_names,
)


def scan_of(paragraphs: list[str], folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text_pdf = render_pdf(paragraphs, folder / f"{name}-text.pdf")
    return image_only_pdf(rasterise(text_pdf, folder), folder / f"{name}.pdf")


def test_english_scan_is_read_by_ocr_with_a_low_error_rate(corpora: Path, tmp_path: Path) -> None:
    speech = first_speech(corpora)
    scan = scan_of(speech, tmp_path / "en", "speech")
    settings = ReaderSettings(ocr_cache=tmp_path / "cache", ocr_languages="eng+rus")
    (doc,) = PdfReader(settings).read(Source(scan))
    assert isinstance(doc, Document)
    cer = character_error_rate(" ".join(speech), doc.body)
    print(f"\nOCR CER, English (UNGDC first speech, {len(' '.join(speech))} chars): {cer:.4f}")
    assert cer < 0.02
    assert doc.language == "en"  # detected: no metadata named it
    assert {b.page for b in doc.texts[0].blocks} == {"1"}


def test_russian_scan_is_read_with_the_russian_model(tmp_path: Path) -> None:
    names = russian_country_names()
    scan = scan_of(names, tmp_path / "ru", "names")
    settings = ReaderSettings(ocr_cache=tmp_path / "cache")
    body = read_pdf_body(scan.read_bytes(), str(scan), settings, language="ru")
    text = " ".join(b.text for b in body.blocks)
    cer = character_error_rate(" ".join(names), text)
    print(
        f"\nOCR CER, Russian (pycountry iso3166-1 ru names, {len(' '.join(names))} chars):",
        f"{cer:.4f}",
    )
    assert cer < 0.05
    assert body.language == "ru"
    assert list((tmp_path / "cache").glob("*.rus.json"))


def test_ocr_resumes_from_its_cache_without_running_tesseract(
    corpora: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    speech = first_speech(corpora, limit=400)
    pages = rasterise(render_pdf(speech, tmp_path / "s.pdf"), tmp_path)
    images = [p.read_bytes() for p in pages] * 2  # the same page twice: two workers
    settings = ReaderSettings(ocr_cache=tmp_path / "cache", ocr_workers=2)
    first = ocr.OcrEngine(settings).read_images(images, "s.png", "en")
    assert [p.number for p in first] == [1, 2]

    def no_tesseract(*args: object) -> None:
        raise AssertionError("tesseract ran although the page was cached")

    monkeypatch.setattr(ocr, "run_tesseract", no_tesseract)
    again = ocr.OcrEngine(settings).read_images(images, "s.png", "en")
    assert [p.text for p in again] == [p.text for p in first]


def test_low_confidence_pages_are_flagged_for_review(corpora: Path, tmp_path: Path) -> None:
    pages = rasterise(render_pdf(first_speech(corpora, 300), tmp_path / "s.pdf"), tmp_path)
    image = pages[0]
    # Every page is below a threshold above 1: the flag and its wording are what is tested.
    settings = ReaderSettings(ocr_cache=tmp_path / "cache", ocr_review_below=1.01)
    (doc,) = ocr.ScanReader(settings).read(Source(image))
    assert isinstance(doc, Document)
    (flag,) = ocr.pages_needing_review(doc)
    assert flag.kind is NoteKind.EDITORIAL
    assert flag.text.startswith("OCR confidence 0.") and flag.text.endswith(
        "on page 1, needs review"
    )
    assert flag.anchor is not None and flag.anchor.block_index == 0
    calm = replace(settings, ocr_review_below=0.5)
    (doc,) = ocr.ScanReader(calm).read(Source(image))
    assert isinstance(doc, Document)
    assert ocr.pages_needing_review(doc) == []


def test_a_file_named_as_an_image_that_is_not_one_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "scan.png"
    fake.write_bytes(b"this is not an image")
    with pytest.raises(IngestError) as caught:
        list(ocr.ScanReader().read(Source(fake)))
    assert caught.value.path == str(fake)


def test_tesseract_tsv_is_rebuilt_into_paragraphs_with_mean_confidence() -> None:
    columns = "level page_num block_num par_num line_num word_num left top width height conf text"
    header = "\t".join(columns.split())
    rows = [
        "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tThe",
        "5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t70\tpeople",
        "5\t1\t2\t1\t1\t1\t0\t0\t1\t1\t80\t中",
        "5\t1\t2\t1\t1\t2\t0\t0\t1\t1\t80\t国",
        "4\t1\t2\t1\t1\t0\t0\t0\t1\t1\t-1\t",
    ]
    text, confidence = ocr.parse_tsv("\n".join([header, *rows]))
    assert text == "The people\n\n中国"
    assert confidence == pytest.approx(0.8)
