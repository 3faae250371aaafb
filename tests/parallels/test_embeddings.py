"""The ONNX runtime gives the reference model's vectors; the index answers one query."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from declass.ann import PassageIndex, PassageKey
from declass.embeddings import TextEncoder, load_embedder, split_passages
from declass.store.base import Store


def test_onnx_vectors_are_the_pytorch_vectors(
    parallels_archive: Store, embedder: TextEncoder
) -> None:
    doc = parallels_archive.document("ungdc:CHN_05_1950")
    texts = [*[p.text for p in split_passages(doc.body)][:12], "Mao", ""]
    reference = load_embedder(runtime="torch").encode(texts)
    got = embedder.encode(texts)
    assert got.shape == reference.shape
    cosines = (got * reference).sum(axis=1)
    assert float(cosines.min()) > 0.9999, cosines


def test_the_index_answers_a_single_query_and_an_index_of_one(embedder: TextEncoder) -> None:
    vectors = embedder.encode(["Mao Zedong met Stalin in Moscow.", "The treaty of 1950."])
    one = PassageIndex.build([PassageKey("d", 0, 0, 10)], vectors[:1])
    assert [n.key.doc_id for n in one.search(vectors[1:], 5)[0]] == ["d"]
    two = PassageIndex.build([PassageKey("a", 0, 0, 1), PassageKey("b", 0, 0, 1)], vectors)
    assert len(two.search(vectors[0], 10)[0]) == 2  # a 1-D query is one query
    assert two.search(np.zeros((0, vectors.shape[1]), np.float32), 3) == []


def test_embedding_stores_every_passage_and_resumes(
    parallels_archive: Store, embedder: TextEncoder, tmp_path: Path
) -> None:
    from declass.embeddings import embed_archive
    from declass.store import open_store

    store = open_store(tmp_path / "a.sqlite3")
    docs = [parallels_archive.document(d) for d in parallels_archive.document_ids()[:6]]
    for d in docs:
        store.put(d)
    first = embed_archive(store, embedder, batch_passages=7)
    expected = sum(len(split_passages(d.body)) for d in docs)
    assert first.passages == expected == len(list(store.passage_vectors(embedder.name)))
    again = embed_archive(store, embedder)
    assert again.documents == 0 and again.unchanged == first.documents
    store.close()
