"""The editorial tables on the embedded archive (see editorial_sql.py).

They are read and written through a connection of their own, so that sign-ins,
throttles and annotations never share a transaction with the catalogue's writer;
edits of records go through the catalogue's own write path (versions, narrow tables,
search index), with their version check inside the same transaction.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from declass.editing.records import Edit
from declass.errors import NotFound, StaleEdit, StorageError
from declass.model import Authority, Collection, Document, Event, Record
from declass.store import codec
from declass.store.base import Version, WriteOutcome
from declass.store.editorial_sql import (
    RECORD_TABLES,
    SQLITE_MIGRATION,
    EditorialTables,
    now,
    score_near,
)
from declass.store.prepared import prepared_for
from declass.store.sqlite_search import SQLiteSearch

_REFUSED = (sqlite3.IntegrityError, sqlite3.DataError, OverflowError, UnicodeError)
_CREATE_LOCK = threading.Lock()


class SQLiteEditorial(EditorialTables):
    """Mixed into SQLiteStore: `path`, `db` and the catalogue's write path are its."""

    MIGRATION = SQLITE_MIGRATION

    path: Path
    db: sqlite3.Connection
    _search: SQLiteSearch

    def _ed_locks(self) -> tuple[threading.RLock, threading.RLock]:
        """(this connection's lock, the catalogue connection's lock for edits)."""
        with _CREATE_LOCK:
            found = self.__dict__.get("_ed_lock_pair")
            if found is None:
                found = self.__dict__["_ed_lock_pair"] = (threading.RLock(), threading.RLock())
        return found

    def _ed_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = self.__dict__.get("_ed_db")
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            self.__dict__["_ed_db"] = conn
        return conn

    def _ed_close(self) -> None:
        conn = self.__dict__.pop("_ed_db", None)
        if conn is not None:
            conn.close()

    @contextmanager
    def _ed_cursor(self, write: bool = False) -> Iterator[Any]:
        lock, _ = self._ed_locks()
        with lock:
            conn = self._ed_connection()
            if not write:
                yield conn.cursor()
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn.cursor()
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def near_terms(self, word: str, max_distance: int) -> list[tuple[str, int, int]]:
        self._search.ensure_level()
        vocabulary = self._search.index.vocabulary().get(word[:1], [])
        return score_near(word, max_distance, vocabulary)

    @contextmanager
    def _catalogue_edit(self) -> Iterator[Any]:
        """A write transaction on the catalogue's connection, whose documents reach the
        search index once it commits."""
        _, lock = self._ed_locks()
        with lock:
            try:
                with self._document_tx():  # type: ignore[attr-defined]
                    yield self.db.cursor()
            except _REFUSED as exc:
                raise StorageError(None, f"{type(exc).__name__}: {exc}") from exc
            finally:
                self._search.release()  # publish: readers see the edit at once

    def edit_document(self, doc: Document, base_version: int, edit: Edit) -> Version:
        ready = prepared_for([doc], None)[0]
        stamp = edit.at or now()
        with self._catalogue_edit() as cur:
            row = cur.execute("SELECT version FROM documents WHERE id = ?", (doc.id,)).fetchone()
            if row is None:
                raise NotFound(f"no document {doc.id!r}")
            if int(row[0]) != base_version:
                raise StaleEdit(doc.id, f"version {row[0]}")
            outcome = self._put_one(doc, ready, None, stamp)  # type: ignore[attr-defined]
            if outcome is WriteOutcome.UNCHANGED:
                number = int(row[0])
            else:
                number = int(row[0]) + 1
                self._record_edit(cur, edit, number)
            found = cur.execute(
                "SELECT version, content_hash, run_id, created_at, source FROM document_versions"
                " WHERE doc_id = ? AND version = ?",
                (doc.id, number),
            ).fetchone()
        return Version(int(found[0]), found[1], found[2], found[3], found[4])

    def edit_record(
        self, record: Authority | Event | Collection, base_hash: str, edit: Edit
    ) -> str:
        kind = codec.record_kind(record)
        ready = prepared_for([record], None)[0]
        with self._catalogue_edit() as cur:
            number = self._history_rows(cur, kind, record, base_hash)
            outcome = self._put_one(record, ready, None, now())  # type: ignore[attr-defined]
            if outcome is not WriteOutcome.UNCHANGED:
                self._keep_history(cur, kind, record, number)
                self._record_edit(cur, edit, number)
            found = cur.execute(
                f"SELECT content_hash FROM {RECORD_TABLES[kind]} WHERE id = ?", (record.id,)
            ).fetchone()
        return str(found[0])

    def _keep_history(self, cur: Any, kind: str, record: Record, number: int) -> None:
        body, digest = codec.serialise(record)
        cur.execute(
            "INSERT INTO record_history VALUES (?, ?, ?, ?, ?)",
            (kind, record.id, number, digest, body),
        )
