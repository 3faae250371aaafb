"""The reading room under load, beside Datasette serving the same SQLite file, fairly.

Both servers run on loopback over the archive of every UN General Debate speech
(bench/_corpus.py builds it once). declass searches through its Tantivy index and
renders its search page: ten hits with snippets and every facet counted. Datasette,
at its default settings, serves its table page with full-text search over an FTS5
table this script adds to the same file once (`bench_docs` with the speech's country,
speaker, year and decade, and `bench_fts` holding the same analysed words declass
indexes), ten rows a page (`_size=10`, the page declass shows) and the facets the
speeches vary by (country, speaker, decade, year).

Every request is distinct: QUERIES one- and two-word queries drawn at random from
the corpus's vocabulary (words in at least 10 speeches), none repeated, so no cache
can answer; declass is also started with its caches off (`--no-cache`: no result, page
or count is kept; only the catalogue's collections and facet labels are, which are the
same for every query and answer none). Each target
is loaded by CONCURRENCY clients in a separate process (a small HTTP/1.1 client on
asyncio, so that the load generator takes little of the two cores) until its share of
the queries is used up or SECONDS pass. The "slow query" row adds one more client that
asks a slow query over and over, and reports the others' latency. The cached row
(labelled) repeats 20 queries against declass with its caches on: what a reading room
gives readers who page and click facets, never the headline.

    .venv/bin/python bench/web.py [--seconds 30] [--concurrency 16] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

QUERIES = 2500
MIN_DOCS = 10  # a word of the vocabulary is in at least this many speeches
# A query of the reading room's language that makes the engine work (a prefix reads
# every word beginning so, a phrase every pair): the "slow query".
SLOW_QUERY = 'pe* OR co* OR de* OR in* OR pr* OR re* OR "united nations"'
CACHED_WORDS = [
    "peace",
    "nuclear",
    "disarmament",
    "apartheid",
    "colonialism",
    "sovereignty",
    "development",
    "terrorism",
    "refugees",
    "palestine",
    "korea",
    "vietnam",
    "oil",
    "debt",
    "climate",
    "gromyko",
    "khrushchev",
    "namibia",
    "cuba",
    "hunger",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def wait_until_up(url: str, timeout: float = 180.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=30).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


# -- the load generator (runs in its own process) ------------------------------------


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """One GET on a kept-alive connection; the body is read whole and dropped."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _load(job: dict[str, object]) -> dict[str, object]:
    host, port = str(job["host"]), int(job["port"])  # type: ignore[call-overload]
    paths: list[str] = list(job["paths"])  # type: ignore[call-overload]
    slow = job.get("slow")
    seconds = float(job["seconds"])  # type: ignore[arg-type]
    concurrency = int(job["concurrency"])  # type: ignore[call-overload]
    latencies: list[float] = []
    slow_latencies: list[float] = []
    errors = 0
    queue = iter(paths)
    deadline = time.perf_counter() + seconds

    async def client(measured: bool) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                path = next(queue, None) if measured else str(slow)
                if path is None:
                    return
                started = time.perf_counter()
                try:
                    status = await _get(reader, writer, path)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                (latencies if measured else slow_latencies).append(time.perf_counter() - started)
                errors += status != 200
        finally:
            writer.close()

    started = time.perf_counter()
    measured = [asyncio.create_task(client(True)) for _ in range(concurrency)]
    extra = [asyncio.create_task(client(False))] if slow else []
    await asyncio.gather(*measured)
    elapsed = time.perf_counter() - started
    for task in extra:
        task.cancel()
    await asyncio.gather(*extra, return_exceptions=True)
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "latencies": latencies,
        "slow": slow_latencies,
        "errors": errors,
    }


def measure(
    port: int,
    paths: list[str],
    seconds: float,
    concurrency: int,
    slow: str | None = None,
) -> dict[str, object]:
    """Run the load generator in a separate process and read its result."""
    job = {
        "host": "127.0.0.1",
        "port": port,
        "paths": paths,
        "seconds": seconds,
        "concurrency": concurrency,
        "slow": slow,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(job, f)
    before = load_average()
    out = subprocess.run(
        [sys.executable, __file__, "--load", f.name], check=True, capture_output=True, text=True
    )
    os.unlink(f.name)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["load"] = f"{before} → {load_average()}"
    return result  # type: ignore[no-any-return]


def load_main(spec_file: str) -> None:
    job = json.loads(Path(spec_file).read_text())
    print(json.dumps(asyncio.run(_load(job))))


# -- the run --------------------------------------------------------------------------


def add_datasette_tables(store: object) -> None:
    """Datasette's side of the file: the speeches' facts and an FTS5 index of the
    analysed words declass indexes, row for row with search_docs (made once)."""
    from declass.store.index_fields import index_columns, index_facts

    db = store.db  # type: ignore[attr-defined]
    if db.execute("SELECT 1 FROM sqlite_master WHERE name='bench_docs'").fetchone():
        return
    db.execute("DROP TABLE IF EXISTS bench_fts")
    db.execute(
        "CREATE TABLE bench_docs (rowid INTEGER PRIMARY KEY, doc_id TEXT, title TEXT,"
        " country TEXT, speaker TEXT, year TEXT, decade TEXT)"
    )
    db.execute("CREATE VIRTUAL TABLE bench_fts USING fts5(title, heading, body, note, people)")
    rows = db.execute("SELECT rowid, doc_id FROM search_docs").fetchall()
    db.execute("BEGIN")
    for rowid, doc_id in rows:
        doc = store.document(doc_id)  # type: ignore[attr-defined]
        facts = index_facts(doc)
        db.execute(
            "INSERT INTO bench_docs VALUES (?,?,?,?,?,?,?)",
            (
                rowid,
                doc_id,
                doc.title,
                facts.country_codes[0] if facts.country_codes else "",
                facts.people_names[0] if facts.people_names else "",
                facts.year,
                facts.decade,
            ),
        )
        db.execute(
            "INSERT INTO bench_fts (rowid, title, heading, body, note, people)"
            " VALUES (?,?,?,?,?,?)",
            (rowid, *index_columns(doc)),
        )
    db.execute("COMMIT")


def vocabulary_queries(store: object, n: int, seed: int = 14) -> list[str]:
    """`n` distinct queries: two in three a single word, the rest two words, drawn
    uniformly from the words (folded, as written) of at least MIN_DOCS speeches."""
    searcher = store._search.index.searcher()  # type: ignore[attr-defined]
    words = sorted(
        str(t)
        for t, docs in searcher.terms_with_prefix("exact", "")
        if int(docs) >= MIN_DOCS and str(t).isalpha() and len(str(t)) >= 3
    )
    rng = random.Random(seed)
    chosen: dict[str, None] = {}
    while len(chosen) < n:
        q = rng.choice(words) if rng.random() < 2 / 3 else " ".join(rng.sample(words, 2))
        chosen.setdefault(q, None)
    queries = list(chosen)
    rng.shuffle(queries)
    return queries


def serve_options(args: argparse.Namespace) -> list[str]:
    options = ["--workers", str(args.workers)] if args.workers else []
    if args.threads is not None:
        options += ["--threads", str(args.threads)]
    return options


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="At most, per target")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=None, help="declass serve --workers")
    parser.add_argument("--threads", type=int, default=None, help="declass serve --threads")
    parser.add_argument("--queries", type=int, default=QUERIES)
    parser.add_argument("--load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load_main(args.load)
        return

    from _corpus import CACHE, ungdc_archive
    from declass.search.analysis import index_text

    store = ungdc_archive()
    add_datasette_tables(store)
    queries = vocabulary_queries(store, args.queries + 200)
    store.close()
    warmup, queries = queries[:200], queries[200:]
    db = CACHE / "ungdc.sqlite3"
    for f in [db, *sorted((CACHE / "ungdc.sqlite3.search").iterdir())]:
        f.read_bytes()  # both servers start with the archive in the file cache
    bin_dir = Path(sys.executable).parent
    meta_path = Path(tempfile.mkdtemp()) / "metadata.json"
    meta_path.write_text(
        json.dumps(
            {
                "databases": {
                    "ungdc": {
                        "tables": {"bench_docs": {"fts_table": "bench_fts", "fts_pk": "rowid"}}
                    }
                }
            }
        )
    )
    ours, cached, theirs = free_port(), free_port(), free_port()
    env = {**os.environ, "DECLASS_HOME": str(CACHE)}
    serve = [str(bin_dir / "declass"), "serve", "--db", str(db), *serve_options(args)]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    servers = [
        subprocess.Popen([*serve, "--port", str(ours), "--no-cache"], env=env, **quiet),  # type: ignore[call-overload]
        subprocess.Popen(
            [
                str(bin_dir / "datasette"),
                "serve",
                str(db),
                "--port",
                str(theirs),
                "--metadata",
                str(meta_path),
            ],
            **quiet,  # type: ignore[arg-type]
        ),
    ]

    def declass_path(q: str) -> str:
        return "/search?" + urlencode({"q": q})

    def datasette_path(q: str) -> str:
        params = [("_search", index_text(q)), ("_size", "10")]
        params += [("_facet", f) for f in ("country", "speaker", "decade", "year")]
        return "/ungdc/bench_docs?" + urlencode(params)

    results: dict[str, dict[str, object]] = {}
    try:
        wait_until_up(f"http://127.0.0.1:{ours}/api/openapi.json")
        wait_until_up(f"http://127.0.0.1:{theirs}/-/versions.json")
        # Warm both (the index's readers, Datasette's connections) on queries left out
        # of the measured set.
        measure(ours, [declass_path(q) for q in warmup], 60, args.concurrency)
        measure(theirs, [datasette_path(q) for q in warmup[:60]], 60, args.concurrency)
        half = len(queries) // 2
        # Each target gets its own unseen queries: none is asked twice of a server.
        results["declass search page, caches off"] = measure(
            ours, [declass_path(q) for q in queries[:half]], args.seconds, args.concurrency
        )
        results["declass, with a slow query beside"] = measure(
            ours,
            [declass_path(q) for q in queries[half:]],
            args.seconds,
            args.concurrency,
            slow=declass_path(SLOW_QUERY),
        )
        results["Datasette faceted FTS page, defaults"] = measure(
            theirs, [datasette_path(q) for q in queries], args.seconds, args.concurrency
        )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    # The labelled cached row: the same 20 queries over and over, caches on.
    server = subprocess.Popen([*serve, "--port", str(cached)], env=env, **quiet)  # type: ignore[call-overload]
    try:
        wait_until_up(f"http://127.0.0.1:{cached}/api/openapi.json")
        repeated = [declass_path(w) for w in CACHED_WORDS] * 500
        measure(cached, repeated[:100], 30, args.concurrency)
        results["CACHED: declass, 20 queries repeated"] = measure(
            cached, repeated, min(args.seconds, 10), args.concurrency
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print_table(args, results, db)


def print_table(args: argparse.Namespace, results: dict[str, dict[str, object]], db: Path) -> None:
    print(
        f"\n{args.concurrency} concurrent clients, {os.cpu_count()} cores,"
        f" declass serve {' '.join(serve_options(args)) or '(its defaults)'},"
        f" Datasette at its defaults; {db.stat().st_size / 1e6:.0f} MB SQLite archive of every"
        " UNGDC speech; every request distinct unless the row says CACHED\n"
    )
    header = f"{'target':40} {'reqs':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    print(f"{header} {'errors':>6}  load (1/5/15 min, before → after)")
    for name, r in results.items():
        lat: list[float] = r["latencies"]  # type: ignore[assignment]
        rps = float(r["requests"]) / float(r["seconds"])  # type: ignore[arg-type]
        print(
            f"{name:40} {r['requests']:>6} {rps:7.1f} {percentile(lat, 50):8.1f}"
            f" {percentile(lat, 95):8.1f} {percentile(lat, 99):8.1f} {r['errors']:>6}  {r['load']}"
        )
        slow: list[float] = r["slow"]  # type: ignore[assignment]
        if slow:
            p50 = percentile(slow, 50)
            print(f"{'  (the slow query itself)':40} {len(slow):>6} {'':7} {p50:8.1f}")

    def rps(name: str) -> float:
        r = results[name]
        return float(r["requests"]) / float(r["seconds"])  # type: ignore[arg-type]

    ours, theirs = "declass search page, caches off", "Datasette faceted FTS page, defaults"
    base_p99 = percentile(results[ours]["latencies"], 99)  # type: ignore[arg-type]
    slow_p99 = percentile(results["declass, with a slow query beside"]["latencies"], 99)  # type: ignore[arg-type]
    print(
        f"\nrequests/s, declass ÷ Datasette, every request distinct, caches off:"
        f" {rps(ours) / rps(theirs):.1f}×"
        f"\np99 of the others with a slow query beside ÷ without: {slow_p99 / base_p99:.2f}×"
    )


if __name__ == "__main__":
    main()
