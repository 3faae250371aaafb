"""What the catalogue costs at ingest, for the whole of ../shared/corpora at once.

In one process, on the same inputs, with the file cache warmed first (every input read
once before either run): the *parse-only* baseline walks and reads every input with the
same readers in the same worker processes (one per core, as ingest uses them) and
throws the records away; *declass* ingests them into a fresh SQLite archive, then
ingests them again (every record unchanged). Prints records/s and MB/s of input for
each, each run's throughput as a share of the baseline's, the archive's size on disk
(the SQLite file, its WAL and the search index), the peak memory of the run (its
process and its reading processes together, sampled; as RSS summed and as PSS summed,
which counts the pages they share once) and the load average.

    .venv/bin/python bench/ingest.py [--corpora ../shared/corpora] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from declass.ingest.packed import Limits
from declass.ingest.pipeline import default_workers, ingest
from declass.ingest.reading import Event, read_in_process, read_in_workers
from declass.ingest.registry import default_registry
from declass.ingest.walk import Refused, Skip, Task, Walk
from declass.model import Rejection
from declass.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent


def inputs_under(base: Path) -> list[Path]:
    """Every corpus folder (what `declass ingest ../shared/corpora/*` is given)."""
    return sorted(p for p in base.iterdir() if p.is_dir())


def files_under(paths: list[Path]) -> list[Path]:
    return [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*"))) if f.is_file()]


def warm(paths: list[Path]) -> int:
    """Read every input file once, so that both runs find it in the file cache."""
    total = 0
    for f in files_under(paths):
        with f.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                total += len(chunk)
    return total


def parse_only(paths: list[Path], workers: int) -> int:
    """The baseline: walk and read with the same readers and workers, store nothing."""
    registry = default_registry()
    walk = Walk(registry, Limits())

    def found() -> Iterator[Task | Skip | Refused]:
        for path in paths:
            yield from walk.inputs(path)

    events: Iterator[Event] = (
        read_in_workers(found(), registry, workers) if workers > 1 else read_in_process(found())
    )
    n = 0
    for event in events:
        if isinstance(event, tuple):
            n += sum(not isinstance(item, Rejection) for item in event[2])
    return n


class PeakMemory:
    """The largest memory of this process and all its descendants together, sampled
    every `every` seconds while the block runs: resident sizes summed (RSS, which counts
    a page that several of the processes share once for each, the interpreter and
    modules a forkserver's children share with it among them) and proportional sizes
    summed (PSS: a shared page divided among its sharers, so the tree's pages count
    once); and the CPU seconds they spent in it (a process that ends between two
    samples loses at most its last `every`)."""

    def __init__(self, every: float = 0.2) -> None:
        self.every = every
        self.peak = 0
        self.peak_pss = 0
        self._start: dict[int, float] = {}
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._start = tree_usage(os.getpid())[2]
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._cpu.update(tree_usage(os.getpid())[2])

    @property
    def cpu(self) -> float:
        return sum(s - self._start.get(pid, 0.0) for pid, s in self._cpu.items())

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss, pss, cpu = tree_usage(os.getpid())
            self.peak = max(self.peak, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self._cpu.update(cpu)
            self._stop.wait(self.every)


def tree_usage(root: int) -> tuple[int, int, dict[int, float]]:
    """Resident bytes (RSS) and proportional bytes (PSS) of `root` and its descendants
    (forkserver workers included), and the CPU seconds each of them has used."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, ValueError, IndexError):
            continue
    total, pss, todo, used = 0, 0, [root], {}
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        pss += proportional_bytes(pid)
        used[pid] = cpu.get(pid, 0.0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total, pss, used


def proportional_bytes(pid: int) -> int:
    """The process's PSS (its share of every page it maps), 0 once it has ended."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def archive_bytes(db: Path) -> int:
    """The SQLite file, its WAL and shared memory, and the search index folder."""
    files = [f for f in db.parent.glob(db.name + "*") if f.is_file()]
    index = db.with_name(db.name + ".search")
    files += [f for f in index.rglob("*") if f.is_file()] if index.exists() else []
    return sum(f.stat().st_size for f in files)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def timed(fn: Callable[[], int]) -> tuple[int, float, float, tuple[int, int], str]:
    before = load_average()
    with PeakMemory() as memory:
        start = time.perf_counter()
        n = fn()
        seconds = time.perf_counter() - start
    peaks = (memory.peak, memory.peak_pss)
    return n, seconds, memory.cpu, peaks, f"{before} → {load_average()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--keep", type=Path, help="Build the archive here and keep it")
    args = parser.parse_args()
    paths = inputs_under(args.corpora)
    mb = warm(paths) / 1e6
    print(f"{len(paths)} corpora, {mb:,.0f} MB of input read once into the file cache")
    rows = []
    n, s, cpu, peak, load = timed(lambda: parse_only(paths, args.workers))
    rows.append(("parse only (readers, no store)", n, s, cpu, peak, load, None))
    base_seconds = s  # the same input: throughput shares are ratios of times
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "bench.sqlite3"
        store = SQLiteStore(db)
        store.migrate()

        def load_all() -> int:
            r = ingest(store, paths, default_registry(), workers=args.workers)
            return r.added + r.updated + r.unchanged

        for label in ("declass: ingest", "declass: re-ingest (unchanged)"):
            n, s, cpu, peak, load = timed(load_all)
            rows.append((label, n, s, cpu, peak, load, archive_bytes(db)))
        store.close()
    print(
        f"\n{args.workers} reading processes, {os.cpu_count()} cores; throughput (MB of input"
        " a second) as a share of the parse-only run's; records: what each run counts (the"
        " readers' items; the store's outcomes, a collection once); peak memory of the"
        " run's whole process tree, as resident sizes summed (RSS, shared pages counted"
        " in every process) and as proportional sizes summed (PSS, shared pages counted"
        " once); CPU s: the seconds of CPU that tree used (the work, whatever else shares"
        " the machine)\n"
    )
    header = ("run", "records", "s", "records/s", "MB/s", "of parse-only", "archive MB")
    print(
        f"{header[0]:32} {header[1]:>8} {header[2]:>7} {header[3]:>9} {header[4]:>6}"
        f" {header[5]:>13} {header[6]:>10} {'peak RSS MB':>11} {'peak PSS MB':>11} {'CPU s':>7}"
        "  load (1/5/15, before → after)"
    )
    for label, n, s, cpu, peak, load, size in rows:
        share = base_seconds / s
        print(
            f"{label:32} {n:>8,} {s:7.1f} {n / s:9,.0f} {mb / s:6.2f} {share:12.0%}"
            f" {size / 1e6 if size else 0:10,.0f} {peak[0] / 1e6:11,.0f} {peak[1] / 1e6:11,.0f}"
            f" {cpu:7.0f}  {load}"
        )


if __name__ == "__main__":
    main()
