"""Scanned PDFs and images through Tesseract: per-page text with its confidence.

Pages are rasterised with poppler's `pdftoppm` and read by the `tesseract` command
(Debian: tesseract-ocr with -eng, -rus, -chi-sim; poppler-utils). Each page runs as its
own tesseract process, several at once; each result is cached under the hash of the page
image and the models used, so a stopped run resumes where it was. A page whose mean word
confidence is low gets an editorial note "needs review" anchored at its first block.
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
from dataclasses import dataclass
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


class OcrEngine:
    """Runs Tesseract over page images in parallel, with a cache keyed by image hash."""

    def __init__(self, settings: ReaderSettings) -> None:
        self.settings = settings

    def read_images(self, images: Sequence[bytes], label: str, language: str = "") -> list[OcrPage]:
        """OCR each image as a page (numbered from 1) with the models for `language`.

        With no language, the first page is read with every configured model, its
        language detected, and the rest read with that language's model alone.
        """
        if not images:
            return []
        models = tesseract_languages(language) if language else None
        if models is None:
            first = self._read_one(images[0], 1, self.settings.ocr_languages, label)
            detected = identify(first.text)
            models = tesseract_languages(detected) or self.settings.ocr_languages
            if models == first.models:
                return [first, *self._read_many(images[1:], 2, models, label)]
        return self._read_many(images, 1, models, label)

    def _read_many(
        self, images: Sequence[bytes], start: int, models: str, label: str
    ) -> list[OcrPage]:
        workers = max(1, self.settings.ocr_workers)
        jobs = [(image, start + i, models, label) for i, image in enumerate(images)]
        if workers == 1 or len(jobs) == 1:
            return [self._read_one(*job) for job in jobs]
        # Threads suffice: each page is a separate tesseract process, so pages run in
        # parallel on separate cores while the threads wait.
        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(lambda job: self._read_one(*job), jobs))

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


def rasterise_pdf(
    data: bytes, label: str, dpi: int, pages: Sequence[int] | None = None
) -> list[bytes]:
    """PNG images of a PDF's pages (all, or the given 1-based numbers), via pdftoppm."""
    with tempfile.TemporaryDirectory(prefix="declass-ocr-") as folder:
        pdf = Path(folder) / "in.pdf"
        pdf.write_bytes(data)
        wanted = list(pages) if pages is not None else [None]
        images: list[bytes] = []
        for number in wanted:
            span = ["-f", str(number), "-l", str(number)] if number else []
            out = Path(folder) / f"p{number or 'all'}"
            try:
                done = subprocess.run(
                    ["pdftoppm", "-r", str(dpi), "-gray", "-png", *span, str(pdf), str(out)],
                    capture_output=True,
                    timeout=_TIMEOUT_S,
                    check=False,
                )
            except FileNotFoundError as exc:
                raise IngestError(label, "", "OCR needs pdftoppm (Debian: poppler-utils)") from exc
            if done.returncode != 0:
                where = f"page {number}" if number else ""
                reason = done.stderr.decode("utf-8", "replace").strip() or "pdftoppm failed"
                raise IngestError(label, where, f"cannot rasterise: {reason}")
            # pdftoppm pads page numbers to the width of the last one: sort numerically.
            found = sorted(
                out.parent.glob(f"{out.name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])
            )
            images.extend(p.read_bytes() for p in found)
        return images


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
) -> list[OcrPage]:
    """OCR the given 1-based pages of a PDF."""
    images = rasterise_pdf(data, label, settings.ocr_dpi, pages)
    if len(images) != len(pages):
        raise IngestError(label, "", f"rasterised {len(images)} of {len(pages)} pages")
    read = OcrEngine(settings).read_images(images, label, language)
    return [OcrPage(n, p.text, p.confidence, p.models) for n, p in zip(pages, read, strict=True)]


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
