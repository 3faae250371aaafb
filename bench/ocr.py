"""OCR throughput: pages per second with one and with two workers, same pages, same run.

Renders the opening of real UNGDC speeches to pages, rasterises them at 300 dpi, and
OCRs them with Tesseract's English model, the cache off so every page is read.

    .venv/bin/python bench/ocr.py [--pages 6] [--corpora ../shared/corpora]
"""

from __future__ import annotations

import argparse
import os
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from declass.ingest.ocr import OcrEngine, rasterise_pdf
from declass.ingest.settings import ReaderSettings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.ingest.renders import render_pdf  # noqa: E402


def speeches(corpora: Path, count: int) -> list[list[str]]:
    """The first `count` speeches' opening paragraphs, about a page each."""
    found: list[list[str]] = []
    with tarfile.open(corpora / "ungdc" / "UNGDC_1946-2022.tgz", "r|gz") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".txt"):
                handle = tar.extractfile(member)
                text = handle.read().decode("utf-8-sig") if handle else ""
                words = " ".join(text.split())[:2200]
                found.append([words])
                if len(found) == count:
                    break
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        images = []
        for i, paragraphs in enumerate(speeches(args.corpora, args.pages)):
            pdf = render_pdf(paragraphs, Path(folder) / f"p{i}.pdf")
            images.append(rasterise_pdf(pdf.read_bytes(), str(pdf), 300, [1])[0])
    rows = []
    for workers in (1, 2):
        engine = OcrEngine(ReaderSettings(ocr_workers=workers, ocr_cache=None))
        started = time.perf_counter()
        engine.read_images(images, "bench", "en")
        elapsed = time.perf_counter() - started
        rows.append((workers, len(images), elapsed, len(images) / elapsed))
    base = rows[0][3]
    print(f"OCR, Tesseract eng, 300 dpi, {os.cpu_count()} CPUs")
    print(f"{'workers':>7}  {'pages':>5}  {'seconds':>8}  {'pages/s':>8}  {'vs 1 worker':>11}")
    for workers, pages, elapsed, rate in rows:
        print(f"{workers:>7}  {pages:>5}  {elapsed:>8.2f}  {rate:>8.2f}  {rate / base:>10.2f}x")


if __name__ == "__main__":
    main()
