"""The whole: from an article to its explained parallels in one archive."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from declass.ann import PassageIndex, open_index
from declass.article import Article
from declass.embeddings import MODEL_NAME, TextEncoder, split_passages
from declass.errors import NotFound
from declass.model import AccessLevel, Document
from declass.parallels import retrieval
from declass.parallels.episodes import Episode, episode_label, group_episodes
from declass.parallels.explain import Explanation, explain
from declass.parallels.profile import ArticleProfile, understand
from declass.parallels.rerank import ActorMatcher, Judged, choose, judge
from declass.parallels.retrieval import Hit
from declass.store.base import Store

MODES = ("hybrid", "fulltext", "semantic")
MIN_GAP_YEARS = 10  # a parallel lies in the past: at least this far before the article
POOL = 100  # fused candidates the reranker reads
ARTICLE_HITS, CLAIM_HITS, SCRIPT_HITS, NEAREST = 60, 25, 25, 30
ARTICLE_PASSAGES = 8  # article passages embedded beside its claims
BEARS = 0.55  # a record bears on a claim at this evidence score or more
# Each list's vote in the fusion: a claim's situation and the claims' meaning count
# more than the bag of the article's names.
VOTES = {"article": 1.0, "claims": 1.5, "scripts": 1.0, "semantic": 1.5}
INDEX_RECHECK_S = 60.0
DOCUMENT_CACHE = 4000


@dataclass(frozen=True)
class ParallelDocument:
    doc_id: str
    title: str
    date: str
    doc_type: str
    score: float
    language: str = ""


@dataclass(frozen=True)
class Parallel:
    rank: int
    label: str
    earliest: str
    latest: str
    score: float
    documents: tuple[ParallelDocument, ...]
    explanation: Explanation


@dataclass(frozen=True)
class ParallelsResult:
    profile: ArticleProfile
    mode: str
    query: str
    parallels: tuple[Parallel, ...]
    notes: tuple[str, ...] = ()


def readable(doc: Document, today: date | None = None) -> bool:
    """Whether an anonymous reader may see `doc`: public, and its embargo has passed."""
    when = today or date.today()
    return doc.access is AccessLevel.PUBLIC and (
        doc.embargo_until is None or doc.embargo_until <= when
    )


class ParallelFinder:
    """Finds parallels in one archive; holds the model and the index once loaded.

    Nothing is embedded on demand: records without stored vectors are judged by their
    words alone until `declass embed` (or `declass ingest --semantic`) has run.
    """

    def __init__(
        self,
        store: Store,
        index_folder: Path,
        embedder: TextEncoder | None = None,
        index: PassageIndex | None = None,
    ) -> None:
        self.store = store
        self.index_folder = index_folder
        self._embedder = embedder
        self._index = index
        self._index_checked = time.monotonic() if index is not None else 0.0
        self._lock = threading.Lock()
        self._total: int | None = None
        self._documents: dict[str, Document] = {}
        self._cache_lock = threading.Lock()

    @property
    def embedder(self) -> TextEncoder:
        if self._embedder is None:
            from declass.embeddings import load_embedder

            self._embedder = load_embedder(self.index_folder.parent / "models")
        return self._embedder

    @property
    def model(self) -> str:
        return self._embedder.name if self._embedder is not None else MODEL_NAME

    @property
    def index(self) -> PassageIndex:
        with self._lock:
            stale = time.monotonic() - self._index_checked > INDEX_RECHECK_S
            if self._index is None or stale:
                self._index = open_index(self.store, self.model, self.index_folder)
                self._index_checked = time.monotonic()
            return self._index

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = len(self.store.document_ids())
        return self._total

    def _document(self, doc_id: str) -> Document | None:
        """A record, from a small cache (decoding one costs milliseconds; the same
        records come back for related articles)."""
        doc = self._documents.get(doc_id)
        if doc is None:
            try:
                doc = self.store.document(doc_id)
            except NotFound:
                return None
            with self._cache_lock:  # the reading room calls from several threads
                if len(self._documents) >= DOCUMENT_CACHE:
                    self._documents.pop(next(iter(self._documents)))
                self._documents[doc_id] = doc
        return doc

    # -- ranking ---------------------------------------------------------------------
    def candidates(
        self, profile: ArticleProfile, mode: str, vectors: np.ndarray | None
    ) -> dict[str, list[Hit]]:
        """Each retrieval's ranked list for the article."""
        lists: dict[str, list[Hit]] = {}
        if mode in ("hybrid", "fulltext"):
            lists["article"] = retrieval.fulltext(
                self.store, retrieval.article_query(profile), ARTICLE_HITS
            )
            per_claim = [
                retrieval.fulltext(self.store, q, CLAIM_HITS)
                for q in dict.fromkeys(retrieval.claim_query(profile, c) for c in profile.claims)
                if q
            ]
            lists["claims"] = retrieval.fuse(per_claim)
            lists["scripts"] = retrieval.fulltext(
                self.store, retrieval.other_scripts_query(profile), SCRIPT_HITS
            )
        if mode in ("hybrid", "semantic") and vectors is not None and len(vectors):
            best = retrieval.passage_matches(self.index, vectors, NEAREST)
            lists["semantic"] = retrieval.semantic_ranking(best)
        return lists

    def _vectors(self, profile: ArticleProfile, mode: str) -> np.ndarray | None:
        """The claims' vectors, then the article's first passages' ("" → none)."""
        if mode == "fulltext" or not len(self.index):
            return None
        texts = [c.text for c in profile.claims]
        texts += [p.text for p in split_passages(profile.text)[:ARTICLE_PASSAGES]]
        if not texts:
            texts = [profile.text[:2000] or " "]
        return self.embedder.encode(texts)

    def judged(
        self,
        article: Article,
        mode: str = "hybrid",
        *,
        min_gap_years: int = MIN_GAP_YEARS,
        exclude: Iterable[str] = (),
        today: date | None = None,
    ) -> tuple[ArticleProfile, list[Judged], dict[str, tuple[str, ...]], str]:
        """The article's profile, its candidates judged and sorted by relevance, which
        lists found each, and the article's full-text query."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        profile = understand(self.store, article, self.total)
        vectors = self._vectors(profile, mode)
        lists = self.candidates(profile, mode, vectors)
        cutoff = profile.year - min_gap_years
        skip = set(exclude)
        found_by: dict[str, tuple[str, ...]] = {}
        for name, hits in lists.items():
            for h in hits:
                found_by[h.doc_id] = (*found_by.get(h.doc_id, ()), name)
        names = [n for n in VOTES if n in lists]
        fused = retrieval.fuse([lists[n] for n in names], weights=[VOTES[n] for n in names])
        # Records are read in fused order until the pool is full: only readable ones
        # from the article's past.
        pool: list[Document] = []
        for hit in fused:
            if len(pool) == POOL:
                break
            doc = self._document(hit.doc_id) if hit.doc_id not in skip else None
            if doc is None or not readable(doc, today):
                continue
            if doc.date is None or doc.date.year <= cutoff:
                pool.append(doc)
        matcher = ActorMatcher(profile.mentions)
        claim_vectors = vectors[: len(profile.claims)] if vectors is not None else None
        judged = judge(
            self.store,
            profile,
            pool,
            claim_vectors,
            self.model,
            matcher,
            meaning_only=mode == "semantic",
        )
        judged.sort(key=lambda j: -j.relevance)
        return profile, judged, found_by, retrieval.article_query(profile)

    def find(
        self,
        article: Article,
        *,
        top: int = 10,
        mode: str = "hybrid",
        min_gap_years: int = MIN_GAP_YEARS,
        exclude: Iterable[str] = (),
        today: date | None = None,
    ) -> ParallelsResult:
        """The article's parallels: episodes of the record that bear on its claims,
        chosen to cover them, each explained."""
        profile, judged, found_by, query = self.judged(
            article, mode, min_gap_years=min_gap_years, exclude=exclude, today=today
        )
        by_id = {j.doc.id: j for j in judged}
        episodes = group_episodes([(j.doc, j.relevance) for j in judged])
        weights = np.array([c.weight for c in profile.claims], dtype=np.float32)
        items = []
        for e in episodes:
            members = [by_id[d.id] for d in e.docs]
            covers = (
                np.max([m.covers() for m in members], axis=0)
                if profile.claims
                else (np.zeros(0, dtype=np.float32))
            )
            covers = np.where(covers >= BEARS, covers, covers * 0.5)
            scores = sorted(e.scores, reverse=True)
            items.append((e, scores[0] + 0.1 * sum(scores[1:]), covers))
        chosen = choose(items, weights, top)
        notes = []
        if mode != "fulltext" and not len(self.index):
            notes.append(
                "Nothing in this archive is embedded yet: parallels were found by words"
                " alone. Run `declass embed` to add meaning."
            )
        parallels = []
        for rank, (item, worth) in enumerate(chosen, 1):
            episode: Episode = item  # type: ignore[assignment]
            members = [by_id[d.id] for d in episode.docs]
            by = tuple(dict.fromkeys(n for d in episode.docs for n in found_by.get(d.id, ())))
            gap = None
            if episode.earliest:
                gap = profile.year - (episode.latest or episode.earliest).year
            parallels.append(
                Parallel(
                    rank=rank,
                    label=episode_label(episode),
                    earliest=episode.earliest.isoformat() if episode.earliest else "",
                    latest=episode.latest.isoformat() if episode.latest else "",
                    score=round(float(worth), 5),
                    documents=tuple(
                        ParallelDocument(
                            d.id,
                            d.title,
                            d.date.label or d.date.sort_key() if d.date else "",
                            d.doc_type.value,
                            round(s, 5),
                            d.language,
                        )
                        for d, s in zip(episode.docs, episode.scores, strict=True)
                    ),
                    explanation=explain(
                        profile, members, ActorMatcher(profile.mentions), by, gap, BEARS
                    ),
                )
            )
        return ParallelsResult(profile, mode, query, tuple(parallels), tuple(notes))

    def ranked_documents(self, article: Article, mode: str = "hybrid", **options: Any) -> list[str]:
        """The records of the parallels in the order shown (for evaluation)."""
        result = self.find(article, top=options.pop("top", 10), mode=mode, **options)
        return [d.doc_id for p in result.parallels for d in p.documents]


def find_parallels(
    store: Store,
    article: Article,
    index_folder: Path,
    *,
    top: int = 10,
    mode: str = "hybrid",
    min_gap_years: int = MIN_GAP_YEARS,
) -> ParallelsResult:
    """The library call behind `declass parallels` and the reading room's page."""
    return ParallelFinder(store, index_folder).find(
        article, top=top, mode=mode, min_gap_years=min_gap_years
    )


def result_as_json(result: ParallelsResult) -> dict[str, Any]:
    """A plain-JSON form of the result, for the CLI's --json and the web API."""
    profile = result.profile
    article = profile.article
    names = {m.key: m.text for m in profile.mentions}
    return {
        "article": {
            "title": article.title,
            "author": article.author,
            "published": article.published.isoformat() if article.published else None,
            "source": article.source,
            "paragraphs": len(article.paragraphs),
        },
        "mentions": [{**asdict(m), "key": m.key} for m in profile.mentions],
        "periods": [asdict(p) for p in profile.periods],
        "themes": list(profile.themes),
        "claims": [asdict(c) for c in profile.claims],
        "situation": {
            **asdict(profile.situation),
            "description": profile.situation.describe(names),
        },
        "mode": result.mode,
        "query": result.query,
        "notes": list(result.notes),
        "parallels": [asdict(p) for p in result.parallels],
    }
