"""What the catalogue costs at ingest.

For each corpus, in one process on the same files: the *baseline* reads every input
with the same readers and throws the records away; *declass* reads them into a fresh
SQLite archive (one transaction per record, WAL) and then re-ingests them (every record
unchanged). Prints documents/s and MB/s for each, and the ratio to the baseline.

    .venv/bin/python bench/ingest.py [--corpora ../shared/corpora] [--only ungdc]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from declass.ingest.pipeline import Progress, walk
from declass.ingest.registry import default_registry
from declass.model import Rejection
from declass.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent


def corpora_under(base: Path) -> dict[str, list[Path]]:
    hsg = base / "hsg"
    return {
        "ungdc": [base / "ungdc" / "UNGDC_1946-2022.tgz"],
        "tei (frus-history, milestones, rdcr)": [
            hsg / "frus-history",
            hsg / "milestones",
            hsg / "rdcr",
        ],
        "hsg people.tgz": [hsg / "people.tgz"],
        "hsg pocom": [hsg / "pocom"],
        "hsg visits + travels": [hsg / "visits", hsg / "travels"],
    }


def size_mb(paths: list[Path]) -> float:
    total = 0
    for p in paths:
        total += p.stat().st_size if p.is_file() else sum(f.stat().st_size for f in p.rglob("*"))
    return total / 1e6


def read_only(paths: list[Path]) -> int:
    """Baseline: walk and parse with the same readers, store nothing."""
    registry = default_registry()
    n = 0
    for path in paths:
        for found in walk(path, registry, Progress()):
            if isinstance(found, Rejection):
                continue
            source, reader = found
            for item in reader.read(source):
                n += not isinstance(item, Rejection)
    return n


def timed(fn: Callable[[], int]) -> tuple[int, float]:
    start = time.perf_counter()
    n = fn()
    return n, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--only", help="run only corpora whose name contains this")
    args = parser.parse_args()
    from declass.ingest.pipeline import ingest

    rows: list[tuple[str, ...]] = []
    for name, paths in corpora_under(args.corpora).items():
        if args.only and args.only not in name:
            continue
        mb = size_mb(paths)
        base_n, base_s = timed(lambda paths=paths: read_only(paths))
        with tempfile.TemporaryDirectory() as tmp:
            store = SQLiteStore(Path(tmp) / "bench.sqlite3")
            store.migrate()

            def load(store: SQLiteStore = store, paths: list[Path] = paths) -> int:
                r = ingest(store, paths, default_registry())
                return r.added + r.updated + r.unchanged

            n, s = timed(load)
            again_n, again_s = timed(load)
            db_mb = (Path(tmp) / "bench.sqlite3").stat().st_size / 1e6
            store.close()
        for label, count, secs in (
            ("baseline: read only", base_n, base_s),
            ("declass: ingest", n, s),
            ("declass: re-ingest", again_n, again_s),
        ):
            rows.append(
                (
                    name,
                    label,
                    f"{count:,}",
                    f"{secs:.2f}",
                    f"{count / secs:,.0f}",
                    f"{mb / secs:.2f}",
                    f"{secs / base_s:.2f}x",
                    f"{db_mb:.0f}" if label == "declass: ingest" else "",
                )
            )
    header = ("corpus", "run", "records", "s", "records/s", "MB/s", "time vs baseline", "db MB")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
