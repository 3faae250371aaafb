"""Scanned PDFs and images through Tesseract: per-page text with its confidence.

Pages are rasterised with poppler's `pdftoppm` and read by the `tesseract` command
(Debian: tesseract-ocr with -eng, -rus, -chi-sim; poppler-utils). Each page runs as its
own tesseract process, several at once; each result is cached under the hash of the page
image and the models used, so a stopped run resumes where it was. A page that cannot be
drawn or read comes back as its error, so the other pages of a document are still read.
A page whose mean word confidence is low gets an editorial note "needs review" anchored
at its first block.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from declass.errors import IngestError
from declass.ingest.bodies import Body, document_from_body, paragraphs
from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source, sha256
from declass.language import dominant_script, identify, tesseract_languages
from declass.model import Block, Document, Item, Note, NoteAnchor, NoteKind

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
REVIEW_LABEL = "ocr-review"
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_TIMEOUT_S = 300  # one page; a hung tesseract should not stall the run


@dataclass(frozen=True)
class OcrPage:
    """What Tesseract read on one page: text with paragraph breaks, mean word confidence."""

    number: int
    text: str
    confidence: float  # 0..1, mean over the words; 0 for an empty page
    models: str  # the Tesseract models used, "rus" or "eng+rus+chi_sim"
    warnings: str = ""  # what poppler said while drawing the page ("" when nothing)


class OcrEngine:
    """Runs Tesseract over page images in parallel, with a cache keyed by image hash."""

    def __init__(self, settings: ReaderSettings) -> None:
        self.settings = settings

    def read_images(self, images: Sequence[bytes], label: str, language: str = "") -> list[OcrPage]:
        """OCR each image as a page (numbered from 1) with the models for `language`.

        With no language, the first page is read with every configured model, its
        language detected, and the rest read with that language's model alone.
        Raises IngestError for the first page Tesseract cannot read.
        """
        read = self.read_numbered(list(enumerate(images, start=1)), label, language)
        for page in read:
            if isinstance(page, IngestError):
                raise page
        return [page for page in read if isinstance(page, OcrPage)]

    def read_numbered(
        self, images: Sequence[tuple[int, bytes]], label: str, language: str = ""
    ) -> list[OcrPage | IngestError]:
        """OCR (page number, image) pairs; a page Tesseract cannot read is returned as
        its IngestError, so the other pages of a document are still read."""
        if not images:
            return []
        models = tesseract_languages(language) if language else None
        if models is None:
            first = self._try_one(*images[0], self.settings.ocr_languages, label)
            if isinstance(first, IngestError):
                return [first, *self._read_many(images[1:], self.settings.ocr_languages, label)]
            detected = identify(first.text)
            models = tesseract_languages(detected) or self.settings.ocr_languages
            if models == first.models:
                return [first, *self._read_many(images[1:], models, label)]
        return self._read_many(images, models, label)

    def _read_many(
        self, images: Sequence[tuple[int, bytes]], models: str, label: str
    ) -> list[OcrPage | IngestError]:
        workers = max(1, self.settings.ocr_workers)
        if workers == 1 or len(images) == 1:
            return [self._try_one(number, image, models, label) for number, image in images]
        # Threads suffice: each page is a separate tesseract process, so pages run in
        # parallel on separate cores while the threads wait.
        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(lambda job: self._try_one(job[0], job[1], models, label), images))

    def _try_one(self, number: int, image: bytes, models: str, label: str) -> OcrPage | IngestError:
        try:
            return self._read_one(image, number, models, label)
        except IngestError as exc:
            return exc

    def _read_one(self, image: bytes, number: int, models: str, label: str) -> OcrPage:
        key = f"{sha256(image)}.{models}"
        cache = self.settings.ocr_cache
        cached = cache / f"{key}.json" if cache else None
        if cached is not None and cached.is_file():
            try:
                saved = json.loads(cached.read_text(encoding="utf-8"))
                return OcrPage(number, saved["text"], saved["confidence"], models)
            except (ValueError, KeyError):
                pass  # a half-written entry from a killed run: read the page again
        text, confidence = run_tesseract(image, models, f"{label}, page {number}")
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps({"text": text, "confidence": confidence}), "utf-8")
            partial.replace(cached)  # atomic: a killed run leaves whole entries only
        return OcrPage(number, text, confidence, models)


def run_tesseract(image: bytes, models: str, where: str) -> tuple[str, float]:
    """Text and mean word confidence (0..1) of one page image."""
    # One thread per tesseract: pages already run in parallel, and OpenMP threads
    # fighting over the same cores make it slower, not faster.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", models, "--psm", "3", "tsv"],
            input=image,
            capture_output=True,
            timeout=_TIMEOUT_S,
            env=env,
            check=False,
        )
    except FileNotFoundError as exc:
        raise IngestError(
            where, "", "OCR needs the tesseract command (Debian: tesseract-ocr)"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise IngestError(where, "", f"OCR took longer than {_TIMEOUT_S}s") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise IngestError(
            where, "", f"tesseract failed: {message[-1] if message else done.returncode}"
        )
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> tuple[str, float]:
    """Rebuild text from Tesseract's TSV (paragraphs at blank lines) and its mean confidence."""
    paragraphs_: dict[tuple[str, str, str], dict[str, list[str]]] = {}
    confidences: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        conf = float(row.get("conf") or -1)
        if conf >= 0:
            confidences.append(conf / 100)
        key = (row["page_num"], row["block_num"], row["par_num"])
        paragraphs_.setdefault(key, {}).setdefault(row["line_num"], []).append(word)
    text = "\n\n".join(
        "\n".join(_join_words(words) for words in lines.values()) for lines in paragraphs_.values()
    )
    confidence = sum(confidences) / len(confidences) if confidences else 0.0
    return text, round(confidence, 4)


def _join_words(words: list[str]) -> str:
    """Words of a line with spaces, except between Chinese characters."""
    out = words[0]
    for word in words[1:]:
        cjk = dominant_script([out[-1]]) == "CJK" and dominant_script([word[0]]) == "CJK"
        out += word if cjk else " " + word
    return out


@dataclass(frozen=True)
class PageImage:
    """One page drawn by pdftoppm, with what poppler complained of while drawing it."""

    number: int
    image: bytes
    warnings: str = ""  # poppler's errors ("Unknown compression method…"); "" when none


def rasterise_pdf(
    data: bytes, label: str, dpi: int, pages: Sequence[int] | None = None
) -> list[bytes]:
    """PNG images of a PDF's pages (all, or the given 1-based numbers), via pdftoppm."""
    with tempfile.TemporaryDirectory(prefix="declass-ocr-") as folder:
        pdf = Path(folder) / "in.pdf"
        pdf.write_bytes(data)
        if pages is None:
            return [p.image for p in _draw(pdf, label, dpi, None)]
        return [p.image for number in pages for p in _draw(pdf, label, dpi, number)]


def rasterise_pages(
    data: bytes, label: str, dpi: int, pages: Sequence[int]
) -> list[PageImage | IngestError]:
    """Each given 1-based page drawn on its own, so one page that cannot be drawn is
    returned as its IngestError and the others still are."""
    with tempfile.TemporaryDirectory(prefix="declass-ocr-") as folder:
        pdf = Path(folder) / "in.pdf"
        pdf.write_bytes(data)
        drawn: list[PageImage | IngestError] = []
        for number in pages:
            try:
                found = _draw(pdf, label, dpi, number)
            except IngestError as exc:
                drawn.append(exc)
                continue
            if len(found) != 1:
                drawn.append(IngestError(label, f"page {number}", "pdftoppm drew no image"))
            else:
                drawn.append(found[0])
        return drawn


def _draw(pdf: Path, label: str, dpi: int, number: int | None) -> list[PageImage]:
    span = ["-f", str(number), "-l", str(number)] if number else []
    out = pdf.parent / f"p{number or 'all'}"
    where = f"page {number}" if number else ""
    try:
        done = subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", *span, str(pdf), str(out)],
            capture_output=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError as exc:
        raise IngestError(label, "", "OCR needs pdftoppm (Debian: poppler-utils)") from exc
    except subprocess.TimeoutExpired as exc:
        raise IngestError(label, where, f"drawing took longer than {_TIMEOUT_S}s") from exc
    complaints = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise IngestError(label, where, f"cannot rasterise: {complaints or 'pdftoppm failed'}")
    # pdftoppm pads page numbers to the width of the last one: sort numerically.
    found = sorted(
        out.parent.glob(f"{out.name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])
    )
    first = number or 1
    warnings = "; ".join(" ".join(line.split()) for line in complaints.splitlines())
    return [PageImage(first + i, p.read_bytes(), warnings) for i, p in enumerate(found)]


def body_from_pages(
    pages: Sequence[OcrPage], label: str, settings: ReaderSettings, language: str
) -> Body:
    """A Body of the pages' paragraphs, page numbers kept, low-confidence pages flagged."""
    blocks: list[Block] = []
    notes: list[Note] = []
    for page in pages:
        first = len(blocks)
        blocks.extend(paragraphs(page.text, page=str(page.number)))
        if page.confidence < settings.ocr_review_below:
            notes.append(review_note(page, label, max(0, min(first, len(blocks) - 1))))
    text = "\n\n".join(b.text for b in blocks)
    return Body(tuple(blocks), language or identify(text), notes=tuple(notes))


def review_note(page: OcrPage, label: str, block_index: int) -> Note:
    """The catalogue's flag on a page whose OCR needs a person to check it."""
    return Note(
        kind=NoteKind.EDITORIAL,
        text=f"OCR confidence {page.confidence:.2f} on page {page.number}, needs review",
        label=REVIEW_LABEL,
        anchor=NoteAnchor(0, block_index, 0),
        author="declass OCR",
    )


def pages_needing_review(document: Document) -> list[Note]:
    """The OCR review flags of a document (how the review queue finds them)."""
    return [n for n in document.notes if n.kind is NoteKind.EDITORIAL and n.label == REVIEW_LABEL]


def read_image_body(data: bytes, label: str, settings: ReaderSettings, language: str = "") -> Body:
    """One image as a one-page scan."""
    pages = OcrEngine(settings).read_images([data], label, language)
    return body_from_pages(pages, label, settings, language)


def read_scanned_pdf(
    data: bytes, label: str, settings: ReaderSettings, pages: Sequence[int], language: str = ""
) -> list[OcrPage | IngestError]:
    """OCR the given 1-based pages of a PDF, in order; a page that cannot be drawn or read
    comes back as its IngestError, and poppler's complaints about a page ride along."""
    drawn = rasterise_pages(data, label, settings.ocr_dpi, pages)
    images = [(d.number, d.image) for d in drawn if isinstance(d, PageImage)]
    read = iter(OcrEngine(settings).read_numbered(images, label, language))
    out: list[OcrPage | IngestError] = []
    for page in drawn:
        if isinstance(page, IngestError):
            out.append(page)
            continue
        result = next(read)
        out.append(
            replace(result, warnings=page.warnings) if isinstance(result, OcrPage) else result
        )
    return out


class ScanReader:
    """A scanned page as an image file (PNG, JPEG, TIFF): one Document through OCR."""

    name = "scan"

    def __init__(self, settings: ReaderSettings | None = None) -> None:
        self.settings = settings or ReaderSettings()

    def detect(self, source: Source) -> bool:
        return not source.is_dir and source.name.lower().endswith(IMAGE_SUFFIXES)

    def read(self, source: Source) -> Iterator[Item]:
        data = source.read_bytes()
        if not data.startswith(_IMAGE_MAGIC):
            raise IngestError(source.label, "", "not a PNG, JPEG or TIFF image")
        yield document_from_body(
            source, read_image_body(data, source.label, self.settings), self.name
        )
