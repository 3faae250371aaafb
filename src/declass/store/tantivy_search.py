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

import itertools
import json
import math
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tantivy

from declass.errors import QueryError
from declass.memory import give_back
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
from declass.store.index_fields import IndexEntry, filter_keys, index_entry

# Bump when the schema or the analysis changes: an index of another layout is rebuilt.
LAYOUT = 14
PAIRS = "body_pairs"
STATE_FILE = "state.json"
PEOPLE_FILE = "people.json"  # person key → its number in this index
# Staged documents are published at least this often while a run goes on.
# Few, large segments: facet counts are exact across segments only by reading each
# segment's whole vocabulary of a field, so fewer segments make faceting cheaper.
PUBLISH_EVERY_DOCS = 50_000
PUBLISH_EVERY_SECONDS = 120.0
# The writer's memory before it writes a segment: the largest part of an ingest's memory
# (kept under 1.5 GB with the reading processes); segments merge as the index grows.
WRITER_HEAP = 400_000_000
_OPEN_END = 99991231
_UNDATED_SORT = 99999999
_MAX_CLAUSES = 4096  # beyond this a query is refused, not run
EXACT_BOOST = 0.5  # against 1 for the body: an exact form breaks ties among its stems
SHORT_FIELDS = ("title", "heading", "people")  # metadata: matched or not, no length
# Broad queries on a large index are counted and ranked on a sample (see search).
SAMPLE_BUCKETS = 64
SAMPLE_LEVELS = 6  # level k: 1/2**k of the index, down to 1/64
EXACT_UP_TO = 200_000  # documents: an index this small is always searched whole
SAMPLE_DOCS = 30_000  # about this many documents in the sample: the work of a broad query
EXACT_WORK = 30_000  # postings a query may read on a large index and stay exact
COUNTS_CACHED = 256
_TOTAL = "_total"
_SPANS_YEARS = "dates=span"  # the key of a document whose date runs over years
_MAX_YEARS = 400  # a filter of more whole years than this reads the bounds instead
_PREFIX_TERMS = 1000  # a prefix with more words than this is taken as matching everything
# Facets counted on a numeric fast field: a terms aggregation over small numbers is
# several times faster than over strings (PEOPLE_FILE numbers the persons).
_NUMBERED = {"person": "person_n", "year": "year_n"}


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
    # Each pair of neighbouring body words as one term ("develop_countri"): a phrase is
    # then read from the pairs' posting lists, far shorter than its words' (as
    # Elasticsearch's index_phrases does).
    sb.add_text_field(PAIRS, tokenizer_name="whitespace")
    # Each facet is a fast field of its own name, counted by terms aggregations.
    for name in FACET_FIELDS:
        sb.add_text_field(name, tokenizer_name="raw", fast=True)
    # "field=value" terms for filters, compared case-blind.
    sb.add_text_field("keys", tokenizer_name="raw", index_option="basic")
    for name in ("access", "dated", "closed"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in ("start", "end", "sort", "embargo"):
        sb.add_integer_field(name, indexed=True, fast=True)
    # The bucket of the document's id, for counting broad queries on a sample.
    sb.add_text_field("sample", tokenizer_name="raw", index_option="basic")
    # Person (numbered in the order the index met them) and year as numbers, for
    # counting (see _NUMBERED).
    sb.add_unsigned_field("person_n", fast=True)
    sb.add_unsigned_field("year_n", fast=True)
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


def to_tantivy(
    row: int, doc: Document, number_of: Callable[[str], int], made: IndexEntry | None = None
) -> Any:
    """The index entry of `doc`, stored under search_docs row `row`, from its analysis
    (`made` ahead, or made here); `number_of` gives each person key its number in this
    index."""
    made = made or index_entry(doc)
    f = made.facts
    entry = tantivy.Document()
    entry.add_unsigned("row", row)
    entry.add_text("doc_id", doc.id)
    for name, text in zip(TEXT_FIELDS, made.columns, strict=True):
        entry.add_text(name, text)
        if name == "body":
            entry.add_text(PAIRS, made.pairs)
    entry.add_text("exact", made.surface)
    keys: list[str] = []
    entry.add_text("type", f.doc_type)
    keys.append(f"type={f.doc_type}")
    for code in f.country_codes:
        entry.add_text("country", code)
    keys += [f"country={k}" for k in f.country_keys]
    people = [key for key in dict.fromkeys(f.people) if key]  # once per person
    for key in people:
        entry.add_text("person", key)
        keys.append(f"person={key}")
    # A column every document fills (0 for none) is read several times faster than
    # one some documents leave empty.
    for number in [number_of(key) for key in people] or [0]:
        entry.add_unsigned("person_n", number)
    for name in ("decade", "year", "language", "source"):
        value = getattr(f, name)
        if value:
            entry.add_text(name, value)
            keys.append(f"{name}={value.casefold()}")
    for c in f.collections:
        entry.add_text("collection", c)
    keys += [f"collection={c}" for c in f.collection_keys]
    if f.dated and f.date_start[:4] != f.date_end[:4]:
        keys.append(_SPANS_YEARS)  # its year key alone does not place it (see _years)
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
    for level in sample_levels(doc.id):
        entry.add_text("sample", f"l{level}")
    entry.add_unsigned("year_n", int(f.year) if f.year.isdigit() else 0)  # 0: none
    return entry


def word_pairs(words: Sequence[str]) -> list[str]:
    """Each word joined to the next ("_" is never part of an analysed word)."""
    return list(map("_".join, itertools.pairwise(words)))


def sample_levels(doc_id: str) -> range:
    """The sample levels a document belongs to: level k holds 1/2**k of the index (by a
    hash of the id, so fixed and evenly spread), each level inside the one before."""
    bucket = zlib.crc32(doc_id.encode("utf-8")) % SAMPLE_BUCKETS
    # Level k: the buckets below SAMPLE_BUCKETS / 2**k.
    return range(1, next(k for k in range(8) if bucket >= SAMPLE_BUCKETS >> (k + 1)) + 1)


def _sample_share(documents: int) -> float:
    """The share of an index of `documents` that holds about SAMPLE_DOCS of them (a
    power of two, at most one half)."""
    level = max(1, min(SAMPLE_LEVELS, round(math.log2(documents / SAMPLE_DOCS))))
    return float(0.5**level)


@dataclass(frozen=True)
class Found:
    """One page of an index search: search_docs rows, scores, total, facet values."""

    rows: list[int]
    scores: list[float]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    exact: bool = True  # False: total and facets estimated from a sample of the index


@dataclass(frozen=True)
class _Counted:
    """The matches of a query counted, in all and by facet value."""

    total: int
    buckets: dict[str, list[tuple[str, int]]]
    share: float  # of the index counted: 1, or the sample's share (counts scaled up)

    @property
    def exact(self) -> bool:
        return self.share >= 1


def _count(
    searcher: Any, query: Any, spec: dict[str, Any], share: float, persons: dict[int, str]
) -> _Counted:
    """Count the matches of `query` (limited to the sample when `share` < 1) by the
    terms aggregations `spec`; a sample's counts are scaled up to the index."""
    found = searcher.aggregate(query, {**spec, _TOTAL: {"value_count": {"field": "row"}}})
    return _read_counts(found, share, persons)


def _read_counts(found: dict[str, Any], share: float, persons: dict[int, str]) -> _Counted:
    scale = 1 / share
    buckets: dict[str, list[tuple[str, int]]] = {}
    for n, result in found.items():
        if n == _TOTAL:
            continue
        pairs = buckets[n] = []
        for b in result.get("buckets", []):
            key, count = b["key"], round(int(b["doc_count"]) * scale)
            if n == "person":
                value = persons.get(int(key), "")
            elif n == "year":
                value = f"{int(key):04d}" if int(key) else ""
            else:
                value = str(key)
            if value:
                pairs.append((value, count))
    return _Counted(round(int(found[_TOTAL]["value"] or 0) * scale), buckets, share)


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
        # Totals and facet counts of recent queries, for the current searcher (off: every
        # query counted anew, as benchmarks of the engine want).
        self._counts: dict[Any, _Counted] = {}
        self.cache_counts = True
        self._numbers: dict[str, int] | None = None  # person key → number (PEOPLE_FILE)
        self._numbers_saved = 0
        self._persons: dict[int, str] = {}  # and back, as the current searcher knows them

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
        self._numbers, self._numbers_saved = {}, 0
        if self.folder.exists():
            for entry in self.folder.iterdir():
                if entry.is_file():
                    entry.unlink()

    def _acquire_writer(self) -> Any:
        if self._writer is None:
            # One thread: a second would double the memory for little gain on ingest,
            # whose time goes to analysis in Python, not to Tantivy.
            self._writer = self._open().writer(heap_size=WRITER_HEAP, num_threads=1)
            self._numbers = None  # another writer may have numbered persons since
        return self._writer

    @property
    def last_row(self) -> int:
        return max(self._staged_row, self._published.last_row if self._published else 0)

    # -- writing ---------------------------------------------------------------------
    def stage(self, row: int, doc: Document, made: IndexEntry | None = None) -> None:
        """Queue `doc` (search_docs row `row`, analysed ahead as `made` or not), replacing
        its earlier entry."""
        with self._lock:
            writer = self._acquire_writer()
            writer.delete_documents_by_term("doc_id", doc.id)
            writer.add_document(to_tantivy(row, doc, self._number_of, made))
            self._staged_row = max(self._staged_row, row)
            self._staged += 1
            due = time.monotonic() - self._since > PUBLISH_EVERY_SECONDS
            if self._staged >= PUBLISH_EVERY_DOCS or due:
                self.publish()

    def _read_numbers(self) -> dict[str, int]:
        try:
            data = json.loads((self.folder / PEOPLE_FILE).read_text("utf-8"))
            return {str(k): int(n) for k, n in data.items()}
        except (OSError, ValueError, AttributeError, TypeError):
            return {}

    def _number_of(self, person: str) -> int:
        """The number of a person key in this index (1, 2, ...; 0 stands for none)."""
        if self._numbers is None:
            self._numbers = self._read_numbers()
            self._numbers_saved = len(self._numbers)
        number = self._numbers.get(person)
        if number is None:
            number = self._numbers[person] = len(self._numbers) + 1
        return number

    def publish(self) -> None:
        """Make every staged document searchable and durable."""
        with self._lock:
            if self._writer is None:
                return
            if self._staged:
                if self._numbers is not None and len(self._numbers) > self._numbers_saved:
                    # Before the commit: every committed number can be read back.
                    tmp = self.folder / (PEOPLE_FILE + ".tmp")
                    tmp.write_text(json.dumps(self._numbers, ensure_ascii=False), "utf-8")
                    os.replace(tmp, self.folder / PEOPLE_FILE)
                    self._numbers_saved = len(self._numbers)
                self._writer.commit()
                give_back()  # the written segment's buffer, freed
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
                give_back()  # a process that goes on (a server, the next run) needs none of it

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
                self._counts = {}
                if self._writer is None:  # another process may have numbered more
                    self._numbers = None
                numbers = self._numbers if self._numbers is not None else self._read_numbers()
                self._persons = {n: k for k, n in numbers.items()}
                self._searcher = searcher
            return self._searcher

    def forget_counts(self) -> None:
        """Drop the cached totals and facets (benchmarks time the counting itself)."""
        with self._lock:
            self._counts = {}

    def refresh(self) -> None:
        """Read what another process published."""
        with self._lock:
            self._published = IndexState.read(self.folder) or self._published
            self._searcher = None

    def search(self, request: SearchRequest, today: date | None = None) -> Found:
        """Rows of the page with their scores, the total, and facet counts."""
        with self._lock:
            searcher, used, shape = self.searcher(), self._used, self._shape
            segments, counts_cache, persons = self._segments, self._counts, self._persons
        weights = dict(request.weights)
        compiler = _Compiler(self.schema, weights, used, searcher)
        restricted = not request.include_restricted and int(searcher.doc_freq("closed", "1"))
        day = today or (date.fromisoformat(request.today) if request.today else date.today())
        offset, limit = max(request.offset, 0), max(request.limit, 0)
        wanted = [n for n in request.facets if n in FACET_FIELDS]
        size = request.facet_size
        spec, fixed = _facet_plan(shape, segments, wanted, size) if size > 0 else ({}, {})
        # The total and the facets do not depend on the page: a reader paging through
        # results, or asking again, is answered from the cache of this searcher.
        key = (request.expression, restricted and (day, request.access_levels), tuple(wanted), size)
        counted = counts_cache.get(key) if self.cache_counts else None
        share = counted.share if counted is not None else 1.0
        everyone = int(searcher.num_docs)
        # A large index: a query that would read more postings than EXACT_WORK is counted
        # and ranked on a sample of the index, so that its cost stays bounded however
        # large the archive grows ("about 150,000 documents").
        large = counted is None and everyone > EXACT_UP_TO
        if large and compiler.work(request.expression) > EXACT_WORK:
            share = _sample_share(everyone)
        query = compiler.query(request.expression)
        sampled = query
        if share < 1:
            # The sample is pushed into every clause, where it leads each intersection;
            # an estimate's page is not refined by the exact word forms typed.
            within = (self._sample(share),)
            sampled = _Compiler(self.schema, weights, used, searcher, exact_forms=False).query(
                request.expression, within
            )
        if restricted:
            levels = request.access_levels
            query = _public_only(self.schema, query, day, levels)
            sampled = _public_only(self.schema, sampled, day, levels) if share < 1 else query
        # Tantivy lets go of the GIL: the matches are counted on a second core while
        # the page is ranked on this one, and the page is ranked without counting, so
        # that Tantivy can skip blocks that cannot reach it.
        counting = None
        if counted is None:
            counting = self._pool().submit(_count, searcher, sampled, spec, share, persons)
        if limit == 0:  # Tantivy refuses a page of none
            hits: list[tuple[Any, Any]] = []
        elif request.sort == "date":
            hits = searcher.search(
                query,
                limit,
                count=False,
                offset=offset,
                order_by_field="sort",
                order=tantivy.Order.Asc,
            ).hits
        else:
            # The date order reads one number per match and stays exact; relevance on
            # a sampled query is ranked on the sample.
            hits = searcher.search(sampled, limit, count=False, offset=offset).hits
        if counting is not None:
            counted = counting.result()
            with self._lock:
                if self._counts is counts_cache and self.cache_counts:
                    counts_cache[key] = counted
                    while len(counts_cache) > COUNTS_CACHED:
                        counts_cache.pop(next(iter(counts_cache)))
        assert counted is not None
        addresses = [a for _, a in hits]
        rows = [int(r) for r in searcher.fast_field_values("row", addresses)] if addresses else []
        scores = [float(s) if request.sort != "date" else 0.0 for s, _ in hits]
        total = counted.total
        if size > 0 and total:
            facets = _facet_counts(counted.buckets, fixed, wanted, size, total)
        else:
            facets = {n: [] for n in wanted}
        return Found(rows, scores, total, facets, counted.exact)

    def _sample(self, share: float) -> Any:
        """The documents of the sample level holding `share` of the index."""
        level = round(math.log2(1 / share))
        return tantivy.Query.term_query(self.schema, "sample", f"l{level}")

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
                    "field": _NUMBERED.get(n, n),
                    "size": max(terms, 1) if every else size + 10,
                    "segment_size": max(window, terms) if every else window,
                }
            }
    if "decade" in wanted and "decade" not in fixed and "year" not in spec:
        terms = max(shape["year"][0], 1)
        spec["year"] = {"terms": {"field": "year_n", "size": terms, "segment_size": terms}}
    return spec, fixed


def _facet_counts(
    counted: dict[str, list[tuple[str, int]]],
    fixed: dict[str, str | None],
    wanted: list[str],
    size: int,
    total: int,
) -> dict[str, list[tuple[str, int]]]:
    """The `size` commonest values of each facet among the matches."""
    out: dict[str, list[tuple[str, int]]] = {
        n: [(value, total)] if value is not None else [] for n, value in fixed.items()
    }
    for n, pairs in counted.items():
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


def _public_only(schema: Any, query: Any, today: date, levels: Sequence[str] = ("public",)) -> Any:
    """`query` limited to documents of `levels` (the reader's; public by default) whose
    embargo, if any, has passed."""
    q, occur = tantivy.Query, tantivy.Occur
    embargoed = q.range_query(
        schema, "embargo", tantivy.FieldType.Integer, _day(today.isoformat(), 0) + 1, _OPEN_END
    )
    open_levels = q.boolean_query(
        [(occur.Should, q.term_query(schema, "access", level)) for level in levels]
    )
    return q.boolean_query(
        [
            (occur.Must, query),
            (occur.Must, q.const_score_query(open_levels, 0.0)),
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
        exact_forms: bool = True,
    ) -> None:
        self.schema = schema
        self.weights = weights
        self.used = used  # text fields that hold any word: the others cannot match
        self.searcher = searcher
        self.exact_forms = exact_forms  # lift documents holding the very form typed
        self.clauses = 0
        self._freq: dict[tuple[str, str], int] = {}

    def work(self, e: IndexExpression) -> int:
        """About how many postings an exact answer to `e` reads: a conjunction is led
        by its smallest part, a disjunction reads all of its parts."""
        everyone = int(self.searcher.num_docs)
        if isinstance(e, TermMatch):
            words = [str(w) for w in e.words if w]
            total = 0
            for f in [f for f in e.fields if f in TEXT_FIELDS] or list(self.used):
                if not words:
                    continue
                if e.prefix:
                    found = self.searcher.terms_with_prefix(f, words[-1], limit=_PREFIX_TERMS)
                    if len(found) >= _PREFIX_TERMS:
                        return everyone
                    total += sum(int(n) for _, n in found)
                elif f == "body" and len(words) > 1:
                    total += min(self._df(PAIRS, p) for p in word_pairs(words))
                else:
                    total += min(self._df(f, w) for w in words)
            return total
        if isinstance(e, AnyOf):
            return sum(self.work(p) for p in e.parts)
        if isinstance(e, AllOf):
            leads = [self.work(p) for p in e.parts if not isinstance(p, Excluding)]
            return min(leads, default=everyone)
        if isinstance(e, FieldFilter):
            return sum(self._df("keys", k) for k in _filter_terms(e))
        years = _years(e) if isinstance(e, DateFilter) else []
        if years:
            return sum(self._df("keys", k) for k in [*years, _SPANS_YEARS])
        return everyone  # everything, all but some, a date range (read, never led)

    def _df(self, field: str, word: str) -> int:
        key = (field, word)
        if key not in self._freq:
            self._freq[key] = int(self.searcher.doc_freq(field, word))
        return self._freq[key]

    def _idf(self, field: str, word: str) -> float:
        n = self._df(field, word)
        total = int(self.searcher.num_docs)
        return math.log(1 + (total - n + 0.5) / (n + 0.5))

    def query(self, e: IndexExpression, within: tuple[Any, ...] = ()) -> Any:
        """`e` as a Tantivy query, limited to documents matching every filter `within`.

        The filters of a conjunction are pushed down to each word's per-field clauses:
        a union of fields intersected with a selective filter would otherwise be walked
        window by window (every phrase checked), where a filter inside each clause leads
        the intersection and only its few documents are checked."""
        q, occur = tantivy.Query, tantivy.Occur
        self.clauses += 1
        if self.clauses > _MAX_CLAUSES:
            raise QueryError(0, "the query is too large or complex to run")
        if isinstance(e, TermMatch):
            return self._words(e, within)
        if isinstance(e, AnyOf):
            if not e.parts:
                return q.empty_query()
            return q.boolean_query([(occur.Should, self.query(p, within)) for p in e.parts])
        if isinstance(e, AllOf):
            filters = [p for p in e.parts if isinstance(p, FieldFilter | DateFilter)]
            excluded = [p.part for p in e.parts if isinstance(p, Excluding)]
            positive = [p for p in e.parts if p not in filters and not isinstance(p, Excluding)]
            inner = (*within, *(self.query(f) for f in filters))
            clauses = [(occur.Must, self.query(p, inner)) for p in positive]
            if not clauses:
                clauses = [(occur.Must, f) for f in inner] or [(occur.Must, q.all_query())]
            clauses += [(occur.MustNot, self.query(x)) for x in excluded]
            return clauses[0][1] if len(clauses) == 1 else q.boolean_query(clauses)
        if isinstance(e, Excluding):
            kept = [(occur.Must, f) for f in within] or [(occur.Must, q.all_query())]
            return q.boolean_query([*kept, (occur.MustNot, self.query(e.part))])
        if isinstance(e, MatchAll):
            one = q.all_query()
        elif isinstance(e, DateFilter):
            lo, hi = _day(e.earliest or "", 0), _day(e.latest or "", _OPEN_END)
            integer = tantivy.FieldType.Integer
            overlap = q.boolean_query(
                [
                    (occur.Must, q.term_query(self.schema, "dated", "1")),
                    (occur.Must, q.range_query(self.schema, "start", integer, 0, hi)),
                    (occur.Must, q.range_query(self.schema, "end", integer, lo, _OPEN_END)),
                ]
            )
            years = _years(e)
            if years:
                # Whole years: a document dated within one year is found by its year (or
                # decade) key, a posting list that can lead an intersection; a range is
                # read value by value through every document in between. Documents
                # spanning years are few and are checked by their bounds.
                spanning = q.term_query(self.schema, "keys", _SPANS_YEARS)
                clauses = [(occur.Should, q.term_query(self.schema, "keys", k)) for k in years]
                clauses.append(
                    (occur.Should, q.boolean_query([(occur.Must, spanning), (occur.Must, overlap)]))
                )
                overlap = q.boolean_query(clauses)
            one = q.const_score_query(overlap, 0.0)
        elif isinstance(e, FieldFilter):
            keys = _filter_terms(e)
            if not keys:
                return q.empty_query()
            # One key reads one posting list; a term set is read as a whole set.
            if len(keys) == 1:
                one = q.const_score_query(q.term_query(self.schema, "keys", keys[0]), 0.0)
            else:
                one = q.const_score_query(q.term_set_query(self.schema, "keys", keys), 0.0)
        else:
            raise TypeError(f"not an index expression: {e!r}")
        return _all_of([one, *within])

    def _words(self, e: TermMatch, within: tuple[Any, ...] = ()) -> Any:
        q, occur = tantivy.Query, tantivy.Occur
        words: list[str | tuple[int, str]] = [w for w in e.words if w]
        if not words:
            return q.empty_query()
        first = str(words[0])
        fields = [f for f in e.fields if f in TEXT_FIELDS] or list(TEXT_FIELDS)
        fields = [f for f in fields if f in self.used]
        if not e.prefix and self.searcher is not None:
            # A field lacking one of the words cannot match: no clause for it.
            fields = [f for f in fields if all(self._df(f, str(w)) for w in words)]
            if len(words) > 1 and "body" in fields:
                pairs = word_pairs([str(w) for w in words])
                if not all(self._df(PAIRS, p) for p in pairs):
                    fields.remove("body")
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
            elif f == "body":
                joined: list[str | tuple[int, str]] = [*word_pairs([str(w) for w in words])]
                if len(joined) == 1:
                    one = q.term_query(self.schema, PAIRS, str(joined[0]))
                else:
                    one = q.phrase_query(self.schema, PAIRS, joined)
            else:
                one = q.phrase_query(self.schema, f, words)
            weight = self.weights.get(f, 1.0)
            if f in SHORT_FIELDS and self.searcher is not None:
                # A title or a speaker's name either holds the words or not: its length
                # (a "Mr." more or less) must not reorder documents, so the match counts
                # as BM25 would at average length and one occurrence, idf times weight.
                idf = sum(self._idf(f, str(w)) for w in words) if not e.prefix else 1.0
                scored = q.const_score_query(one, weight * idf)
            else:
                scored = q.boost_query(one, weight)
            per_field.append((occur.Should, _all_of([scored, *within])))
        if self.exact_forms and e.surface and not e.prefix and not e.fields and len(words) == 1:
            # Every document holding the exact form holds its stem: this only reorders.
            exact = q.boost_query(q.term_query(self.schema, "exact", e.surface), EXACT_BOOST)
            per_field.append((occur.Should, _all_of([exact, *within])))
        return per_field[0][1] if len(per_field) == 1 else q.boolean_query(per_field)


def _all_of(queries: list[Any]) -> Any:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, x) for x in queries])


def _years(e: DateFilter) -> list[str]:
    """The decade and year keys that cover a filter of whole years ("decade=1960s",
    "year=1970"), or none when its bounds are open, not whole years, or too far apart."""
    lo, hi = e.earliest or "", e.latest or ""
    if not (lo.endswith("-01-01") and hi.endswith("-12-31")) or len(lo) != 10 or len(hi) != 10:
        return []
    first, last = int(lo[:4]), int(hi[:4])
    if not 0 <= last - first <= _MAX_YEARS:
        return []
    keys, year = [], first
    while year <= last:
        if year % 10 == 0 and year + 9 <= last:
            keys.append(f"decade={year // 10}0s")
            year += 10
        else:
            keys.append(f"year={year:04d}")
            year += 1
    return keys


def _regex_literal(word: str) -> str:
    # Tantivy's regex syntax (Rust's regex crate): escape every non-alphanumeric.
    return "".join(c if c.isalnum() else "\\" + c for c in word)


def _filter_terms(e: FieldFilter) -> list[str]:
    """The "field=value" keys a filter accepts (any of them)."""
    values = [v for v in e.values if v.strip()]
    return [f"{e.field}={k}" for k in filter_keys(e.field, values)]
