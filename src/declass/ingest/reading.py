"""Running the readers: in this process, or spread over worker processes.

Either way the caller gets the same stream of events, in chunks: what each input
yielded (records and rejections, in the order read), and the walk's skips and
refusals. A reader that fails on one input yields a rejection for it; a worker that
dies takes only its current input with it, and is replaced.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from declass.errors import IngestError
from declass.ingest.registry import Reader, Registry
from declass.ingest.source import Source
from declass.ingest.walk import Refused, Skip, Task
from declass.memory import Pacer
from declass.model import Item, Rejection

# What an input yielded so far: its source label, its corpus, the items themselves, and
# (when reading processes prepare them) each record prepared for the write, aligned.
Chunk = tuple[str, str, list[Item], list[Any] | None]
# Prepares one record for the write (the store's Preparer), in the reading process.
Preparer = Callable[[Any], Any]
Event = Skip | Refused | Chunk

# Items sent across a process boundary at once: large enough to amortise the pickling,
# small enough that a worker's output never piles up in memory.
CHUNK_ITEMS = 64


def read_source(reader: Reader, source: Source) -> Iterator[list[Item]]:
    """A reader's output in chunks; whatever stops it early becomes a final Rejection."""
    chunk: list[Item] = []
    try:
        for item in reader.read(source):
            chunk.append(item)
            if len(chunk) >= CHUNK_ITEMS:
                yield chunk
                chunk = []
    except IngestError as exc:
        chunk.append(Rejection(exc.path, exc.position, exc.reason))
    except Exception as exc:  # one input's failure must never end the run
        chunk.append(Rejection(source.label, "", f"{type(exc).__name__}: {exc}"))
    if chunk:
        yield chunk


def read_in_process(found: Iterable[Task | Skip | Refused]) -> Iterator[Event]:
    """Read each task here, one after another (the store prepares what it writes)."""
    for item in found:
        if isinstance(item, Task):
            for chunk in read_source(item.reader, item.source):
                yield (item.source.label, item.corpus, chunk, None)
        else:
            yield item


def read_in_workers(
    found: Iterable[Task | Skip | Refused],
    registry: Registry,
    workers: int,
    prepare: Preparer | None = None,
) -> Iterator[Event]:
    """Read the tasks in `workers` processes while the caller stores what they yield;
    with `prepare` (picklable: the store's Preparer), the processes also prepare each record
    for the write, so that the one writer only writes."""
    pool = _Pool(registry, workers, prepare)
    try:
        yield from pool.run(found)
    finally:
        pool.close()


# -- the pool -------------------------------------------------------------------------

_EXIT = "exit"
_START = "start"
_CHUNK = "chunk"
_FEEDER_DONE = "feeder-done"
_FEEDER_FAILED = "feeder-failed"


def _prepared(chunk: list[Item], prepare: Preparer | None) -> list[Any] | None:
    """Each record of `chunk` prepared for the write; None where that failed (the
    writer then tries, and reports the record as it would have)."""
    if prepare is None:
        return None
    made: list[Any] = []
    for item in chunk:
        try:
            made.append(None if isinstance(item, Rejection) else prepare(item))
        except Exception:
            made.append(None)
    return made


def _work(
    number: int, blob: bytes, tasks: Any, results: Any, prepare: Preparer | None = None
) -> None:
    """A worker: read each task it is handed, send the chunks back, pickled here so that
    an unpicklable record becomes a rejection rather than a silent loss."""
    _end_with_the_run()
    registry: Registry = pickle.loads(blob)
    pacer = Pacer()  # what a large input's parse left freed goes back between inputs
    while True:
        message = tasks.get()
        if message is None:
            results.put((_EXIT, number))
            return
        task_id, reader_index, source, corpus = message
        results.put((_START, number, task_id, source.label, corpus))
        for chunk in read_source(registry.readers[reader_index], source):
            try:
                made = _prepared(chunk, prepare)
                payload = pickle.dumps((chunk, made), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                bad = [Rejection(source.label, "", f"record cannot be sent: {exc}")]
                payload = pickle.dumps((bad, None))
            results.put((_CHUNK, source.label, corpus, payload))
        pacer.tick()


def _end_with_the_run() -> None:
    """A reading process ends when the run that started it is gone (killed, say): it
    must not wait forever to hand over a chunk nobody will read."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="run-watch", daemon=True).start()


class _Pool:
    def __init__(self, registry: Registry, workers: int, prepare: Preparer | None) -> None:
        self.registry = registry
        self.prepare = prepare
        self.context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has imported the readers once.
        modules = {type(r).__module__ for r in registry.readers} | {__name__}
        if prepare is not None:
            modules.add(prepare.__module__)
        self.context.set_forkserver_preload(sorted(modules))
        self.blob = pickle.dumps(registry)
        self.tasks: Any = self.context.Queue(maxsize=workers * 2)
        # Prepared records are several times their text: few chunks wait for the writer.
        self.results: Any = self.context.Queue(maxsize=workers * 4)
        self.processes: dict[int, Any] = {}
        self.current: dict[int, tuple[str, str]] = {}  # worker → (label, corpus) it reads
        self.exited: set[int] = set()
        self.next_number = 0
        self.workers = workers
        for _ in range(workers):
            self._start()
        self.feeder: threading.Thread | None = None

    def _start(self) -> None:
        number = self.next_number
        self.next_number += 1
        process = self.context.Process(
            target=_work,
            args=(number, self.blob, self.tasks, self.results, self.prepare),
            daemon=False,
        )
        process.start()
        self.processes[number] = process

    def _feed(self, found: Iterable[Task | Skip | Refused]) -> None:
        try:
            for task_id, item in enumerate(found):
                if isinstance(item, Task):
                    index = self.registry.readers.index(item.reader)
                    self.tasks.put((task_id, index, item.source, item.corpus))
                else:
                    self.results.put(item)
            self.results.put((_FEEDER_DONE,))
        except BaseException as exc:
            self.results.put((_FEEDER_FAILED, f"{type(exc).__name__}: {exc}"))
        finally:
            for _ in range(self.workers):
                self.tasks.put(None)

    def run(self, found: Iterable[Task | Skip | Refused]) -> Iterator[Event]:
        self.feeder = threading.Thread(target=self._feed, args=(found,), daemon=True)
        self.feeder.start()
        fed = False
        while not (fed and self.exited >= set(self.processes)):
            try:
                message = self.results.get(timeout=0.5)
            except queue.Empty:
                yield from self._replace_dead()
                continue
            if isinstance(message, Skip | Refused):
                yield message
                continue
            kind = message[0]
            if kind == _CHUNK:
                _, label, corpus, payload = message
                items, made = pickle.loads(payload)
                yield (label, corpus, items, made)
            elif kind == _START:
                _, number, _, label, corpus = message
                self.current[number] = (label, corpus)
            elif kind == _EXIT:
                self.exited.add(message[1])
                self.current.pop(message[1], None)
            elif kind == _FEEDER_DONE:
                fed = True
            elif kind == _FEEDER_FAILED:
                raise RuntimeError(f"walking the inputs failed: {message[1]}")

    def _replace_dead(self) -> Iterator[Event]:
        """A worker killed by its input (a crash in a parser, memory) costs that input."""
        for number, process in list(self.processes.items()):
            if number in self.exited or process.is_alive():
                continue
            self.exited.add(number)
            label, corpus = self.current.pop(number, ("", ""))
            if label:
                reason = f"the reading process died (exit code {process.exitcode})"
                yield Refused(Rejection(label, "", reason), corpus)
            # Its share of the end-of-work markers is still in the queue: a new worker
            # takes over from it.
            self._start()

    def close(self) -> None:
        for process in self.processes.values():
            if process.is_alive():
                process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
        for q in (self.tasks, self.results):
            with contextlib.suppress(Exception):
                q.close()
                q.cancel_join_thread()
