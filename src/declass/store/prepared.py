"""Records prepared for the write: their JSON, content hash and index entry.

Encoding a record and analysing its text cost far more than writing it. The ingest
pipeline's reading processes prepare each record as they read it, so that the one
writer only writes; `Store.put_many` takes what was prepared and works out only what
was not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from declass.model import Document, Record
from declass.store import codec
from declass.store.index_fields import IndexEntry, index_entry


@dataclass(frozen=True)
class Prepared:
    """What a store writes for one record, worked out ahead of the write."""

    body: str  # codec JSON of the record
    digest: str  # its content hash
    index: IndexEntry | None = None  # a document's analysed text and facts


def prepare(record: Record, analyse: bool = True) -> Prepared:
    """Encode `record` and (`analyse`) a document's text for the search index."""
    body, digest = codec.serialise(record)
    entry = index_entry(record) if analyse and isinstance(record, Document) else None
    return Prepared(body, digest, entry)


def prepared_for(
    records: Sequence[Record], given: Sequence[Prepared | None] | None
) -> list[Prepared]:
    """`given` (aligned with `records`, None where nothing was prepared), completed with
    each record's JSON and hash; index entries are left to be made when needed (an
    unchanged document needs none)."""
    if given is None:
        return [prepare(r, analyse=False) for r in records]
    return [
        g if g is not None else prepare(r, analyse=False)
        for r, g in zip(records, given, strict=True)
    ]
