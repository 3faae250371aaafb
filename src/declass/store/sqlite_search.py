"""The SQLite search index: FTS5 over analysed text, facets from document metadata.

`search_text` holds each current document's words as `declass.search.analysis` makes
them (stemmed, folded, Chinese segmented), one column per text field; its rowid is
`search_docs.rowid`, which a new version of a document replaces. Metadata for filters
and facets is read once into memory and reloaded when the index changes.
"""

from __future__ import annotations

import heapq
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from declass.errors import QueryError
from declass.model import BlockKind, Document, ParticipantRole
from declass.names import fold
from declass.search.analysis import index_text
from declass.store.base import (
    TEXT_FIELDS,
    AllOf,
    AnyOf,
    DateFilter,
    Excluding,
    FacetCount,
    FieldFilter,
    IndexExpression,
    IndexHit,
    MatchAll,
    SearchPage,
    SearchRequest,
    TermMatch,
)

MIGRATION = """
    CREATE TABLE search_docs (
        rowid INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id TEXT NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE
    );
    CREATE VIRTUAL TABLE search_text USING fts5(
        title, heading, body, note, people, tokenize = 'unicode61 remove_diacritics 0'
    );
    CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_text, 'row')
"""

# People named in a document as its speakers, authors or participants; someone only
# mentioned is found through the text instead.
_NAMED_ROLES = tuple(r.value for r in ParticipantRole if r is not ParticipantRole.MENTIONED)

Scores = dict[int, float]


def index_columns(doc: Document) -> tuple[str, str, str, str, str]:
    """The analysed text of each field of `doc`, in TEXT_FIELDS order."""
    headings: list[str] = list(doc.subjects)
    body: list[str] = []
    for text in doc.texts:
        for block in text.blocks:
            (headings if block.kind is BlockKind.HEADING else body).append(block.text)
    notes = [n.text for n in doc.notes]
    if doc.source_note:
        notes.append(doc.source_note)
    people = [p.name for p in doc.participants if p.role.value in _NAMED_ROLES]
    return (
        index_text(doc.title),
        index_text("\n".join(headings)),
        index_text("\n".join(body)),
        index_text("\n".join(notes)),
        index_text("\n".join(people)),
    )


def put_document(db: sqlite3.Connection, doc: Document) -> None:
    """Replace the index entry of `doc`; the caller holds the write transaction."""
    old = db.execute("SELECT rowid FROM search_docs WHERE doc_id=?", (doc.id,)).fetchone()
    if old is not None:
        db.execute("DELETE FROM search_text WHERE rowid=?", (old[0],))
        db.execute("DELETE FROM search_docs WHERE rowid=?", (old[0],))
    cur = db.execute("INSERT INTO search_docs (doc_id) VALUES (?)", (doc.id,))
    db.execute(
        "INSERT INTO search_text (rowid, title, heading, body, note, people) VALUES (?,?,?,?,?,?)",
        (cur.lastrowid, *index_columns(doc)),
    )


@dataclass(frozen=True)
class _Facts:
    """What filters and facets need to know about one indexed document."""

    doc_id: str
    title: str
    sort_date: str
    start: str
    end: str
    doc_type: str
    language: str
    source: str
    year: str
    decade: str
    countries: tuple[tuple[str, str], ...]  # (code, folded name)
    country_codes: tuple[str, ...]
    people: tuple[str, ...]  # person_key of each
    collections: tuple[str, ...]
    access: str = "public"
    embargo_until: str = ""

    def public_on(self, today: str) -> bool:
        """Whether an anonymous reader may see the document on `today` (ISO date)."""
        return self.access == "public" and (not self.embargo_until or self.embargo_until <= today)


_FACET_ATTRIBUTES = {
    "country": "country_codes",
    "person": "people",
    "collection": "collections",
    "type": "doc_type",
}


@dataclass(frozen=True)
class _FacetColumn:
    """One facet as arrays: the (document row, value) pairs, counted with numpy."""

    values: tuple[str, ...]
    rows: np.ndarray  # row id of each pair
    codes: np.ndarray  # index into `values` of each pair

    @classmethod
    def build(cls, facts: dict[int, _Facts], attr: str) -> _FacetColumn:
        index: dict[str, int] = {}
        rows: list[int] = []
        codes: list[int] = []
        for r, f in facts.items():
            found = getattr(f, attr)
            # A document counts once per value, however often it names it.
            for v in dict.fromkeys((found,) if isinstance(found, str) else found):
                if v:
                    rows.append(r)
                    codes.append(index.setdefault(v, len(index)))
        return cls(tuple(index), np.array(rows, dtype=np.int64), np.array(codes, dtype=np.int64))

    def top(self, matched: np.ndarray, size: int) -> list[tuple[str, int]]:
        """The `size` commonest values among the `matched` rows (a boolean mask by row id)."""
        if not len(self.rows) or size <= 0:
            return []
        counts = np.bincount(self.codes[matched[self.rows]], minlength=len(self.values))
        present = np.flatnonzero(counts)
        if len(present) > size:
            kth = np.partition(counts[present], len(present) - size)[len(present) - size]
            present = present[counts[present] >= kth]
        ranked = sorted(((self.values[i], int(counts[i])) for i in present), key=_by_count)
        return ranked[:size]


def _by_count(kv: tuple[str, int]) -> tuple[int, str]:
    return (-kv[1], kv[0])


_HONORIFIC = re.compile(
    r"^(?:(?:mr|mrs|ms|mir|dr|sir|h ?e|his excellency|her excellency)\b\.?\s*)+", re.IGNORECASE
)


def person_key(name: str) -> str:
    """A participant's name as facets group it: case, accents and "Mr." set aside."""
    return fold(_HONORIFIC.sub("", name.strip())) or fold(name)


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


class SQLiteSearch:
    """Evaluates `IndexExpression`s against one SQLite archive."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._generation: tuple[int, int] | None = None
        self._facts: dict[int, _Facts] = {}
        self._columns: dict[str, _FacetColumn] = {}
        self._people_display: dict[str, str] = {}
        self._vocabulary: dict[str, list[tuple[str, int]]] | None = None

    # -- metadata cache --------------------------------------------------------------
    def _current_generation(self) -> tuple[int, int]:
        seq = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name='search_docs'").fetchone()
        count = self.db.execute("SELECT count(*) FROM search_docs").fetchone()[0]
        return (int(seq[0]) if seq else 0, int(count))

    def _ensure_facts(self) -> dict[int, _Facts]:
        generation = self._current_generation()
        if generation != self._generation:
            self._facts = self._load_facts()
            self._columns = {}
            self._vocabulary = None
            self._generation = generation
        return self._facts

    def _column(self, name: str) -> _FacetColumn:
        if name not in self._columns:
            attr = _FACET_ATTRIBUTES.get(name, name)
            self._columns[name] = _FacetColumn.build(self._facts, attr)
        return self._columns[name]

    def _load_facts(self) -> dict[int, _Facts]:
        countries: dict[int, list[tuple[str, str]]] = {}
        for rowid, code, name in self.db.execute(
            "SELECT s.rowid, c.code, c.name FROM document_countries c"
            " JOIN search_docs s ON s.doc_id = c.doc_id ORDER BY c.code"
        ):
            countries.setdefault(rowid, []).append((code, name))
        people: dict[int, list[str]] = {}
        shown: defaultdict[str, Counter[str]] = defaultdict(Counter)
        marks = ",".join("?" * len(_NAMED_ROLES))
        for rowid, name in self.db.execute(
            "SELECT s.rowid, p.name FROM document_participants p"
            f" JOIN search_docs s ON s.doc_id = p.doc_id WHERE p.role IN ({marks})"
            " ORDER BY p.position",
            _NAMED_ROLES,
        ):
            key = person_key(name)
            people.setdefault(rowid, []).append(key)
            shown[key][name] += 1
        collections: dict[int, list[str]] = {}
        for rowid, collection in self.db.execute(
            "SELECT s.rowid, c.collection_id FROM document_collections c"
            " JOIN search_docs s ON s.doc_id = c.doc_id"
        ):
            collections.setdefault(rowid, []).append(collection)
        # Each person facet shows the spelling most documents use, preferring mixed case.
        self._people_display = {
            key: max(forms.items(), key=lambda kv: (kv[0] != kv[0].upper(), kv[1], kv[0]))[0]
            for key, forms in shown.items()
        }
        facts: dict[int, _Facts] = {}
        for row in self.db.execute(
            "SELECT s.rowid, d.id, d.title, d.sort_date, d.date_start, d.date_end,"
            " d.doc_type, d.language, d.access, d.embargo_until"
            " FROM search_docs s JOIN documents d ON d.id = s.doc_id"
        ):
            rowid, doc_id, title, sort_date, start, end, doc_type, language, access, embargo = row
            year = (start or end or "")[:4]
            here = countries.get(rowid, [])
            facts[rowid] = _Facts(
                doc_id=doc_id,
                title=title,
                sort_date=sort_date or "",
                start=start or "",
                end=end or "9999-12-31",
                doc_type=doc_type,
                language=language,
                source=doc_id.split(":", 1)[0],
                year=year,
                decade=f"{year[:3]}0s" if year else "",
                countries=tuple((code, fold(name)) for code, name in here),
                country_codes=tuple(code for code, _ in here),
                people=tuple(people.get(rowid, ())),
                collections=tuple(collections.get(rowid, ())),
                access=access,
                embargo_until=embargo or "",
            )
        return facts

    # -- evaluation ------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchPage:
        facts = self._ensure_facts()
        weights = dict(request.weights)
        self._weights = ", ".join(str(weights.get(f, 1.0)) for f in TEXT_FIELDS)
        try:
            scores = self._evaluate(request.expression, facts)
        except sqlite3.OperationalError as exc:
            # Only the size of a query can get here: every word is quoted.
            raise QueryError(0, f"the query is too large or complex to run ({exc})") from exc
        if not request.include_restricted:
            today = date.today().isoformat()
            scores = {r: s for r, s in scores.items() if facts[r].public_on(today)}
        hits = self._page(scores, facts, request)
        matched = np.zeros(max(facts, default=0) + 1, dtype=bool)
        matched[np.fromiter(scores, dtype=np.int64, count=len(scores))] = True
        facets = {name: self._facet(name, matched, request.facet_size) for name in request.facets}
        return SearchPage(total=len(scores), hits=hits, facets=facets)

    def _page(
        self, scores: Scores, facts: dict[int, _Facts], request: SearchRequest
    ) -> tuple[IndexHit, ...]:
        wanted = max(request.offset, 0) + max(request.limit, 0)
        key: Callable[[int], Any]
        if request.sort == "date":

            def key(r: int) -> Any:
                f = facts[r]
                return (f.sort_date or "9999", f.doc_id)
        else:

            def key(r: int) -> Any:
                return (-scores[r], facts[r].sort_date or "9999", facts[r].doc_id)

        chosen = heapq.nsmallest(wanted, scores, key=key)[max(request.offset, 0) :]
        return tuple(
            IndexHit(f.doc_id, scores[r], f.title, f.sort_date, f.start, f.end)
            for r in chosen
            for f in (facts[r],)
        )

    def _facet(self, name: str, matched: np.ndarray, size: int) -> tuple[FacetCount, ...]:
        top = self._column(name).top(matched, size)
        if name == "person":
            return tuple(FacetCount(self._people_display.get(v, v), n) for v, n in top)
        return tuple(FacetCount(v, n) for v, n in top)

    def _evaluate(self, e: IndexExpression, facts: dict[int, _Facts]) -> Scores:
        fts = self._fts(e)
        if fts is not None:
            return self._match(fts)
        if isinstance(e, MatchAll):
            return dict.fromkeys(facts, 0.0)
        if isinstance(e, FieldFilter | DateFilter):
            keep = self._predicate(e)
            return {r: 0.0 for r, f in facts.items() if keep(f)}
        if isinstance(e, Excluding):
            gone = self._evaluate(e.part, facts)
            return {r: 0.0 for r in facts if r not in gone}
        if isinstance(e, AnyOf):
            union: Scores = {}
            for part in e.parts:
                for r, s in self._evaluate(part, facts).items():
                    union[r] = union.get(r, 0.0) + s
            return union
        if isinstance(e, AllOf):
            return self._evaluate_all(e, facts)
        raise TypeError(f"not an index expression: {e!r}")

    def _evaluate_all(self, e: AllOf, facts: dict[int, _Facts]) -> Scores:
        texts = [f for f in (self._fts(p) for p in e.parts) if f is not None]
        filters = [p for p in e.parts if isinstance(p, FieldFilter | DateFilter)]
        negated = [p.part for p in e.parts if isinstance(p, Excluding)]
        rest = [
            p
            for p in e.parts
            if self._fts(p) is None
            and not isinstance(p, FieldFilter | DateFilter | Excluding | MatchAll)
        ]
        result: Scores
        if texts:
            expr = " AND ".join(f"({t})" for t in texts)
            compiled = [(n, self._fts(n)) for n in negated]
            excluded = [f for _, f in compiled if f is not None]
            if excluded:
                expr = f"({expr}) NOT ({' OR '.join(f'({x})' for x in excluded)})"
            negated = [n for n, f in compiled if f is None]
            result = self._match(expr)
        elif rest:
            result = self._evaluate(rest.pop(0), facts)
        elif filters:
            result = self._evaluate(filters.pop(0), facts)
        else:
            result = dict.fromkeys(facts, 0.0)
        for part in rest:
            other = self._evaluate(part, facts)
            result = {r: s + other[r] for r, s in result.items() if r in other}
        for flt in filters:
            keep = self._predicate(flt)
            result = {r: s for r, s in result.items() if keep(facts[r])}
        for n in negated:
            gone = self._evaluate(n, facts)
            result = {r: s for r, s in result.items() if r not in gone}
        return result

    def _match(self, expression: str) -> Scores:
        cursor = self.db.cursor()
        cursor.row_factory = None  # plain tuples: thousands of rows per query
        rows = cursor.execute(
            f"SELECT rowid, bm25(search_text, {self._weights}) FROM search_text"
            " WHERE search_text MATCH ?",
            (expression,),
        )
        return {r: -s for r, s in rows}

    def _fts(self, e: IndexExpression) -> str | None:
        """The FTS5 expression for `e`, or None where FTS5 cannot say it alone."""
        if isinstance(e, TermMatch):
            if not e.words:
                return None
            phrase = _quote(" ".join(e.words)) + ("*" if e.prefix else "")
            fields = [f for f in e.fields if f in TEXT_FIELDS]
            return f"{{{' '.join(fields)}}} : {phrase}" if fields else phrase
        if isinstance(e, AnyOf):
            parts = [self._fts(p) for p in e.parts]
            if not parts or any(p is None for p in parts):
                return None
            return " OR ".join(f"({p})" for p in parts)
        if isinstance(e, AllOf):
            positive = [self._fts(p) for p in e.parts if not isinstance(p, Excluding)]
            negative = [self._fts(p.part) for p in e.parts if isinstance(p, Excluding)]
            if not positive or any(p is None for p in positive + negative):
                return None
            expr = " AND ".join(f"({p})" for p in positive)
            if negative:
                expr = f"({expr}) NOT ({' OR '.join(f'({n})' for n in negative)})"
            return expr
        return None

    def _predicate(self, e: FieldFilter | DateFilter) -> Callable[[_Facts], bool]:
        if isinstance(e, DateFilter):
            lo, hi = e.earliest or "", e.latest or "9999-12-31"
            return lambda f: bool(f.start or f.sort_date) and f.start <= hi and f.end >= lo
        values = {v.casefold() for v in e.values}
        folded = {fold(v) for v in e.values}
        field = e.field
        if field == "country":
            return lambda f: any(c.casefold() in values or n in folded for c, n in f.countries)
        if field == "person":
            keys = {person_key(v) for v in e.values}
            return lambda f: any(p in keys for p in f.people)
        if field == "collection":
            return lambda f: any(c.casefold() in values for c in f.collections)
        if field == "type":
            types = {fold(v).replace(" ", "-") for v in e.values}
            return lambda f: f.doc_type in types
        if field == "decade":
            decades = {v if v.endswith("s") else v + "s" for v in values}
            return lambda f: f.decade in decades
        if field in ("year", "language", "source"):
            return lambda f: str(getattr(f, field)).casefold() in values
        raise QueryError(0, f"cannot filter on {field!r}")

    # -- vocabulary ------------------------------------------------------------------
    def term_counts(self, words: Sequence[str]) -> dict[str, int]:
        unique = sorted(set(words))
        found: dict[str, int] = dict.fromkeys(unique, 0)
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for term, docs in self.db.execute(
                f"SELECT term, doc FROM search_vocab WHERE term IN ({marks})", chunk
            ):
                found[term] = int(docs)
        return found

    def similar_terms(self, word: str, max_distance: int, limit: int = 5) -> list[str]:
        from rapidfuzz.distance import Levenshtein

        self._ensure_facts()
        if self._vocabulary is None:
            by_initial: dict[str, list[tuple[str, int]]] = {}
            for term, docs in self.db.execute("SELECT term, doc FROM search_vocab"):
                by_initial.setdefault(term[:1], []).append((term, int(docs)))
            self._vocabulary = by_initial
        # A misspelling rarely touches the first letter; looking only there keeps
        # this fast on a large vocabulary. Indexed words are stems, so a typed word is
        # also compared by its start with each stem ("disarmamnet" ~ "disarma").
        scored: list[tuple[int, int, str]] = []
        for term, docs in self._vocabulary.get(word[:1], []):
            if len(term) > len(word) + max_distance or term == word:
                continue
            distance = Levenshtein.distance(word, term, score_cutoff=max_distance + 1)
            if len(term) >= 5 and 0 < len(word) - len(term) <= 4 and word.startswith(term):
                distance = min(distance, 1)
            if distance <= max_distance:
                scored.append((distance, -docs, term))
        best = min((d for d, _, _ in scored), default=0)
        return [t for d, _, t in sorted(scored) if d == best][:limit]


def rebuild(db: sqlite3.Connection, documents: Iterable[Document]) -> int:
    """Index every document given (used when an archive first gets the index)."""
    n = 0
    for doc in documents:
        put_document(db, doc)
        n += 1
    return n
