"""PDFs with a text layer: real UNGDC and Russian text rendered with fpdf2, read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader as Pypdf
from pypdf import PdfWriter

from declass.errors import IngestError
from declass.ingest.pdf import PdfReader, read_pdf_body
from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source
from declass.model import Document
from tests.ingest.renders import first_speech, normalised, render_pdf, russian_country_names


def test_text_layer_recovers_a_general_debate_speech_exactly(corpora: Path, tmp_path: Path) -> None:
    speech = first_speech(corpora)
    pdf = render_pdf(speech, tmp_path / "speech.pdf", title="General Debate statement")
    (doc,) = PdfReader().read(Source(pdf))
    assert isinstance(doc, Document)
    assert normalised(doc.body) == normalised(" ".join(speech))
    assert doc.title == "General Debate statement"
    assert doc.id == "pdf:speech"
    assert doc.language == "en"
    assert all(b.page == "1" for b in doc.texts[0].blocks)


def test_russian_text_layer_is_recovered_and_identified(tmp_path: Path) -> None:
    names = russian_country_names()
    pdf = render_pdf(names, tmp_path / "names.pdf")
    body = read_pdf_body(pdf.read_bytes(), str(pdf), ReaderSettings())
    assert normalised(" ".join(b.text for b in body.blocks)) == normalised(" ".join(names))
    assert body.language == "ru"


def test_page_numbers_are_kept_for_citation(corpora: Path, tmp_path: Path) -> None:
    speech = first_speech(corpora, limit=600)
    pdf = FPDF()
    pdf.add_font("DejaVu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_font("DejaVu", size=12)
    for paragraph in speech[:3]:
        pdf.add_page()
        pdf.multi_cell(0, 7, paragraph)
    pdf.output(str(tmp_path / "pages.pdf"))
    body = read_pdf_body((tmp_path / "pages.pdf").read_bytes(), "pages.pdf", ReaderSettings())
    pages = [b.page for b in body.blocks]
    assert pages == [str(n) for n in range(1, len(speech[:3]) + 1)]


def test_corrupt_pdf_is_refused_naming_the_file(corpora: Path, tmp_path: Path) -> None:
    good = render_pdf(first_speech(corpora, 300), tmp_path / "good.pdf").read_bytes()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(good[:200] + b"\x00garbage" * 50)
    with pytest.raises(IngestError) as caught:
        list(PdfReader().read(Source(broken)))
    assert str(broken) in str(caught.value)


def test_encrypted_pdf_is_refused_as_needing_a_password(corpora: Path, tmp_path: Path) -> None:
    plain = render_pdf(first_speech(corpora, 300), tmp_path / "plain.pdf")
    writer = PdfWriter(clone_from=Pypdf(plain))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as out:
        writer.write(out)
    with pytest.raises(IngestError) as caught:
        list(PdfReader().read(Source(locked)))
    assert caught.value.path == str(locked)
    assert "password" in caught.value.reason
