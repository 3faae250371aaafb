"""The approximate nearest-neighbour index over the archive's passage vectors.

An HNSW graph (usearch) built from the vectors the store keeps, cached on disk in
the data folder with a fingerprint of what it was built from: when documents are
embedded again or added, the fingerprint changes and the index is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from declass.embeddings import DIMENSIONS, as_array
from declass.store.base import Store

# HNSW parameters: 32 links a node, wide beams at build and search time. Measured by
# bench/parallels.py on 100,000 real passage vectors made crowded (each reused with
# noise): recall@10 against exact search 0.988 at a 14× speed-up; 16 links with a beam
# of 96 gave 0.878, with a beam of 256 0.955.
# A larger index needs a wider beam: at 330,000 such rows (the size of the UNGDC corpus
# in passages) a beam of 256 gave 0.933, 384 gave 0.952, 512 gave 0.967 (17× faster
# than exact search), 1024 gave 0.988.
CONNECTIVITY = 32
EXPANSION_ADD = 200
EXPANSION_SEARCH = 256


def expansion_for(rows: int) -> int:
    """The search beam for an index of `rows` vectors."""
    if rows <= 120_000:
        return EXPANSION_SEARCH
    return 512 if rows <= 400_000 else 1024


@dataclass(frozen=True)
class PassageKey:
    """What one row of the index stands for: a passage of a document."""

    doc_id: str
    passage: int
    start: int
    end: int


@dataclass(frozen=True)
class Neighbour:
    key: PassageKey
    similarity: float  # cosine


def fingerprint(store: Store, model: str) -> str:
    """Changes whenever any document's vectors under `model` change."""
    items = sorted(store.embedded_documents(model).items())
    return hashlib.sha256(json.dumps(items).encode("utf-8")).hexdigest()


class PassageIndex:
    """Vectors of every embedded passage, searchable by cosine similarity."""

    def __init__(self, keys: list[PassageKey], index: object, vectors: np.ndarray | None) -> None:
        self.keys = keys
        self._index = index
        self._vectors = vectors  # kept only when built in memory (exact search, bench)

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def build(cls, keys: list[PassageKey], vectors: np.ndarray, threads: int = 0) -> PassageIndex:
        from usearch.index import Index

        index = Index(
            ndim=DIMENSIONS,
            metric="cos",
            dtype="f32",
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=expansion_for(len(keys)),
        )
        if len(keys):
            index.add(np.arange(len(keys), dtype=np.uint64), vectors, threads=threads)
        return cls(keys, index, vectors)

    @classmethod
    def from_store(cls, store: Store, model: str) -> PassageIndex:
        keys: list[PassageKey] = []
        rows: list[np.ndarray] = []
        for v in store.passage_vectors(model):
            keys.append(PassageKey(v.doc_id, v.passage, v.start, v.end))
            rows.append(as_array(v.vector))
        vectors = np.vstack(rows) if rows else np.zeros((0, DIMENSIONS), dtype=np.float32)
        return cls.build(keys, vectors)

    def search(self, queries: np.ndarray, k: int) -> list[list[Neighbour]]:
        """The `k` nearest passages of each query row, nearest first."""
        if not self.keys or len(queries) == 0:
            return [[] for _ in range(len(queries))]
        k = min(k, len(self.keys))
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        found = self._index.search(queries, k)  # type: ignore[attr-defined]
        # usearch answers one query with `Matches` (no `counts`), several with
        # `BatchMatches`: read both the same way.
        keys = np.atleast_2d(found.keys)
        distances = np.atleast_2d(found.distances)
        counts = np.atleast_1d(getattr(found, "counts", keys.shape[1]))
        if counts.shape[0] != keys.shape[0]:
            counts = np.full(keys.shape[0], int(counts[0]))
        out: list[list[Neighbour]] = []
        for row_keys, row_dist, count in zip(keys, distances, counts, strict=True):
            out.append(
                [
                    Neighbour(self.keys[int(key)], 1.0 - float(d))
                    for key, d in zip(row_keys[:count], row_dist[:count], strict=True)
                    if 0 <= int(key) < len(self.keys)
                ]
            )
        return out

    def exact_search(self, queries: np.ndarray, k: int) -> list[list[Neighbour]]:
        """Brute-force search over the same vectors: the yardstick for recall."""
        if self._vectors is None:
            raise ValueError("exact search needs the vectors in memory (PassageIndex.build)")
        sims = queries @ self._vectors.T
        k = min(k, len(self.keys))
        top = np.argsort(-sims, axis=1)[:, :k]
        return [
            [Neighbour(self.keys[int(j)], float(sims[i, j])) for j in row]
            for i, row in enumerate(top)
        ]


def open_index(store: Store, model: str, folder: Path) -> PassageIndex:
    """The index for `model`, from the cache in `folder` when it is current, else
    rebuilt from the store's vectors and cached."""
    from usearch.index import Index

    stamp = fingerprint(store, model)
    folder.mkdir(parents=True, exist_ok=True)
    graph, meta = folder / f"{model}.usearch", folder / f"{model}.keys.json"
    if graph.exists() and meta.exists():
        cached = json.loads(meta.read_text("utf-8"))
        if cached.get("fingerprint") == stamp:
            keys = [PassageKey(*k) for k in cached["keys"]]
            index = Index.restore(str(graph), view=False) if keys else None
            if keys and index is not None:
                index.expansion_search = expansion_for(len(keys))
            return PassageIndex(keys, index, None)
    built = PassageIndex.from_store(store, model)
    if len(built):
        built._index.save(str(graph))  # type: ignore[attr-defined]
    tmp = meta.with_suffix(".tmp")
    tmp.write_text(
        json.dumps(
            {
                "fingerprint": stamp,
                "model": model,
                "keys": [[k.doc_id, k.passage, k.start, k.end] for k in built.keys],
            }
        ),
        "utf-8",
    )
    tmp.replace(meta)
    return built
