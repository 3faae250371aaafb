"""The reading room under load, beside Datasette serving the same SQLite file.

Both servers run as their own processes with one worker each, on loopback, over the
archive of every UN General Debate speech (bench/_corpus.py builds it once). declass
searches through its Tantivy index; Datasette searches an FTS5 table that this script
adds to the same SQLite file once (`bench_fts`, the analysed words declass indexes,
configured as the full-text index of `search_docs`), with the same analysed words. A separate
load-generator process (asyncio + httpx, CONCURRENCY requests in flight) hits each
target in turn for SECONDS and reports requests/s and latency percentiles. The same 20
queries repeat, so declass answers most from its result cache (as a reading room does
when readers page and click facets); one target makes every URL distinct to show the
uncached engine.

    .venv/bin/python bench/web.py [--seconds 8] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

WORDS = [
    "peace",
    "nuclear",
    "disarmament",
    "apartheid",
    "colonialism",
    "sovereignty",
    "development",
    "terrorism",
    "refugees",
    "Palestine",
    "Korea",
    "Vietnam",
    "oil",
    "debt",
    "climate",
    "Gromyko",
    "Khrushchev",
    "Namibia",
    "Cuba",
    "hunger",
]
DOCUMENTS = [
    "ungdc:RUS_24_1969",
    "ungdc:USA_41_1986",
    "ungdc:CHN_26_1971",
    "ungdc:IND_15_1960",
    "ungdc:FRA_56_2001",
    "ungdc:GBR_39_1984",
    "ungdc:BRA_40_1985",
    "ungdc:ZAF_02_1947",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, timeout: float = 120.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


# -- the load generator (runs in its own process) ------------------------------------


async def _load(urls: list[str], seconds: float, concurrency: int) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker(offset: int) -> None:
            nonlocal errors
            i = offset
            while time.perf_counter() < deadline:
                url = urls[i % len(urls)]
                i += concurrency
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
        "errors": errors,
    }


def load_main(spec: str) -> None:
    job = json.loads(spec)
    print(json.dumps(asyncio.run(_load(job["urls"], job["seconds"], job["concurrency"]))))


def measure(urls: list[str], seconds: float, concurrency: int) -> dict[str, float]:
    """Run the load generator in a separate process and read its result."""
    job = json.dumps({"urls": urls, "seconds": seconds, "concurrency": concurrency})
    out = subprocess.run(
        [sys.executable, __file__, "--load", job], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# -- the run --------------------------------------------------------------------------


def add_fts_table(store: object) -> None:
    """Datasette's full-text index in the archive file: FTS5 over the words declass
    indexes, row for row with search_docs (made once, kept with the cached archive)."""
    from declass.store.index_fields import index_columns

    db = store.db  # type: ignore[attr-defined]
    if db.execute("SELECT 1 FROM sqlite_master WHERE name='bench_fts'").fetchone():
        return
    db.execute("CREATE VIRTUAL TABLE bench_fts USING fts5(title, heading, body, note, people)")
    rows = db.execute("SELECT rowid, doc_id FROM search_docs").fetchall()
    db.execute("BEGIN")
    for rowid, doc_id in rows:
        columns = index_columns(store.document(doc_id))  # type: ignore[attr-defined]
        db.execute(
            "INSERT INTO bench_fts (rowid, title, heading, body, note, people)"
            " VALUES (?,?,?,?,?,?)",
            (rowid, *columns),
        )
    db.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load_main(args.load)
        return

    from _corpus import CACHE, ungdc_archive
    from declass.search.analysis import index_text

    store = ungdc_archive()
    add_fts_table(store)
    store.close()
    db = CACHE / "ungdc.sqlite3"
    bin_dir = Path(sys.executable).parent
    metadata = {
        "databases": {
            "ungdc": {"tables": {"search_docs": {"fts_table": "bench_fts", "fts_pk": "rowid"}}}
        }
    }
    meta_path = Path(tempfile.mkdtemp()) / "metadata.json"
    meta_path.write_text(json.dumps(metadata))
    ours, theirs = free_port(), free_port()
    env = {**os.environ, "DECLASS_HOME": str(CACHE)}
    servers = [
        subprocess.Popen(
            [str(bin_dir / "declass"), "serve", "--port", str(ours), "--db", str(db)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [
                str(bin_dir / "datasette"),
                "serve",
                str(db),
                "--port",
                str(theirs),
                "--metadata",
                str(meta_path),
                "--setting",
                "num_sql_threads",
                "1",
                "--setting",
                "sql_time_limit_ms",
                "10000",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        base_ours, base_theirs = f"http://127.0.0.1:{ours}", f"http://127.0.0.1:{theirs}"
        wait_until_up(base_ours + "/api/openapi.json")
        wait_until_up(base_theirs + "/-/versions.json")
        terms = [index_text(w) for w in WORDS]
        targets = {
            "declass search page (HTML)": [f"{base_ours}/search?q={w}" for w in WORDS],
            "declass search API (JSON)": [f"{base_ours}/api/search?q={w}" for w in WORDS],
            # Every URL distinct, so the reading room's result cache never answers.
            "declass search API, uncached": [
                f"{base_ours}/api/search?q={w}&page={k}" for k in range(2, 60) for w in WORDS
            ],
            "declass document page": [f"{base_ours}/documents/{d}" for d in DOCUMENTS],
            "Datasette FTS table page (HTML)": [
                f"{base_theirs}/ungdc/search_docs?_search={t}" for t in terms
            ],
            "Datasette FTS (JSON)": [
                f"{base_theirs}/ungdc/search_docs.json?_search={t}" for t in terms
            ],
        }
        for urls in targets.values():  # warm caches and check every URL answers
            measure(urls, 1.0, 1)
        results = {
            name: measure(urls, args.seconds, args.concurrency) for name, urls in targets.items()
        }
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    print(
        f"\n{args.concurrency} concurrent clients, {args.seconds:.0f}s each, one worker per server,"
        f" {db.stat().st_size / 1e6:.0f} MB SQLite archive of every UNGDC speech\n"
    )
    print(f"{'target':34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for name, r in results.items():
        print(f"{name:34} {r['rps']:8.1f} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['errors']:7d}")
    ratio = results["declass search API (JSON)"]["rps"] / results["Datasette FTS (JSON)"]["rps"]
    cold = results["declass search API, uncached"]["rps"] / results["Datasette FTS (JSON)"]["rps"]
    html = (
        results["declass search page (HTML)"]["rps"]
        / results["Datasette FTS table page (HTML)"]["rps"]
    )
    print(
        f"\nsearch requests/s, declass ÷ Datasette: JSON {ratio:.2f}×, HTML pages {html:.2f}×,"
        f" JSON with declass's result cache never answering {cold:.2f}×"
    )


if __name__ == "__main__":
    main()
