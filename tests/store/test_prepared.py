"""Records prepared ahead of the write (by ingest's reading processes) are stored exactly
as records the store prepares itself: same versions, hashes, and search entries."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from declass.search.engine import search
from declass.store import codec
from declass.store.base import Store
from declass.store.prepared import prepare
from tests.conftest import BACKENDS, open_backend
from tests.store.test_store import memcon


def test_serialise_is_the_sorted_json_of_the_record_and_hashes_it_without_provenance() -> None:
    doc = memcon()
    data = codec.to_data(doc)
    dumped = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    del data["provenance"]
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert codec.serialise(doc) == (dumped, hashlib.sha256(blob.encode()).hexdigest())


@pytest.mark.parametrize("backend", BACKENDS)
def test_prepared_batches_store_what_unprepared_batches_store(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    doc = memcon()
    docs = [replace(doc, id=f"test:memcon-{n}", title=f"Conversation {n}") for n in range(5)]
    later = replace(docs[0], title="Conversation 0, revised")
    stores: list[Store] = []
    discards = []
    for folder, ahead in (("plain", False), ("prepared", True)):
        (tmp_path / folder).mkdir()
        store, discard = open_backend(backend, tmp_path / folder, request)
        stores.append(store)
        discards.append(discard)
        for batch in (docs, [later, docs[1]]):
            made = [prepare(d) for d in batch] if ahead else None
            store.put_many(batch, None, made)
    try:
        plain, prepared = stores
        for d in docs:
            assert prepared.document(d.id) == plain.document(d.id)
            assert [v.content_hash for v in prepared.versions(d.id)] == [
                v.content_hash for v in plain.versions(d.id)
            ]
        for query in ("Conversation", "Stalin", "revised", "country:CHN"):
            a, b = search(plain, query, snippets=True), search(prepared, query, snippets=True)
            assert [(r.doc_id, r.snippet) for r in a.results] == [
                (r.doc_id, r.snippet) for r in b.results
            ]
            assert a.total == b.total and a.facets == b.facets
    finally:
        for discard in discards:
            discard()
