"""The ingest pipeline: walk inputs, read each with its reader, store what it yields.

Readers never see the store and the store never sees files; this module joins them.
Reading is spread over worker processes when the inputs are large enough to repay
starting them; every record is written by this process, one writer, in batches of one
transaction each, so a killed run leaves a catalogue with whole batches only, and a new
run picks up where it stopped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from declass.errors import StorageError
from declass.ingest.packed import Limits
from declass.ingest.reading import Event, read_in_process, read_in_workers
from declass.ingest.registry import Registry
from declass.ingest.walk import Refused, Skip, Task, Walk
from declass.model import Collection, Record, Rejection
from declass.persons.identity import link_persons
from declass.store.base import Store, WriteOutcome
from declass.store.prepared import Prepared

# Records a transaction: one each would make a large corpus slow to store (PostgreSQL
# most of all); batches span files, as many corpora hold one record a file.
BATCH_SIZE = 200

# Below this much input, starting worker processes costs more than it saves.
PARALLEL_FROM_BYTES = 8 * 1024 * 1024


@dataclass
class Tally:
    """What one corpus of a run came to."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: int = 0

    @property
    def records(self) -> int:
        return self.added + self.updated + self.unchanged


@dataclass
class Progress:
    """Counts as the run goes; the CLI draws them as a progress bar."""

    total_bytes: int = 0
    done_bytes: int = 0
    current: str = ""
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    corpora: dict[str, Tally] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def tally(self, corpus: str) -> Tally:
        return self.corpora.setdefault(corpus, Tally())


@dataclass(frozen=True)
class IngestResult:
    run_id: int
    added: int
    updated: int
    unchanged: int
    rejections: tuple[Rejection, ...]
    skips: tuple[Skip, ...] = ()
    corpora: dict[str, Tally] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.rejections


Listener = Callable[[Progress], None]


def default_workers() -> int:
    """One reading process per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def ingest(
    store: Store,
    paths: list[Path],
    registry: Registry,
    on_progress: Listener | None = None,
    workers: int | None = None,
    limits: Limits | None = None,
) -> IngestResult:
    """Read every input under `paths` into `store`; bad inputs are quarantined, not fatal.

    `workers`: reading processes; by default one per core once the inputs are large
    enough to repay starting them, else this process reads. 1 reads in this process.
    """
    progress = Progress(total_bytes=sum(_size(p) for p in paths))
    run_id = store.start_run([str(p) for p in paths])
    walk = Walk(registry, limits or Limits())
    writer = _Writer(store, run_id, progress, on_progress)

    def found() -> Iterator[Task | Skip | Refused]:
        for path in paths:
            for item in walk.inputs(path):
                if isinstance(item, Task):
                    progress.current = item.source.label
                    if item.source.member is None:
                        progress.done_bytes += _size(item.source.path)
                yield item

    if workers is None:
        large = progress.total_bytes >= PARALLEL_FROM_BYTES
        workers = default_workers() if large else 1
    if workers > 1:
        # The reading processes also encode and analyse each record (each the store does
        # not already hold as read): the writer only writes.
        preparer = store.preparer()
        events: Iterator[Event] = read_in_workers(found(), registry, workers, preparer)
    else:
        events = read_in_process(found())
    for event in events:
        writer.take(event)
    writer.flush()
    # Persons are linked across volumes and the people authority whatever came first;
    # a run that changed no person writes nothing here.
    link_persons(store)
    progress.done_bytes = progress.total_bytes
    writer.notify()
    store.finish_run(run_id, progress.added, progress.updated, progress.unchanged)
    return IngestResult(
        run_id,
        progress.added,
        progress.updated,
        progress.unchanged,
        tuple(progress.rejections),
        tuple(progress.skips),
        dict(progress.corpora),
    )


class _Writer:
    """The one writer of a run: batches what readers yield into the store."""

    def __init__(
        self, store: Store, run_id: int, progress: Progress, on_progress: Listener | None
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.progress = progress
        self.on_progress = on_progress
        self.collections_seen: set[Collection] = set()
        # Record, what a reading process prepared of it (or None), source label, corpus.
        self.pending: list[tuple[Record, Prepared | None, str, str]] = []

    def notify(self) -> None:
        if self.on_progress:
            self.on_progress(self.progress)

    def take(self, event: Event) -> None:
        if isinstance(event, Skip):
            self.progress.skips.append(event)
            self.progress.tally(event.corpus).skipped += 1
            return
        if isinstance(event, Refused):
            self.reject(event.rejection, event.corpus)
            return
        label, corpus, items, made = event
        for item, ready in zip(items, made or [None] * len(items), strict=True):
            if isinstance(item, Rejection):
                self.reject(item, corpus)
                continue
            # Readers of many files announce their collection with each file;
            # count it once a run.
            if isinstance(item, Collection):
                if item in self.collections_seen:
                    continue
                self.collections_seen.add(item)
            self.pending.append((item, ready, label, corpus))
            if len(self.pending) >= BATCH_SIZE:
                self.flush()

    def reject(self, rejection: Rejection, corpus: str) -> None:
        self.store.reject(self.run_id, rejection)
        self.progress.rejections.append(rejection)
        self.progress.tally(corpus).rejected += 1
        self.notify()

    def count(self, outcome: WriteOutcome, corpus: str) -> None:
        name = outcome.value
        setattr(self.progress, name, getattr(self.progress, name) + 1)
        tally = self.progress.tally(corpus)
        setattr(tally, name, getattr(tally, name) + 1)

    def flush(self) -> None:
        """Store what was read as one batch; if the catalogue refuses a record of it,
        store them one by one, so that only that record is quarantined."""
        batch = self.pending[:]
        self.pending.clear()
        if not batch:
            return
        try:
            records = [record for record, _, _, _ in batch]
            made = [ready for _, ready, _, _ in batch]
            outcomes = self.store.put_many(records, self.run_id, made)
            for outcome, (_, _, _, corpus) in zip(outcomes, batch, strict=True):
                self.count(outcome, corpus)
        except StorageError:
            for record, _, label, corpus in batch:
                try:
                    self.count(self.store.put(record, self.run_id), corpus)
                except StorageError as exc:
                    self.reject(Rejection(label, f"record {record.id}", exc.reason), corpus)
        self.notify()


def _size(path: Path) -> int:
    try:
        if path.is_file():
            return path.stat().st_size
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    except OSError:
        pass
    return 0


def write_quarantine_report(rejections: tuple[Rejection, ...], report: Path, run_id: int) -> None:
    """Append the run's rejections to a JSON Lines report beside the archive."""
    report.parent.mkdir(parents=True, exist_ok=True)
    with report.open("a", encoding="utf-8") as out:
        for r in rejections:
            line = {"run": run_id, "source": r.source, "position": r.position, "reason": r.reason}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
