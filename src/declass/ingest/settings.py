"""What the ingest command tells the readers: manifest mapping and OCR settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReaderSettings:
    """Options readers take from the command line or the Archive's Config.

    `ocr_cache` keeps each page's OCR result keyed by the page image's hash, so a
    stopped run resumes without OCRing a page twice; None turns the cache off.
    """

    mapping: Path | None = None  # manifest column mapping (TOML); None: columns named as fields
    ocr_workers: int = max(1, min(4, os.cpu_count() or 1))
    ocr_languages: str = "eng+rus+chi_sim"  # Tesseract models to try when nothing says
    ocr_cache: Path | None = None
    ocr_dpi: int = 300
    ocr_review_below: float = 0.80  # pages with a lower mean word confidence are flagged
    # A PDF page whose text layer scores lower is re-OCRed (ocr_quality.py; bench/ocr.py).
    ocr_layer_below: float = 0.55
    # The FRUS series bibliography to read volumes with; None: found beside the volumes.
    frus_bibliography: Path | None = None
    translation_language: str = "en"  # NAME.ru.pdf + NAME.en.txt: the English one translates
