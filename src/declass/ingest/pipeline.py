"""The ingest pipeline: walk inputs, pick a reader for each, store what it yields.

Readers never see the store and the store never sees files; this module joins them.
Records are written in batches, one transaction each, so a killed run leaves a
catalogue with whole batches only, and a new run picks up where it stopped.
"""

from __future__ import annotations

import fnmatch
import json
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from declass.errors import IngestError, StorageError
from declass.ingest.registry import Reader, Registry
from declass.ingest.source import Source
from declass.model import Collection, Record, Rejection
from declass.store.base import Store, WriteOutcome

# Records a transaction: one each would make a large corpus slow to store (PostgreSQL
# most of all); batches span files, as many corpora hold one record a file.
BATCH_SIZE = 200

# A tar member is read into memory whole; larger ones are refused, not swallowed.
MAX_MEMBER_BYTES = 512 * 1024 * 1024

# Files that describe a corpus rather than hold records of it.
IGNORED = ("README*", "LICENSE*", "COPYING*", "SOURCE_COMMIT", "CHANGELOG*", "*.md", "*.odd")


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
    visited: set[Path] = field(default_factory=set, repr=False)

    @property
    def records(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def rejected(self) -> int:
        return len(self.rejections)


@dataclass(frozen=True)
class IngestResult:
    run_id: int
    added: int
    updated: int
    unchanged: int
    rejections: tuple[Rejection, ...]

    @property
    def ok(self) -> bool:
        return not self.rejections


Listener = Callable[[Progress], None]


def ingest(
    store: Store,
    paths: list[Path],
    registry: Registry,
    on_progress: Listener | None = None,
) -> IngestResult:
    """Read every input under `paths` into `store`; bad inputs are quarantined, not fatal."""
    progress = Progress(total_bytes=sum(_size(p) for p in paths))
    run_id = store.start_run([str(p) for p in paths])
    outcomes = {
        WriteOutcome.ADDED: "added",
        WriteOutcome.UPDATED: "updated",
        WriteOutcome.UNCHANGED: "unchanged",
    }

    collections_seen: set[Collection] = set()
    pending: list[tuple[Record, str]] = []  # read, not yet stored: each with its source

    def notify() -> None:
        if on_progress:
            on_progress(progress)

    def reject(rejection: Rejection) -> None:
        store.reject(run_id, rejection)
        progress.rejections.append(rejection)
        notify()

    def count(outcome: WriteOutcome) -> None:
        setattr(progress, outcomes[outcome], getattr(progress, outcomes[outcome]) + 1)

    def store_pending() -> None:
        """Store what was read as one batch; if the catalogue refuses a record of it,
        store them one by one, so that only that record is quarantined."""
        batch = pending[:]
        pending.clear()
        try:
            for outcome in store.put_many([record for record, _ in batch], run_id):
                count(outcome)
        except StorageError:
            for record, label in batch:
                try:
                    count(store.put(record, run_id))
                except StorageError as exc:
                    reject(Rejection(label, f"record {record.id}", exc.reason))
        notify()

    for path in paths:
        for found in walk(path, registry, progress):
            if isinstance(found, Rejection):
                reject(found)
                continue
            source, reader = found
            progress.current = source.label
            try:
                for item in reader.read(source):
                    if isinstance(item, Rejection):
                        reject(item)
                        continue
                    # Readers of many files announce their collection with each file;
                    # count it once a run.
                    if isinstance(item, Collection):
                        if item in collections_seen:
                            continue
                        collections_seen.add(item)
                    pending.append((item, source.label))
                    if len(pending) >= BATCH_SIZE:
                        store_pending()
            except IngestError as exc:
                reject(Rejection(exc.path, exc.position, exc.reason))
            except (OSError, ValueError, UnicodeError, EOFError, zlib.error) as exc:
                reject(Rejection(source.label, "", f"{type(exc).__name__}: {exc}"))
            if source.member is None:
                progress.done_bytes += _size(source.path)
            notify()
    store_pending()
    store.finish_run(run_id, progress.added, progress.updated, progress.unchanged)
    return IngestResult(
        run_id, progress.added, progress.updated, progress.unchanged, tuple(progress.rejections)
    )


def walk(
    path: Path, registry: Registry, progress: Progress
) -> Iterator[tuple[Source, Reader] | Rejection]:
    """Each input under `path` with the reader that claims it, or why none can."""
    if not path.exists():
        yield Rejection(str(path), "", "no such file or folder")
        return
    source = Source(path)
    reader = registry.reader_for(source)
    if reader is not None:
        yield source, reader
        return
    if path.is_dir():
        # A symbolic link back up the tree must not walk forever.
        here = path.resolve()
        if here in progress.visited:
            return
        progress.visited.add(here)
        sidecars = registry.sidecars(path)
        for child in sorted(path.iterdir()):
            if child.name.startswith(".") or _ignored(child.name) or child in sidecars:
                continue
            yield from walk(child, registry, progress)
        return
    if _is_tarball(path):
        yield from _walk_tarball(path, registry, progress)
        return
    yield Rejection(str(path), "", f"unknown format: no reader recognises {path.name!r}")


def _walk_tarball(
    path: Path, registry: Registry, progress: Progress
) -> Iterator[tuple[Source, Reader] | Rejection]:
    """Stream a tarball's members; a damaged archive ends with a rejection, not a crash."""
    member_name = ""
    start = progress.done_bytes
    try:
        with path.open("rb") as raw, tarfile.open(fileobj=raw, mode="r|*") as tar:
            for member in tar:
                member_name = member.name
                if not member.isfile() or _ignored(Path(member.name).name):
                    continue
                if member.size > MAX_MEMBER_BYTES:
                    yield Rejection(
                        f"{path}!{member.name}",
                        "",
                        f"member of {member.size:,} bytes is larger than the"
                        f" {MAX_MEMBER_BYTES:,} bytes a single record may have",
                    )
                    continue
                handle = tar.extractfile(member)
                data = handle.read() if handle else b""
                source = Source(path, member.name, data)
                reader = registry.reader_for(source)
                if reader is None:
                    yield Rejection(source.label, "", "unknown format: no reader recognises it")
                else:
                    yield source, reader
                progress.done_bytes = start + raw.tell()
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        where = f"after member {member_name}" if member_name else "at the start"
        yield Rejection(str(path), where, f"damaged tar archive: {exc}")
    progress.done_bytes = start + _size(path)


def _is_tarball(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in IGNORED)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return 0


def write_quarantine_report(rejections: tuple[Rejection, ...], report: Path, run_id: int) -> None:
    """Append the run's rejections to a JSON Lines report beside the archive."""
    report.parent.mkdir(parents=True, exist_ok=True)
    with report.open("a", encoding="utf-8") as out:
        for r in rejections:
            line = {"run": run_id, "source": r.source, "position": r.position, "reason": r.reason}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
