"""Records prepared ahead of the write (by ingest's reading processes) are stored exactly
as records the store prepares itself: same versions, hashes, and search entries."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from declass.model import Document
from declass.search.engine import search
from declass.store import codec
from declass.store.base import TEXT_FIELDS, Store, WriteOutcome
from declass.store.index_fields import index_entry
from declass.store.prepared import prepare
from declass.store.tantivy_search import word_pairs
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
    for folder in ("plain", "prepared", "preparer"):
        (tmp_path / folder).mkdir()
        store, discard = open_backend(backend, tmp_path / folder, request)
        stores.append(store)
        discards.append(discard)
        for batch in (docs, [later, docs[1]]):
            made = None
            if folder == "prepared":
                made = [prepare(d) for d in batch]
            elif folder == "preparer":  # the store's own: docs[1] is then only hashed
                preparer = store.preparer()
                made = [preparer(d) for d in batch]
            store.put_many(batch, None, made)
    try:
        plain = stores[0]
        for prepared in stores[1:]:
            _assert_same_archive(plain, prepared, docs)
    finally:
        for discard in discards:
            discard()


def _assert_same_archive(plain: Store, prepared: Store, docs: list[Document]) -> None:
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


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_document_only_hashed_but_changed_since_is_written_whole(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    open_now = replace(memcon(), embargo_until=None)  # searchable today
    docs = [replace(open_now, id=f"test:memcon-{n}", title=f"Conversation {n}") for n in range(3)]
    store, discard = open_backend(backend, tmp_path, request)
    try:
        store.put_many(docs)
        preparer = store.preparer()  # knows the documents as the archive holds them now
        store.put(replace(docs[0], title="Conversation 0, revised"))
        made = [preparer(d) for d in docs]
        if backend == "sqlite":
            assert all(m.known and not m.body and m.index is None for m in made)
        outcomes = store.put_many(docs, None, made)
        assert outcomes == [WriteOutcome.UPDATED, WriteOutcome.UNCHANGED, WriteOutcome.UNCHANGED]
        assert store.document(docs[0].id) == docs[0]
        assert [v.number for v in store.versions(docs[0].id)] == [1, 2, 3]
        assert search(store, "revised").total == 0
        assert search(store, "Conversation").total == 3
    finally:
        discard()


def test_phrase_pairs_join_each_body_word_to_the_next() -> None:
    entry = index_entry(memcon())
    body = entry.columns[TEXT_FIELDS.index("body")].split()
    assert len(body) > 2
    assert entry.pairs == " ".join(word_pairs(body))
