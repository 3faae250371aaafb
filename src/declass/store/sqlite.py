"""The embedded catalogue: one SQLite file, WAL, foreign keys, one transaction a write.

Each record's full JSON is kept per version (lossless); the current version is
also spread into narrow tables (participants, countries, texts, variants) that
queries and later the search index read.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from declass.access import sealed
from declass.errors import DeclassError, NotFound, StorageError
from declass.model import (
    Authority,
    AuthorityKind,
    Collection,
    Document,
    Event,
    EventKind,
    Record,
    Rejection,
)
from declass.names import fold
from declass.store import codec, sqlite_search
from declass.store.base import (
    ArchiveStats,
    CollectionSpan,
    IngestRun,
    PassageVector,
    PersonDocument,
    PersonLink,
    PersonSpelling,
    SearchPage,
    SearchRequest,
    Store,
    Version,
    WriteOutcome,
)
from declass.store.index_fields import IndexEntry
from declass.store.prepared import Prepared, Preparer, pack, prepare, prepared_for
from declass.store.sqlite_editorial import SQLiteEditorial

# Numbers only grow: an archive applies those above its own version, so a new migration
# takes the number after the last one here (7, and 8 in SQLite, were never used).
MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE ingest_runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            sources TEXT NOT NULL,
            added INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE rejections (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES ingest_runs(id),
            source TEXT NOT NULL,
            position TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE TABLE collections (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            parent TEXT,
            content_hash TEXT NOT NULL,
            body TEXT NOT NULL
        );
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            title TEXT NOT NULL,
            doc_type TEXT NOT NULL,
            date_start TEXT,
            date_end TEXT,
            date_precision TEXT,
            sort_date TEXT NOT NULL DEFAULT '',
            place TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL,
            series TEXT NOT NULL DEFAULT '',
            sequence INTEGER,
            access TEXT NOT NULL,
            embargo_until TEXT,
            source TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL
        );
        CREATE INDEX documents_sort ON documents(sort_date, id);
        CREATE INDEX documents_series ON documents(series, sequence);
        CREATE TABLE document_versions (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            body BLOB NOT NULL,
            run_id INTEGER REFERENCES ingest_runs(id),
            source TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            PRIMARY KEY (doc_id, version)
        );
        CREATE TABLE document_participants (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            authority_id TEXT,
            post TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (doc_id, position)
        );
        CREATE INDEX document_participants_authority ON document_participants(authority_id);
        CREATE TABLE document_countries (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (doc_id, code)
        );
        CREATE INDEX document_countries_code ON document_countries(code);
        CREATE TABLE document_collections (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            collection_id TEXT NOT NULL,
            PRIMARY KEY (doc_id, collection_id)
        );
        CREATE INDEX document_collections_collection ON document_collections(collection_id);
        CREATE TABLE document_texts (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            language TEXT NOT NULL,
            role TEXT NOT NULL,
            plain TEXT NOT NULL,
            PRIMARY KEY (doc_id, position)
        );
        CREATE TABLE authorities (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            birth_year INTEGER,
            death_year INTEGER,
            content_hash TEXT NOT NULL,
            body TEXT NOT NULL,
            run_id INTEGER REFERENCES ingest_runs(id)
        );
        CREATE TABLE name_variants (
            authority_id TEXT NOT NULL REFERENCES authorities(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            folded TEXT NOT NULL,
            kind TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX name_variants_folded ON name_variants(folded);
        CREATE INDEX name_variants_authority ON name_variants(authority_id);
        CREATE TABLE authority_identifiers (
            authority_id TEXT NOT NULL REFERENCES authorities(id) ON DELETE CASCADE,
            scheme TEXT NOT NULL,
            value TEXT NOT NULL
        );
        CREATE INDEX authority_identifiers_value ON authority_identifiers(scheme, value);
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            date_start TEXT,
            date_end TEXT,
            content_hash TEXT NOT NULL,
            body TEXT NOT NULL,
            run_id INTEGER REFERENCES ingest_runs(id)
        );
        CREATE INDEX events_date ON events(date_start);
        CREATE TABLE event_people (
            event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            authority_id TEXT,
            post TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX event_people_authority ON event_people(authority_id);
        CREATE INDEX event_people_event ON event_people(event_id);
        CREATE TABLE event_countries (
            event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            code TEXT NOT NULL,
            name TEXT NOT NULL
        );
        CREATE INDEX event_countries_code ON event_countries(code);
        CREATE INDEX event_countries_event ON event_countries(event_id);
        """,
    ),
    (2, sqlite_search.MIGRATION),
    (
        3,
        """
        CREATE TABLE passage_vectors (
            model TEXT NOT NULL,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            passage INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end_ INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (model, doc_id, passage)
        )
        """,
    ),
    (4, sqlite_search.MIGRATION_TANTIVY),
    (
        5,
        """
        CREATE TABLE document_references (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            target TEXT NOT NULL,
            PRIMARY KEY (doc_id, target)
        );
        CREATE INDEX document_references_target ON document_references(target);
        """,
    ),
    (
        6,
        """
        CREATE TABLE person_links (
            authority_id TEXT PRIMARY KEY,
            person_id TEXT NOT NULL,
            evidence TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX person_links_person ON person_links(person_id);
        CREATE TABLE person_spellings (
            authority_id TEXT NOT NULL,
            name TEXT NOT NULL,
            key TEXT NOT NULL,
            surname TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX person_spellings_key ON person_spellings(key);
        CREATE INDEX person_spellings_surname ON person_spellings(surname);
        CREATE INDEX person_spellings_authority ON person_spellings(authority_id);
        """,
    ),
    (9, SQLiteEditorial.MIGRATION),
    # Writing an authority replaces its identifiers: without this index, each write read
    # the whole table (57 s of a 196 s ingest of ../shared/corpora, 48,509 authorities).
    (10, "CREATE INDEX authority_identifiers_authority ON authority_identifiers(authority_id)"),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]

# What SQLite raises for a value it cannot hold: a write failing so is the record's fault.
_REFUSED = (sqlite3.IntegrityError, sqlite3.DataError, OverflowError, UnicodeError)


def _unpack(body: bytes) -> Document:
    return cast(Document, codec.decode("document", zlib.decompress(body).decode("utf-8")))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SQLiteStore(SQLiteEditorial, Store):
    """A catalogue in one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise DeclassError(f"{self.path}: not a declass SQLite archive ({exc})") from exc
        self.db.execute("PRAGMA foreign_keys=ON")
        # WAL with synchronous=NORMAL survives a killed process; only power loss
        # can drop the last commits, never corrupt the file.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=10000")
        self.db.row_factory = sqlite3.Row
        self._search = sqlite_search.SQLiteSearch(
            self.db, sqlite_search.index_folder(self.path), _unpack
        )
        # Committed, not yet indexed: search row, document, its analysis if made ahead.
        self._fresh: list[tuple[int, Document, IndexEntry | None]] = []
        self._levelled = False  # the index caught up before this store's first write

    # -- schema ------------------------------------------------------------------
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> int:
        current = self.schema_version()
        before = current
        for version, sql in MIGRATIONS:
            if version <= current:
                continue
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in sql.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={version}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        if 0 < before < 2 <= self.schema_version():
            # An archive made before search: give what it holds its search rows (the
            # index itself catches up from them on first use).
            with self._tx():
                for doc_id in self.document_ids():
                    self.db.execute("INSERT INTO search_docs (doc_id) VALUES (?)", (doc_id,))
        return self.schema_version()

    def close(self) -> None:
        self._search.release()
        self._ed_close()
        self.db.close()

    def _tx(self) -> _Transaction:
        return _Transaction(self.db)

    # -- ingest runs -------------------------------------------------------------
    def start_run(self, sources: list[str]) -> int:
        with self._tx():
            cur = self.db.execute(
                "INSERT INTO ingest_runs (started_at, sources) VALUES (?, ?)",
                (_now(), json.dumps(sources)),
            )
        return int(cast(int, cur.lastrowid))

    def finish_run(self, run_id: int, added: int, updated: int, unchanged: int) -> None:
        with self._tx():
            self.db.execute(
                "UPDATE ingest_runs SET finished_at=?, added=?, updated=?, unchanged=? WHERE id=?",
                (_now(), added, updated, unchanged, run_id),
            )
        self._search.release()  # the run's documents searchable, the writer free

    def runs(self) -> list[IngestRun]:
        rows = self.db.execute(
            "SELECT r.*, (SELECT count(*) FROM rejections j WHERE j.run_id = r.id) AS rejected"
            " FROM ingest_runs r ORDER BY r.id"
        ).fetchall()
        return [
            IngestRun(
                id=r["id"],
                started_at=r["started_at"],
                finished_at=r["finished_at"],
                sources=tuple(json.loads(r["sources"])),
                added=r["added"],
                updated=r["updated"],
                unchanged=r["unchanged"],
                rejected=r["rejected"],
            )
            for r in rows
        ]

    def reject(self, run_id: int, rejection: Rejection) -> None:
        with self._tx():
            self.db.execute(
                "INSERT INTO rejections (run_id, source, position, reason) VALUES (?, ?, ?, ?)",
                (run_id, rejection.source, rejection.position, rejection.reason),
            )

    def restore_run(self, run: IngestRun, rejections: Sequence[Rejection]) -> None:
        with self._tx():
            self.db.execute(
                "INSERT INTO ingest_runs (id, started_at, finished_at, sources, added, updated,"
                " unchanged) VALUES (?,?,?,?,?,?,?)",
                (
                    run.id,
                    run.started_at,
                    run.finished_at,
                    json.dumps(list(run.sources)),
                    run.added,
                    run.updated,
                    run.unchanged,
                ),
            )
            self.db.executemany(
                "INSERT INTO rejections (run_id, source, position, reason) VALUES (?, ?, ?, ?)",
                [(run.id, r.source, r.position, r.reason) for r in rejections],
            )

    def rejections(self, run_id: int | None = None) -> list[Rejection]:
        sql = "SELECT source, position, reason FROM rejections"
        rows = (
            self.db.execute(sql + " WHERE run_id=? ORDER BY id", (run_id,))
            if run_id is not None
            else self.db.execute(sql + " ORDER BY id")
        )
        return [Rejection(r["source"], r["position"], r["reason"]) for r in rows]

    # -- writes ------------------------------------------------------------------
    def put(self, record: Record, run_id: int | None = None) -> WriteOutcome:
        return self.put_many([record], run_id)[0]

    def put_many(
        self,
        records: Sequence[Record],
        run_id: int | None = None,
        prepared: Sequence[Prepared | None] | None = None,
    ) -> list[WriteOutcome]:
        if not records:
            return []
        try:
            # Encoded before the write lock is taken (if not already, by whoever read
            # the records): the lock is held only for writing.
            ready = prepared_for(records, prepared, lazy=True)
            if not self._levelled and any(isinstance(r, Document) for r in records):
                # Level the index before the first write: caught up after it, the index
                # would read this batch's rows too, and then have them staged again.
                self._search.ensure_level()
                self._levelled = True
            now = _now()
            with self._document_tx():
                return [
                    self._put_one(record, p, run_id, now)
                    for record, p in zip(records, ready, strict=True)
                ]
        except _REFUSED as exc:
            one = records[0].id if len(records) == 1 else None
            raise StorageError(one, f"{type(exc).__name__}: {exc}") from exc

    def preparer(self) -> Preparer:
        # Versions are kept packed, and packed in the reading processes; the documents
        # held as the run begins are only hashed there.
        rows = self.db.execute("SELECT content_hash FROM documents")
        return Preparer.knowing((str(r[0]) for r in rows), packs=True)

    def _put_one(self, record: Record, p: Prepared, run_id: int | None, now: str) -> WriteOutcome:
        digest, body = p.digest, p.body
        if isinstance(record, Document):
            return self._put_document(record, p, run_id, now)
        if isinstance(record, Authority):
            return self._put_authority(record, digest, body, run_id)
        if isinstance(record, Event):
            return self._put_event(record, digest, body, run_id)
        return self._put_collection(record, digest, body)

    def _existing_hash(self, table: str, record_id: str) -> str | None:
        row = self.db.execute(f"SELECT content_hash FROM {table} WHERE id=?", (record_id,))
        found = row.fetchone()
        return None if found is None else str(found[0])

    def _put_document(
        self, doc: Document, p: Prepared, run_id: int | None, now: str
    ) -> WriteOutcome:
        digest = p.digest
        row = self.db.execute(
            "SELECT content_hash, version FROM documents WHERE id=?", (doc.id,)
        ).fetchone()
        if row is not None and row["content_hash"] == digest:
            return WriteOutcome.UNCHANGED
        if p.known:  # only hashed, as the archive held it: changed since the run began
            p = prepare(doc, analyse=False)
        version = 1 if row is None else row["version"] + 1
        self._write_current(doc, digest, version, exists=row is not None, made=p.index)
        source = doc.provenance.source if doc.provenance else ""
        packed = p.packed if p.packed is not None else pack(p.body)
        self._insert_version(doc.id, Version(version, digest, run_id, now, source), packed)
        return WriteOutcome.ADDED if row is None else WriteOutcome.UPDATED

    def _insert_version(self, doc_id: str, v: Version, packed: bytes) -> None:
        self.db.execute(
            "INSERT INTO document_versions (doc_id, version, content_hash, body, run_id, source,"
            " created_at) VALUES (?,?,?,?,?,?,?)",
            (doc_id, v.number, v.content_hash, packed, v.ingest_run, v.source, v.created_at),
        )

    def _write_current(
        self,
        doc: Document,
        digest: str,
        version: int,
        exists: bool,
        made: IndexEntry | None = None,
    ) -> None:
        """Make `doc` the current version: its row, narrow tables and index entry (`made`:
        its analysis, if made ahead)."""
        source = doc.provenance.source if doc.provenance else ""
        d = doc.date
        values = (
            doc.title,
            doc.doc_type.value,
            d.earliest.isoformat() if d and d.earliest else None,
            d.latest.isoformat() if d and d.latest else None,
            d.precision.value if d else None,
            d.sort_key() if d else "",
            doc.place,
            doc.language,
            doc.series,
            doc.sequence,
            doc.access.value,
            doc.embargo_until.isoformat() if doc.embargo_until else None,
            source,
            digest,
            version,
        )
        if not exists:
            self.db.execute(
                "INSERT INTO documents (title, doc_type, date_start, date_end, date_precision,"
                " sort_date, place, language, series, sequence, access, embargo_until, source,"
                " content_hash, version, id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*values, doc.id),
            )
        else:
            self.db.execute(
                "UPDATE documents SET title=?, doc_type=?, date_start=?, date_end=?,"
                " date_precision=?, sort_date=?, place=?, language=?, series=?, sequence=?,"
                " access=?, embargo_until=?, source=?, content_hash=?, version=? WHERE id=?",
                (*values, doc.id),
            )
            for table in ("participants", "countries", "collections", "texts", "references"):
                self.db.execute(f"DELETE FROM document_{table} WHERE doc_id=?", (doc.id,))
        self.db.executemany(
            "INSERT INTO document_participants VALUES (?,?,?,?,?,?)",
            [
                (doc.id, i, p.name, p.role.value, p.authority_id, p.post)
                for i, p in enumerate(doc.participants)
            ],
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO document_countries VALUES (?,?,?)",
            [(doc.id, c.code, c.name) for c in doc.countries],
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO document_collections VALUES (?,?)",
            [(doc.id, c) for c in doc.collections],
        )
        self.db.executemany(
            "INSERT INTO document_texts VALUES (?,?,?,?,?)",
            # A text closed apart from its document is never a snippet's (declass.access).
            [
                (doc.id, i, t.language, t.role.value, t.plain)
                for i, t in enumerate(doc.texts)
                if not sealed(t)
            ],
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO document_references VALUES (?,?)",
            [(doc.id, r.target) for r in doc.references],
        )
        self._fresh.append((sqlite_search.put_document(self.db, doc), doc, made))

    def restore_version(self, doc: Document, version: Version) -> None:
        with self._document_tx():
            row = self.db.execute("SELECT version FROM documents WHERE id=?", (doc.id,)).fetchone()
            if row is None or version.number > row[0]:
                self._write_current(doc, version.content_hash, version.number, row is not None)
            self._insert_version(doc.id, version, pack(codec.encode(doc)))

    @contextmanager
    def _document_tx(self) -> Iterator[None]:
        """A write transaction whose current documents reach the search index once it
        commits; a rolled-back one hands it nothing."""
        try:
            with self._tx():
                yield
        except BaseException:
            self._fresh.clear()
            raise
        fresh, self._fresh = self._fresh, []
        if fresh:
            self._search.changed()
        for row, doc, made in fresh:
            self._search.stage(row, doc, made)

    def _put_authority(
        self, a: Authority, digest: str, body: str, run_id: int | None
    ) -> WriteOutcome:
        old = self._existing_hash("authorities", a.id)
        if old == digest or (old is not None and a.provisional and not self._provisional(a.id)):
            return WriteOutcome.UNCHANGED
        self.db.execute(
            "INSERT INTO authorities (id, kind, name, birth_year, death_year, content_hash, body,"
            " run_id) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET kind=excluded.kind,"
            " name=excluded.name, birth_year=excluded.birth_year,"
            " death_year=excluded.death_year, content_hash=excluded.content_hash,"
            " body=excluded.body, run_id=excluded.run_id",
            (
                a.id,
                a.kind.value,
                a.name,
                a.birth_year,
                a.death_year,
                digest,
                body,
                run_id,
            ),
        )
        self.db.execute("DELETE FROM name_variants WHERE authority_id=?", (a.id,))
        self.db.execute("DELETE FROM authority_identifiers WHERE authority_id=?", (a.id,))
        kinds = {v.name: (v.kind.value, v.language) for v in reversed(a.variants)}
        self.db.executemany(
            "INSERT INTO name_variants VALUES (?,?,?,?,?)",
            [(a.id, name, fold(name), *kinds.get(name, ("preferred", ""))) for name in a.all_names],
        )
        self.db.executemany(
            "INSERT INTO authority_identifiers VALUES (?,?,?)",
            [(a.id, scheme, value) for scheme, value in a.identifiers],
        )
        return WriteOutcome.ADDED if old is None else WriteOutcome.UPDATED

    def _provisional(self, authority_id: str) -> bool:
        row = self.db.execute("SELECT body FROM authorities WHERE id=?", (authority_id,))
        return bool(json.loads(row.fetchone()[0]).get("provisional", False))

    def _put_event(self, e: Event, digest: str, body: str, run_id: int | None) -> WriteOutcome:
        old = self._existing_hash("events", e.id)
        if old == digest:
            return WriteOutcome.UNCHANGED
        self.db.execute(
            "INSERT INTO events (id, kind, date_start, date_end, content_hash, body, run_id)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET kind=excluded.kind,"
            " date_start=excluded.date_start, date_end=excluded.date_end,"
            " content_hash=excluded.content_hash, body=excluded.body, run_id=excluded.run_id",
            (
                e.id,
                e.kind.value,
                e.date.earliest.isoformat() if e.date.earliest else None,
                e.date.latest.isoformat() if e.date.latest else None,
                digest,
                body,
                run_id,
            ),
        )
        self.db.execute("DELETE FROM event_people WHERE event_id=?", (e.id,))
        self.db.execute("DELETE FROM event_countries WHERE event_id=?", (e.id,))
        self.db.executemany(
            "INSERT INTO event_people VALUES (?,?,?,?)",
            [(e.id, p.name, p.authority_id, p.post) for p in e.people],
        )
        self.db.executemany(
            "INSERT INTO event_countries VALUES (?,?,?)",
            [(e.id, c.code, c.name) for c in e.countries],
        )
        return WriteOutcome.ADDED if old is None else WriteOutcome.UPDATED

    def _put_collection(self, c: Collection, digest: str, body: str) -> WriteOutcome:
        old = self._existing_hash("collections", c.id)
        if old == digest:
            return WriteOutcome.UNCHANGED
        self.db.execute(
            "INSERT INTO collections (id, title, parent, content_hash, body) VALUES (?,?,?,?,?)"
            " ON CONFLICT(id) DO UPDATE SET title=excluded.title, parent=excluded.parent,"
            " content_hash=excluded.content_hash, body=excluded.body",
            (c.id, c.title, c.parent, digest, body),
        )
        return WriteOutcome.ADDED if old is None else WriteOutcome.UPDATED

    # -- reads -------------------------------------------------------------------
    def document(self, doc_id: str, version: int | None = None) -> Document:
        if version is None:
            row = self.db.execute(
                "SELECT v.body FROM documents d JOIN document_versions v"
                " ON v.doc_id = d.id AND v.version = d.version WHERE d.id=?",
                (doc_id,),
            ).fetchone()
        else:
            row = self.db.execute(
                "SELECT body FROM document_versions WHERE doc_id=? AND version=?",
                (doc_id, version),
            ).fetchone()
        if row is None:
            suffix = f" version {version}" if version is not None else ""
            raise NotFound(f"no document {doc_id!r}{suffix}")
        return _unpack(row[0])

    def document_texts(self, doc_ids: Sequence[str]) -> dict[str, list[str]]:
        texts: dict[str, list[str]] = {}
        ids = list(dict.fromkeys(doc_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor = self.db.cursor()
            cursor.row_factory = None
            rows = cursor.execute(
                "SELECT doc_id, plain FROM document_texts"
                f" WHERE doc_id IN ({','.join('?' * len(chunk))}) ORDER BY doc_id, position",
                chunk,
            )
            for doc_id, plain in rows:
                texts.setdefault(doc_id, []).append(plain)
        return texts

    def versions(self, doc_id: str) -> list[Version]:
        rows = self.db.execute(
            "SELECT version, content_hash, run_id, created_at, source FROM document_versions"
            " WHERE doc_id=? ORDER BY version",
            (doc_id,),
        ).fetchall()
        if not rows:
            raise NotFound(f"no document {doc_id!r}")
        return [Version(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def stored_versions(self, doc_id: str) -> list[tuple[Version, Document]]:
        rows = self.db.execute(
            "SELECT version, content_hash, run_id, created_at, source, body"
            " FROM document_versions WHERE doc_id=? ORDER BY version",
            (doc_id,),
        ).fetchall()
        if not rows:
            raise NotFound(f"no document {doc_id!r}")
        return [(Version(r[0], r[1], r[2], r[3], r[4]), _unpack(r[5])) for r in rows]

    def documents(
        self, collection: str | None = None, series: str | None = None
    ) -> Iterator[Document]:
        sql = (
            "SELECT v.body FROM documents d JOIN document_versions v"
            " ON v.doc_id = d.id AND v.version = d.version"
        )
        where: list[str] = []
        args: list[Any] = []
        if collection is not None:
            where.append("d.id IN (SELECT doc_id FROM document_collections WHERE collection_id=?)")
            args.append(collection)
        if series is not None:
            where.append("d.series=?")
            args.append(series)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY d.sort_date, d.sequence, d.id"
        for row in self.db.execute(sql, args):
            yield _unpack(row[0])

    def cited_by(self, targets: Sequence[str]) -> list[str]:
        if not targets:
            return []
        marks = ",".join("?" * len(targets))
        rows = self.db.execute(
            "SELECT DISTINCT r.doc_id FROM document_references r"
            " JOIN documents d ON d.id = r.doc_id"
            f" WHERE r.target IN ({marks}) ORDER BY d.series, d.sequence, r.doc_id",
            list(targets),
        ).fetchall()
        return [row[0] for row in rows]

    def collection_spans(self, include_restricted: bool = False) -> list[CollectionSpan]:
        rows = self.db.execute(
            "SELECT c.collection_id, count(*), min(d.date_start),"
            " max(coalesce(d.date_end, d.date_start))"
            " FROM document_collections c JOIN documents d ON d.id = c.doc_id"
            " WHERE ? OR (d.access = 'public'"
            " AND (d.embargo_until IS NULL OR d.embargo_until <= ?))"
            " GROUP BY c.collection_id ORDER BY c.collection_id",
            (include_restricted, datetime.now(UTC).date().isoformat()),
        ).fetchall()
        return [CollectionSpan(r[0], r[1], r[2] or "", r[3] or "") for r in rows]

    def document_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM documents ORDER BY id")]

    def authority(self, authority_id: str) -> Authority:
        row = self.db.execute("SELECT body FROM authorities WHERE id=?", (authority_id,)).fetchone()
        if row is None:
            raise NotFound(f"no authority record {authority_id!r}")
        return cast(Authority, codec.decode("authority", row[0]))

    def authorities(self, kind: AuthorityKind | None = None) -> Iterator[Authority]:
        rows = (
            self.db.execute("SELECT body FROM authorities WHERE kind=? ORDER BY id", (kind.value,))
            if kind
            else self.db.execute("SELECT body FROM authorities ORDER BY id")
        )
        for row in rows:
            yield cast(Authority, codec.decode("authority", row[0]))

    def authorities_named(self, name: str) -> list[Authority]:
        rows = self.db.execute(
            "SELECT DISTINCT a.body FROM name_variants v"
            " JOIN authorities a ON a.id = v.authority_id WHERE v.folded = ? ORDER BY a.id",
            (fold(name),),
        ).fetchall()
        return [cast(Authority, codec.decode("authority", r[0])) for r in rows]

    def event(self, event_id: str) -> Event:
        row = self.db.execute("SELECT body FROM events WHERE id=?", (event_id,)).fetchone()
        if row is None:
            raise NotFound(f"no event {event_id!r}")
        return cast(Event, codec.decode("event", row[0]))

    def events(
        self, kind: EventKind | None = None, person: str | None = None, country: str | None = None
    ) -> Iterator[Event]:
        where: list[str] = []
        args: list[Any] = []
        if kind is not None:
            where.append("e.kind=?")
            args.append(kind.value)
        if person is not None:
            where.append("e.id IN (SELECT event_id FROM event_people WHERE authority_id=?)")
            args.append(person)
        if country is not None:
            where.append("e.id IN (SELECT event_id FROM event_countries WHERE code=?)")
            args.append(country)
        sql = "SELECT e.body FROM events e"
        if where:
            sql += " WHERE " + " AND ".join(where)
        for row in self.db.execute(sql + " ORDER BY e.date_start, e.id", args):
            yield cast(Event, codec.decode("event", row[0]))

    def collection(self, collection_id: str) -> Collection:
        row = self.db.execute(
            "SELECT body FROM collections WHERE id=?", (collection_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no collection {collection_id!r}")
        return cast(Collection, codec.decode("collection", row[0]))

    def collections(self) -> list[Collection]:
        rows = self.db.execute("SELECT body FROM collections ORDER BY id").fetchall()
        return [cast(Collection, codec.decode("collection", r[0])) for r in rows]

    def stats(self) -> ArchiveStats:
        def count(sql: str) -> int:
            return int(self.db.execute(sql).fetchone()[0])

        def grouped(sql: str) -> dict[str, int]:
            return {str(k): int(n) for k, n in self.db.execute(sql)}

        decades: Counter[str] = Counter()
        for year, n in self.db.execute(
            "SELECT substr(sort_date, 1, 4), count(*) FROM documents WHERE sort_date != ''"
            " GROUP BY 1"
        ):
            decades[f"{int(year) // 10 * 10}s"] += int(n)
        return ArchiveStats(
            documents=count("SELECT count(*) FROM documents"),
            versions=count("SELECT count(*) FROM document_versions"),
            authorities=grouped("SELECT kind, count(*) FROM authorities GROUP BY kind ORDER BY 1"),
            events=grouped("SELECT kind, count(*) FROM events GROUP BY kind ORDER BY 1"),
            collections=count("SELECT count(*) FROM collections"),
            by_collection=grouped(
                "SELECT collection_id, count(*) FROM document_collections GROUP BY 1 ORDER BY 1"
            ),
            by_type=grouped("SELECT doc_type, count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC"),
            by_decade=dict(sorted(decades.items())),
            by_language=grouped(
                "SELECT language, count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC"
            ),
            rejections=count("SELECT count(*) FROM rejections"),
            runs=count("SELECT count(*) FROM ingest_runs"),
        )

    # -- search ------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchPage:
        return self._search.search(request)

    def term_counts(self, words: Sequence[str]) -> dict[str, int]:
        return self._search.term_counts(words)

    def similar_terms(self, word: str, max_distance: int, limit: int = 5) -> list[str]:
        return self._search.similar_terms(word, max_distance, limit)

    # -- passage embeddings ------------------------------------------------------
    def put_passage_vectors(
        self, model: str, doc_id: str, vectors: Sequence[PassageVector]
    ) -> None:
        with self._tx():
            self.db.execute(
                "DELETE FROM passage_vectors WHERE model=? AND doc_id=?", (model, doc_id)
            )
            self.db.executemany(
                "INSERT INTO passage_vectors"
                " (model, doc_id, passage, start, end_, content_hash, vector)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (model, doc_id, v.passage, v.start, v.end, v.content_hash, v.vector)
                    for v in vectors
                ],
            )

    def passage_vectors(
        self, model: str, doc_ids: Sequence[str] | None = None
    ) -> Iterator[PassageVector]:
        sql = (
            "SELECT doc_id, passage, start, end_, content_hash, vector FROM passage_vectors"
            " WHERE model=?"
        )
        chunks: list[Sequence[str] | None] = [None]
        if doc_ids is not None:
            ids = sorted(set(doc_ids))
            chunks = [ids[i : i + 500] for i in range(0, len(ids), 500)]
        for chunk in chunks:
            args: list[Any] = [model]
            query = sql
            if chunk is not None:
                query += f" AND doc_id IN ({','.join('?' * len(chunk))})"
                args += list(chunk)
            for r in self.db.execute(query + " ORDER BY doc_id, passage", args):
                yield PassageVector(r[0], r[1], r[2], r[3], model, r[4], bytes(r[5]))

    def embedded_documents(self, model: str) -> dict[str, str]:
        rows = self.db.execute(
            "SELECT DISTINCT doc_id, content_hash FROM passage_vectors WHERE model=?", (model,)
        )
        return {r[0]: r[1] for r in rows}

    # -- persons across sources --------------------------------------------------
    def authority_hashes(self, kind: AuthorityKind) -> dict[str, str]:
        rows = self.db.execute(
            "SELECT id, content_hash FROM authorities WHERE kind=?", (kind.value,)
        )
        return {r[0]: r[1] for r in rows}

    def identifier_values(self, scheme: str) -> list[tuple[str, str]]:
        rows = self.db.execute(
            "SELECT authority_id, value FROM authority_identifiers WHERE scheme=?"
            " ORDER BY authority_id, value",
            (scheme,),
        )
        return [(r[0], r[1]) for r in rows]

    def person_links(self, authority_ids: Sequence[str] | None = None) -> dict[str, PersonLink]:
        sql = "SELECT authority_id, person_id, evidence, detail, content_hash FROM person_links"
        if authority_ids is None:
            rows = self.db.execute(sql).fetchall()
        else:
            rows = []
            for chunk in _chunks(list(authority_ids)):
                marks = ",".join("?" * len(chunk))
                rows += self.db.execute(sql + f" WHERE authority_id IN ({marks})", chunk).fetchall()
        return {r[0]: PersonLink(*r) for r in rows}

    def person_members(self, person_ids: Sequence[str]) -> list[PersonLink]:
        rows = []
        for chunk in _chunks(list(person_ids)):
            marks = ",".join("?" * len(chunk))
            rows += self.db.execute(
                "SELECT authority_id, person_id, evidence, detail, content_hash FROM person_links"
                f" WHERE person_id IN ({marks})",
                chunk,
            ).fetchall()
        return sorted((PersonLink(*r) for r in rows), key=lambda k: (k.person_id, k.authority_id))

    def update_person_links(
        self,
        links: Sequence[PersonLink],
        spellings: Mapping[str, Sequence[PersonSpelling]],
        removed: Sequence[str] = (),
    ) -> None:
        with self._tx():
            self.db.executemany(
                "INSERT INTO person_links VALUES (?,?,?,?,?) ON CONFLICT(authority_id) DO UPDATE"
                " SET person_id=excluded.person_id, evidence=excluded.evidence,"
                " detail=excluded.detail, content_hash=excluded.content_hash",
                [
                    (k.authority_id, k.person_id, k.evidence, k.detail, k.content_hash)
                    for k in links
                ],
            )
            gone = [(a,) for a in [*spellings, *removed]]
            self.db.executemany("DELETE FROM person_spellings WHERE authority_id=?", gone)
            self.db.executemany(
                "DELETE FROM person_links WHERE authority_id=?", [(a,) for a in removed]
            )
            self.db.executemany(
                "INSERT INTO person_spellings VALUES (?,?,?,?,?)",
                [
                    (a, s.name, s.key, s.surname, s.source)
                    for a, found in spellings.items()
                    for s in found
                ],
            )

    def person_spellings(
        self,
        keys: Sequence[str] = (),
        surnames: Sequence[str] = (),
        person_ids: Sequence[str] = (),
    ) -> list[PersonSpelling]:
        rows: list[Any] = []
        for column, values in (
            ("s.key", keys),
            ("s.surname", surnames),
            ("l.person_id", person_ids),
        ):
            for chunk in _chunks(sorted(set(values))):
                marks = ",".join("?" * len(chunk))
                rows += self.db.execute(
                    "SELECT s.authority_id, s.name, s.key, s.surname, s.source, l.person_id"
                    " FROM person_spellings s JOIN person_links l"
                    f" ON l.authority_id = s.authority_id WHERE {column} IN ({marks})",
                    chunk,
                ).fetchall()
        found = dict.fromkeys(PersonSpelling(*r) for r in rows)
        return sorted(found, key=lambda s: (s.person_id, s.authority_id, s.name, s.source))

    def person_documents(
        self, authority_ids: Sequence[str], limit: int | None = None
    ) -> list[PersonDocument]:
        rows: list[Any] = []
        for chunk in _chunks(sorted(set(authority_ids))):
            marks = ",".join("?" * len(chunk))
            rows += self.db.execute(
                "SELECT d.id, d.title, d.sort_date, d.series, p.role, p.authority_id,"
                " d.sequence FROM document_participants p JOIN documents d ON d.id = p.doc_id"
                f" WHERE p.authority_id IN ({marks}) ORDER BY p.doc_id, p.position",
                chunk,
            ).fetchall()
        first: dict[tuple[str, str], Any] = {}
        for r in rows:
            first.setdefault((r[0], r[5]), r)
        ordered = sorted(first.values(), key=lambda r: (r[2], r[3], r[6] or 0, r[0], r[5]))
        found = [PersonDocument(*r[:6]) for r in ordered]
        return found[:limit] if limit is not None else found

    def integrity_check(self) -> str:
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception (KeyboardInterrupt too)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    """`values` in slices small enough for one statement's parameters."""
    for at in range(0, len(values), size):
        yield values[at : at + size]
