"""A whole archive as one gzip'd JSON Lines file, to move it between backends.

The first line names the format; then every ingest run with its rejections, every
collection, authority and event, and every stored version of every document with
its number, hash, run, time and source; then the editorial record: who made each
edit and why, the kept states of edited authorities, events and collections, and the
annotations and discussion. Records are the codec's JSON, so nothing the model holds
is lost. Exported through a store scoped to an audience (`declass export --for
public`), it holds only what that audience may read, and no editorial history.
Import writes through the `Store` interface into an empty archive, oldest version
first, so SQLite → PostgreSQL → SQLite gives the same archive.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from declass.annotations.records import Annotation
from declass.editing.records import Edit
from declass.errors import Conflict, DeclassError
from declass.model import Document, Rejection
from declass.store import codec
from declass.store.base import IngestRun, Store, Version

FORMAT = "declass-archive"
FORMAT_VERSION = 2  # 2: edits, record history and annotations


def export_archive(store: Store, path: Path) -> Counter[str]:
    """Write every record of `store` to `path` (gzip'd JSON Lines); counts by kind."""
    counts: Counter[str] = Counter()
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as out:
        for line in _lines(store):
            counts[line["kind"]] += 1
            out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
    counts.pop("header", None)
    return counts


def _lines(store: Store) -> Iterator[dict[str, Any]]:
    yield {"kind": "header", "format": FORMAT, "version": FORMAT_VERSION}
    for run in store.runs():
        yield {
            "kind": "run",
            "run": dataclasses.asdict(run),
            "rejections": [dataclasses.asdict(r) for r in store.rejections(run.id)],
        }
    for collection in store.collections():
        yield {"kind": "collection", "record": codec.to_data(collection)}
    for authority in store.authorities():
        yield {"kind": "authority", "record": codec.to_data(authority)}
    for event in store.events():
        yield {"kind": "event", "record": codec.to_data(event)}
    for doc_id in store.document_ids():
        for version, doc in store.stored_versions(doc_id):
            yield {
                "kind": "version",
                "version": dataclasses.asdict(version),
                "record": codec.to_data(doc),
            }
    edits = list(reversed(store.edits(limit=10**9)))
    for edit in edits:
        yield {"kind": "edit", "edit": codec.to_data(edit)}
    for kind in ("authority", "event", "collection"):
        for record_id in sorted({e.record_id for e in edits if e.kind == kind}):
            for number, record in store.record_history(kind, record_id):
                yield {
                    "kind": "history",
                    "of": kind,
                    "number": number,
                    "record": codec.to_data(record),
                }
    # Threads before their replies, so that import can link each reply to its thread.
    for annotation in sorted(store.annotations(), key=lambda a: a.parent is not None):
        yield {"kind": "annotation", "annotation": codec.to_data(annotation)}


def import_archive(store: Store, path: Path) -> Counter[str]:
    """Read an export into `store`, which must hold no documents; counts by kind."""
    if store.document_ids() or store.runs():
        raise Conflict("the target archive is not empty: import only into a new archive")
    counts: Counter[str] = Counter()
    annotation_ids: dict[int, int] = {}  # exported id → the id this archive gave it
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for number, text in enumerate(lines, 1):
            line = json.loads(text)
            kind = line.get("kind")
            if number == 1:
                if kind != "header" or line.get("format") != FORMAT:
                    raise DeclassError(f"{path}: not a declass archive export")
                if line.get("version", 0) > FORMAT_VERSION:
                    raise DeclassError(
                        f"{path}: made by a newer declass (format {line['version']})"
                    )
                continue
            if kind == "run":
                run = line["run"]
                store.restore_run(
                    IngestRun(**{**run, "sources": tuple(run["sources"])}),
                    [Rejection(**r) for r in line["rejections"]],
                )
            elif kind in ("collection", "authority", "event"):
                store.put(codec.from_data(codec.RECORD_TYPES[kind], line["record"]))
            elif kind == "version":
                doc = cast(Document, codec.from_data(Document, line["record"]))
                store.restore_version(doc, Version(**line["version"]))
            elif kind == "edit":
                store.restore_edit(codec.from_data(Edit, line["edit"]))
            elif kind == "history":
                record = codec.from_data(codec.RECORD_TYPES[line["of"]], line["record"])
                store.restore_history(line["of"], int(line["number"]), record)
            elif kind == "annotation":
                given = cast(Annotation, codec.from_data(Annotation, line["annotation"]))
                parent = annotation_ids.get(given.parent) if given.parent is not None else None
                made = store.add_annotation(dataclasses.replace(given, id=0, parent=parent))
                annotation_ids[given.id] = made.id
            else:
                raise DeclassError(f"{path}, line {number}: unknown kind {kind!r}")
            counts[str(kind)] += 1
    return counts
