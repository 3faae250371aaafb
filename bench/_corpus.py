"""The whole UNGDC corpus in a cached SQLite archive, shared by the search benchmarks."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.store import open_store
from declass.store.base import Store

ROOT = Path(__file__).resolve().parent.parent
TARBALL = ROOT.parent / "shared" / "corpora" / "ungdc" / "UNGDC_1946-2022.tgz"
CACHE = Path(tempfile.gettempdir()) / "declass-bench"


def ungdc_archive(tarball: Path = TARBALL, cache: Path = CACHE) -> Store:
    """The archive of every UNGDC speech, ingested once and kept under `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / "ungdc.sqlite3"
    done = cache / "ungdc.done"
    if not done.exists():
        for old in cache.glob("ungdc.sqlite3*"):
            old.unlink()
        store = open_store(path)
        started = time.perf_counter()
        result = ingest(store, [tarball], default_registry())
        print(f"ingested {result.added:,} speeches in {time.perf_counter() - started:.0f}s")
        done.write_text(str(result.added))
        return store
    return open_store(path)
