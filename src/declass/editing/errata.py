"""The public errata: corrections made to published documents, with their dates.

A correction is an edit (or revert) of a document that the public could read both
before and after it (declass.editing.history). The list shows only documents the
reader may read now, through the reader's own scoped store.
"""

from __future__ import annotations

from dataclasses import dataclass

from declass.errors import NotFound
from declass.store.base import Store


@dataclass(frozen=True)
class Erratum:
    doc_id: str
    title: str
    version: int
    at: str
    reason: str


def errata(store: Store, reader_store: Store, limit: int = 200) -> list[Erratum]:
    """Corrections, newest first, of documents open to the reader of `reader_store`."""
    found = [e for e in store.edits(kind="document", limit=limit * 5) if e.correction][:limit]
    open_ids = set(reader_store.document_access([e.record_id for e in found]))
    titles: dict[str, str] = {}
    out = []
    for e in found:
        if e.record_id not in open_ids:
            continue
        if e.record_id not in titles:
            try:
                titles[e.record_id] = reader_store.document(e.record_id).title
            except NotFound:
                continue
        out.append(Erratum(e.record_id, titles[e.record_id], e.number, e.at, e.reason))
    return out
