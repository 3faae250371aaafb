"""Concurrent edits by several writers never lose an update, on both backends.

Each writer holds its own store (its own connection, as separate server processes
would) and keeps adding its own paragraph to one document: read the current
version, change it, save on that version; a save made on a version another writer
replaced is refused (StaleEdit, nothing written) and the writer starts again from
the new current version. At the end every paragraph of every writer is in the
document, and there is exactly one version per successful save.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from declass.editing.history import save_document, save_record
from declass.errors import StaleEdit
from declass.model import (
    Block,
    BlockKind,
    Collection,
    Document,
    DocumentType,
    Text,
    TextRole,
)
from declass.store import open_store
from declass.store.base import Store
from tests.conftest import open_backend

WRITERS = 6
EDITS_EACH = 4


def _opener(store: Store, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[], Store]:
    """A way to open more connections to the archive `store` lives in."""
    url = getattr(store, "url", None) or str(store.path)
    return lambda: open_store(url)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_edits_never_lose_an_update(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store, discard = open_backend(backend, tmp_path, request)
    try:
        # SYNTHETIC: one document every writer edits at once.
        doc = Document(
            "synthetic:shared",
            "A document many editors correct at once",
            DocumentType.MEMORANDUM,
            texts=(Text("en", TextRole.ORIGINAL, (Block(BlockKind.PARAGRAPH, "Start."),)),),
        )
        opener = _opener(store, tmp_path, request)
        # Written and published by a store of its own: each writer below is one more
        # process-like store, and the index has one writer at a time.
        first = opener()
        first.put_many([doc, Collection("synthetic:shared-collection", "A collection")])
        first.close()
        conflicts = [0] * WRITERS
        failures: list[BaseException] = []
        barrier = threading.Barrier(WRITERS)

        def writer(n: int) -> None:
            mine = opener()
            try:
                barrier.wait()
                for k in range(EDITS_EACH):
                    while True:
                        version = mine.versions(doc.id)[-1].number
                        current = mine.document(doc.id)
                        text = current.texts[0]
                        block = Block(BlockKind.PARAGRAPH, f"writer {n} edit {k}")
                        changed = replace(
                            current, texts=(replace(text, blocks=(*text.blocks, block)),)
                        )
                        try:
                            save_document(mine, changed, version, f"writer{n}", f"edit {k}")
                            break
                        except StaleEdit:
                            conflicts[n] += 1
                    while True:  # and the collection, by its content hash
                        digest = mine.record_hash("collection", "synthetic:shared-collection")
                        c = mine.collection("synthetic:shared-collection")
                        try:
                            save_record(
                                mine,
                                replace(c, description=c.description + f"[{n}.{k}]"),
                                digest,
                                f"writer{n}",
                                "add a mark",
                            )
                            break
                        except StaleEdit:
                            conflicts[n] += 1
            except BaseException as exc:  # reported below, with the others
                failures.append(exc)
            finally:
                mine.close()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not failures, failures
        check = opener()  # as a new server process would read it
        request.addfinalizer(check.close)
        final = check.document(doc.id)
        paragraphs = [b.text for b in final.texts[0].blocks]
        wanted = {f"writer {n} edit {k}" for n in range(WRITERS) for k in range(EDITS_EACH)}
        assert wanted <= set(paragraphs)
        assert len(paragraphs) == 1 + WRITERS * EDITS_EACH  # nothing written twice either
        versions = check.versions(doc.id)
        assert len(versions) == 1 + WRITERS * EDITS_EACH
        edits = check.edits("document", doc.id, limit=1000)
        assert sorted(e.number for e in edits) == list(range(2, 2 + WRITERS * EDITS_EACH))
        marks = check.collection("synthetic:shared-collection").description
        assert all(f"[{n}.{k}]" in marks for n in range(WRITERS) for k in range(EDITS_EACH))
        assert sum(conflicts) > 0  # the writers did collide, and were refused
        # The search index holds the last version (edits reach it at once).
        from declass.store.base import SearchRequest, TermMatch

        found = check.search(
            SearchRequest(TermMatch(("writer",)), include_restricted=True, facets=())
        )
        assert found.total == 1
    finally:
        discard()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_stale_save_writes_nothing(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store, discard = open_backend(backend, tmp_path, request)
    try:
        doc = Document("synthetic:one", "Before", DocumentType.MEMORANDUM)
        store.put(doc)
        save_document(store, replace(doc, title="First"), 1, "a", "first")
        with pytest.raises(StaleEdit):
            save_document(store, replace(doc, title="Second"), 1, "b", "made on version 1")
        assert store.document(doc.id).title == "First"
        assert [v.number for v in store.versions(doc.id)] == [1, 2]
        assert [e.author for e in store.edits("document", doc.id)] == ["a"]
    finally:
        discard()
