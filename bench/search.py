"""Search speed over the whole UN General Debate Corpus: declass beside Tantivy and FTS5.

The same fixed mix of 220 queries (words, two-word, phrases, fielded, date-ranged,
faceted) runs against: declass (search + all facet counts; snippets off, and once
with snippets on), Tantivy (tantivy-py, English stemming; top 10 + count) and plain
SQLite FTS5 with default settings (top 10 by bm25 + count). All index the same text,
in this process, in this run. Prints p50/p95 latency, throughput and index size: in
the steady state (the mix's second pass) and, for declass and Tantivy, on the first
pass, where each name is new to the process and declass generates its spellings.
declass's cache of totals and facets is dropped before every query.

    .venv/bin/python bench/search.py [--tarball PATH] [--cache DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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
    specs += [Spec(p, phrase=True) for p in PAIRS]  # same phrases a second time: warm
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


def build_tantivy(store: Store, folder: Path) -> tuple[Callable[[Spec], object], int]:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", tokenizer_name="en_stem")
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

    def run(spec: Spec) -> object:
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
        result = searcher.search(tantivy.Query.boolean_query(parts), 10, count=True)
        return [searcher.doc(a)["id"][0] for _, a in result.hits], result.count

    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    return run, size


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
    print(f"{len(store.document_ids()):,} speeches, {len(specs)} queries")
    work = Path(tempfile.mkdtemp(prefix="declass-bench-"))
    try:
        started = time.perf_counter()
        tantivy_run, tantivy_size = build_tantivy(store, work / "tantivy")
        print(f"tantivy indexed in {time.perf_counter() - started:.0f}s")
        started = time.perf_counter()
        fts_run, fts_size = build_fts5(store, work / "fts5.sqlite3")
        print(f"plain fts5 indexed in {time.perf_counter() - started:.0f}s")
        index = store._search.index  # type: ignore[attr-defined]

        def declass_run(spec: Spec, snippets: bool) -> object:
            # Every query counts its total and facets anew: the cache that answers a
            # repeated query (paging, a second reader) is left out of the comparison.
            index.forget_counts()
            return search(store, spec.declass(), snippets=snippets)

        declass_size = declass_index_size(store)
        facets_first, facets = timed(lambda s: declass_run(s, False), specs)
        _, snippets = timed(lambda s: declass_run(s, True), specs)
        tantivy_first, tantivy = timed(tantivy_run, specs)
        _, fts = timed(fts_run, specs)
        rows = [
            ("declass (+ facets)", facets, declass_size),
            ("declass (+ facets, snippets)", snippets, declass_size),
            ("tantivy 0.27 (top 10 + count)", tantivy, tantivy_size),
            ("sqlite fts5 default (top 10 + count)", fts, fts_size),
        ]
        first = [
            ("declass (+ facets), first pass", facets_first, declass_size),
            ("tantivy 0.27, first pass", tantivy_first, tantivy_size),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table("steady state (second pass over the mix)", rows)
    print_table("first pass (every name new to the process)", first)


def print_table(title: str, rows: list[tuple[str, list[float], int]]) -> None:
    peer_p95 = statistics.quantiles(next(t for n, t, _ in rows if "tantivy" in n), n=20)[18]
    print(
        f"\n{title}\n{'engine':40} {'p50 ms':>8} {'p95 ms':>8} {'q/s':>8} {'index MB':>9} "
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
