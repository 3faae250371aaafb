"""Parallels: retrieval quality per mode, embedding throughput, and the ANN index.

The judged set is built mechanically from the corpora. Each case is a Milestones
essay (hsg/milestones, chapters 1914–2000), read as a present-day article; it is a
case when its title names a country (by name or demonym, "Soviet", "Chinese") that
has a recognition history in hsg/rdcr. Its *actors* are those countries; its
*period* is the span of the years its title names ("1954–55 and 1958" → 1954–1958),
else its chapter's span. Over the bench archive, for each case:

- grade 2: the rdcr recognition history of each actor (`rdcr:<country>`);
- grade 1: each General Debate speech by an actor delivered within the period (none
  for essays on the years before 1946, the first General Debate);
- everything else is not relevant (other essays, other countries' speeches, other
  years) and the query essay itself is excluded from the ranking.

The bench archive holds every Milestones essay of 1945–2000 (the essays of 1914–1944
are queries only, read from a side store), the rdcr histories of
the actors, and the General Debate speeches of the actors within the case periods (at
most --speeches-per-case a case, evenly spaced across its period, so embedding stays
affordable: the judged set is defined over what the archive holds). It is built
once, with its vectors, under --cache; reruns reuse it.

Reported: nDCG@10 (linear gains, log2 discount, ideal over all judged documents) and
recall@10 (judged documents in the top ten over min(judged, 10)) for the hybrid,
full-text-only and semantic-only rankings (`ParallelFinder.rank`); embedding
throughput on this CPU; the usearch index's recall@10 against exact search and its
speed-up, on the real stored vectors (index over speeches and rdcr histories, queries
the essays' passages) and on a larger set made by reusing the real vectors (each
copied with small Gaussian noise and renormalised) up to --ann-size rows.

    .venv/bin/python bench/parallels.py [--cache DIR] [--ann-size N] [--limit N]
"""

from __future__ import annotations

import argparse
import math
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import CACHE, TARBALL, ungdc_archive
from declass import countries
from declass.ann import PassageIndex, PassageKey
from declass.article import Article
from declass.embeddings import as_array, embed_archive, load_embedder, split_passages
from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.model import Document
from declass.parallels import DEMONYMS, MODES, ParallelFinder, understand
from declass.store import open_store
from declass.store.base import Store

HSG = TARBALL.parent.parent / "hsg"
_TITLE_NAME = re.compile(r"[A-Z][\w’'.-]*(?:\s+(?:of\s+)?[A-Z][\w’'.-]*)*")
_TITLE_YEARS = re.compile(r"\b(1[89]\d\d|20\d\d)(?:\s*[–-]\s*(\d{2,4}))?")


@dataclass(frozen=True)
class Case:
    essay_id: str
    title: str
    actors: tuple[str, ...]  # country codes
    first: int
    last: int


def title_countries(title: str) -> list[str]:
    """Countries a title names, by name or demonym."""
    codes: list[str] = []
    for run in _TITLE_NAME.findall(title):
        words = run.split()
        pieces = [run, *words, *(p for w in words for p in re.split(r"[-–]", w))]
        for piece in pieces:
            piece = piece.strip("’'.")
            country = countries.country_named(DEMONYMS.get(piece.lower(), piece))
            if country is not None and country.code not in codes:
                codes.append(country.code)
    return codes


def title_period(doc: Document) -> tuple[int, int]:
    """The span of the years a title names, else the essay's chapter span."""
    years: list[int] = []
    for m in _TITLE_YEARS.finditer(doc.title):
        start = int(m.group(1))
        years.append(start)
        if m.group(2):
            end = m.group(2)
            years.append(int(str(start)[: 4 - len(end)] + end))
    if not years and doc.date and doc.date.earliest:
        years = [doc.date.earliest.year, (doc.date.latest or doc.date.earliest).year]
    return min(years), max(years)


def essay_sources(folder: Path, first: int = 1945, last: int = 2000) -> list[Path]:
    (folder / "milestones").mkdir(parents=True, exist_ok=True)
    (folder / "rdcr").mkdir(exist_ok=True)
    for chapter in sorted((HSG / "milestones" / "chapters").glob("*.xml")):
        if first <= int(chapter.name[:4]) <= last:
            shutil.copy(chapter, folder / "milestones")
    for article in (HSG / "rdcr" / "articles").glob("*.xml"):
        shutil.copy(article, folder / "rdcr")
    return [folder / "milestones", folder / "rdcr"]


def build_cases(
    essays: Store, rdcr: dict[str, str] | None = None
) -> tuple[list[Case], dict[str, str]]:
    """The cases, and the rdcr history of each country that has one."""
    rdcr = dict(rdcr or {})
    for doc_id in essays.document_ids():
        doc = essays.document(doc_id)
        if doc_id.startswith("rdcr:") and doc.countries:
            rdcr.setdefault(doc.countries[0].code, doc_id)
    cases = []
    for doc_id in essays.document_ids():
        if not doc_id.startswith("milestones:") or doc_id.endswith("/foreword"):
            continue
        doc = essays.document(doc_id)
        actors = tuple(c for c in title_countries(doc.title) if c in rdcr)
        if actors:
            cases.append(Case(doc_id, doc.title, actors, *title_period(doc)))
    return cases, rdcr


def spaced(items: list[str], most: int) -> list[str]:
    if len(items) <= most:
        return items
    step = (len(items) - 1) / (most - 1)
    return [items[round(i * step)] for i in range(most)]


def bench_archive(
    cache: Path, per_case: int
) -> tuple[Store, Store, list[Case], dict[str, dict[str, int]], list[str]]:
    """The bench archive (built once), the earlier essays, the cases, their judgements
    and the documents to embed."""
    folder = cache / f"parallels-{per_case}"
    folder.mkdir(parents=True, exist_ok=True)
    store = open_store(folder / "archive.sqlite3")
    essays_done = folder / "essays.done"
    if not essays_done.exists():
        result = ingest(store, essay_sources(folder / "sources"), default_registry())
        print(f"ingested {result.added} essays and recognition histories")
        essays_done.write_text("ok")
    # Essays of 1914–1944 are queries only: the archive holds the post-war record.
    earlier = open_store(folder / "earlier-essays.sqlite3")
    if not (folder / "earlier.done").exists():
        ingest(earlier, essay_sources(folder / "earlier", 1914, 1944), default_registry())
        (folder / "earlier.done").write_text("ok")
    cases, rdcr = build_cases(store)
    cases += build_cases(earlier, rdcr)[0]
    speeches = ungdc_archive()
    by_country_year: dict[tuple[str, int], list[str]] = {}
    for doc_id in speeches.document_ids():
        m = re.fullmatch(r"ungdc:([A-Z]+)_\d+_(\d{4})", doc_id)
        if m:
            by_country_year.setdefault((m.group(1), int(m.group(2))), []).append(doc_id)
    judged: dict[str, dict[str, int]] = {}
    wanted_rdcr: set[str] = set()
    wanted_speeches: set[str] = set()
    for case in cases:
        grades: dict[str, int] = {}
        for code in case.actors:
            grades[rdcr[code]] = 2
            wanted_rdcr.add(rdcr[code])
            mine = [
                d
                for year in range(case.first, case.last + 1)
                for d in by_country_year.get((code, year), [])
            ]
            for d in spaced(mine, per_case):
                grades[d] = 1
                wanted_speeches.add(d)
        judged[case.essay_id] = grades
    present = set(store.document_ids())
    for doc_id in sorted(wanted_speeches - present):
        store.put(speeches.document(doc_id))
    # Recognition histories of countries no case names: only distractors, and costly
    # to embed; keep them out of the bench archive.
    to_embed = [d for d in store.document_ids() if not d.startswith("rdcr:") or d in wanted_rdcr]
    speeches.close()
    return store, earlier, cases, {k: v for k, v in judged.items() if v}, to_embed


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum(grades.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    relevant = {d for d, g in grades.items() if g > 0}
    return len(relevant & set(ranked[:k])) / min(len(relevant), k) if relevant else 0.0


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


def ann_figures(
    base: np.ndarray, queries: np.ndarray, k: int = 10, repeats: int = 3
) -> tuple[float, float, float, float]:
    """Recall@k of the usearch index against exact search; build s; exact and ANN ms/query."""
    keys = [PassageKey("", i, 0, 0) for i in range(len(base))]
    started = time.perf_counter()
    index = PassageIndex.build(keys, base)
    build_s = time.perf_counter() - started
    exact_s = ann_s = math.inf
    for _ in range(repeats):
        t = time.perf_counter()
        exact = index.exact_search(queries, k)
        exact_s = min(exact_s, time.perf_counter() - t)
        t = time.perf_counter()
        approx = index.search(queries, k)
        ann_s = min(ann_s, time.perf_counter() - t)
    hits = sum(
        len({n.key.passage for n in e} & {n.key.passage for n in a})
        for e, a in zip(exact, approx, strict=True)
    )
    recall = hits / (k * len(queries))
    return recall, build_s, 1000 * exact_s / len(queries), 1000 * ann_s / len(queries)


def ann_row(name: str, rows: int, queries: int, *figures: float) -> list[str]:
    recall, build_s, exact_ms, ann_ms = figures
    return [name, f"{rows:,}", str(queries), f"{recall:.4f}", f"{build_s:.1f}",
            f"{exact_ms:.3f}", f"{ann_ms:.3f}", f"{exact_ms / ann_ms:.1f}x"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--speeches-per-case", type=int, default=4)
    parser.add_argument("--ann-size", type=int, default=100_000, help="rows of the reuse set")
    parser.add_argument("--limit", type=int, default=0, help="at most this many cases")
    parser.add_argument("--throughput-sample", type=int, default=256)
    args = parser.parse_args()

    store, earlier, cases, judged, to_embed = bench_archive(args.cache, args.speeches_per_case)
    in_archive = set(store.document_ids())
    cases = [c for c in cases if c.essay_id in judged][: args.limit or None]
    embedder = load_embedder()
    print(f"{len(cases)} cases; embedding {len(to_embed):,} documents (once, then cached)")
    summary = embed_archive(store, embedder, doc_ids=to_embed)
    if summary.passages:
        print(f"embedded {summary.passages:,} passages in {summary.seconds:.0f}s")

    # -- part 1: retrieval quality per mode ---------------------------------------
    finder = ParallelFinder(
        store, args.cache / f"parallels-{args.speeches_per_case}" / "ann", embedder
    )
    scores: dict[str, list[tuple[float, float]]] = {m: [] for m in MODES}
    for case in cases:
        doc = (store if case.essay_id in in_archive else earlier).document(case.essay_id)
        profile = understand(store, Article(doc.title, doc.body, source=case.essay_id))
        for mode in MODES:
            ranked, *_ = finder.rank(profile, mode, exclude={case.essay_id})
            ids = [h.doc_id for h in ranked]
            grades = judged[case.essay_id]
            scores[mode].append((ndcg_at(ids, grades), recall_at(ids, grades)))
    judged_docs = sum(len(judged[c.essay_id]) for c in cases)
    table(
        f"Retrieval: {len(cases)} Milestones essays as queries, {judged_docs} judged documents, "
        f"archive of {len(store.document_ids()):,} documents",
        ["mode", "nDCG@10", "recall@10"],
        [
            [m, f"{np.mean([s[0] for s in v]):.3f}", f"{np.mean([s[1] for s in v]):.3f}"]
            for m, v in scores.items()
        ],
    )

    # -- part 2: embedding throughput ----------------------------------------------
    sample: list[str] = []
    for doc_id in store.document_ids():
        if doc_id.startswith("ungdc:"):
            sample += [p.text for p in split_passages(store.document(doc_id).body)]
        if len(sample) >= args.throughput_sample:
            break
    sample = sample[: args.throughput_sample]
    embedder.encode(sample[:8])  # warm
    t = time.perf_counter()
    embedder.encode(sample)
    per_s = len(sample) / (time.perf_counter() - t)
    full = ungdc_archive()
    ids = full.document_ids()
    probe = ids[:: max(1, len(ids) // 400)]
    per_speech = np.mean([len(split_passages(full.document(d).body)) for d in probe])
    full_passages = int(per_speech * len(ids))
    full.close()
    table(
        "Embedding (all-MiniLM-L6-v2, CPU, batch 32)",
        ["passages", "passages/s", "UNGDC speeches", "passages/speech", "UNGDC passages",
         "est. time for UNGDC"],
        [[str(len(sample)), f"{per_s:.1f}", f"{len(ids):,}", f"{per_speech:.1f}",
          f"{full_passages:,}", f"{full_passages / per_s / 3600:.1f} h"]],
    )  # fmt: skip

    # -- part 3: the approximate index against exact search --------------------------
    base_rows: list[np.ndarray] = []
    query_rows: list[np.ndarray] = []
    for v in store.passage_vectors(embedder.name):
        (query_rows if v.doc_id.startswith("milestones:") else base_rows).append(as_array(v.vector))
    base = np.vstack(base_rows)
    queries = np.vstack(query_rows)[:1000]
    rows = []
    recall, build_s, exact_ms, ann_ms = ann_figures(base, queries)
    rows.append(ann_row("real vectors", len(base), len(queries), recall, build_s, exact_ms, ann_ms))
    rng = np.random.default_rng(5)
    size = args.ann_size
    reused = base[rng.integers(0, len(base), size)] + rng.normal(0, 0.02, (size, base.shape[1]))
    reused = (reused / np.linalg.norm(reused, axis=1, keepdims=True)).astype(np.float32)
    recall, build_s, exact_ms, ann_ms = ann_figures(reused, queries)
    rows.append(
        ann_row("real reused + noise", size, len(queries), recall, build_s, exact_ms, ann_ms)
    )
    table(
        f"ANN (usearch HNSW) vs exact search, recall@10; full UNGDC ≈ {full_passages:,} passages",
        ["set", "rows", "queries", "recall@10", "build s", "exact ms/q", "ANN ms/q", "speed-up"],
        rows,
    )
    store.close()
    earlier.close()


if __name__ == "__main__":
    main()
