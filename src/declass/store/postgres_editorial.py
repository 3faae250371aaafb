"""The editorial tables on PostgreSQL (see editorial_sql.py).

Everything is read from the primary: a session just made must be found by the next
request, which a replica may not have replayed yet. An edit of a record locks it as
the catalogue's own writes do and checks its version under that lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from declass.editing.records import Edit
from declass.errors import NotFound, StaleEdit
from declass.model import Authority, Collection, Document, Event, Record
from declass.store import codec
from declass.store.base import Version, WriteOutcome
from declass.store.editorial_sql import (
    POSTGRES_MIGRATION,
    RECORD_TABLES,
    EditorialTables,
    now,
    score_near,
)
from declass.store.postgres_search import clean, like_prefix

if TYPE_CHECKING:
    from declass.store.postgres_index import DerivedIndex

T = TypeVar("T")


class PostgresEditorial(EditorialTables):
    """Mixed into PostgresStore: its pool and batch writer do the work."""

    MIGRATION = POSTGRES_MIGRATION

    _pool: Any
    _retrying: Callable[..., Any]
    _put_batch: Callable[..., list[WriteOutcome]]
    _derived: DerivedIndex  # the search index this server derives

    def _ed_sql(self, sql: str) -> str:
        return sql.replace("?", "%s")

    @contextmanager
    def _ed_cursor(self, write: bool = False) -> Iterator[Any]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    def _ed_run(self, cur: Any, sql: str, params: Any = ()) -> Any:
        cleaned = [clean(p) if isinstance(p, str) else p for p in params]
        cur.execute(self._ed_sql(sql), cleaned)
        return cur

    def near_terms(self, word: str, max_distance: int) -> list[tuple[str, int, int]]:
        word = clean(word)
        if not word:
            return []
        with self._ed_cursor() as cur:
            cur.execute(
                "SELECT term, docs FROM search_vocabulary WHERE docs > 0"
                " AND term LIKE %s AND length(term) <= %s",
                (like_prefix(word[0]), len(word) + max_distance),
            )
            vocabulary = [(str(t), int(n)) for t, n in cur.fetchall()]
        return score_near(word, max_distance, vocabulary)

    def _locked(self, cur: Any, record_id: str) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (record_id,))

    def edit_document(self, doc: Document, base_version: int, edit: Edit) -> Version:
        serialised = [codec.serialise(doc)]
        doc_id = clean(doc.id)
        written: list[Any] = []

        def work(cur: Any) -> Version:
            written.clear()  # a retried transaction starts again
            self._locked(cur, doc_id)
            cur.execute("SELECT version FROM documents WHERE id = %s FOR UPDATE", (doc_id,))
            row = cur.fetchone()
            if row is None:
                raise NotFound(f"no document {doc.id!r}")
            if int(row[0]) != base_version:
                raise StaleEdit(doc.id, f"version {row[0]}")
            outcome = self._put_batch(cur, [doc], serialised, None, False, written=written)[0]
            number = int(row[0]) if outcome is WriteOutcome.UNCHANGED else int(row[0]) + 1
            if outcome is not WriteOutcome.UNCHANGED:
                self._record_edit(cur, edit, number)
            cur.execute(
                "SELECT version, content_hash, run_id, created_at, source FROM document_versions"
                " WHERE doc_id = %s AND version = %s",
                (doc_id, number),
            )
            found = cur.fetchone()
            return Version(int(found[0]), found[1], found[2], found[3], found[4])

        self._derived.before_write()
        saved: Version = self._retrying(work)
        self._derived.stage(written)
        self._derived.release()  # published: readers see the edit at once
        return saved

    def edit_record(
        self, record: Authority | Event | Collection, base_hash: str, edit: Edit
    ) -> str:
        kind = codec.record_kind(record)
        body, digest = codec.serialise(record)

        def work(cur: Any) -> str:
            self._locked(cur, clean(record.id))
            number = self._history_rows(cur, kind, record, base_hash)
            outcome = self._put_batch(cur, [record], [(body, digest)], None, False)[0]
            if outcome is not WriteOutcome.UNCHANGED:
                self._keep_history(cur, kind, record, number)
                self._record_edit(cur, edit, number)
            cur.execute(
                f"SELECT content_hash FROM {RECORD_TABLES[kind]} WHERE id = %s", (clean(record.id),)
            )
            return str(cur.fetchone()[0])

        return self._retrying(work)  # type: ignore[no-any-return]

    def _keep_history(self, cur: Any, kind: str, record: Record, number: int) -> None:
        body, digest = codec.serialise(record)
        self._ed_run(
            cur,
            "INSERT INTO record_history VALUES (?, ?, ?, ?, ?)",
            [kind, record.id, number, digest, body],
        )


__all__ = ["PostgresEditorial", "now"]
