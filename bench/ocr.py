"""OCR of scanned records: which page layers to keep, and what OCR costs.

By default, every page of the NARA scans (pdf-scans/, 10 PDFs) is scored twice, its OCR
text layer and a fresh Tesseract read of its image (ocr_quality.py), and compared with two
things the score does not see: Tesseract's own mean word confidence, and passages typed by
hand from eleven page images (the share of their words each text holds). It prints one row
per page (score of the layer, score of the OCR, which the reader kept) and times the
reader (OCR only below the threshold) against the peer that OCRs every page.

    .venv/bin/python bench/ocr.py [--corpora ../shared/corpora] [--workers 2]
    .venv/bin/python bench/ocr.py --throughput [--pages 6]   # pages/s, 1 vs 2 workers
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from declass.ingest.ocr import OcrEngine, OcrPage, rasterise_pdf, read_scanned_pdf
from declass.ingest.ocr_quality import score_text
from declass.ingest.pdf import OCR, read_pdf_text, text_layers
from declass.ingest.settings import ReaderSettings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.ingest.renders import render_pdf  # noqa: E402

# Passages typed by hand from the page images (pdftoppm -r 300), to measure how much of
# what is printed each text holds. Slashed zeros are typed as 0.
REFERENCES = {
    ("104-10061-10053", 2): (
        "MEMORANDUM FOR : M. de Vosjoli SUBJECT : Report on Antonio RODRIGUEZ Echazabal "
        "Antonio RODRIGUEZ Echazabal was born in Cuba on 17 August 1913. He has a master's "
        "degree in agriculture, professedly has no religion but is a Mason. RODRIGUEZ is "
        "married to Edith JONES, who was born in Cuba on 10 March 1917; she is, however, of "
        "Haitian origin, being the daughter of a former Haitian Ambassador to Belgium, and "
        "she is a devout Episcopalian."
    ),
    ("104-10095-10276", 2): (
        "S-E-C-R-E-T 4. As an additional security precaution to provide a safe haven, and "
        "after consultation with the Acting Chief of Station, a key to an apartment in the "
        "same building leased by Mrs. Marjorie Lennox, an Embassy secretary, was obtained. "
        "Mrs. Lennox was told that access to her apartment was needed for photographic "
        "surveillance purposes. 5. The Station was then faced with the probability that "
        "time and security would work against holding indefinitely the lease to the "
        "apartment over NCNA since the owners of the building were cancelling sub-lessors' "
        "contracts and recalling leases."
    ),
    ("104-10095-10276", 5): (
        "Det. 1, 1045th Operational Evaluation and Training Group. Major Billy B. Campbell, "
        "Commander. 1. SITUATION: Daniel L. Carswell (Alias), Eustace H. Danbrunt (Alias) "
        "and Edward R. Taransky (Alias) are TSD Staff Employees who were apprehended by "
        "Cuban authorities in September 1960 and who are now serving ten year sentences. "
        "Efforts are being made to secure their release. Since their release may occur "
        "without advance notice and at a variety of places, ie. Havana, Miami, Mexico City, "
        "Switzerland, Brazil, etc., it is imperative that a contingency plan be formulated "
        "to ensure the secure reception of these employees."
    ),
    ("104-10110-10245", 4): (
        "Page Four #210 838 equipment necessary for this operation. Mr. McBee directed that "
        "I fill out a Form #88 and have the technicians hand carry it to the Franconia Depot "
        "in order to obtain the equipment. The use of the Form #88 disturbed me in this "
        "matter because I had assumed from Mr. Halpern that he would arrange it so that TSD "
        "would turn over the equipment to us without charge to anyone."
    ),
    ("104-10175-10179", 3): (
        "DO NOT USE THIS SPACE ISSUED BY PERSONAL HISTORY STATEMENT THIS DATE INSTRUCTIONS "
        "1. Answer all questions completely or check appropriate box. If question is not "
        "applicable, write NA. Write Unknown only if you do not know the answer and it "
        "cannot be obtained from personal records. Use blank space at end of form for extra "
        "details on any question for which you have insufficient space. 2. Type, print or "
        "write carefully; illegible or incomplete forms will not receive consideration. "
        "SECTION I GENERAL PERSONAL AND PHYSICAL DATA FULL NAME AGE SEX Wichtrich, Alfonso "
        "Rudolph 47 MALE FEMALE HEIGHT WEIGHT COLOR OF EYES COLOR OF HAIR TYPE COMPLEXION "
        "TYPE BUILD 6'3\" 185 Brown Brown Light Med."
    ),
    ("104-10175-10179", 12): (
        "SECTION XII CONTINUED FROM PAGE 9 IF BORN OUTSIDE U.S. DATE OF ENTRY PLACE OF ENTRY "
        "N.A. N.A. FORMER CITIZENSHIP(S) N.A. DATE U.S. CITIZENSHIP ACQUIRED N.A. WHERE "
        "ACQUIRED N.A. OCCUPATION PRESENT EMPLOYER Housewife N.A. EMPLOYER'S OR BUSINESS "
        "ADDRESS N.A. DATES OF MILITARY SERVICE N.A. BRANCH OF SERVICE COUNTRY WITH WHICH "
        "MILITARY SERVICE AFFILIATED N.A. N.A. DETAILS OF OTHER GOVERNMENT SERVICE, U.S. OR "
        "FOREIGN N.A. SECTION XIII CHILDREN AND OTHER DEPENDENTS PROVIDE THE FOLLOWING "
        "INFORMATION FOR ALL CHILDREN AND DEPENDENTS NAME RELATIONSHIP DATE AND PLACE OF "
        "BIRTH CITIZENSHIP ADDRESS John Allen Wichtrich Son 8-14-40 Tucson, Arizona U.S.A. "
        "Navy OCS Newport, R.I. Janet Rae Wichtrich Daughter 3-5-1943 U.S.A. Univ. of N. "
        "Mex. Ellen Anne Daughter 6-28-1948 Panama R.P. U.S.A. Mexico, D.F."
    ),
    ("104-10175-10179", 14): (
        "SECTION XVII FATHER-IN-LAW FULL NAME Williams John Newton DATE OF DEATH 1944 CAUSE "
        "OF DEATH Stroke CURRENT OR LAST ADDRESS Deming, New Mexico DATE OF BIRTH Unknown "
        "PLACE OF BIRTH Rome, Georgia CITIZENSHIP U.S. SECTION XVIII MOTHER-IN-LAW FULL NAME "
        "Williams, Lucy DATE OF DEATH 1918 CAUSE OF DEATH Flu Tempe, Arizona Unknown "
        "Virginia U.S. OCCUPATION House wife SECTION XIX RELATIVES BY BLOOD, MARRIAGE OR "
        "ADOPTION WHO EITHER (1) LIVE ABROAD, (2) ARE NOT U.S. CITIZENS OR (3) WORK FOR A "
        "FOREIGN GOVERNMENT N.A."
    ),
    ("104-10186-10309", 2): (
        "S-E-C-R-E-T NO FOREIGN DISSEM CS-311/00466-65 Hdqrs Dissem WH/COPS 1 WH/PO/A 1 "
        "WH/PO/B 1 WH/1 1 WH/2 13 WH/3 1 WH/3/V 1 WH/4 1 WH/5 1 WH/6 1 WH/R 1 WH/SA/EOB 5 "
        "WH/SA/MOB 5 WH/SA/R 4 WH/SA/Int 1 WH/SA/CI 30 WH/SA/SO/NS 1 CI/Staff 5 "
        "CI/Liaison 1 CI/R&A 3 RID/AN 1 AF/1 1 AF/2 1 AF/3 1 AF/4 1 AF/R 3 AF/CI 1"
    ),
    ("104-10218-10035", 1): (
        "2025 RELEASE UNDER THE PRESIDENT JOHN F. KENNEDY ASSASSINATION RECORDS ACT OF 1992 "
        "PROJECT OUTLINE CRYPTONYM FIELD CASE OFFICER Willard C. CURTIS STATION Mexico City "
        "CHIEF OF STATION Willard C. CURTIS FORWARDED BY SPLIT TRANSMISSION NO FIELD "
        "DISSEMINATION CS COPY"
    ),
    ("104-10232-10018", 16): (
        "I queried about the expenses of his recruitment section, and he said he had told "
        "Paula to eliminate that item since recruiting is now done elsewhere, but the "
        "military personnel in recruiting should be grouped in the military so that some "
        "form of intelligence agency could be maintained to provide information. He "
        "affirmed that his military staff really consisted of three officers (Varela, "
        "Desmaigre, Monteagudo) but that they had expenses of office, transportation, and "
        "secretarial help."
    ),
    ("104-10306-10010", 3): (
        "NON-CIA TELETYPED MESSAGE TEIF034 OO RUEPIA A DE RUMSMA 1647F 18/0641Z O 180627Z "
        "FM COMUSMACV TO RUEPCR/WHITEHOUSE RUEPDA/SECSTATE RUEPDA/OSD RUEPIA/CIA RUEKDA/JCS "
        "INFO RUHPA/CINCPAC ZEN/AMEMB SAIGON RUHPA/CAS HONO BT TOP SECRET MAC SOG 5050 "
        "LIMITED DISTRIBUTION SPECIAL HANDLING SPECAT EXCLUSIVE STATE FOR SULLIVAN, OSD FOR "
        "MCNAMARA AND ANTHIS WHITEHOUSE FOR MCGEORGE BUNDY, CIA FOR MCCONE, CARTER AND "
        "HELMS, JCS FOR GEN TAYLOR, INFO AMEMB SAIGON FOR AMB LODGE AND NES, CINCPAC FOR ADM "
        "FELT. A. OPLAN 34A 1. IN ORDER TO MEET OPERATIONAL SCHEDULES FOR JUNE AND JULY "
        "PSYOPS LEAFLET DROPS, TWENTY TWO MILLION LEAFLETS"
    ),
}


def recall(reference: str, text: str) -> float:
    """Share of the reference's words (letters and digits, case folded) that the text holds."""
    wanted = Counter(re.findall(r"[a-z0-9]+", reference.lower()))
    held = Counter(re.findall(r"[a-z0-9]+", text.lower()))
    return sum((wanted & held).values()) / sum(wanted.values())


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Rank correlation (ties share their mean rank)."""

    def ranks(values: Sequence[float]) -> list[float]:
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2
            i = j + 1
        return out

    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    sy = math.sqrt(sum((b - my) ** 2 for b in ry))
    return cov / (sx * sy)


@dataclass(frozen=True)
class PageRow:
    """One page of the measurement."""

    record: str
    page: str
    layer: float  # score of the PDF's text layer
    ocr: float  # score of a fresh Tesseract read
    confidence: float  # Tesseract's mean word confidence on that read
    kept: str  # what the reader kept: "layer" or "ocr"
    found_layer: float | None  # share of the hand-typed passage's words in the layer
    found_ocr: float | None  # ... and in the fresh read


def measure(folder: Path, settings: ReaderSettings) -> tuple[list[PageRow], float, float]:
    """Every page of every PDF, with the reader's time and the OCR-every-page peer's."""
    rows: list[PageRow] = []
    reader_seconds = every_seconds = 0.0
    for path in sorted(folder.glob("*.pdf")):
        data = path.read_bytes()
        started = time.perf_counter()
        kept = read_pdf_text(data, str(path), settings)
        reader_seconds += time.perf_counter() - started
        layers = [t or "" for t in text_layers(data, str(path))[0]]
        started = time.perf_counter()
        fresh = read_scanned_pdf(data, str(path), settings, range(1, len(layers) + 1), "en")
        every_seconds += time.perf_counter() - started
        record = path.name.split("_")[0]
        for page, layer, new in zip(kept.pages, layers, fresh, strict=True):
            read = new if isinstance(new, OcrPage) else OcrPage(page.number, "", 0.0, "")
            typed = REFERENCES.get((record, page.number))
            rows.append(
                PageRow(
                    record,
                    page.label,
                    score_text(layer).score,
                    score_text(read.text).score,
                    read.confidence,
                    page.source,
                    recall(typed, layer) if typed else None,
                    recall(typed, read.text) if typed else None,
                )
            )
    return rows, reader_seconds, every_seconds


def report(rows: list[PageRow], threshold: float, seconds: tuple[float, float]) -> None:
    """The per-page table, agreement with the independent measures, and the timings."""
    print("Score of the text layer and of a fresh Tesseract read (eng, 300 dpi), Tesseract's")
    print(f"mean word confidence, what the reader kept (a layer below {threshold:.2f} is OCRed,")
    print("the better score kept), and the share of a hand-typed passage's words each holds.")
    print(f"{'record':<16}{'page':>5}{'layer':>7}{'OCR':>6}{'conf':>6}  {'kept':<6}{'found':>13}")
    for r in rows:
        found = f"{r.found_layer:.2f} / {r.found_ocr:.2f}" if r.found_layer is not None else ""
        print(
            f"{r.record:<16}{r.page:>5}{r.layer:>7.2f}{r.ocr:>6.2f}{r.confidence:>6.2f}  "
            f"{r.kept:<6}{found:>13}"
        )
    pages = len(rows)
    below = [r for r in rows if r.layer < threshold]
    typed = [r for r in rows if r.found_layer is not None and r.found_ocr is not None]
    typed_scores = [r.layer for r in typed] + [r.ocr for r in typed]
    typed_found = [r.found_layer for r in typed] + [r.found_ocr for r in typed]
    confidences = [r.confidence for r in rows]
    gains = [r.ocr - r.layer for r in rows]
    least_sure = sorted(confidences)[len(below) - 1] if below else 0.0
    agree = sum(1 for r in rows if (r.layer < threshold) == (r.confidence <= least_sure))
    print()
    print(
        f"{len({r.record for r in rows})} PDFs, {pages} pages; {len(below)} re-OCRed (layer "
        f"below {threshold:.2f}); OCR kept on {sum(1 for r in rows if r.kept == OCR)}"
    )
    print(
        "Spearman vs Tesseract confidence, all pages: layer score "
        f"{spearman([r.layer for r in rows], confidences):.2f}, OCR score "
        f"{spearman([r.ocr for r in rows], confidences):.2f}"
    )
    print(
        f"Spearman, score vs words found, {len(typed)} hand-typed pages (layer and OCR): "
        f"{spearman(typed_scores, [f or 0.0 for f in typed_found]):.2f}"
    )
    print(
        f"OCR score minus layer score: mean {sum(gains) / pages:+.3f}, "
        f"max {max(gains):+.2f}, min {min(gains):+.2f}"
    )
    print(
        f"Pages below the threshold vs the {len(below)} pages Tesseract is least sure of "
        f"(confidence <= {least_sure:.2f}): {agree} of {pages} agree"
    )
    reader, every = seconds
    print()
    print(f"OCR, Tesseract eng, {os.cpu_count()} CPUs, cache off")
    print(f"{'strategy':<34}{'pages OCRed':>12}{'seconds':>9}{'pages/s':>9}{'vs OCR all':>11}")
    for name, ocred, elapsed in (
        ("reader: OCR below the threshold", len(below), reader),
        ("peer: OCR every page", pages, every),
    ):
        print(
            f"{name:<34}{ocred:>12}{elapsed:>9.1f}{pages / elapsed:>9.2f}{every / elapsed:>10.1f}x"
        )


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


def throughput(corpora: Path, pages: int) -> None:
    """Pages per second with one and with two workers, same rendered UNGDC pages."""
    with tempfile.TemporaryDirectory() as folder:
        images = []
        for i, paragraphs in enumerate(speeches(corpora, pages)):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--workers", type=int, default=ReaderSettings().ocr_workers)
    parser.add_argument("--throughput", action="store_true", help="pages/s, 1 vs 2 workers")
    parser.add_argument("--pages", type=int, default=6, help="pages for --throughput")
    args = parser.parse_args()
    if args.throughput:
        throughput(args.corpora, args.pages)
    else:
        settings = ReaderSettings(ocr_workers=args.workers, ocr_cache=None)
        rows, reader, every = measure(args.corpora / "pdf-scans", settings)
        report(rows, settings.ocr_layer_below, (reader, every))


if __name__ == "__main__":
    main()
