"""Parallels: from a present-day article to the archival record that echoes it.

The article is read (declass.article) and understood: the people, organisations,
places and countries it names, resolved against the authority records and every
spelling search knows; the years, decades and named episodes it mentions; its themes
as key phrases (YAKE). Retrieval is hybrid: the full-text engine is asked for the
article's names and themes (once over the whole archive, once within the periods the
article names), the approximate index for the record's passages nearest to the
article's passages; the ranked lists are fused by reciprocal rank fusion. Hits are
grouped into episodes (same people or country or series, within a year or so),
episodes are diversified so that one does not fill the list, and each parallel is
explained: shared actors with the spelling that matched, shared themes, the time gap,
and the record's passages that best match the article's, side by side.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from declass import countries
from declass.ann import PassageIndex, open_index
from declass.article import Article
from declass.embeddings import MODEL_NAME, Embedder, as_array, split_passages
from declass.errors import NotFound, QueryError
from declass.model import AccessLevel, AuthorityKind, Document
from declass.search import analysis, variants
from declass.search.engine import Snippet, search
from declass.store.base import Store

MODES = ("hybrid", "fulltext", "semantic")
RRF_K = 60  # the constant of reciprocal rank fusion (Cormack et al. 2009)
CANDIDATES = 60  # documents taken from each ranked list
MIN_GAP_YEARS = 10  # a parallel lies in the past: at least this far before the article
EPISODE_WINDOW_DAYS = 400  # documents this close, sharing actors, are one episode
EPISODE_MAX_SPAN_DAYS = 3 * 366
DIVERSITY = 0.6  # score factor for each chosen episode of the same country and decade
PASSAGE_PAIRS = 3
# The weight of each modality's vote in the fusion. An analogy is carried by meaning
# more than by shared words: the semantic vote counts double, the words' vote adding
# what meaning missed and breaking its ties. (A third vote for the words within the
# periods the article names was tried and dropped: it pulled in the period's other
# records and lowered nDCG@10 on bench/parallels.py's judged set from 0.48 to 0.35.)
VOTES = {"fulltext": 1.0, "semantic": 2.0}

# Episodes commentators name, with the years they span.
NAMED_EPISODES: dict[str, tuple[int, int]] = {
    "sino-soviet split": (1956, 1966),
    "sino-soviet alliance": (1949, 1960),
    "sino-soviet treaty": (1950, 1950),
    "sino-soviet border conflict": (1969, 1969),
    "chinese revolution": (1949, 1949),
    "korean war": (1950, 1953),
    "cuban missile crisis": (1962, 1962),
    "berlin blockade": (1948, 1949),
    "berlin crisis": (1958, 1961),
    "vietnam war": (1955, 1975),
    "cold war": (1947, 1991),
    "détente": (1969, 1979),
    "detente": (1969, 1979),
    "marshall plan": (1947, 1952),
    "prague spring": (1968, 1968),
    "hungarian revolution": (1956, 1956),
    "suez crisis": (1956, 1956),
    "taiwan strait crisis": (1954, 1958),
    "nixon's visit to china": (1972, 1972),
    "opening to china": (1971, 1972),
    "rapprochement with china": (1969, 1972),
    "fall of the berlin wall": (1989, 1989),
    "collapse of the soviet union": (1991, 1991),
    "dissolution of the soviet union": (1991, 1991),
    "yalta": (1945, 1945),
    "potsdam": (1945, 1945),
}
# Adjectives that name a country (the resolver knows names, not demonyms).
DEMONYMS = {
    "soviet": "Soviet Union",
    "sino": "China",
    "chinese": "China",
    "russian": "Russia",
    "american": "United States",
    "british": "United Kingdom",
    "french": "France",
    "german": "Germany",
    "japanese": "Japan",
    "korean": "Korea",
    "indian": "India",
    "vietnamese": "Viet Nam",
    "ukrainian": "Ukraine",
    "taiwanese": "Taiwan",
    "mongolian": "Mongolia",
}
_STOPWORD_TEXT = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each
few for from further had has have having he her here hers herself him himself his how
i if in into is it its itself just me more most my myself no nor not now of off on
once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too
under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves one two new said says say may might must
shall upon us mr
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_STOP_TERMS = frozenset(analysis.stem(w) for w in STOPWORDS) | STOPWORDS
_NAME_RUN = re.compile(
    r"(?<![\w’'])(?:[A-Z][\w’'\-]*|[\u0400-\u042f][\w\-]*|[\u3400-\u9fff]+)"
    r"(?:\s+(?:(?:of|the|de|von|van|al|bin)\s+)?"
    r"(?:[A-Z][\w’'\-]*|[\u0400-\u042f][\w\-]*))*"
)
_YEAR = re.compile(r"(?<![\d-])(1[6-9]\d\d|20\d\d)(?![\d-])")
_DECADE = re.compile(r"(?<!\d)(1[6-9]\d0|20\d0)s\b|(?<!\d)(?:the\s+)?'(\d0)s\b", re.I)
_CONNECTORS = {"of", "the", "de", "von", "van", "al", "bin"}
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*)$")


# -- understanding the article ----------------------------------------------------
@dataclass(frozen=True)
class Mention:
    """Someone or something the article names, with every spelling the archive knows."""

    text: str  # as the article writes it
    kind: str  # person, organisation, place, country, term, name
    spellings: tuple[str, ...]
    authority_id: str = ""
    country_code: str = ""
    count: int = 1


@dataclass(frozen=True)
class Period:
    """A stretch of the past the article names: a year, a decade or an episode."""

    label: str
    earliest: int
    latest: int


@dataclass(frozen=True)
class ArticleProfile:
    article: Article
    mentions: tuple[Mention, ...]
    periods: tuple[Period, ...]
    themes: tuple[str, ...]

    @property
    def year(self) -> int:
        return (self.article.published or date.today()).year


def understand(store: Store, article: Article) -> ArticleProfile:
    """The article's actors, periods and themes, resolved against the archive."""
    text = f"{article.title}\n\n{article.text}"
    return ArticleProfile(
        article,
        tuple(_mentions(store, text)),
        tuple(_periods(text, (article.published or date.today()).year)),
        tuple(_themes(store, text)),
    )


def _mentions(store: Store, text: str) -> list[Mention]:
    found: dict[str, Mention] = {}
    for m in _NAME_RUN.finditer(text):
        run = m.group().strip(" -’'")
        at_start = bool(_SENTENCE_START.search(text[: m.start()]))
        for name in _candidates(run):
            if at_start and name.split()[0].lower() in STOPWORDS:
                continue
            mention = found.get(name.lower())
            if mention is not None:
                found[name.lower()] = _counted(mention)
                break
            resolved = _resolve(store, name)
            if resolved is not None:
                found[name.lower()] = resolved
                break
    merged: dict[str, Mention] = {}
    for mention in found.values():
        key = mention.authority_id or mention.country_code or mention.text.lower()
        if key in merged:
            kept = merged[key]
            spellings = tuple(dict.fromkeys((*kept.spellings, *mention.spellings)))
            text = mention.text if kept.text.lower() in DEMONYMS else kept.text
            merged[key] = Mention(
                text,
                kept.kind,
                spellings,
                kept.authority_id,
                kept.country_code,
                kept.count + mention.count,
            )
        else:
            merged[key] = mention
    return sorted(merged.values(), key=lambda x: (-x.count, x.text))


def _counted(m: Mention) -> Mention:
    return Mention(m.text, m.kind, m.spellings, m.authority_id, m.country_code, m.count + 1)


def _candidates(run: str) -> Iterable[str]:
    """The run, then shorter runs inside it (longest first)."""
    words = run.split()
    for size in range(min(len(words), 4), 0, -1):
        for i in range(len(words) - size + 1):
            piece = words[i : i + size]
            if {piece[0].lower(), piece[-1].lower()} & _CONNECTORS:
                continue
            yield " ".join(piece)
    # "Sino-Soviet": each half may name a country.
    for part in re.split(r"[-–]", run):
        if part != run and part:
            yield part


def _resolve(store: Store, name: str) -> Mention | None:
    demonym = DEMONYMS.get(name.lower())
    country = countries.country_named(demonym or name)
    if country is not None:
        spellings = {name, country.name, *((demonym and [demonym]) or [])}
        spellings |= {n for n, code in _COUNTRY_WORDS.items() if code == country.code}
        return Mention(name, "country", tuple(sorted(spellings)), country_code=country.code)
    authorities = store.authorities_named(name)
    if authorities:
        a = authorities[0]
        kind = a.kind.value
        spellings = dict.fromkeys([name, *a.all_names])
        if a.kind in (AuthorityKind.PERSON, AuthorityKind.PLACE):
            for generated in _attested(store, variants.name_forms(name)):
                spellings.setdefault(generated, None)
        return Mention(name, kind, tuple(spellings), authority_id=a.id)
    if len(name) < 3 or name.lower() in STOPWORDS or not _attested(store, {name}):
        return None
    # Without an authority record, only romanisations of Chinese are trusted (reading
    # an English word back as Russian makes nonsense); a Cyrillic name gets its Latin.
    generated = variants.chinese_forms(name) | (
        variants.latin_forms(name) if re.search(r"[\u0400-\u04ff]", name) else set()
    )
    if len(name.split()) > 1 or generated:
        return Mention(name, "name", (name, *sorted(_attested(store, generated))))
    return None


_COUNTRY_WORDS = {
    "Soviet Union": "RUS",
    "USSR": "RUS",
    "Soviet": "RUS",
    "Russia": "RUS",
    "Moscow": "RUS",
    "China": "CHN",
    "Chinese": "CHN",
    "Peking": "CHN",
    "Beijing": "CHN",
    "United States": "USA",
    "Washington": "USA",
}


def _attested(store: Store, names: Iterable[str]) -> set[str]:
    """The spellings all of whose words occur somewhere in the archive."""
    names = [n for n in names if analysis.terms(n)]
    counts = store.term_counts(sorted({w for n in names for w in analysis.terms(n)}))
    return {n for n in names if all(counts.get(w, 0) for w in analysis.terms(n))}


def _periods(text: str, present: int) -> list[Period]:
    found: dict[str, Period] = {}
    low = text.lower()
    for name, (start, end) in NAMED_EPISODES.items():
        if name in low:
            found[name] = Period(name, start, end)
    for m in _DECADE.finditer(text):
        if m.group(1):
            start = int(m.group(1))
        else:
            short = int(m.group(2))
            start = (1900 if short > present % 100 else 2000) + short
        found.setdefault(f"{start}s", Period(f"the {start}s", start, start + 9))
    for m in _YEAR.finditer(text):
        year = int(m.group(1))
        if year < present - 5:  # this year and the last few are the article's present
            found.setdefault(str(year), Period(str(year), year, year))
    return sorted(found.values(), key=lambda p: (p.earliest, p.latest))


def _themes(store: Store, text: str, count: int = 15) -> list[str]:
    """Key phrases: YAKE's candidates, ranked tf-idf-like against the archive (a phrase
    the article repeats and the archive holds, but not everywhere)."""
    import math

    import yake

    extractor = yake.KeywordExtractor(lan="en", n=3, top=150, dedup_lim=0.9)
    candidates: list[tuple[str, tuple[str, ...]]] = []
    for phrase, _ in extractor.extract_keywords(text):
        words = phrase.split()
        if any(w[:1].isupper() for w in words) or any(not w.isalpha() for w in words):
            continue  # names are the mentions' business; themes are what is said
        if words[0].lower() in STOPWORDS or words[-1].lower() in STOPWORDS:
            continue
        candidates.append((phrase, tuple(analysis.terms(phrase))))
    article_terms = " " + " ".join(analysis.terms(text)) + " "
    counts = store.term_counts(sorted({w for _, t in candidates for w in t}))
    total = max(len(store.document_ids()), 1)
    scored: list[tuple[float, str]] = []
    for phrase, terms in candidates:
        df = min((counts.get(w, 0) for w in terms), default=0)
        if not df:
            continue
        tf = article_terms.count(f" {' '.join(terms)} ")
        idf = math.log(1 + total / df)
        scored.append((tf * idf * (1 + 0.5 * (len(terms) - 1)), phrase))
    chosen: list[str] = []
    for _, phrase in sorted(scored, key=lambda x: -x[0]):
        if any(phrase in c or c in phrase for c in chosen):
            continue
        chosen.append(phrase)
        if len(chosen) == count:
            break
    return chosen


# -- retrieval --------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    doc_id: str
    score: float


def fulltext_query(profile: ArticleProfile, names: int = 10, themes: int = 10) -> str:
    """The engine's query for the article: its names and key phrases, any of them."""
    parts: list[str] = []
    for m in profile.mentions[:names]:
        parts.append(f'"{_quotable(m.text)}"')
    for t in profile.themes[:themes]:
        parts.append(f'"{_quotable(t)}"')
    parts = [p for p in dict.fromkeys(parts) if p.strip('"').strip()]
    return " OR ".join(parts)


def _quotable(text: str) -> str:
    return re.sub(r'["()\\:*]', " ", text).strip()


def _fulltext(store: Store, query: str, limit: int) -> list[Hit]:
    if not query:
        return []
    try:
        found = search(store, query, page_size=limit, snippets=False, facet_size=0)
    except QueryError:
        return []
    return [Hit(r.doc_id, r.score) for r in found.results]


def _passage_matches(index: PassageIndex, vectors: np.ndarray, k: int) -> dict[str, list[float]]:
    """For each document near the article: its best similarity to each article passage."""
    best: dict[str, list[float]] = {}
    for i, neighbours in enumerate(index.search(vectors, k)):
        for n in neighbours:
            row = best.setdefault(n.key.doc_id, [0.0] * len(vectors))
            row[i] = max(row[i], n.similarity)
    return best


def _semantic(best: dict[str, list[float]]) -> list[Hit]:
    # A document that echoes several passages of the article ranks above one that
    # matches a single passage closely: the mean of its three best matches.
    scored = []
    for doc_id, sims in best.items():
        top = sorted(sims, reverse=True)[:3]
        scored.append(Hit(doc_id, float(sum(top) / 3)))
    return sorted(scored, key=lambda h: -h.score)


def fuse(
    lists: Sequence[Sequence[Hit]], k: int = RRF_K, weights: Sequence[float] = ()
) -> list[Hit]:
    """Reciprocal rank fusion: each list gives weight/(k + rank) to each of its documents
    (weight 1 unless `weights` says otherwise)."""
    scores: dict[str, float] = {}
    for i, hits in enumerate(lists):
        weight = weights[i] if i < len(weights) else 1.0
        for rank, hit in enumerate(hits, 1):
            scores[hit.doc_id] = scores.get(hit.doc_id, 0.0) + weight / (k + rank)
    return [Hit(d, s) for d, s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


def readable(doc: Document, today: date | None = None) -> bool:
    """Whether an anonymous reader may see `doc`: public, and its embargo has passed."""
    when = today or date.today()
    return doc.access is AccessLevel.PUBLIC and (
        doc.embargo_until is None or doc.embargo_until <= when
    )


# -- episodes ---------------------------------------------------------------------
@dataclass(frozen=True)
class ParallelDocument:
    doc_id: str
    title: str
    date: str
    doc_type: str
    score: float


@dataclass
class _Episode:
    docs: list[Document] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)

    @property
    def earliest(self) -> date | None:
        days = [d.date.earliest or d.date.latest for d in self.docs if d.date]
        return min((x for x in days if x), default=None)

    @property
    def latest(self) -> date | None:
        days = [d.date.latest or d.date.earliest for d in self.docs if d.date]
        return max((x for x in days if x), default=None)


def _actors(doc: Document) -> set[str]:
    people = {p.authority_id or p.name.lower() for p in doc.participants}
    return people | {f"country:{c.code}" for c in doc.countries[:1]}


def _belongs(doc: Document, episode: _Episode) -> bool:
    if not doc.date or not doc.date.earliest or episode.earliest is None:
        return False
    lo, hi = episode.earliest, episode.latest or episode.earliest
    start = doc.date.earliest
    end = doc.date.latest or start
    if (start - hi).days > EPISODE_WINDOW_DAYS or (lo - end).days > EPISODE_WINDOW_DAYS:
        return False
    if (max(hi, end) - min(lo, start)).days > EPISODE_MAX_SPAN_DAYS:
        return False
    mine = _actors(doc)
    for other in episode.docs:
        if mine & _actors(other):
            return True
        if doc.series and doc.series == other.series and doc.date == other.date:
            return True
    return False


def group_episodes(docs: Sequence[tuple[Document, float]]) -> list[_Episode]:
    """Hits in rank order, each joining the first episode it belongs to."""
    episodes: list[_Episode] = []
    for doc, score in docs:
        home = next((e for e in episodes if _belongs(doc, e)), None)
        if home is None:
            home = _Episode()
            episodes.append(home)
        home.docs.append(doc)
        home.scores.append(score)
    return episodes


def episode_label(episode: _Episode) -> str:
    """One line from the documents' metadata: what, who, when."""
    span = _span(episode.earliest, episode.latest)
    first = episode.docs[0]
    if len(episode.docs) == 1:
        return f"{first.title} ({span})" if span and span not in first.title else first.title
    kinds = {d.doc_type.value for d in episode.docs}
    who = list(dict.fromkeys(c.name for d in episode.docs for c in d.countries[:1]))
    what = _KIND_PLURAL.get(kinds.pop(), "documents") if len(kinds) == 1 else "documents"
    if all(d.id.startswith("ungdc:") for d in episode.docs):
        what = "General Debate speeches"
    by = f" by {', '.join(who[:3])}" if who else ""
    return f"{len(episode.docs)} {what}{by}, {span}: {first.title} …"


_KIND_PLURAL = {
    "speech": "speeches",
    "essay": "essays",
    "telegram": "telegrams",
    "memorandum-of-conversation": "memoranda of conversation",
    "memorandum": "memoranda",
    "letter": "letters",
}


def _span(lo: date | None, hi: date | None) -> str:
    if lo is None:
        return ""
    if hi is None or hi.year == lo.year:
        return str(lo.year)
    return f"{lo.year}–{hi.year}"


def _diversify(episodes: list[tuple[_Episode, float]], top: int) -> list[tuple[_Episode, float]]:
    """Greedy selection: each pick lowers the others of its country and decade."""
    chosen: list[tuple[_Episode, float]] = []
    pool = list(episodes)
    while pool and len(chosen) < top:

        def adjusted(item: tuple[_Episode, float]) -> float:
            same = sum(1 for e, _ in chosen if _facet(e) == _facet(item[0]))
            return item[1] * DIVERSITY**same

        best = max(pool, key=adjusted)
        pool.remove(best)
        chosen.append((best[0], adjusted(best)))
    return chosen


def _facet(e: _Episode) -> tuple[str, int]:
    first = e.docs[0]
    country = first.countries[0].code if first.countries else first.doc_type.value
    return country, (e.earliest.year // 10 if e.earliest else 0)


# -- explanations -----------------------------------------------------------------
# A passage with the spans of its matched words: the same value as a search snippet.
HighlightedText = Snippet


@dataclass(frozen=True)
class PassagePair:
    """A passage of the article beside the passage of the record that matches it."""

    article: HighlightedText
    record: HighlightedText
    doc_id: str
    similarity: float


@dataclass(frozen=True)
class SharedActor:
    name: str  # as the article writes it
    kind: str
    variant: str  # the spelling found in the record
    doc_id: str


@dataclass(frozen=True)
class Explanation:
    actors: tuple[SharedActor, ...]
    themes: tuple[str, ...]
    gap_years: int | None
    passages: tuple[PassagePair, ...]
    retrieved_by: tuple[str, ...]  # which rankings found it: fulltext, periods, semantic


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


class _DocTerms:
    """A document's analysed words, for finding phrases and names in it."""

    def __init__(self, doc: Document) -> None:
        self.joined = " " + " ".join(analysis.terms(f"{doc.title}\n{doc.body}")) + " "

    def has(self, phrase: str) -> bool:
        words = analysis.terms(phrase)
        return bool(words) and f" {' '.join(words)} " in self.joined


def _explain(
    profile: ArticleProfile,
    episode: _Episode,
    article_passages: list[str],
    article_vectors: np.ndarray | None,
    store: Store,
    model: str,
    retrieved_by: tuple[str, ...],
) -> Explanation:
    actors: list[SharedActor] = []
    themes: list[str] = []
    terms = {d.id: _DocTerms(d) for d in episode.docs}
    for mention in profile.mentions:
        for doc in episode.docs:
            variant = next((s for s in mention.spellings if terms[doc.id].has(s)), None)
            if variant:
                actors.append(SharedActor(mention.text, mention.kind, variant, doc.id))
                break
    for theme in profile.themes:
        if any(t.has(theme) for t in terms.values()):
            themes.append(theme)
    gap = None
    if episode.earliest:
        gap = profile.year - (episode.latest or episode.earliest).year
    pairs = _passage_pairs(article_passages, article_vectors, episode.docs[:3], store, model)
    return Explanation(tuple(actors), tuple(themes), gap, tuple(pairs), retrieved_by)


def _passage_pairs(
    article_passages: list[str],
    article_vectors: np.ndarray | None,
    docs: Sequence[Document],
    store: Store,
    model: str,
) -> list[PassagePair]:
    """The best-matching (article passage, record passage) pairs, no passage twice."""
    candidates: list[tuple[float, int, str, str]] = []
    stored = {}
    if article_vectors is not None:
        for v in store.passage_vectors(model, [d.id for d in docs]):
            stored[(v.doc_id, v.passage)] = v
    for doc in docs:
        body = doc.body
        mine = [v for (d, _), v in stored.items() if d == doc.id]
        if mine and article_vectors is not None:
            matrix = np.vstack([as_array(v.vector) for v in mine])
            sims = article_vectors @ matrix.T
            for j, v in enumerate(mine):
                for i in range(len(article_passages)):
                    candidates.append((float(sims[i, j]), i, doc.id, body[v.start : v.end]))
        else:
            for p in split_passages(body):
                for i, a in enumerate(article_passages):
                    candidates.append((_overlap(a, p.text), i, doc.id, p.text))
    candidates.sort(key=lambda c: -c[0])
    pairs: list[PassagePair] = []
    used_article: set[int] = set()
    used_record: set[str] = set()
    for sim, i, doc_id, text in candidates:
        if i in used_article or text in used_record:
            continue
        used_article.add(i)
        used_record.add(text)
        left, right = _highlight(article_passages[i], text)
        pairs.append(PassagePair(left, right, doc_id, round(sim, 4)))
        if len(pairs) == PASSAGE_PAIRS:
            break
    return pairs


def _content_terms(text: str) -> set[str]:
    return {t for t in analysis.terms(text) if t not in _STOP_TERMS and len(t) > 2}


def _overlap(a: str, b: str) -> float:
    x, y = _content_terms(a), _content_terms(b)
    return len(x & y) / (len(x | y) or 1)


def _highlight(left: str, right: str) -> tuple[HighlightedText, HighlightedText]:
    """Both passages with the content words they share marked."""
    shared = _content_terms(left) & _content_terms(right)

    def spans(text: str) -> tuple[tuple[int, int], ...]:
        return tuple((t.start, t.end) for t in analysis.tokens(text) if t.term in shared)

    return HighlightedText(left, spans(left)), HighlightedText(right, spans(right))


# -- the whole ----------------------------------------------------------------------
class ParallelFinder:
    """Finds parallels in one archive; holds the model and the index once loaded."""

    def __init__(
        self,
        store: Store,
        index_folder: Path,
        embedder: Embedder | None = None,
        index: PassageIndex | None = None,
    ) -> None:
        self.store = store
        self.index_folder = index_folder
        self._embedder = embedder
        self._index = index
        self._writing = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from declass.embeddings import load_embedder

            self._embedder = load_embedder()
        return self._embedder

    @property
    def index(self) -> PassageIndex:
        if self._index is None:
            self._index = open_index(self.store, self.embedder.name, self.index_folder)
        return self._index

    def rank(
        self,
        profile: ArticleProfile,
        mode: str = "hybrid",
        *,
        min_gap_years: int = MIN_GAP_YEARS,
        exclude: Iterable[str] = (),
        today: date | None = None,
    ) -> tuple[list[Hit], dict[str, tuple[str, ...]], np.ndarray | None, list[str], str]:
        """Documents ranked for the article (readable ones only, from the past)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        query = fulltext_query(profile)
        lists: dict[str, list[Hit]] = {}
        passages = [p.text for p in split_passages(profile.article.text)] or [profile.article.title]
        vectors: np.ndarray | None = None
        if mode in ("hybrid", "fulltext"):
            lists["fulltext"] = _fulltext(self.store, query, CANDIDATES)
        if mode in ("hybrid", "semantic"):
            vectors = self.embedder.encode(passages)
            best = _passage_matches(self.index, vectors, CANDIDATES)
            if mode == "hybrid":
                # The words' candidates are also judged by meaning, from their own
                # passages: the fused list then stands on both, and an archive not yet
                # wholly embedded still gets a semantic vote on what the words found.
                lexical = [h.doc_id for h in lists.get("fulltext", ())]
                self._add_candidate_matches(best, lexical, vectors)
            lists["semantic"] = _semantic(best)[:CANDIDATES]
        cutoff = profile.year - min_gap_years
        skip = set(exclude)
        allowed: dict[str, bool] = {}

        def keep(doc_id: str) -> bool:
            if doc_id not in allowed:
                allowed[doc_id] = doc_id not in skip and self._allowed(doc_id, cutoff, today)
            return allowed[doc_id]

        filtered = {name: [h for h in hits if keep(h.doc_id)] for name, hits in lists.items()}
        found_by: dict[str, tuple[str, ...]] = {}
        for name, hits in filtered.items():
            for h in hits:
                found_by[h.doc_id] = (*found_by.get(h.doc_id, ()), name)
        voters = [filtered[n] for n in VOTES if n in filtered]
        weights = [VOTES[n] for n in VOTES if n in filtered]
        return fuse(voters, weights=weights), found_by, vectors, passages, query

    def _add_candidate_matches(
        self, best: dict[str, list[float]], doc_ids: Sequence[str], vectors: np.ndarray
    ) -> None:
        """Fold into `best` each candidate's similarity to each article passage, exactly,
        embedding the candidates the archive holds no current vectors for (and keeping
        them)."""
        from declass.embeddings import embed_archive

        wanted = list(dict.fromkeys(doc_ids))
        if not wanted:
            return
        with self._writing:  # one writer at a time on the store's connection
            embed_archive(self.store, self.embedder, doc_ids=wanted)
        for v in self.store.passage_vectors(self.embedder.name, wanted):
            sims = vectors @ as_array(v.vector)
            row = best.setdefault(v.doc_id, [0.0] * len(vectors))
            best[v.doc_id] = [max(a, float(b)) for a, b in zip(row, sims, strict=True)]

    def _allowed(self, doc_id: str, cutoff: int, today: date | None) -> bool:
        try:
            doc = self.store.document(doc_id)
        except NotFound:
            return False
        year = doc.date.year if doc.date else None
        return readable(doc, today) and (year is None or year <= cutoff)

    def find(
        self,
        article: Article,
        *,
        top: int = 10,
        mode: str = "hybrid",
        min_gap_years: int = MIN_GAP_YEARS,
        today: date | None = None,
    ) -> ParallelsResult:
        """The article's parallels: episodes of the record, explained."""
        profile = understand(self.store, article)
        ranked, found_by, vectors, passages, query = self.rank(
            profile, mode, min_gap_years=min_gap_years, today=today
        )
        docs = [(self.store.document(h.doc_id), h.score) for h in ranked[:CANDIDATES]]
        episodes = group_episodes(docs)
        scored = [(e, max(e.scores) + 0.1 * sum(sorted(e.scores)[:-1])) for e in episodes]
        chosen = _diversify(scored, top)
        parallels = []
        for rank, (episode, score) in enumerate(chosen, 1):
            by = tuple(dict.fromkeys(n for d in episode.docs for n in found_by.get(d.id, ())))
            parallels.append(
                Parallel(
                    rank=rank,
                    label=episode_label(episode),
                    earliest=episode.earliest.isoformat() if episode.earliest else "",
                    latest=episode.latest.isoformat() if episode.latest else "",
                    score=round(score, 5),
                    documents=tuple(
                        ParallelDocument(
                            d.id,
                            d.title,
                            d.date.label or d.date.sort_key() if d.date else "",
                            d.doc_type.value,
                            round(s, 5),
                        )
                        for d, s in zip(episode.docs, episode.scores, strict=True)
                    ),
                    explanation=_explain(
                        profile, episode, passages, vectors, self.store, MODEL_NAME, by
                    ),
                )
            )
        return ParallelsResult(profile, mode, query, tuple(parallels))


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
    from dataclasses import asdict

    profile = result.profile
    article = profile.article
    return {
        "article": {
            "title": article.title,
            "author": article.author,
            "published": article.published.isoformat() if article.published else None,
            "source": article.source,
            "paragraphs": len(article.paragraphs),
        },
        "mentions": [asdict(m) for m in profile.mentions],
        "periods": [asdict(p) for p in profile.periods],
        "themes": list(profile.themes),
        "mode": result.mode,
        "query": result.query,
        "parallels": [asdict(p) for p in result.parallels],
    }
