"""Search speed over the whole UN General Debate Corpus: declass beside Tantivy and FTS5.

The same fixed mix of about 200 distinct queries (words, two-word, phrases, fielded,
date-ranged, faceted) runs against: declass (search + all facet counts; snippets off,
and once with snippets on), Tantivy (tantivy-py, English stemming; top 10 + count, and
once with its own SnippetGenerator over a stored body) and plain SQLite FTS5 with
default settings (top 10 by bm25 + count). All index the same text, in this process,
in this run. Both engines get the same threads: on two cores declass counts its total
and facets on a second thread while it ranks the page, and so does the Tantivy peer
(its count on a second thread, its top 10 on this one); the one-core table pins the
whole process, both engines, to one core. Prints p50/p95 latency, throughput and
index size, in the steady state (the mix's second pass) and, on two cores, on the
first pass, where each name is new to the process and declass generates its
spellings. declass's cache of totals and facets is off. The load average of the
machine is printed beside each table.

    .venv/bin/python bench/search.py [--tarball PATH] [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import CACHE, TARBALL, ungdc_archive
from declass.search.engine import search
from declass.store.base import Store

WORDS = [
    "peace",
    "war",
    "nuclear",
    "disarmament",
    "apartheid",
    "colonialism",
    "sovereignty",
    "development",
    "terrorism",
    "climate",
    "refugees",
    "human",
    "rights",
    "independence",
    "aggression",
    "imperialism",
    "cooperation",
    "security",
    "council",
    "charter",
    "poverty",
    "debt",
    "famine",
    "oil",
    "embargo",
    "sanctions",
    "Palestine",
    "Israel",
    "Korea",
    "Vietnam",
    "Cuba",
    "Afghanistan",
    "Namibia",
    "Rhodesia",
    "Congo",
    "Kashmir",
    "Cyprus",
    "Berlin",
    "Suez",
    "Biafra",
    "Kampuchea",
    "Timor",
    "Bosnia",
    "Kosovo",
    "Iraq",
    "Syria",
    "Libya",
    "Yemen",
    "Gromyko",
    "Khrushchev",
    "Brezhnev",
    "Gorbachev",
    "Kissinger",
    "Reagan",
    "Nehru",
    "Castro",
    "Tito",
    "Mandela",
    "détente",
    "hegemonism",
    "non-aligned",
    "decolonization",
    "trusteeship",
    "veto",
    "ozone",
    "pandemic",
    "millennium",
    "globalization",
    "internet",
    "cyber",
    "migration",
    "drought",
    "desertification",
    "peacekeeping",
    "multilateralism",
    "hijacking",
    "mercenaries",
    "genocide",
]
PAIRS = [
    ("nuclear", "weapons"),
    ("human", "rights"),
    ("arms", "race"),
    ("developing", "countries"),
    ("cold", "war"),
    ("middle", "east"),
    ("south", "africa"),
    ("climate", "change"),
    ("security", "council"),
    ("self", "determination"),
    ("economic", "order"),
    ("sustainable", "development"),
    ("test", "ban"),
    ("foreign", "debt"),
    ("general", "disarmament"),
    ("peaceful", "coexistence"),
    ("racial", "discrimination"),
    ("outer", "space"),
    ("international", "terrorism"),
    ("third", "world"),
]
COUNTRIES = ["USA", "RUS", "CHN", "FRA", "GBR", "IND", "BRA", "EGY", "CUB", "NGA"]


@dataclass(frozen=True)
class Spec:
    """One query, said the way each engine understands it."""

    words: tuple[str, ...]
    phrase: bool = False
    title: bool = False
    country: str | None = None
    years: tuple[int, int] | None = None

    def declass(self) -> str:
        text = " ".join(self.words)
        text = f'"{text}"' if self.phrase else text
        text = f"title:{text}" if self.title else text
        if self.country:
            text += f" country:{self.country}"
        if self.years:
            text += f" date:{self.years[0]}..{self.years[1]}"
        return text


def query_mix() -> list[Spec]:
    specs: list[Spec] = [Spec((w,)) for w in WORDS[:80]]
    specs += [Spec(p) for p in PAIRS]  # 20 two-word
    specs += [Spec(p, phrase=True) for p in PAIRS]  # 20 phrases
    specs += [
        Spec((w,), title=True)
        for w in (
            "Gromyko",
            "Reagan",
            "Castro",
            "Nehru",
            "Tito",
            "Bush",
            "Obama",
            "Khrushchev",
            "Eisenhower",
            "Kennedy",
        )
    ]  # 10 fielded
    for i, w in enumerate(WORDS[:30]):  # 30 date-ranged
        start = 1946 + (i * 7) % 70
        specs.append(Spec((w,), years=(start, start + 9)))
    for i, w in enumerate(WORDS[30:60]):  # 30 faceted
        specs.append(Spec((w,), country=COUNTRIES[i % len(COUNTRIES)]))
    for i, p in enumerate(PAIRS):  # 20 phrase + country + dates
        specs.append(Spec(p, phrase=True, country=COUNTRIES[i % 10], years=(1950, 1999)))
    return specs


def timed(run: Callable[[Spec], object], specs: list[Spec]) -> tuple[list[float], list[float]]:
    """Each query's time on a first pass over the mix (after a short warm-up of the
    page cache and, with one name, the romanisation tables a server loads once), and on
    a second pass: the steady state of a server, whose caches of names already hold
    the mix's (declass's counts of totals and facets are dropped before each query)."""
    for s in [*specs[:20], Spec(("Zhou",))]:
        run(s)
    passes: tuple[list[float], list[float]] = ([], [])
    for out in passes:
        for s in specs:
            t = time.perf_counter()
            run(s)
            out.append(time.perf_counter() - t)
    return passes


def build_tantivy(
    store: Store, folder: Path, pool: ThreadPoolExecutor
) -> tuple[Callable[[Spec], object], Callable[[Spec], object], int]:
    """The peer: its top 10 ranked on this thread while its count runs on `pool` (as
    declass counts); and the same with a snippet of each hit from its SnippetGenerator."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("country", tokenizer_name="raw")
    builder.add_integer_field("year", indexed=True, fast=True)
    schema = builder.build()
    folder.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(folder))
    writer = index.writer(heap_size=256_000_000)
    for doc in store.documents():
        writer.add_document(
            tantivy.Document(
                id=doc.id,
                title=doc.title,
                body=doc.body,
                country=doc.countries[0].code,
                year=doc.date.year if doc.date and doc.date.year else 0,
            )
        )
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()

    def query(spec: Spec) -> Any:
        text = " ".join(spec.words)
        text = f'"{text}"' if spec.phrase else " AND ".join(spec.words)
        fields = ["title"] if spec.title else ["title", "body"]
        parts = [(tantivy.Occur.Must, index.parse_query(text, fields))]
        if spec.country:
            parts.append(
                (tantivy.Occur.Must, tantivy.Query.term_query(schema, "country", spec.country))
            )
        if spec.years:
            parts.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.range_query(
                        schema, "year", tantivy.FieldType.Integer, spec.years[0], spec.years[1]
                    ),
                )
            )
        return tantivy.Query.boolean_query(parts)

    def top(q: Any) -> tuple[list[Any], int]:
        counting = pool.submit(lambda: searcher.search(q, 1, count=True).count)
        hits = searcher.search(q, 10, count=False).hits
        return hits, counting.result()

    def run(spec: Spec) -> object:
        hits, count = top(query(spec))
        return [searcher.doc(a)["id"][0] for _, a in hits], count

    def run_with_snippets(spec: Spec) -> object:
        q = query(spec)
        hits, count = top(q)
        snippets = tantivy.SnippetGenerator.create(searcher, q, schema, "body")
        snippets.set_max_num_chars(240)
        docs = [searcher.doc(a) for _, a in hits]
        return [(d["id"][0], snippets.snippet_from_doc(d).to_html()) for d in docs], count

    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return run, run_with_snippets, size


def build_fts5(store: Store, path: Path) -> tuple[Callable[[Spec], object], int]:
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, body,"
        " country UNINDEXED, year UNINDEXED)"
    )
    with db:
        db.executemany(
            "INSERT INTO t VALUES (?,?,?,?,?)",
            (
                (d.id, d.title, d.body, d.countries[0].code, d.date.year if d.date else 0)
                for d in store.documents()
            ),
        )
    db.execute("INSERT INTO t(t) VALUES ('optimize')")
    db.commit()

    def run(spec: Spec) -> object:
        terms = [f'"{w}"' for w in spec.words]
        match = f'"{" ".join(spec.words)}"' if spec.phrase else " AND ".join(terms)
        if spec.title:
            match = f"title : {match}"
        where, args = "t MATCH ?", [match]
        if spec.country:
            where += " AND country = ?"
            args.append(spec.country)
        if spec.years:
            where += " AND year BETWEEN ? AND ?"
            args += [spec.years[0], spec.years[1]]
        top = db.execute(f"SELECT id FROM t WHERE {where} ORDER BY rank LIMIT 10", args)
        ids = [r[0] for r in top]
        count = db.execute(f"SELECT count(*) FROM t WHERE {where}", args).fetchone()[0]
        return ids, count

    return run, path.stat().st_size


def declass_index_size(store: Store) -> int:
    """The Tantivy index folder plus the search_docs table that keys it."""
    from declass.store.sqlite_search import index_folder

    db: sqlite3.Connection = store.db  # type: ignore[attr-defined]
    row = db.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_%'").fetchone()
    folder = index_folder(store.path)  # type: ignore[attr-defined]
    return int(row[0] or 0) + sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tarball", type=Path, default=TARBALL)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()
    store = ungdc_archive(args.tarball, args.cache)
    specs = query_mix()
    assert len(set(specs)) == len(specs), "a query of the mix is repeated"
    print(f"{len(store.document_ids()):,} speeches, {len(specs)} distinct queries")
    work = Path(tempfile.mkdtemp(prefix="declass-bench-"))
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="peer-count")
    try:
        started = time.perf_counter()
        tantivy_run, tantivy_snippets, tantivy_size = build_tantivy(store, work / "tantivy", pool)
        print(f"tantivy indexed in {time.perf_counter() - started:.0f}s")
        started = time.perf_counter()
        fts_run, fts_size = build_fts5(store, work / "fts5.sqlite3")
        print(f"plain fts5 indexed in {time.perf_counter() - started:.0f}s")
        index = store._search.index  # type: ignore[attr-defined]
        # Every query counts its total and facets anew: the cache that answers a
        # repeated query (paging, a second reader) is off.
        index.cache_counts = False

        def declass_run(spec: Spec, snippets: bool) -> object:
            return search(store, spec.declass(), snippets=snippets)

        declass_size = declass_index_size(store)
        cores = sorted(os.sched_getaffinity(0))
        tables = []
        for label, allowed in (("two cores", cores[:2]), ("one core", cores[:1])):
            pin(allowed)
            load = load_average()
            facets_first, facets = timed(lambda s: declass_run(s, False), specs)
            _, snippets = timed(lambda s: declass_run(s, True), specs)
            tantivy_first, tantivy = timed(tantivy_run, specs)
            _, tantivy_snip = timed(tantivy_snippets, specs)
            _, fts = timed(fts_run, specs)
            load = f"{load} → {load_average()}"
            rows = [
                ("declass (+ facets)", facets, declass_size),
                ("declass (+ facets, snippets)", snippets, declass_size),
                ("tantivy 0.27 (top 10 + count)", tantivy, tantivy_size),
                ("tantivy 0.27 (+ SnippetGenerator)", tantivy_snip, tantivy_size),
                ("sqlite fts5 default (top 10 + count)", fts, fts_size),
            ]
            tables.append((f"steady state (second pass over the mix), {label}", rows, load))
            if label == "two cores":
                first = [
                    ("declass (+ facets), first pass", facets_first, declass_size),
                    ("tantivy 0.27, first pass", tantivy_first, tantivy_size),
                ]
                tables.append((f"first pass (every name new to the process), {label}", first, load))
        pin(cores)
    finally:
        pool.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    for title, rows, load in tables:
        print_table(title, rows, load)


def pin(cpus: list[int]) -> None:
    """Every thread of this process (Tantivy's and the counting pools' too) on `cpus`."""
    for task in Path("/proc/self/task").iterdir():
        os.sched_setaffinity(int(task.name), cpus)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def print_table(title: str, rows: list[tuple[str, list[float], int]], load: str) -> None:
    peer_p95 = statistics.quantiles(next(t for n, t, _ in rows if "tantivy" in n), n=20)[18]
    print(
        f"\n{title}; load average (1/5/15 min) {load}\n"
        f"{'engine':40} {'p50 ms':>8} {'p95 ms':>8} {'q/s':>8} {'index MB':>9} "
        f"{'p95 / tantivy':>14}"
    )
    for name, times, size in rows:
        p50 = statistics.median(times) * 1000
        p95 = statistics.quantiles(times, n=20)[18] * 1000
        qps = len(times) / sum(times)
        print(
            f"{name:40} {p50:8.2f} {p95:8.2f} {qps:8.0f} {size / 1e6:9.1f} "
            f"{p95 / (peer_p95 * 1000):13.1f}x"
        )


if __name__ == "__main__":
    main()
