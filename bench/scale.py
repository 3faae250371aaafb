"""How declass grows: ingest rate and search latency on SQLite and PostgreSQL.

Records are UNGDC speeches split into paragraphs (a line of at least 80 characters:
about 239,000 in the corpus, one document each, with the speech's country and year),
so 100k or 1M records are real text; past the corpus's end the paragraphs are read
again under new ids. Each backend gets the same records
through `Store.put_many` (batches of 1,000, one transaction each), then runs a fixed
mix of queries through the search engine (with every facet, snippets off): p50/p95
over the mix, each query's facets counted anew (no cache), and how many of the mix's
queries were broad enough to be counted on the sample (see docs/architecture.md,
"Bounded work on large archives"). PostgreSQL searches through the Tantivy index each
app server derives from its rows (store/postgres_index.py); the same archive is also
searched the way it was before, with PostgreSQL's own full-text search (ts_rank, facets
counted in SQL), in the row "postgresql-sql". PostgreSQL is a throwaway cluster on
loopback (durable: fsync on, synchronous_commit off, which matches SQLite's WAL with
synchronous=NORMAL) unless --pg-url names a server. The load average is printed with
each row.

    .venv/bin/python bench/scale.py [--sizes 100000,1000000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import itertools
import re
import shutil
import statistics
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from declass.model import (  # noqa: E402
    Block,
    BlockKind,
    CountryRef,
    Document,
    DocumentType,
    HistoricalDate,
    Text,
    TextRole,
)
from declass.search.engine import search  # noqa: E402
from declass.store import open_store  # noqa: E402
from declass.store.base import SearchPage, SearchRequest, Store  # noqa: E402

TARBALL = ROOT.parent / "shared" / "corpora" / "ungdc" / "UNGDC_1946-2022.tgz"
BATCH = 1000  # records a transaction
_NAME = re.compile(r"([A-Z]{3})_(\d+)_(\d{4})\.txt$")

QUERIES = [
    *[
        "peace",
        "war",
        "nuclear",
        "disarmament",
        "apartheid",
        "colonialism",
        "sovereignty",
        "development",
        "terrorism",
        "refugees",
        "climate",
        "Palestine",
        "Korea",
        "Vietnam",
        "Cuba",
        "Namibia",
    ],
    "nuclear weapons",
    "human rights",
    "economic development",
    "Security Council reform",
    '"peaceful coexistence"',
    '"arms race"',
    '"new international economic order"',
    "peace country:RUS",
    "development country:IND",
    "disarmament date:1960..1969",
    "apartheid date:1980..1989",
    "independence decade:1960s",
    "nuclear NOT weapons",
    "Korea OR Vietnam",
    "title:Cuba",
    "decoloniz*",
]


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a speech, read before the clock (a Document is made inside it)."""

    doc_id: str
    title: str
    country: str
    year: str
    text: str

    def document(self) -> Document:
        return Document(
            id=self.doc_id,
            title=self.title,
            doc_type=DocumentType.SPEECH,
            texts=(Text("en", TextRole.ORIGINAL, (Block(BlockKind.PARAGRAPH, self.text),)),),
            date=HistoricalDate.parse(self.year),
            countries=(CountryRef(self.country, self.country),),
        )


def paragraphs(tarball: Path) -> Iterator[Paragraph]:
    """Paragraphs of at least 80 characters (a line of the speech's text file: about
    239,000 in the corpus, 530 characters on average), forever."""
    generation = 0
    while True:
        suffix = f":r{generation}" if generation else ""
        with tarfile.open(tarball) as tar:
            for member in tar:
                found = _NAME.search(PurePosixPath(member.name).name)
                if not member.isfile() or not found:
                    continue
                raw = tar.extractfile(member)
                if raw is None:
                    continue
                code, session, year = found.groups()
                text = raw.read().decode("utf-8-sig", errors="replace")
                paras = [p.strip() for p in text.split("\n")]
                for i, para in enumerate(p for p in paras if len(p) >= 80):
                    yield Paragraph(
                        f"scale:{code}_{session}_{year}:{i}{suffix}",
                        f"{code} {year}, paragraph {i + 1}",
                        code,
                        year,
                        para,
                    )
        generation += 1


@dataclass
class Measure:
    backend: str
    size: int
    ingest_seconds: float
    p50_ms: float
    p95_ms: float
    estimated: int  # queries of the mix whose counts came from the sample
    load: str = ""

    @property
    def rate(self) -> float:
        return self.size / self.ingest_seconds


class InSQL:
    """A PostgreSQL store searched with PostgreSQL's own full-text search."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def search(self, request: SearchRequest) -> SearchPage:
        return self._store.search_in_sql(request)  # type: ignore[attr-defined,no-any-return]


def time_mix(store: Store, label: str) -> tuple[float, float, int, str]:
    """p50 and p95 over the mix (each query twice, facets counted anew), the queries
    counted on the sample, and the load average over the timing."""
    before = load_average()
    estimated = 0
    for q in QUERIES:  # warm caches once; then time every query of the mix
        estimated += not search(store, q, snippets=False).exact
    times = []
    for _ in range(2):
        clear_counts(store)  # each query's facets counted anew in each round
        for q in QUERIES:
            t = time.perf_counter()
            search(store, q, snippets=False)
            times.append((time.perf_counter() - t) * 1000)
    cuts = statistics.quantiles(times, n=20)
    slowest = sorted(zip(times, QUERIES * 2, strict=True), reverse=True)[:6]
    print(
        f"  {label}: slowest " + ", ".join(f"{q} {t:.1f} ms" for t, q in slowest),
        file=sys.stderr,
    )
    return statistics.median(times), cuts[18], estimated, f"{before} → {load_average()}"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def measure(
    backend: str, size: int, open_empty: Callable[[], Store], tarball: Path
) -> list[Measure]:
    records = list(itertools.islice(paragraphs(tarball), size))  # read before the clock
    store = open_empty()
    try:
        started = time.perf_counter()
        run = store.start_run([str(tarball)])  # as `declass ingest` does
        for start in range(0, size, BATCH):
            store.put_many([p.document() for p in records[start : start + BATCH]], run)
            done = min(start + BATCH, size)
            if done % 50000 == 0:
                rate = done / (time.perf_counter() - started)
                print(f"  {backend} {done:,}/{size:,} ({rate:,.0f}/s)", file=sys.stderr)
        del records
        # The end of a run: PostgreSQL analyses its tables; the embedded index publishes
        # what it has staged when it is first searched.
        store.finish_run(run, size, 0, 0)
        search(store, "settle", snippets=False)
        ingest_seconds = time.perf_counter() - started
        p50, p95, estimated, load = time_mix(store, f"{backend} {size:,}")
        found = [Measure(backend, size, ingest_seconds, p50, p95, estimated, load)]
        if backend == "postgresql":
            p50, p95, estimated, load = time_mix(InSQL(store), f"postgresql-sql {size:,}")
            found.append(Measure("postgresql-sql", size, ingest_seconds, p50, p95, estimated, load))
        return found
    finally:
        store.close()


def clear_counts(store: Store) -> None:
    """Forget the Tantivy index's cached totals and facets (SQLite's, or the one derived
    from PostgreSQL; PostgreSQL's own search keeps none)."""
    holder = getattr(store, "_search", None) or getattr(store, "_derived", None)
    index = getattr(holder, "index", None)
    if index is not None:
        index.forget_counts()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="Record counts: 10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--tarball", type=Path, default=TARBALL)
    parser.add_argument("--pg-url", help="A PostgreSQL server to use (a database per size)")
    parser.add_argument("--keep", type=Path, help="Build the SQLite archives here and keep them")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    backends = args.backends.split(",")
    work = args.keep or Path(tempfile.mkdtemp(prefix="declass-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    cluster = None
    server = args.pg_url
    if "postgresql" in backends and server is None:
        from tests.pgcluster import Cluster

        cluster = Cluster.create("declass-scale-pg")
        cluster.start(fsync="on", full_page_writes="on", synchronous_commit="off")
        server = cluster.url()
    results: list[Measure] = []
    try:
        for backend in backends:
            for size in sizes:

                def open_empty(backend: str = backend, size: int = size) -> Store:
                    if backend == "sqlite":
                        path = work / f"scale-{size}.sqlite3"
                        for old in work.glob(path.name + "*"):  # a fresh archive
                            shutil.rmtree(old) if old.is_dir() else old.unlink()
                        return open_store(path)
                    import psycopg

                    assert server is not None
                    name = f"declass_scale_{size}"
                    with psycopg.connect(server, autocommit=True) as admin:
                        admin.execute(f"DROP DATABASE IF EXISTS {name}")
                        admin.execute(f"CREATE DATABASE {name}")
                    return open_store(urlunsplit(urlsplit(server)._replace(path="/" + name)))

                print(f"{backend}: {size:,} records ...", file=sys.stderr)
                results += measure(backend, size, open_empty, args.tarball)
    finally:
        if cluster is not None:
            cluster.destroy()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print_table(results, sizes)


def print_table(results: list[Measure], sizes: list[int]) -> None:
    print(
        f"{'backend':<14} {'records':>9} {'ingest/s':>9} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'estimated':>10}  load (1/5/15 min, before → after the mix)"
    )
    for m in results:
        print(
            f"{m.backend:<14} {m.size:>9,} {m.rate:>9,.0f} {m.p50_ms:>8.1f} {m.p95_ms:>8.1f}"
            f" {m.estimated:>4} of {len(QUERIES)}  {m.load}"
        )
    for size in sizes:
        lite = next((m for m in results if m.backend == "sqlite" and m.size == size), None)
        for m in results:
            if lite is not None and m.size == size and m.backend != "sqlite":
                ratio = m.p95_ms / lite.p95_ms
                print(f"{size:,} records: {m.backend} p95 ÷ sqlite p95 = {ratio:.1f}×")
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"\ngrowth {small:,} → {large:,} records ({large / small:.0f}× the records):")
        for backend in dict.fromkeys(m.backend for m in results):
            a = next(m for m in results if m.backend == backend and m.size == small)
            b = next(m for m in results if m.backend == backend and m.size == large)
            print(
                f"  {backend:<14} ingest rate ×{b.rate / a.rate:.2f}"
                f"   p50 ×{b.p50_ms / a.p50_ms:.2f}   p95 ×{b.p95_ms / a.p95_ms:.2f}"
            )


if __name__ == "__main__":
    main()
