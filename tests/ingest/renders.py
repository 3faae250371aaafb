"""Real corpus text rendered to PDFs and page images for the PDF and OCR tests."""

from __future__ import annotations

import gettext
import subprocess
import tarfile
from pathlib import Path

import pycountry
from fpdf import FPDF

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def first_speech(corpora: Path, limit: int = 1100) -> list[str]:
    """The opening paragraphs (up to `limit` characters) of the tarball's first speech."""
    with tarfile.open(corpora / "ungdc" / "UNGDC_1946-2022.tgz", "r|gz") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".txt"):
                handle = tar.extractfile(member)
                assert handle is not None
                text = handle.read().decode("utf-8-sig")
                break
    out: list[str] = []
    for chunk in text.split("\n\n"):
        words = " ".join(chunk.split())
        if words and sum(map(len, out)) + len(words) <= limit:
            out.append(words)
    return out or [text[:limit]]


def russian_country_names(count: int = 24) -> list[str]:
    """Real Russian text: official country names as translated by Debian's iso-codes,
    shipped inside the pycountry wheel (locales/ru/LC_MESSAGES/iso3166-1.mo)."""
    ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    names = []
    for country in pycountry.countries:
        official = getattr(country, "official_name", "")
        translated = ru.gettext(official) if official else ""
        if translated and translated != official:
            names.append(translated)
    return [", ".join(names[i : i + 6]) + "." for i in range(0, min(count, len(names)), 6)]


def render_pdf(paragraphs: list[str], path: Path, title: str = "") -> Path:
    """A text-layer PDF, one paragraph after another, a blank line between them."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=12)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    for paragraph in paragraphs:
        pdf.multi_cell(0, 7, paragraph)
        pdf.ln(7)
    pdf.output(str(path))
    return path


def rasterise(pdf: Path, folder: Path, dpi: int = 200) -> list[Path]:
    """PNG images of a PDF's pages, as a scanner would have made them."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def image_only_pdf(images: list[Path], path: Path) -> Path:
    """A PDF of page images and no text layer: a scan."""
    pdf = FPDF(format="A4")
    for image in images:
        pdf.add_page()
        pdf.image(str(image), x=0, y=0, w=210, h=297)
    pdf.output(str(path))
    return path


def normalised(text: str) -> str:
    return " ".join(text.split())


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance over the reference length, on whitespace-normalised text."""
    a, b = normalised(reference), normalised(hypothesis)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(len(a), 1)
