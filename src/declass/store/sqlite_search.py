"""The embedded archive's search: `search_docs` in SQLite, the index in Tantivy.

`search_docs` gives each current document a row id (a new version gets a new one);
the Tantivy index (`tantivy_search.py`) beside the SQLite file holds the analysed
text and facts under that id and is derived from the catalogue: it catches up from
these rows whenever it finds itself behind, so SQLite stays the one record.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from declass.model import Document
from declass.store.base import FacetCount, IndexHit, SearchPage, SearchRequest
from declass.store.index_fields import (
    NAMED_ROLES,
    IndexEntry,
    person_key,
    preferred_spellings,
)
from declass.store.tantivy_search import TantivyIndex

# Version 2 made an FTS5 index; version 4 hands search to Tantivy and drops it.
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
MIGRATION_TANTIVY = """
    DROP TABLE search_vocab;
    DROP TABLE search_text;
    CREATE TABLE archive_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO archive_meta VALUES ('id', lower(hex(randomblob(16))))
"""


def index_folder(db_path: Path) -> Path:
    """Where the search index of the archive at `db_path` lives."""
    return db_path.with_name(db_path.name + ".search")


def put_document(db: sqlite3.Connection, doc: Document) -> int:
    """Give `doc` a new search_docs row (the caller holds the write transaction)."""
    db.execute("DELETE FROM search_docs WHERE doc_id=?", (doc.id,))
    cur = db.execute("INSERT INTO search_docs (doc_id) VALUES (?)", (doc.id,))
    return int(cur.lastrowid or 0)


class SQLiteSearch:
    """Searches one SQLite archive through its Tantivy index, keeping the two level."""

    def __init__(self, db: sqlite3.Connection, folder: Path, unpack: Any) -> None:
        self.db = db
        self.folder = folder
        self._unpack = unpack
        self._index: TantivyIndex | None = None
        self._seen: tuple[int, int] | None = None
        self._data_version = -1
        self._level = False  # caught up once in this process
        self._people_display: dict[str, str] = {}
        self._people_generation: tuple[int, int] | None = None
        self._lock = threading.RLock()

    @property
    def index(self) -> TantivyIndex:
        if self._index is None:
            row = self.db.execute("SELECT value FROM archive_meta WHERE key='id'").fetchone()
            self._index = TantivyIndex(self.folder, str(row[0]))
        return self._index

    # -- keeping level ---------------------------------------------------------------
    def _generation(self) -> tuple[int, int]:
        seq, count = self.db.execute(
            "SELECT (SELECT seq FROM sqlite_sequence WHERE name='search_docs'),"
            " (SELECT count(*) FROM search_docs)"
        ).fetchone()
        return (int(seq or 0), int(count))

    def _rows(self, after: int) -> Iterator[tuple[int, Document]]:
        cursor = self.db.cursor()
        cursor.row_factory = None
        cursor.execute(
            "SELECT s.rowid, v.body FROM search_docs s JOIN documents d ON d.id = s.doc_id"
            " JOIN document_versions v ON v.doc_id = d.id AND v.version = d.version"
            " WHERE s.rowid > ? ORDER BY s.rowid",
            (after,),
        )
        while batch := cursor.fetchmany(500):
            for rowid, body in batch:
                yield int(rowid), self._unpack(body)

    def changed(self) -> None:
        """This connection committed documents: look again before the next search."""
        self._seen = None

    def ensure_level(self) -> None:
        """Catch the index up with the catalogue if it is behind (or read what another
        process published)."""
        with self._lock:
            # data_version moves when another connection commits; this connection's own
            # commits call changed(). Only then is the catalogue counted again.
            version = int(self.db.execute("PRAGMA data_version").fetchone()[0])
            if self._seen is not None and version == self._data_version:
                return
            self._data_version = version
            generation = self._generation()
            if generation == self._seen:
                return
            index = self.index
            index.publish()
            index.refresh()
            level = index.catch_up(generation[0], generation[1], self._rows, lambda: self._rows(0))
            self._level = self._level or level
            self._seen = generation if level else None

    def stage(self, row: int, doc: Document, made: IndexEntry | None = None) -> None:
        """Index `doc`, just committed under search_docs row `row` (`made`: its analysis,
        when made ahead)."""
        with self._lock:
            if not self._level:
                # Level first, so that rows a killed run left unindexed are not skipped.
                self.ensure_level()
            if self._level:
                try:
                    self.index.stage(row, doc, made)
                except ValueError:
                    # Another process holds the index's writer (a reading room catching
                    # up): the document is in SQLite, and a later catch-up indexes it.
                    self._level = False
                    self._seen = None

    def release(self) -> None:
        """Publish what is staged and let go of the writer."""
        with self._lock:
            if self._index is not None:
                self._index.release()
            self._seen = None

    # -- searching -------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchPage:
        self.ensure_level()
        found = self.index.search(request)
        hits = self._hits(found.rows, found.scores)
        counted: dict[str, tuple[FacetCount, ...]] = {}
        for name, pairs in found.facets.items():
            if name == "person":
                shown = self._display_names([v for v, _ in pairs])
                counted[name] = tuple(FacetCount(shown.get(v, v), n) for v, n in pairs)
            else:
                counted[name] = tuple(FacetCount(v, n) for v, n in pairs)
        return SearchPage(total=found.total, hits=hits, facets=counted, exact=found.exact)

    def _hits(self, rows: list[int], scores: list[float]) -> tuple[IndexHit, ...]:
        if not rows:
            return ()
        marks = ",".join("?" * len(rows))
        found = {
            r[0]: r[1:]
            for r in self.db.execute(
                "SELECT s.rowid, d.id, d.title, d.sort_date, d.date_start, d.date_end"
                " FROM search_docs s JOIN documents d ON d.id = s.doc_id"
                f" WHERE s.rowid IN ({marks})",
                rows,
            )
        }
        hits = []
        for row, score in zip(rows, scores, strict=True):
            if row in found:  # gone since the index was read: left out
                doc_id, title, sort_date, start, end = found[row]
                end = end or "9999-12-31"
                hits.append(IndexHit(doc_id, score, title, sort_date or "", start or "", end))
        return tuple(hits)

    def _display_names(self, keys: list[str]) -> dict[str, str]:
        """Each person key as most documents spell it, preferring mixed case."""
        generation = self._seen or self._generation()
        if self._people_generation != generation or any(
            k not in self._people_display for k in keys
        ):
            marks = ",".join("?" * len(NAMED_ROLES))
            # Spelled as open documents spell them: a name only closed ones use never shows.
            rows = self.db.execute(
                "SELECT p.name FROM document_participants p JOIN documents d ON d.id = p.doc_id"
                f" WHERE p.role IN ({marks}) AND d.access = 'public'"
                " AND (d.embargo_until IS NULL OR d.embargo_until <= ?)",
                (*NAMED_ROLES, date.today().isoformat()),
            )
            self._people_display = preferred_spellings((person_key(n), n, 1) for (n,) in rows)
            self._people_generation = generation
        return self._people_display

    # -- vocabulary ------------------------------------------------------------------
    def term_counts(self, words: Sequence[str]) -> dict[str, int]:
        self.ensure_level()
        return self.index.term_counts(words)

    def similar_terms(self, word: str, max_distance: int, limit: int = 5) -> list[str]:
        from rapidfuzz.distance import Levenshtein

        self.ensure_level()
        vocabulary = self.index.vocabulary()
        # A misspelling rarely touches the first letter; looking only there keeps
        # this fast on a large vocabulary. Indexed words are stems, so a typed word is
        # also compared by its start with each stem ("disarmamnet" ~ "disarma").
        scored: list[tuple[int, int, str]] = []
        for term, docs in vocabulary.get(word[:1], []):
            if len(term) > len(word) + max_distance or term == word:
                continue
            distance = Levenshtein.distance(word, term, score_cutoff=max_distance + 1)
            if len(term) >= 5 and 0 < len(word) - len(term) <= 4 and word.startswith(term):
                distance = min(distance, 1)
            if distance <= max_distance:
                scored.append((distance, -docs, term))
        best = min((d for d, _, _ in scored), default=0)
        return [t for d, _, t in sorted(scored) if d == best][:limit]
