"""The embedded archive's search index: Tantivy beside the SQLite file.

SQLite is the record; this index is derived from it and can always be rebuilt. Every
indexed document is a row of `search_docs` (its rowid grows with each new version), so
the index knows how far it has read by the last rowid it holds (`state.json`). A
writer stages documents as the store commits them and publishes them in batches; a
reader that finds the index behind the catalogue (another process ingested, a run was
killed before publishing) reads the missing rows from SQLite and catches up.

Text fields hold the words `declass.search.analysis` makes, split on spaces, so index
and query meet exactly as on PostgreSQL. Ranking is Tantivy's BM25 per field with the
request's field weights as boosts; filters score nothing; facets are terms
aggregations over fast fields.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tantivy

from declass.errors import QueryError
from declass.model import Document
from declass.store.base import (
    FACET_FIELDS,
    TEXT_FIELDS,
    AllOf,
    AnyOf,
    DateFilter,
    Excluding,
    FieldFilter,
    IndexExpression,
    MatchAll,
    SearchRequest,
    TermMatch,
)
from declass.store.index_fields import filter_keys, index_columns, index_facts, surface_text

# Bump when the schema or the analysis changes: an index of another layout is rebuilt.
LAYOUT = 3
STATE_FILE = "state.json"
# Staged documents are published at least this often while a run goes on.
# Few, large segments: facet counts are exact across segments only by reading each
# segment's whole vocabulary of a field, so fewer segments make faceting cheaper.
PUBLISH_EVERY_DOCS = 50_000
PUBLISH_EVERY_SECONDS = 120.0
WRITER_HEAP = 400_000_000
_OPEN_END = 99991231
_UNDATED_SORT = 99999999
_MAX_CLAUSES = 4096  # beyond this a query is refused, not run
EXACT_BOOST = 0.5  # against 1 for the body: an exact form breaks ties among its stems
SHORT_FIELDS = ("title", "heading", "people")  # metadata: matched or not, no length


def _day(iso: str, default: int) -> int:
    return int(iso[:10].replace("-", "")) if iso else default


def build_schema() -> Any:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("row", indexed=True, fast=True, stored=True)
    sb.add_text_field("doc_id", tokenizer_name="raw", stored=True)
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace")
    # Words as written (folded, unstemmed), counted but without positions: they only
    # lift a document holding the very form the reader typed.
    sb.add_text_field("exact", tokenizer_name="whitespace", index_option="freq")
    # Each facet is a fast field of its own name, counted by terms aggregations.
    for name in FACET_FIELDS:
        sb.add_text_field(name, tokenizer_name="raw", fast=True)
    # "field=value" terms for filters, compared case-blind.
    sb.add_text_field("keys", tokenizer_name="raw", index_option="basic")
    for name in ("access", "dated", "closed"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in ("start", "end", "sort", "embargo"):
        sb.add_integer_field(name, indexed=True, fast=True)
    return sb.build()


@dataclass(frozen=True)
class IndexState:
    """How far the index has read the catalogue, and which catalogue it read."""

    archive: str
    last_row: int
    layout: int = LAYOUT

    @classmethod
    def read(cls, folder: Path) -> IndexState | None:
        try:
            data = json.loads((folder / STATE_FILE).read_text("utf-8"))
            return cls(str(data["archive"]), int(data["last_row"]), int(data["layout"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, folder: Path) -> None:
        tmp = folder / (STATE_FILE + ".tmp")
        tmp.write_text(
            json.dumps({"archive": self.archive, "last_row": self.last_row, "layout": self.layout}),
            "utf-8",
        )
        os.replace(tmp, folder / STATE_FILE)


def to_tantivy(row: int, doc: Document) -> Any:
    """The index entry of `doc`, stored under search_docs row `row`."""
    f = index_facts(doc)
    entry = tantivy.Document()
    entry.add_unsigned("row", row)
    entry.add_text("doc_id", doc.id)
    for name, text in zip(TEXT_FIELDS, index_columns(doc), strict=True):
        entry.add_text(name, text)
    entry.add_text("exact", surface_text(doc))
    keys: list[str] = []
    entry.add_text("type", f.doc_type)
    keys.append(f"type={f.doc_type}")
    for code in f.country_codes:
        entry.add_text("country", code)
    keys += [f"country={k}" for k in f.country_keys]
    for key in dict.fromkeys(f.people):  # a document counts once per person
        if key:
            entry.add_text("person", key)
            keys.append(f"person={key}")
    for name in ("decade", "year", "language", "source"):
        value = getattr(f, name)
        if value:
            entry.add_text(name, value)
            keys.append(f"{name}={value.casefold()}")
    for c in f.collections:
        entry.add_text("collection", c)
    keys += [f"collection={c}" for c in f.collection_keys]
    for key in dict.fromkeys(keys):
        entry.add_text("keys", key)
    entry.add_text("access", f.access)
    if f.access != "public" or f.embargo_until:
        entry.add_text("closed", "1")  # only these need the access filter
    if f.dated:
        entry.add_text("dated", "1")
    entry.add_integer("start", _day(f.date_start, 0))
    entry.add_integer("end", _day(f.date_end, _OPEN_END))
    entry.add_integer("sort", _day(f.sort_date, _UNDATED_SORT))
    entry.add_integer("embargo", _day(f.embargo_until, 0))
    return entry


@dataclass(frozen=True)
class Found:
    """One page of an index search: search_docs rows, scores, total, facet values."""

    rows: list[int]
    scores: list[float]
    total: int
    facets: dict[str, list[tuple[str, int]]]


class TantivyIndex:
    """The index folder of one archive: staging, publishing, catching up, searching."""

    def __init__(self, folder: Path, archive_id: str) -> None:
        self.folder = folder
        self.archive_id = archive_id
        self.schema = build_schema()
        self._lock = threading.RLock()
        self._index: Any = None
        self._writer: Any = None
        self._staged_row = 0
        self._staged = 0
        self._since = time.monotonic()
        self._published = IndexState.read(folder)
        self._searcher: Any = None
        # What the current searcher's index holds, read when the searcher is made.
        self._segments = 1
        self._used: tuple[str, ...] = TEXT_FIELDS
        self._shape: dict[str, tuple[int, str | None]] = {}
        self._vocabulary: dict[str, list[tuple[str, int]]] | None = None
        self._executor: ThreadPoolExecutor | None = None

    # -- opening ---------------------------------------------------------------------
    def _open(self) -> Any:
        if self._index is None:
            state = self._published
            usable = (
                state is not None
                and state.layout == LAYOUT
                and state.archive == self.archive_id
                and (self.folder / "meta.json").exists()
            )
            if not usable:
                self._reset_folder()
            self.folder.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(self.schema, path=str(self.folder), reuse=usable)
        return self._index

    def _reset_folder(self) -> None:
        self._published = None
        if self.folder.exists():
            for entry in self.folder.iterdir():
                if entry.is_file():
                    entry.unlink()

    def _acquire_writer(self) -> Any:
        if self._writer is None:
            # One thread: a second would double the memory for little gain on ingest,
            # whose time goes to analysis in Python, not to Tantivy.
            self._writer = self._open().writer(heap_size=WRITER_HEAP, num_threads=1)
        return self._writer

    @property
    def last_row(self) -> int:
        return max(self._staged_row, self._published.last_row if self._published else 0)

    # -- writing ---------------------------------------------------------------------
    def stage(self, row: int, doc: Document) -> None:
        """Queue `doc` (search_docs row `row`), replacing its earlier entry."""
        with self._lock:
            writer = self._acquire_writer()
            writer.delete_documents_by_term("doc_id", doc.id)
            writer.add_document(to_tantivy(row, doc))
            self._staged_row = max(self._staged_row, row)
            self._staged += 1
            due = time.monotonic() - self._since > PUBLISH_EVERY_SECONDS
            if self._staged >= PUBLISH_EVERY_DOCS or due:
                self.publish()

    def publish(self) -> None:
        """Make every staged document searchable and durable."""
        with self._lock:
            if self._writer is None:
                return
            if self._staged:
                self._writer.commit()
                state = IndexState(self.archive_id, self.last_row)
                state.write(self.folder)
                self._published = state
                self._searcher = None
            self._staged = 0
            self._since = time.monotonic()

    def release(self) -> None:
        """Publish and let go of the writer (so another process can write)."""
        with self._lock:
            self.publish()
            if self._writer is not None:
                self._writer.wait_merging_threads()
                self._writer = None
                self._searcher = None

    def catch_up(
        self,
        last_row: int,
        count: int,
        rows_after: Callable[[int], Iterable[tuple[int, Document]]],
        every_row: Callable[[], Iterable[tuple[int, Document]]],
    ) -> bool:
        """Bring the index level with the catalogue (whose highest search_docs row is
        `last_row` and which holds `count` documents). False when another process holds
        the writer: the index is then searched as it stands."""
        with self._lock:
            self._open()
            published = self._published.last_row if self._published else 0
            if published == last_row and self._staged == 0 and self._num_docs() == count:
                return True
            try:
                writer = self._acquire_writer()
            except ValueError:
                return False  # another process is writing: it will publish
            rebuild = published > last_row
            if not rebuild:
                for row, doc in rows_after(published):
                    self.stage(row, doc)
                self.publish()
                rebuild = self._num_docs() != count
            if rebuild:
                writer = self._acquire_writer()
                writer.delete_all_documents()
                self._staged_row = 0
                self._published = None
                for row, doc in every_row():
                    self.stage(row, doc)
                self._staged = max(self._staged, 1)  # publish even an empty archive
                self.publish()
            self.release()
            return True

    # -- reading ---------------------------------------------------------------------
    def _num_docs(self) -> int:
        return int(self.searcher().num_docs)

    def searcher(self) -> Any:
        with self._lock:
            if self._searcher is None:
                index = self._open()
                index.reload()
                searcher = index.searcher()
                self._segments = int(searcher.num_segments)
                self._used = _used_text_fields(searcher)
                self._shape = _facet_shape(searcher)
                self._vocabulary = None
                self._searcher = searcher
            return self._searcher

    def refresh(self) -> None:
        """Read what another process published."""
        with self._lock:
            self._published = IndexState.read(self.folder) or self._published
            self._searcher = None

    def search(self, request: SearchRequest, today: date | None = None) -> Found:
        """Rows of the page with their scores, the total, and facet counts."""
        with self._lock:
            searcher, used, shape = self.searcher(), self._used, self._shape
            segments = self._segments
        compiler = _Compiler(self.schema, dict(request.weights), used, searcher)
        query = compiler.query(request.expression)
        if not request.include_restricted and int(searcher.doc_freq("closed", "1")):
            query = _public_only(self.schema, query, today or date.today())
        offset, limit = max(request.offset, 0), max(request.limit, 0)
        wanted = [n for n in request.facets if n in FACET_FIELDS]
        size = request.facet_size
        spec, fixed = _facet_plan(shape, segments, wanted, size) if size > 0 else ({}, {})
        # Tantivy lets go of the GIL: the facets are counted on a second core while the
        # page is ranked on this one.
        counting = self._pool().submit(searcher.aggregate, query, spec) if spec else None
        if request.sort == "date":
            found = searcher.search(
                query,
                limit,
                count=True,
                offset=offset,
                order_by_field="sort",
                order=tantivy.Order.Asc,
            )
        else:
            found = searcher.search(query, limit, count=True, offset=offset)
        counted = counting.result() if counting is not None else {}
        addresses = [a for _, a in found.hits]
        rows = [int(r) for r in searcher.fast_field_values("row", addresses)] if addresses else []
        scores = [float(s) if request.sort != "date" else 0.0 for s, _ in found.hits]
        total = int(found.count)
        if size > 0 and total:
            facets = _facet_counts(counted, fixed, wanted, size, total)
        else:
            facets = {n: [] for n in wanted}
        return Found(rows, scores, total, facets)

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="facets")
            return self._executor

    def term_counts(self, words: Sequence[str]) -> dict[str, int]:
        """Documents holding each word in some field (an upper bound: fields add up)."""
        searcher = self.searcher()
        out: dict[str, int] = {}
        for w in set(words):
            out[w] = sum(int(searcher.doc_freq(f, w)) for f in TEXT_FIELDS) if w else 0
        return out

    def vocabulary(self) -> dict[str, list[tuple[str, int]]]:
        """Every indexed word with its document count, by first letter (built once a
        generation: misspellings are rare, so this is paid only when one is met)."""
        with self._lock:
            searcher = self.searcher()
            if self._vocabulary is None:
                counts: dict[str, int] = {}
                for f in TEXT_FIELDS:
                    for term, n in searcher.terms_with_prefix(f, ""):
                        counts[term] = counts.get(term, 0) + int(n)
                by_initial: dict[str, list[tuple[str, int]]] = {}
                for term, n in counts.items():
                    by_initial.setdefault(term[:1], []).append((term, n))
                self._vocabulary = by_initial
            return self._vocabulary


def _facet_plan(
    shape: dict[str, tuple[int, str | None]], segments: int, wanted: list[str], size: int
) -> tuple[dict[str, Any], dict[str, str | None]]:
    """The terms aggregations to run, and the facets known without one (a value
    every document holds, or None for a field no document holds)."""
    fixed: dict[str, str | None] = {}
    spec: dict[str, Any] = {}
    for n in wanted:
        terms, constant = shape[n]
        if constant is not None or terms == 0:
            fixed[n] = constant
        elif n == "decade":
            continue  # summed from the years: one aggregation fewer
        else:
            # Every value in the window of each segment: exact counts across segments.
            window = max(size + 10, terms) if segments > 1 else size + 10
            every = n == "year" and "decade" in wanted
            spec[n] = {
                "terms": {
                    "field": n,
                    "size": max(terms, 1) if every else size + 10,
                    "segment_size": max(window, terms) if every else window,
                }
            }
    if "decade" in wanted and "decade" not in fixed and "year" not in spec:
        terms = max(shape["year"][0], 1)
        spec["year"] = {"terms": {"field": "year", "size": terms, "segment_size": terms}}
    return spec, fixed


def _facet_counts(
    counted: dict[str, Any],
    fixed: dict[str, str | None],
    wanted: list[str],
    size: int,
    total: int,
) -> dict[str, list[tuple[str, int]]]:
    """The `size` commonest values of each facet among the matches, counted exactly."""
    out: dict[str, list[tuple[str, int]]] = {
        n: [(value, total)] if value is not None else [] for n, value in fixed.items()
    }
    for n, result in counted.items():
        pairs = [(str(b["key"]), int(b["doc_count"])) for b in result.get("buckets", [])]
        if n == "year" and "decade" in wanted and "decade" not in out:
            decades: dict[str, int] = {}
            for year, count in pairs:
                decades[f"{year[:3]}0s"] = decades.get(f"{year[:3]}0s", 0) + count
            out["decade"] = sorted(decades.items(), key=_by_count)[:size]
        if n in wanted:
            out[n] = sorted(pairs, key=_by_count)[:size]
    return {n: out.get(n, []) for n in wanted}


def _used_text_fields(searcher: Any) -> tuple[str, ...]:
    """The text fields that hold at least one word: the others cannot match."""
    return tuple(f for f in TEXT_FIELDS if searcher.terms_with_prefix(f, "", limit=1))


def _facet_shape(searcher: Any) -> dict[str, tuple[int, str | None]]:
    """Per facet field: how many distinct values the index holds, and the value every
    document holds when there is just one."""
    shape: dict[str, tuple[int, str | None]] = {}
    everyone = int(searcher.num_docs)
    for field in FACET_FIELDS:
        terms = searcher.terms_with_prefix(field, "")
        constant = None
        if len(terms) == 1 and int(terms[0][1]) == everyone:
            constant = str(terms[0][0])
        shape[field] = (len(terms), constant)
    return shape


def _by_count(kv: tuple[str, int]) -> tuple[int, str]:
    return (-kv[1], kv[0])


def _public_only(schema: Any, query: Any, today: date) -> Any:
    """`query` limited to public documents whose embargo, if any, has passed."""
    q, occur = tantivy.Query, tantivy.Occur
    embargoed = q.range_query(
        schema, "embargo", tantivy.FieldType.Integer, _day(today.isoformat(), 0) + 1, _OPEN_END
    )
    return q.boolean_query(
        [
            (occur.Must, query),
            (occur.Must, q.const_score_query(q.term_query(schema, "access", "public"), 0.0)),
            (occur.MustNot, embargoed),
        ]
    )


class _Compiler:
    """An IndexExpression as a Tantivy query: words score, filters do not."""

    def __init__(
        self,
        schema: Any,
        weights: dict[str, float],
        used: Sequence[str] = TEXT_FIELDS,
        searcher: Any = None,
    ) -> None:
        self.schema = schema
        self.weights = weights
        self.used = used  # text fields that hold any word: the others cannot match
        self.searcher = searcher
        self.clauses = 0

    def _idf(self, field: str, word: str) -> float:
        n = int(self.searcher.doc_freq(field, word))
        total = int(self.searcher.num_docs)
        return math.log(1 + (total - n + 0.5) / (n + 0.5))

    def query(self, e: IndexExpression) -> Any:
        q, occur = tantivy.Query, tantivy.Occur
        self.clauses += 1
        if self.clauses > _MAX_CLAUSES:
            raise QueryError(0, "the query is too large or complex to run")
        if isinstance(e, MatchAll):
            return q.all_query()
        if isinstance(e, TermMatch):
            return self._words(e)
        if isinstance(e, AllOf):
            if not e.parts:
                return q.all_query()
            clauses = [
                (occur.MustNot, self.query(p.part))
                if isinstance(p, Excluding)
                else (occur.Must, self.query(p))
                for p in e.parts
            ]
            if all(o == occur.MustNot for o, _ in clauses):
                clauses.append((occur.Must, q.all_query()))
            return q.boolean_query(clauses)
        if isinstance(e, AnyOf):
            if not e.parts:
                return q.empty_query()
            return q.boolean_query([(occur.Should, self.query(p)) for p in e.parts])
        if isinstance(e, Excluding):
            everything = (occur.Must, q.all_query())
            return q.boolean_query([everything, (occur.MustNot, self.query(e.part))])
        if isinstance(e, DateFilter):
            lo, hi = _day(e.earliest or "", 0), _day(e.latest or "", _OPEN_END)
            integer = tantivy.FieldType.Integer
            return q.const_score_query(
                q.boolean_query(
                    [
                        (occur.Must, q.term_query(self.schema, "dated", "1")),
                        (occur.Must, q.range_query(self.schema, "start", integer, 0, hi)),
                        (occur.Must, q.range_query(self.schema, "end", integer, lo, _OPEN_END)),
                    ]
                ),
                0.0,
            )
        if isinstance(e, FieldFilter):
            keys = _filter_terms(e)
            if not keys:
                return q.empty_query()
            return q.const_score_query(q.term_set_query(self.schema, "keys", keys), 0.0)
        raise TypeError(f"not an index expression: {e!r}")

    def _words(self, e: TermMatch) -> Any:
        q, occur = tantivy.Query, tantivy.Occur
        words: list[str | tuple[int, str]] = [w for w in e.words if w]
        if not words:
            return q.empty_query()
        first = str(words[0])
        fields = [f for f in e.fields if f in TEXT_FIELDS] or list(TEXT_FIELDS)
        fields = [f for f in fields if f in self.used]
        if not fields:
            return q.empty_query()
        per_field = []
        for f in fields:
            if e.prefix and len(words) == 1:
                one = q.regex_query(self.schema, f, _regex_literal(first) + ".*")
            elif e.prefix:
                one = q.phrase_prefix_query(self.schema, f, words)
            elif len(words) == 1:
                one = q.term_query(self.schema, f, first)
            else:
                one = q.phrase_query(self.schema, f, words)
            weight = self.weights.get(f, 1.0)
            if f in SHORT_FIELDS and self.searcher is not None:
                # A title or a speaker's name either holds the words or not: its length
                # (a "Mr." more or less) must not reorder documents, so the match counts
                # as BM25 would at average length and one occurrence, idf times weight.
                idf = sum(self._idf(f, str(w)) for w in words) if not e.prefix else 1.0
                per_field.append((occur.Should, q.const_score_query(one, weight * idf)))
            else:
                per_field.append((occur.Should, q.boost_query(one, weight)))
        if e.surface and not e.prefix and not e.fields and len(words) == 1:
            # Every document holding the exact form holds its stem: this only reorders.
            exact = q.term_query(self.schema, "exact", e.surface)
            per_field.append((occur.Should, q.boost_query(exact, EXACT_BOOST)))
        return per_field[0][1] if len(per_field) == 1 else q.boolean_query(per_field)


def _regex_literal(word: str) -> str:
    # Tantivy's regex syntax (Rust's regex crate): escape every non-alphanumeric.
    return "".join(c if c.isalnum() else "\\" + c for c in word)


def _filter_terms(e: FieldFilter) -> list[str]:
    """The "field=value" keys a filter accepts (any of them)."""
    values = [v for v in e.values if v.strip()]
    return [f"{e.field}={k}" for k in filter_keys(e.field, values)]
