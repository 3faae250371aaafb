"""Records prepared for the write: their JSON, content hash and index entry.

Encoding a record and analysing its text cost far more than writing it. The ingest
pipeline's reading processes prepare each record as they read it, so that the one
writer only writes; `Store.put_many` takes what was prepared and works out only what
was not. A record the archive already holds unchanged is only hashed: its analysis
would be thrown away.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from declass.model import Document, Record
from declass.store import codec
from declass.store.index_fields import IndexEntry, index_entry


@dataclass(frozen=True)
class Prepared:
    """What a store writes for one record, worked out ahead of the write."""

    body: str  # codec JSON of the record ("" when sent `packed`, or when `known`)
    digest: str  # its content hash
    index: IndexEntry | None = None  # a document's analysed text and facts
    packed: bytes | None = None  # the JSON as `pack` makes it, when the store keeps it so
    # The archive held this very document as the run began: only its hash was made, and
    # the writer makes the rest should it find the document changed after all.
    known: bool = False


def pack(body: str) -> bytes:
    """A version's JSON as the SQLite archive keeps it: versions are the bulk of the
    file, and zlib level 1 halves it for little CPU."""
    return zlib.compress(body.encode("utf-8"), 1)


def prepare(record: Record, analyse: bool = True) -> Prepared:
    """Encode `record` and (`analyse`) a document's text for the search index."""
    body, digest = codec.serialise(record)
    entry = index_entry(record) if analyse and isinstance(record, Document) else None
    return Prepared(body, digest, entry)


def digest_key(digest: str) -> int:
    """A content hash shortened to a number, for `Preparer.stored`: a collision only
    costs the writer the work the reading process skipped."""
    return int(digest[:16], 16)


@dataclass(frozen=True)
class Preparer:
    """How a store wants records prepared in the reading processes (picklable: each
    process is handed it once)."""

    packs: bool = False  # send a document's JSON only packed (see `pack`)
    # digest_key of every document the archive held as the run began.
    stored: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def knowing(cls, digests: Iterable[str], packs: bool = False) -> Preparer:
        return cls(packs, frozenset(map(digest_key, digests)))

    def __call__(self, record: Record) -> Prepared:
        body, digest = codec.serialise(record)
        if not isinstance(record, Document):
            return Prepared(body, digest)
        if digest_key(digest) in self.stored:
            return Prepared("", digest, known=True)
        if self.packs:
            return Prepared("", digest, index_entry(record), pack(body))
        return Prepared(body, digest, index_entry(record))


def prepared_for(
    records: Sequence[Record], given: Sequence[Prepared | None] | None, lazy: bool = False
) -> list[Prepared]:
    """`given` (aligned with `records`, None where nothing was prepared), completed with
    each record's JSON and hash; index entries are left to be made when needed (an
    unchanged document needs none). `lazy`: the caller completes `known` ones itself,
    only those it finds changed."""
    if given is None:
        return [prepare(r, analyse=False) for r in records]
    return [_completed(r, g, lazy) for r, g in zip(records, given, strict=True)]


def _completed(record: Record, given: Prepared | None, lazy: bool) -> Prepared:
    if given is None:
        return prepare(record, analyse=False)
    if lazy or not (given.known or given.packed is not None):
        return given
    return replace(prepare(record, analyse=False), index=given.index)
