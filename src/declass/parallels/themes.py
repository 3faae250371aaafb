"""An article's themes: content phrases found by YAKE, kept only when they say something.

YAKE (Campos et al. 2020) scores an article's word n-grams by position, frequency,
casing and context spread. Its candidates are then held to what a reader would call
a theme: no names (those are actors), no function or time words at either end ("late",
"months", "knew" are not themes), a single word only when it is a noun-like word the
archive holds but not everywhere, and a phrase only when one of its words is
distinctive in the archive. A theme shown for a parallel must also occur in the
archival text (declass.parallels.explain checks it).
"""

from __future__ import annotations

import math
import re

from declass.parallels.actors import STOPWORDS
from declass.search import analysis
from declass.store.base import Store

# Words that carry time, quantity, attribution or narration rather than content.
GENERIC = frozenset(
    [
        "year",
        "years",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "time",
        "times",
        "decade",
        "decades",
        "century",
        "centuries",
        "ago",
        "late",
        "early",
        "earlier",
        "later",
        "recent",
        "recently",
        "sources",
        "source",
        "knew",
        "know",
        "known",
        "continuing",
        "continued",
        "thing",
        "things",
        "way",
        "ways",
        "part",
        "parts",
        "lot",
        "lots",
        "kind",
        "kinds",
        "sort",
        "many",
        "much",
        "first",
        "last",
        "next",
        "second",
        "third",
        "little",
        "large",
        "small",
        "big",
        "long",
        "short",
        "old",
        "new",
        "good",
        "bad",
        "great",
        "high",
        "low",
        "own",
        "full",
        "whole",
        "several",
        "various",
        "certain",
        "other",
        "another",
        "same",
        "different",
        "like",
        "just",
        "well",
        "really",
        "still",
        "ever",
        "never",
        "always",
        "often",
        "perhaps",
        "maybe",
        "rather",
        "quite",
        "almost",
        "nearly",
        "enough",
        "already",
        "again",
        "instead",
        "indeed",
        "told",
        "tells",
        "telling",
        "says",
        "saying",
        "said",
        "asked",
        "asks",
        "wrote",
        "writes",
        "written",
        "reported",
        "according",
        "people",
        "person",
        "thing",
        "something",
        "anything",
        "everything",
        "nothing",
        "number",
        "today",
        "yesterday",
        "tomorrow",
        "week's",
        "year's",
        "moment",
        "period",
        "point",
        "points",
        "case",
        "cases",
        "fact",
        "facts",
        "question",
        "questions",
        "matter",
        "matters",
        "side",
        "sides",
        "end",
        "ends",
        "start",
        "began",
        "begin",
        "beginning",
        "half",
        "able",
        "likely",
        "unlikely",
        "clear",
        "important",
        "major",
        "minor",
        "key",
        "main",
    ]
)
# Common verbs in all their forms: a phrase holding one is a clause, not a theme.
_VERB_TEXT = """
    be is are was were been being have has had having do does did done doing go goes
    went gone going come comes came coming get gets got getting make makes made making
    take takes took taken taking give gives gave given giving see sees saw seen seeing
    know knows knew known think thinks thought find finds found tell tells told say
    says said ask asks asked seem seems seemed feel feels felt leave leaves left keep
    keeps kept let lets begin begins began begun show shows showed shown hear hears
    heard play plays played run runs ran move moves moved live lives lived believe
    bring brings brought happen happens happened write writes wrote written sit sat
    stand stands stood lose loses lost pay pays paid meet meets met include includes
    included continue continues continued set sets learn learns learned change changes
    changed lead leads led understand understood watch watched follow follows followed
    stop stopped create created speak speaks spoke spoken read reads spend spends spent
    grow grows grew grown open opens opened walk walked win wins won offer offers
    offered remember remembered consider considered appear appeared buy bought wait
    waited serve served die died send sends sent expect expected build built stay
    stayed fall fell fallen cut reach reaches reached kill killed remain remains
    remained suggest suggested raise raised pass passed sell sold require required
    report reported decide decided pull pulled flew fly flies flown arrived arrive
    landed land proved prove proves shaped shape shapes turned turn turns held hold
    holds needs needed wanted want wants tried try tries called call calls looked
    look looks used use uses worked work works put puts means meant tend tended
"""
VERBS = frozenset(_VERB_TEXT.split())
_WORD = re.compile(r"^[a-z][a-z\-]*[a-z]$")
MAX_THEMES = 15
MAX_CHARS = 60_000  # YAKE reads the first 60,000 characters of a very long paste


def find_themes(store: Store, text: str, total: int, count: int = MAX_THEMES) -> list[str]:
    """Key phrases of `text`: YAKE's candidates, filtered to content phrases and ranked
    by YAKE's score weighted by their rarity among the archive's `total` documents."""
    import yake

    text = text[:MAX_CHARS]
    if len(text.split()) < 3:
        return []
    extractor = yake.KeywordExtractor(lan="en", n=3, top=120, dedup_lim=0.8)
    try:
        raw = extractor.extract_keywords(text)
    except (ValueError, ZeroDivisionError, IndexError):  # YAKE on degenerate text
        return []
    candidates: list[tuple[str, float, list[str]]] = []
    for phrase, score in raw:
        words = phrase.split()
        if not _content_phrase(words):
            continue
        candidates.append((phrase.casefold(), float(score), analysis.terms(phrase)))
    if not candidates:
        return []
    counts = store.term_counts(sorted({t for _, _, terms in candidates for t in terms}))
    total = max(total, 1)
    scored: list[tuple[float, str]] = []
    for phrase, score, terms in candidates:
        dfs = [counts.get(t, 0) for t in terms]
        if not terms or min(dfs) == 0:
            continue  # a word the archive never uses cannot be shared with it
        rarest = min(dfs) / total
        if len(terms) == 1 and (rarest > 0.25 or _not_noun(phrase)):
            continue
        if len(terms) > 1 and rarest > 0.5:
            continue
        idf = math.log(1 + total / min(dfs))
        # YAKE's score is lower for better phrases.
        scored.append((idf * (1 + 0.5 * (len(terms) - 1)) / (1e-3 + score) ** 0.5, phrase))
    chosen: list[str] = []
    for _, phrase in sorted(scored, key=lambda x: -x[0]):
        if any(phrase in c or c in phrase for c in chosen):
            continue
        chosen.append(phrase)
        if len(chosen) == count:
            break
    return chosen


def _content_phrase(words: list[str]) -> bool:
    if not words or any(w[:1].isupper() for w in words):
        return False  # names are the actors' business; themes are what is said
    low = [w.casefold() for w in words]
    if any(not _WORD.match(w) or len(w) < 3 for w in low):
        return False
    if low[0] in STOPWORDS or low[-1] in STOPWORDS:
        return False
    if low[0] in GENERIC or low[-1] in GENERIC:
        return False
    if any(w in VERBS or w.endswith("ly") for w in low):
        return False
    if low[-1].endswith(("ed", "ing")) and low[-1] not in NOUN_ENDINGS:
        return False
    return not all(w in GENERIC or w in STOPWORDS for w in low)


# Nouns that end like verb forms.
_NOUN_TEXT = """meeting meetings building bombing shelling fighting uprising hundred
kindred briefing funding landing ceiling wedding offering understanding"""
NOUN_ENDINGS = frozenset(_NOUN_TEXT.split())


def _not_noun(word: str) -> bool:
    # Without a tagger: adverbs, past forms and gerunds are rarely themes alone.
    return word.endswith(("ly", "ed", "ing")) and word not in NOUN_ENDINGS
