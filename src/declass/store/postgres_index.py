"""A PostgreSQL archive's search index: Tantivy on each app server, derived from the rows.

PostgreSQL ranks with `ts_rank`, which reads every match, and counts facets in SQL:
at a million records a broad query costs hundreds of milliseconds. Each app server
therefore keeps the embedded archive's Tantivy index (`tantivy_search.py`) in a folder
of its own, derived from PostgreSQL as the embedded index is from SQLite: every
`search_docs` row has a number (`row`, migration 8) that grows with each new version,
the index remembers the last row it holds, and a server that finds the catalogue
ahead (another server wrote) reads the missing rows and catches up. A server that
writes indexes what it writes as it commits, from the analysis its readers made.
Search, ranking, facets and the sampled counts of very large archives are then the
embedded archive's own; PostgreSQL stays the one record, and a lost folder is rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from psycopg.conninfo import conninfo_to_dict

from declass.model import Document
from declass.store import codec
from declass.store import postgres_search as fts
from declass.store.base import FacetCount, IndexHit, SearchPage, SearchRequest
from declass.store.index_fields import IndexEntry
from declass.store.tantivy_search import TantivyIndex

if TYPE_CHECKING:
    from declass.store.postgres import PostgresStore

MIGRATION = """
    CREATE SEQUENCE search_docs_row;
    ALTER TABLE search_docs ADD COLUMN row bigint NOT NULL DEFAULT nextval('search_docs_row');
    CREATE UNIQUE INDEX search_docs_row_order ON search_docs (row);
    CREATE TABLE archive_meta (key text PRIMARY KEY, value text NOT NULL);
    INSERT INTO archive_meta VALUES ('id', md5(random()::text || clock_timestamp()::text));
"""

# How often a server looks for rows another server wrote (a reading room sees another
# server's ingest within this time; its own writes at once).
LOOK_EVERY_SECONDS = 0.5
_CATCH_UP_BATCH = 500


def default_folder(key: str) -> Path:
    """Where this machine keeps the index of one archive (`key`: its id and place)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "declass" / "indexes" / key


class DerivedIndex:
    """Searches a PostgreSQL archive through a Tantivy index kept level with its rows."""

    def __init__(self, store: PostgresStore, folder: Path | None = None) -> None:
        self.store = store
        self._folder = folder
        self._index: TantivyIndex | None = None
        self._seen: int | None = None  # the last search_docs row the index was level with
        self._looked = 0.0
        self._levelled = False  # caught up before this server's first write
        self._staging = False  # this server holds the writer: it indexes what it writes
        self._lock = threading.RLock()

    @property
    def index(self) -> TantivyIndex:
        with self._lock:
            if self._index is None:
                with self.store._pool.connection() as conn:  # the primary: never behind
                    archive, database = conn.execute(
                        "SELECT (SELECT value FROM archive_meta WHERE key = 'id'),"
                        " current_database()"
                    ).fetchone()
                # A database copied from another (CREATE DATABASE ... TEMPLATE, a restored
                # dump) keeps its archive id: the server and database tell them apart.
                where = conninfo_to_dict(self.store.url)
                server = f"{where.get('host', '')}:{where.get('port', '')}/{database}"
                key = hashlib.sha256(f"{archive}|{server}".encode()).hexdigest()[:32]
                self._index = TantivyIndex(self._folder or default_folder(key), key)
            return self._index

    # -- keeping level ---------------------------------------------------------------
    def ensure_level(self, now: bool = False, primary: bool = False) -> None:
        """Catch up with rows written elsewhere (looked for at most every
        LOOK_EVERY_SECONDS, or `now`), read from the replica that serves reads unless
        `primary` (a writer levels with what it writes on)."""
        with self._lock:
            moment = time.monotonic()
            if not now and self._seen is not None and moment - self._looked < LOOK_EVERY_SECONDS:
                return
            self._looked = moment
            pool = self.store._pool if primary else self.store._reads
            with pool.connection() as conn:
                last = _number(conn, "SELECT coalesce(max(row), 0) FROM search_docs")
                if last == self._seen:
                    return
                if last < self.index.last_row:
                    return  # a replica still behind what this server wrote: searched as is
                count = _number(conn, "SELECT count(*) FROM search_docs")
            index = self.index
            index.publish()
            index.refresh()
            level = index.catch_up(
                last, count, lambda after: self._rows(after, pool), lambda: self._rows(0, pool)
            )
            self._seen = last if level else None

    def _rows(self, after: int, pool: Any) -> Iterator[tuple[int, Document]]:
        with (
            pool.connection() as conn,
            conn.transaction(),
            conn.cursor(name="declass_catch_up") as cur,
        ):
            cur.itersize = _CATCH_UP_BATCH
            cur.execute(
                "SELECT s.row, v.body FROM search_docs s"
                " JOIN documents d ON d.id = s.doc_id"
                " JOIN document_versions v ON v.doc_id = d.id AND v.version = d.version"
                " WHERE s.row > %s ORDER BY s.row",
                (after,),
            )
            for row, body in cur:
                yield int(row), cast(Document, codec.decode("document", body))

    def before_write(self) -> None:
        """Level the index before this server's first write: caught up after it, the
        index would read that write's rows too, and then be handed them again."""
        with self._lock:
            if not self._levelled:
                self.ensure_level(now=True, primary=True)
                self._levelled = True
                self._staging = self._seen is not None

    def stage(self, written: Sequence[tuple[int, Document, IndexEntry | None]]) -> None:
        """Index documents this server has just committed, with their rows."""
        if not written:
            return
        with self._lock:
            if not self._staging:
                return  # not level (another process held the writer): caught up later
            for row, doc, made in written:
                try:
                    self.index.stage(row, doc, made)
                except ValueError:
                    self._staging = False  # the writer was taken meanwhile: catch up later
                    break
            # Published (and counted again) before the next search reads the index.
            self._seen = None

    def release(self) -> None:
        """Publish what is staged and let go of the writer."""
        with self._lock:
            if self._index is not None:
                self._index.release()

    # -- searching -------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchPage:
        self.ensure_level()
        found = self.index.search(request)
        hits = self._hits(found.rows, found.scores)
        facets: dict[str, tuple[FacetCount, ...]] = {}
        for name, pairs in found.facets.items():
            if name == "person" and pairs:
                shown = self._display_names([v for v, _ in pairs])
                facets[name] = tuple(FacetCount(shown.get(v, v), n) for v, n in pairs)
            else:
                facets[name] = tuple(FacetCount(v, n) for v, n in pairs)
        return SearchPage(total=found.total, hits=hits, facets=facets, exact=found.exact)

    def _hits(self, rows: list[int], scores: list[float]) -> tuple[IndexHit, ...]:
        if not rows:
            return ()
        with self.store._read() as cur:
            cur.execute(
                "SELECT row, doc_id, title, sort_date, date_start, date_end FROM search_docs"
                " WHERE row = ANY(%s::bigint[])",
                (rows,),
            )
            found: dict[int, Any] = {int(r[0]): r[1:] for r in cur.fetchall()}
        hits = []
        for row, score in zip(rows, scores, strict=True):
            if row in found:  # gone since the index was read: left out
                doc_id, title, sort_date, start, end = found[row]
                hits.append(IndexHit(doc_id, score, title, sort_date, start, end or "9999-12-31"))
        return tuple(hits)

    def _display_names(self, keys: list[str]) -> dict[str, str]:
        with self.store._read() as cur:
            cur.execute(fts.PEOPLE_NAMES_SQL, (keys, keys))
            return fts.display_names(cur.fetchall())


def _number(conn: Any, sql: str) -> int:
    row = conn.execute(sql).fetchone()
    return int(row[0]) if row else 0
