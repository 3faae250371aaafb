"""Candidate records for an article: by its words, its claims, its names in other
scripts, and by meaning.

Four kinds of list, each ranked on its own: the whole article's names and themes
(any of them); each claim's situation (its actors, all of them, and its events, any,
within the claim's years); the actors' spellings in Cyrillic and Chinese, so that a
record in Russian or Chinese is a candidate although its words are not the article's;
and the approximate index's nearest passages to the article's claims and passages.
The lists are fused by weighted reciprocal rank fusion into the candidate pool that
declass.parallels.rerank judges.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from declass.ann import PassageIndex
from declass.errors import DeclassError
from declass.parallels.claims import Claim
from declass.parallels.profile import ArticleProfile
from declass.search.engine import search
from declass.store.base import Store

RRF_K = 60  # the constant of reciprocal rank fusion (Cormack et al. 2009)
# Words to ask the engine for each event kind (the engine stems them).
EVENT_QUERY_WORDS: dict[str, tuple[str, ...]] = {
    "visit": ("visit", "trip", "summit", "journey"),
    "aid": ("aid", "assistance", "loan", "credits", "experts", "advisers"),
    "treaty": ("treaty", "alliance", "agreement", "communique"),
    "split": ("split", "dispute", "polemics", "withdrawal", "rift", "conflict"),
    "border": ("border", "frontier", "clash", "island"),
    "recognition": ("recognition", "recognize", "recognise", '"diplomatic relations"'),
    "talks": ("talks", "negotiations", "conversation", "meeting", "letter"),
    "nuclear": ("nuclear", "atomic", "missiles"),
    "war": ("war", "attack", "aggression"),
    "trade": ("trade", "embargo", "wheat"),
    "united nations": ('"United Nations"', "representation", '"Security Council"'),
}
_NON_LATIN = re.compile(r"[\u0400-\u04ff\u3400-\u9fff]")
MAX_SPELLINGS = 6


@dataclass(frozen=True)
class Hit:
    doc_id: str
    score: float


def quotable(text: str) -> str:
    """Text safe inside a quoted phrase of the query language."""
    return re.sub(r'["()\\:*]', " ", text).strip()


def _any_of(terms: Sequence[str]) -> str:
    parts = [t for t in dict.fromkeys(terms) if t.strip('"').strip()]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _phrase(text: str) -> str:
    q = quotable(text)
    return f'"{q}"' if q else ""


def article_query(profile: ArticleProfile, names: int = 10, themes: int = 10) -> str:
    """The engine's query for the whole article: its names and key phrases, any of them."""
    parts = [_phrase(m.text) for m in profile.mentions[:names]]
    parts += [_phrase(t) for t in profile.themes[:themes]]
    return " OR ".join(p for p in dict.fromkeys(parts) if p)


def claim_query(profile: ArticleProfile, claim: Claim) -> str:
    """A claim's situation as a query: every actor (any spelling), any of its events,
    within its years (one year's slack), else within the article's periods."""
    groups = []
    for key in claim.actors[:3]:
        mention = profile.mention(key)
        if mention is None:
            continue
        spellings = [s for s in (mention.text, *mention.spellings) if not _NON_LATIN.search(s)]
        groups.append(_any_of([_phrase(s) for s in spellings[:MAX_SPELLINGS]]))
    words = [w for e in claim.events for w in EVENT_QUERY_WORDS.get(e, ())]
    if words:
        groups.append(_any_of(words))
    groups = [g for g in groups if g]
    if len(groups) < 2:
        return ""
    years = list(claim.years) or [
        y for p in profile.periods if p.latest - p.earliest <= 12 for y in (p.earliest, p.latest)
    ]
    when = f" date:{min(years) - 1}..{max(years) + 1}" if years else ""
    return " ".join(groups) + when


def other_scripts_query(profile: ArticleProfile) -> str:
    """The actors' spellings in Cyrillic and Chinese characters, any of them."""
    spellings = [_phrase(s) for m in profile.mentions for s in m.spellings if _NON_LATIN.search(s)]
    return " OR ".join(dict.fromkeys(p for p in spellings if p))


def fulltext(store: Store, query: str, limit: int) -> list[Hit]:
    """The engine's ranking for `query` (an unreadable query finds nothing)."""
    if not query or len(query) > 2000:
        return []
    try:
        # The spellings are the article's own and its actors' recorded ones: the
        # engine's broader expansion is not wanted (nor its cost).
        found = search(store, query, expand=False, page_size=limit, snippets=False, facet_size=0)
    except (DeclassError, ValueError, RecursionError):
        return []
    return [Hit(r.doc_id, r.score) for r in found.results]


def passage_matches(index: PassageIndex, vectors: np.ndarray, k: int) -> dict[str, list[float]]:
    """For each record near the article: its best similarity to each query row."""
    best: dict[str, list[float]] = {}
    if not len(vectors):
        return best
    for i, neighbours in enumerate(index.search(vectors, k)):
        for n in neighbours:
            row = best.setdefault(n.key.doc_id, [0.0] * len(vectors))
            row[i] = max(row[i], n.similarity)
    return best


def semantic_ranking(best: dict[str, list[float]]) -> list[Hit]:
    """Records that echo several of the article's claims first: the mean of each
    record's three best similarities."""
    scored = [Hit(d, float(sum(sorted(s, reverse=True)[:3]) / 3)) for d, s in best.items()]
    return sorted(scored, key=lambda h: (-h.score, h.doc_id))


def fuse(
    lists: Sequence[Sequence[Hit]], k: int = RRF_K, weights: Sequence[float] = ()
) -> list[Hit]:
    """Reciprocal rank fusion: each list gives weight/(k + rank) to each of its records."""
    scores: dict[str, float] = {}
    for i, hits in enumerate(lists):
        weight = weights[i] if i < len(weights) else 1.0
        for rank, hit in enumerate(hits, 1):
            scores[hit.doc_id] = scores.get(hit.doc_id, 0.0) + weight / (k + rank)
    return [Hit(d, s) for d, s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]
