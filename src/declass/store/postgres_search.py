"""The PostgreSQL search index: a weighted tsvector with GIN, facets in SQL.

The words are those of `declass.search.analysis` (folded, stemmed by script, Chinese
segmented), the same the engine puts in every query: so the index and the query meet
exactly as on SQLite. They go into the tsvector as written, with positions and one
weight class per field (A title, B headings, C people, D body and notes), and every
query term goes into a tsquery literal as a quoted lexeme: nothing a reader types is
ever read by PostgreSQL's parser. Ranking is `ts_rank` with the request's field weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from declass.model import Document
from declass.store.base import (
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
from declass.store.index_fields import (
    IndexEntry,
    filter_keys,
    index_columns,
    index_facts,
    preferred_spellings,
)

MIGRATION = """
    CREATE TABLE search_docs (
        doc_id text COLLATE "C" PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        tsv tsvector NOT NULL,
        title text NOT NULL,
        sort_date text COLLATE "C" NOT NULL,
        date_start text COLLATE "C" NOT NULL,
        date_end text COLLATE "C" NOT NULL,
        doc_type text COLLATE "C" NOT NULL,
        language text COLLATE "C" NOT NULL,
        source text COLLATE "C" NOT NULL,
        year text COLLATE "C" NOT NULL,
        decade text COLLATE "C" NOT NULL,
        country_codes text[] COLLATE "C" NOT NULL,
        country_keys text[] COLLATE "C" NOT NULL,
        people text[] COLLATE "C" NOT NULL,
        people_names text[] COLLATE "C" NOT NULL,
        collections text[] COLLATE "C" NOT NULL,
        collection_keys text[] COLLATE "C" NOT NULL,
        access text COLLATE "C" NOT NULL,
        embargo_until text COLLATE "C" NOT NULL
    );
    CREATE INDEX search_docs_tsv ON search_docs USING gin (tsv);
    CREATE INDEX search_docs_countries ON search_docs USING gin (country_keys);
    CREATE INDEX search_docs_people ON search_docs USING gin (people);
    CREATE INDEX search_docs_collections ON search_docs USING gin (collection_keys);
    CREATE INDEX search_docs_sort ON search_docs (sort_date, doc_id);
    CREATE INDEX search_docs_dates ON search_docs (date_start, date_end);
    CREATE TABLE search_vocabulary (
        term text COLLATE "C" PRIMARY KEY,
        docs integer NOT NULL
    );
"""

# Broad queries on a large archive are counted and ranked on a sample: the documents
# whose id hashes to one of the first SAMPLED of SAMPLE_BUCKETS buckets (1/16 of the
# archive), which have a full-text index of their own, so that the work no longer grows
# with the archive. See `plan`.
SAMPLE_BUCKETS = 64
SAMPLED = 4
SAMPLE_ABOVE = 200_000  # documents: a smaller archive is always searched whole
EXACT_MATCHES = 20_000  # a query matching fewer (by the sample) is searched whole
SAMPLE_MIGRATION = f"""
    ALTER TABLE search_docs ADD COLUMN sample smallint
        GENERATED ALWAYS AS ((hashtext(doc_id) & {SAMPLE_BUCKETS - 1})::smallint) STORED;
    CREATE INDEX search_docs_sample_tsv ON search_docs USING gin (tsv)
        WHERE sample < {SAMPLED};
    CREATE INDEX search_docs_date_order ON search_docs
        ((CASE WHEN sort_date = '' THEN '9999' ELSE sort_date END), doc_id);
"""

# Weight class of each text field; D holds body and notes (four classes, five fields).
FIELD_CLASS = {"title": "A", "heading": "B", "people": "C", "note": "D", "body": "D"}
MAX_POSITION = 16383  # PostgreSQL's limit; later words share the last position
MAX_POSITIONS_PER_WORD = 255
MAX_LEXEME_BYTES = 2046
FACET_COLUMNS = {
    "type": ("doc_type", False),
    "country": ("country_codes", True),
    "person": ("people", True),
    "decade": ("decade", False),
    "year": ("year", False),
    "collection": ("collections", True),
    "language": ("language", False),
    "source": ("source", False),
}
_SORT_DATE = "(CASE WHEN sort_date = '' THEN '9999' ELSE sort_date END)"


def clean(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters."""
    return text.replace("\x00", "")


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _usable(term: str) -> bool:
    return 0 < len(term.encode("utf-8")) <= MAX_LEXEME_BYTES and "\x00" not in term


@dataclass
class IndexRow:
    """What search_docs holds for one document, and its vocabulary."""

    tsvector: str
    terms: set[str]
    values: dict[str, Any]


def index_row(doc: Document, made: IndexEntry | None = None) -> IndexRow:
    """The index entry of `doc` (from its analysis `made` ahead, or made here): tsvector
    literal, facts for filters and facets."""
    title, heading, body, note, people = made.columns if made else index_columns(doc)
    positions: dict[str, list[str]] = {}
    at = 1
    # Body last: a very long text runs into the position limit, not the short fields.
    for weight, text in (("A", title), ("B", heading), ("C", people), ("D", note), ("D", body)):
        for term in text.split():
            if _usable(term):
                spots = positions.setdefault(term, [])
                if len(spots) < MAX_POSITIONS_PER_WORD:
                    spots.append(f"{min(at, MAX_POSITION)}{weight}")
            at += 1
        at += 2  # a gap, so that no phrase runs from one field into the next
    tsvector = " ".join(f"{_lexeme(t)}:{','.join(p)}" for t, p in positions.items())
    f = made.facts if made else index_facts(doc)
    values = {
        "title": clean(f.title),
        "sort_date": f.sort_date,
        "date_start": f.date_start,
        "date_end": f.date_end,
        "doc_type": f.doc_type,
        "language": clean(f.language),
        "source": clean(f.source),
        "year": f.year,
        "decade": f.decade,
        "country_codes": [clean(c) for c in f.country_codes],
        "country_keys": [clean(k) for k in f.country_keys],
        "people": [clean(k) for k in f.people],
        "people_names": [clean(n) for n in f.people_names],
        "collections": [clean(c) for c in f.collections],
        "collection_keys": [clean(c) for c in f.collection_keys],
        "access": f.access,
        "embargo_until": f.embargo_until,
    }
    return IndexRow(tsvector, set(positions), values)


@dataclass
class _Compiled:
    """An expression as SQL over search_docs, with its parameters and ranking terms."""

    params: list[Any] = field(default_factory=list)
    ranked: list[str] = field(default_factory=list)  # tsquery literals that score


def _tsquery(match: TermMatch) -> str | None:
    words = [w for w in match.words if w]
    if not words or not all(_usable(w) for w in words):
        return None
    classes = "".join(sorted({FIELD_CLASS[f] for f in match.fields if f in FIELD_CLASS}))
    parts = [_lexeme(w) + (":" + classes if classes else "") for w in words]
    if match.prefix:
        parts[-1] = _lexeme(words[-1]) + ":*" + classes
    return " <-> ".join(parts)


def _predicate(e: IndexExpression, out: _Compiled, scoring: bool = True) -> str:
    if isinstance(e, MatchAll):
        return "TRUE"
    if isinstance(e, TermMatch):
        query = _tsquery(e)
        if query is None:
            return "FALSE"
        if scoring:
            out.ranked.append(query)
        out.params.append(query)
        return "tsv @@ %s::tsquery"
    if isinstance(e, AllOf | AnyOf):
        if not e.parts:
            return "TRUE" if isinstance(e, AllOf) else "FALSE"
        joiner = " AND " if isinstance(e, AllOf) else " OR "
        return "(" + joiner.join(_predicate(p, out, scoring) for p in e.parts) + ")"
    if isinstance(e, Excluding):
        return "NOT " + _predicate(e.part, out, scoring=False)
    if isinstance(e, DateFilter):
        out.params += [e.latest or "9999-12-31", e.earliest or ""]
        return "((date_start <> '' OR sort_date <> '') AND date_start <= %s AND date_end >= %s)"
    if isinstance(e, FieldFilter):
        return _field_filter(e, out)
    raise TypeError(f"not an index expression: {e!r}")


def _field_filter(e: FieldFilter, out: _Compiled) -> str:
    out.params.append(filter_keys(e.field, [clean(v) for v in e.values]))
    if e.field in ("country", "person", "collection"):
        column = {"country": "country_keys", "person": "people", "collection": "collection_keys"}
        return f"{column[e.field]} && %s::text[]"
    if e.field == "type":
        return "doc_type = ANY(%s::text[])"
    if e.field == "decade":
        return "decade = ANY(%s::text[])"
    return f"lower({e.field}) = ANY(%s::text[])"  # year, language, source


def class_weights(request: SearchRequest) -> list[float]:
    """ts_rank's weights, in its order {D, C, B, A}, scaled into (0, 1]."""
    given = dict(request.weights)
    raw = [
        given.get("body", 1.0),
        given.get("people", 1.0),
        given.get("heading", 1.0),
        given.get("title", 1.0),
    ]
    top = max(max(raw), 1e-9)
    return [max(w / top, 0.0) for w in raw]


def _where(request: SearchRequest, sampled: bool) -> tuple[str, _Compiled]:
    compiled = _Compiled()
    where = _predicate(request.expression, compiled)
    if not request.include_restricted:
        # A reader sees documents of the levels open to them (an anonymous one: public)
        # whose embargo (if any) has passed.
        where = (
            f"({where}) AND access = ANY(%s::text[])"
            " AND (embargo_until = '' OR embargo_until <= %s)"
        )
        compiled.params.append(list(request.access_levels))
        compiled.params.append(request.today or date.today().isoformat())
    if sampled:  # a literal, so that the planner may use the sample's own index
        where = f"({where}) AND sample < {SAMPLED}"
    return where, compiled


def count_sql(request: SearchRequest, sampled: bool) -> tuple[str, list[Any]]:
    """The number of matches (in the sample)."""
    where, compiled = _where(request, sampled)
    return f"SELECT count(*) FROM search_docs WHERE {where}", compiled.params


def date_page_sql(request: SearchRequest) -> tuple[str, list[Any]]:
    """The page in date order over all matches (an index walk in date order that stops
    at the page's end, however broad the query)."""
    where, compiled = _where(request, sampled=False)
    sql = (
        "SELECT doc_id, 0::real, title, sort_date, date_start, date_end FROM search_docs"
        f" WHERE {where} ORDER BY {_SORT_DATE}, doc_id LIMIT %s OFFSET %s"
    )
    return sql, [*compiled.params, max(request.limit, 0), max(request.offset, 0)]


def search_sql(request: SearchRequest, sampled: bool = False) -> tuple[str, list[Any]]:
    """One statement: matches, the page, the total and every facet, in one round trip
    (over the sample of the archive when `sampled`)."""
    where, compiled = _where(request, sampled)
    params: list[Any] = []
    if compiled.ranked:
        score = "ts_rank(%s::real[], tsv, %s::tsquery)"
        params += [class_weights(request), " | ".join(f"({q})" for q in compiled.ranked)]
    else:
        score = "0::real"
    params += compiled.params
    order = (
        f"{_SORT_DATE}, doc_id" if request.sort == "date" else f"score DESC, {_SORT_DATE}, doc_id"
    )
    selects = [
        "(SELECT count(*) FROM m) AS total",
        "(SELECT coalesce(json_agg(json_build_array("
        "doc_id, score, title, sort_date, date_start, date_end)), '[]')"
        f" FROM (SELECT * FROM m ORDER BY {order} LIMIT %s OFFSET %s) page) AS hits",
    ]
    params += [max(request.limit, 0), max(request.offset, 0)]
    for name in request.facets:
        column, is_array = FACET_COLUMNS[name]
        source = f"m, unnest(m.{column}) AS v" if is_array else f"(SELECT {column} AS v FROM m) x"
        selects.append(
            "(SELECT coalesce(json_agg(json_build_array(v, n)), '[]') FROM"
            f" (SELECT v, count(*) AS n FROM {source} WHERE v <> '' GROUP BY v"
            " ORDER BY n DESC, v LIMIT %s) f)"
        )
        params.append(max(request.facet_size, 0))
    facts = sorted({c for c, _ in FACET_COLUMNS.values()})
    columns = ", ".join(
        ["doc_id", "title", "sort_date", "date_start", "date_end", f"{score} AS score", *facts]
    )
    sql = (
        f"WITH m AS MATERIALIZED (SELECT {columns} FROM search_docs WHERE {where})"
        f" SELECT {', '.join(selects)}"
    )
    return sql, params


def read_page(
    row: Sequence[Any], request: SearchRequest, sampled: bool = False
) -> tuple[SearchPage, list[str]]:
    """The SearchPage of search_sql's row, and the person keys whose names to look up;
    a sample's counts are scaled up to the archive."""
    scale = SAMPLE_BUCKETS / SAMPLED if sampled else 1
    total, hits = round(int(row[0]) * scale), row[1]
    facets: dict[str, tuple[FacetCount, ...]] = {}
    for name, counted in zip(request.facets, row[2:], strict=True):
        facets[name] = tuple(FacetCount(str(v), round(int(n) * scale)) for v, n in counted)
    page = SearchPage(total=total, hits=read_hits(hits), facets=facets, exact=not sampled)
    return page, [f.value for f in facets.get("person", ())]


def read_hits(rows: Sequence[Sequence[Any]]) -> tuple[IndexHit, ...]:
    return tuple(
        IndexHit(str(d), float(s), str(t), str(sd), lo, hi) for d, s, t, sd, lo, hi in rows
    )


# The planner's estimate of the rows of search_docs (the catalogue's row density times
# the table's present size), or -1 before the table was first analysed.
DOCUMENTS_SQL = (
    "SELECT CASE WHEN reltuples > 0 AND relpages > 0 THEN (reltuples / relpages"
    " * (pg_relation_size(oid) / current_setting('block_size')::int))::bigint"
    " ELSE -1 END FROM pg_class WHERE oid = 'search_docs'::regclass"
)


def _execute(cur: Any, statement: tuple[str, list[Any]]) -> None:
    cur.execute(statement[0].encode("utf-8"), statement[1])


def run_search(cur: Any, request: SearchRequest, documents: int) -> tuple[SearchPage, list[str]]:
    """Search an archive of about `documents` documents with cursor `cur`.

    PostgreSQL ranks by reading every match, so on a large archive a query is first
    counted on the sample. One that matches few documents is then searched whole,
    exactly; a broad one (more than EXACT_MATCHES, by the sample) is ranked and
    counted on the sample, its counts scaled up and marked as estimates — "about
    150,000 documents" — so that its cost stays bounded as the archive grows. The
    date order is always exact: it walks an index in date order and stops at the page.
    """
    if documents < 0:  # never analysed: count, but no further than the threshold
        cur.execute(
            "SELECT count(*) FROM (SELECT 1 FROM search_docs LIMIT %s) x", (SAMPLE_ABOVE + 1,)
        )
        documents = int(cur.fetchone()[0])
    if documents > SAMPLE_ABOVE:
        _execute(cur, count_sql(request, sampled=True))
        in_sample = int(cur.fetchone()[0])
        if in_sample * SAMPLE_BUCKETS / SAMPLED > EXACT_MATCHES:
            _execute(cur, search_sql(request, sampled=True))
            page, keys = read_page(cur.fetchone(), request, sampled=True)
            if request.sort == "date":
                _execute(cur, date_page_sql(request))
                page = SearchPage(page.total, read_hits(cur.fetchall()), page.facets, False)
            return page, keys
    _execute(cur, search_sql(request))
    return read_page(cur.fetchone(), request)


PEOPLE_NAMES_SQL = (
    "SELECT k, n, count(*) FROM search_docs, unnest(people, people_names) AS u(k, n)"
    " WHERE people && %s::text[] AND k = ANY(%s::text[])"
    # Spelled as open documents spell them: a name only closed ones use never shows.
    " AND access = 'public' AND (embargo_until = ''"
    " OR embargo_until <= to_char(current_date, 'YYYY-MM-DD')) GROUP BY k, n"
)


def display_names(rows: Sequence[Sequence[Any]]) -> dict[str, str]:
    """Each person key's spelling most documents use (PEOPLE_NAMES_SQL's rows)."""
    return preferred_spellings((str(k), str(name), int(n)) for k, name, n in rows)


def similar(
    word: str, max_distance: int, limit: int, vocabulary: Sequence[tuple[str, int]]
) -> list[str]:
    """Words of `vocabulary` (term, documents) nearest `word`, as SQLite's index does."""
    from rapidfuzz.distance import Levenshtein

    scored: list[tuple[int, int, str]] = []
    for term, docs in vocabulary:
        if len(term) > len(word) + max_distance or term == word:
            continue
        distance = Levenshtein.distance(word, term, score_cutoff=max_distance + 1)
        # Indexed words are stems: a typed word is also compared by its start.
        if len(term) >= 5 and 0 < len(word) - len(term) <= 4 and word.startswith(term):
            distance = min(distance, 1)
        if distance <= max_distance:
            scored.append((distance, -docs, term))
    best = min((d for d, _, _ in scored), default=0)
    return [t for d, _, t in sorted(scored) if d == best][:limit]


def like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
