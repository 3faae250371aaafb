"""Why a record is a parallel, in terms a reader can check against both texts.

Every part of an explanation is found in both texts, not inferred: an actor is shown
with the spelling the record uses (found in its text) and the authority the article's
name was resolved to; a theme is one of the article's key phrases that the record's
analysed text holds word for word; a passage pair puts a claim of the article beside
the record's passage that says the same thing (their vectors' cosine at least
PAIR_MIN), or, for a record the English model cannot read, the passage that names the
claim's actors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from declass.embeddings import split_passages
from declass.model import Document
from declass.parallels.profile import ArticleProfile
from declass.parallels.rerank import ActorMatcher, Judged, record_text
from declass.search import analysis
from declass.search.engine import Snippet

HighlightedText = Snippet  # a passage with the spans of its marked words
PASSAGE_PAIRS = 3
PAIR_MIN = 0.45
_STOP_TERMS = frozenset(
    analysis.stem(w)
    for w in [
        "the",
        "and",
        "of",
        "to",
        "in",
        "a",
        "that",
        "for",
        "on",
        "with",
        "was",
        "were",
        "is",
        "be",
        "by",
        "as",
    ]
)


@dataclass(frozen=True)
class SharedActor:
    name: str  # as the article writes it
    kind: str
    variant: str  # the spelling found in the record
    doc_id: str
    authority_id: str = ""
    authority_name: str = ""


@dataclass(frozen=True)
class PassagePair:
    """A claim of the article beside the passage of the record that matches it."""

    article: HighlightedText
    record: HighlightedText
    doc_id: str
    similarity: float
    basis: str = "meaning"  # "meaning" (vectors) or "names" (a record in another language)


@dataclass(frozen=True)
class Explanation:
    actors: tuple[SharedActor, ...]
    themes: tuple[str, ...]
    gap_years: int | None
    passages: tuple[PassagePair, ...]
    retrieved_by: tuple[str, ...]  # which rankings found it
    claims: tuple[int, ...] = ()  # indexes of the article's claims it bears on
    situation: str = ""


def occurs(phrase: str, text: str) -> bool:
    """The phrase's words in sequence in `text`, each in its own form or an inflection
    of it ("adviser", "advisers"; not "advised"): stems alone join too much."""
    words = re.findall(r"[^\W_]+", phrase.casefold())
    if not words:
        return False
    text = text.casefold()
    if words[0][:4] not in text:  # most themes are absent from most records: skip fast
        return False
    pattern = r"[\W_]+".join(re.escape(w[: max(4, len(w) - 2)]) + r"\w*" for w in words)
    return re.search(r"(?<!\w)" + pattern, text) is not None


def explain(
    profile: ArticleProfile,
    judged: Sequence[Judged],
    matcher: ActorMatcher,
    retrieved_by: tuple[str, ...],
    gap_years: int | None,
    bears_at: float,
) -> Explanation:
    """The explanation of one episode from its records' evidence."""
    actors: list[SharedActor] = []
    seen: set[str] = set()
    for mention in profile.mentions:
        for j in judged:
            variant = dict(j.spellings).get(mention.key, "")
            if variant and mention.key not in seen:
                seen.add(mention.key)
                actors.append(
                    SharedActor(
                        mention.text,
                        mention.kind,
                        variant,
                        j.doc.id,
                        mention.authority_id,
                        mention.authority_name,
                    )
                )
                break
    texts = [record_text(j.doc).casefold() for j in judged]
    themes = tuple(
        t for t in profile.themes if occurs(t, profile.text) and any(occurs(t, x) for x in texts)
    )
    claims = sorted({e.claim for j in judged for e in j.evidence if e.score >= bears_at})
    return Explanation(
        tuple(actors),
        themes,
        gap_years,
        tuple(_pairs(profile, judged, matcher)),
        retrieved_by,
        tuple(claims),
    )


def _pairs(
    profile: ArticleProfile, judged: Sequence[Judged], matcher: ActorMatcher
) -> list[PassagePair]:
    candidates: list[tuple[float, int, Document, str, str]] = []
    for j in judged[:3]:
        cut = None
        english = j.doc.language in ("", "en")
        for e in j.evidence:
            if english and e.passage >= 0 and e.meaning >= PAIR_MIN:
                cut = cut or split_passages(j.doc.body)
                if e.passage < len(cut):
                    candidates.append((e.meaning, e.claim, j.doc, cut[e.passage].text, "meaning"))
            elif not english and e.actors:
                cut = cut or split_passages(j.doc.body)
                best = _naming_passage(cut, e.actors, matcher, j.doc)
                if best:
                    candidates.append((len(e.actors) / 10, e.claim, j.doc, best, "names"))
    candidates.sort(key=lambda c: -c[0])
    pairs: list[PassagePair] = []
    used_claims: set[int] = set()
    used_records: set[str] = set()
    for sim, claim, doc, text, basis in candidates:
        if claim in used_claims or text in used_records:
            continue
        used_claims.add(claim)
        used_records.add(text)
        left, right = highlight(profile.claims[claim].text, text, matcher, doc)
        pairs.append(PassagePair(left, right, doc.id, round(sim, 4), basis))
        if len(pairs) == PASSAGE_PAIRS:
            break
    return pairs


def _naming_passage(
    cut: Sequence[object], actors: Sequence[str], matcher: ActorMatcher, doc: Document
) -> str:
    best, most = "", 0
    for p in cut:
        text = p.text  # type: ignore[attr-defined]
        named = sum(1 for k in actors if matcher.found(k, text, doc))
        if named > most:
            best, most = text, named
    return best


def _content_terms(text: str) -> set[str]:
    return {t for t in analysis.terms(text) if t not in _STOP_TERMS and len(t) > 2}


def highlight(
    left: str, right: str, matcher: ActorMatcher, doc: Document
) -> tuple[HighlightedText, HighlightedText]:
    """Both passages with the content words they share marked."""
    shared = _content_terms(left) & _content_terms(right)

    def spans(text: str) -> tuple[tuple[int, int], ...]:
        return tuple((t.start, t.end) for t in analysis.tokens(text) if t.term in shared)

    return HighlightedText(left, spans(left)), HighlightedText(right, spans(right))
