"""The tables of editorial work, accounts and access, written once for both backends.

`EditorialTables` implements the Store methods of declass.access, .accounts, .editing,
.annotations and .follows over any DB-API cursor: the statements use `?` marks, which
a backend rewrites for its driver, and only SQL both SQLite and PostgreSQL speak. A
backend provides `_ed_cursor` (a transaction) and the conditional writes of edits,
which go through its own write path (versions, narrow tables, search index).

Authorities, events and collections keep their record as JSON; migration 9 adds their
access and embargo as columns computed from it, so that the few closed ones are found
without reading every record.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from declass.accounts.records import Account, ApiToken, Role, Session
from declass.annotations.records import Annotation, Report, Visibility
from declass.editing.records import AuditEntry, Edit, EditAction
from declass.errors import Conflict, NotFound
from declass.follows.records import DocumentChange, Follow, FollowKind
from declass.model import Record
from declass.store import codec
from declass.store.base import CollectionSpan

# The record tables whose access migration 9 computes, by kind.
RECORD_TABLES = {"authority": "authorities", "event": "events", "collection": "collections"}

_TABLES = """
    CREATE TABLE accounts (
        id {id},
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        display_name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        disabled INTEGER NOT NULL DEFAULT 0,
        feed_key TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        key TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX sessions_account ON sessions(account_id);
    CREATE TABLE api_tokens (
        id {id},
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        key TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE throttle_events (
        bucket TEXT NOT NULL,
        key TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX throttle_events_key ON throttle_events(bucket, key, at);
    CREATE TABLE edits (
        id {id},
        kind TEXT NOT NULL,
        record_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        action TEXT NOT NULL,
        author TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        correction INTEGER NOT NULL DEFAULT 0,
        UNIQUE (kind, record_id, number)
    );
    CREATE INDEX edits_at ON edits(at);
    CREATE TABLE record_history (
        kind TEXT NOT NULL,
        record_id TEXT NOT NULL,
        number INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (kind, record_id, number)
    );
    CREATE TABLE audit_log (
        id {id},
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE annotations (
        id {id},
        doc_id TEXT NOT NULL,
        parent_id INTEGER REFERENCES annotations(id),
        text_index INTEGER NOT NULL,
        block_index INTEGER NOT NULL,
        start_offset INTEGER NOT NULL,
        end_offset INTEGER NOT NULL,
        quote TEXT NOT NULL,
        body TEXT NOT NULL,
        author TEXT NOT NULL,
        visibility TEXT NOT NULL,
        hidden INTEGER NOT NULL DEFAULT 0,
        locked INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX annotations_doc ON annotations(doc_id);
    CREATE TABLE annotation_reports (
        id {id},
        annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
        reporter TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        resolved INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE follows (
        id {id},
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        UNIQUE (account_id, kind, target)
    )
"""


def _computed_access(json_access: str, json_embargo: str, stored: str) -> str:
    lines = []
    for table in RECORD_TABLES.values():
        lines.append(
            f"ALTER TABLE {table} ADD COLUMN access TEXT GENERATED ALWAYS AS"
            f" (coalesce({json_access}, 'public')) {stored}"
        )
        lines.append(
            f"ALTER TABLE {table} ADD COLUMN embargo_until TEXT GENERATED ALWAYS AS"
            f" ({json_embargo}) {stored}"
        )
        lines.append(f"CREATE INDEX {table}_access ON {table}(access, embargo_until)")
    return ";\n".join(lines)


SQLITE_MIGRATION = (
    _computed_access(
        "json_extract(body, '$.access')", "json_extract(body, '$.embargo_until')", "VIRTUAL"
    )
    + ";\n"
    + _TABLES.format(id="INTEGER PRIMARY KEY")
)
POSTGRES_MIGRATION = (
    _computed_access("(body::jsonb ->> 'access')", "(body::jsonb ->> 'embargo_until')", "STORED")
    + ";\n"
    + _TABLES.format(id="bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def score_near(
    word: str, max_distance: int, vocabulary: Sequence[tuple[str, int]]
) -> list[tuple[str, int, int]]:
    """(term, distance, documents) of `vocabulary` within `max_distance` of `word`, by
    the backends' similar_terms rules: edit distance, or a stem the typed word starts
    with ("disarmamnet" ~ "disarma")."""
    from rapidfuzz.distance import Levenshtein

    found = []
    for term, docs in vocabulary:
        if len(term) > len(word) + max_distance or term == word or docs <= 0:
            continue
        distance = Levenshtein.distance(word, term, score_cutoff=max_distance + 1)
        if len(term) >= 5 and 0 < len(word) - len(term) <= 4 and word.startswith(term):
            distance = min(distance, 1)
        if distance <= max_distance:
            found.append((term, distance, docs))
    return sorted(found, key=lambda t: (t[1], -t[2], t[0]))


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for at in range(0, len(values), size):
        yield values[at : at + size]


class EditorialTables:
    """The editorial Store methods over the backend's `_ed_cursor` (see module doc)."""

    def _ed_cursor(self, write: bool = False) -> AbstractContextManager[Any]:
        """A cursor in a transaction (committed on leaving, rolled back on error)."""
        raise NotImplementedError

    def _ed_sql(self, sql: str) -> str:
        """`sql` with the driver's parameter marks."""
        return sql

    def _ed_run(self, cur: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        cur.execute(self._ed_sql(sql), tuple(params))
        return cur

    def _ed_rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._ed_cursor() as cur:
            return list(self._ed_run(cur, sql, params).fetchall())

    def _ed_insert(self, sql: str, params: Sequence[Any]) -> int:
        with self._ed_cursor(write=True) as cur:
            row = self._ed_run(cur, sql + " RETURNING id", params).fetchone()
        return int(row[0])

    def _ed_write(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self._ed_cursor(write=True) as cur:
            self._ed_run(cur, sql, params)

    # -- access ----------------------------------------------------------------------
    def document_access(self, doc_ids: Sequence[str]) -> dict[str, tuple[str, str | None, int]]:
        found: dict[str, tuple[str, str | None, int]] = {}
        ids = list(dict.fromkeys(doc_ids))
        for chunk in _chunks(ids):
            rows = self._ed_rows(
                "SELECT id, access, embargo_until, version FROM documents"
                f" WHERE id IN ({_marks(chunk)})",
                chunk,
            )
            found.update({str(r[0]): (str(r[1]), r[2] or None, int(r[3])) for r in rows})
        return found

    def closed_records(self, kind: str) -> dict[str, tuple[str, str | None]]:
        table = RECORD_TABLES[kind]
        rows = self._ed_rows(
            f"SELECT id, access, embargo_until FROM {table}"
            " WHERE access <> 'public' OR embargo_until IS NOT NULL"
        )
        return {str(r[0]): (str(r[1]), r[2] or None) for r in rows}

    def readable_collection_spans(
        self, levels: Sequence[str] | None, today: str
    ) -> list[CollectionSpan]:
        where, params = _readable_where("d", levels, today)
        rows = self._ed_rows(
            "SELECT c.collection_id, count(*), min(d.date_start),"
            " max(coalesce(d.date_end, d.date_start))"
            " FROM document_collections c JOIN documents d ON d.id = c.doc_id"
            f" WHERE {where} GROUP BY c.collection_id ORDER BY c.collection_id",
            params,
        )
        return [CollectionSpan(str(r[0]), int(r[1]), r[2] or "", r[3] or "") for r in rows]

    def document_stamps(
        self,
        levels: Sequence[str] | None,
        today: str,
        after: str = "",
        limit: int = 1000,
        since: str = "",
        until: str = "",
        collection: str | None = None,
    ) -> list[tuple[str, str]]:
        where, params = _readable_where("d", levels, today)
        if collection is not None:
            where += (
                " AND d.id IN (SELECT doc_id FROM document_collections WHERE collection_id = ?)"
            )
            params.append(collection)
        rows = self._ed_rows(
            "SELECT id, stamp FROM (SELECT d.id AS id, CASE WHEN d.embargo_until IS NOT NULL"
            " AND d.embargo_until > substr(v.created_at, 1, 10) THEN d.embargo_until"
            " ELSE substr(v.created_at, 1, 10) END AS stamp FROM documents d"
            " JOIN document_versions v ON v.doc_id = d.id AND v.version = d.version"
            f" WHERE d.id > ? AND {where}) s WHERE stamp >= ? AND stamp <= ?"
            " ORDER BY id LIMIT ?",
            [after, *params, since or "0000", until or "9999", limit],
        )
        return [(str(r[0]), str(r[1])) for r in rows]

    def document_changes(self, since: str, today: str) -> list[DocumentChange]:
        rows = self._ed_rows(
            "SELECT doc_id, 'added', created_at, '' FROM document_versions"
            " WHERE version = 1 AND created_at >= ?"
            " UNION ALL SELECT id, 'opened', embargo_until, '' FROM documents"
            " WHERE embargo_until IS NOT NULL AND embargo_until > ? AND embargo_until <= ?"
            " UNION ALL SELECT record_id, 'corrected', at, reason FROM edits"
            " WHERE kind = 'document' AND action IN ('edit', 'revert', 'restore') AND at >= ?"
            " ORDER BY 3, 1",
            [since, since[:10], today, since],
        )
        return [DocumentChange(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]

    # -- editorial history -------------------------------------------------------------
    def record_hash(self, kind: str, record_id: str) -> str:
        rows = self._ed_rows(
            f"SELECT content_hash FROM {RECORD_TABLES[kind]} WHERE id = ?", [record_id]
        )
        if not rows:
            raise NotFound(f"no {kind} {record_id!r}")
        return str(rows[0][0])

    def record_history(self, kind: str, record_id: str) -> list[tuple[int, Record]]:
        rows = self._ed_rows(
            "SELECT number, body FROM record_history WHERE kind = ? AND record_id = ?"
            " ORDER BY number",
            [kind, record_id],
        )
        return [(int(r[0]), codec.decode(kind, r[1])) for r in rows]

    def _history_rows(self, cur: Any, kind: str, record: Record, base_hash: str) -> int:
        """Inside an edit's transaction: check the record's hash, keep its current state
        in the history if none is kept yet; the number the edit will make."""
        table = RECORD_TABLES[kind]
        current = self._ed_run(
            cur, f"SELECT content_hash, body FROM {table} WHERE id = ?", [record.id]
        ).fetchone()
        if current is None:
            raise NotFound(f"no {kind} {record.id!r}")
        if str(current[0]) != base_hash:
            from declass.errors import StaleEdit

            raise StaleEdit(record.id, f"content {str(current[0])[:12]}")
        top = self._ed_run(
            cur,
            "SELECT max(number) FROM record_history WHERE kind = ? AND record_id = ?",
            [kind, record.id],
        ).fetchone()
        number = int(top[0] or 0)
        if number == 0:
            self._ed_run(
                cur,
                "INSERT INTO record_history VALUES (?, ?, ?, ?, ?)",
                [kind, record.id, 1, current[0], current[1]],
            )
            self._ed_run(
                cur,
                "INSERT INTO edits (kind, record_id, number, action, author, reason, at,"
                " correction) VALUES (?, ?, 1, 'ingest', '', 'as read at ingest', ?, 0)",
                [kind, record.id, now()],
            )
            number = 1
        return number + 1

    def _record_edit(self, cur: Any, edit: Edit, number: int) -> None:
        self._ed_run(
            cur,
            "INSERT INTO edits (kind, record_id, number, action, author, reason, at, correction)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                edit.kind,
                edit.record_id,
                number,
                edit.action.value,
                edit.author,
                edit.reason,
                edit.at or now(),
                int(edit.correction),
            ],
        )
        self._ed_run(
            cur,
            "INSERT INTO audit_log (at, actor, action, target, detail, address)"
            " VALUES (?, ?, ?, ?, ?, '')",
            [
                edit.at or now(),
                edit.author,
                f"{edit.kind}.{edit.action.value}",
                f"{edit.record_id}@{number}",
                edit.reason,
            ],
        )

    def edits(
        self,
        kind: str | None = None,
        record_id: str | None = None,
        since: str = "",
        limit: int = 200,
    ) -> list[Edit]:
        where, params = ["at > ?"], [since]
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if record_id is not None:
            where.append("record_id = ?")
            params.append(record_id)
        rows = self._ed_rows(
            "SELECT kind, record_id, number, action, author, reason, at, correction FROM edits"
            f" WHERE {' AND '.join(where)} ORDER BY at DESC, id DESC LIMIT ?",
            [*params, limit],
        )
        return [
            Edit(r[0], r[1], int(r[2]), EditAction(r[3]), r[4], r[5], r[6], bool(r[7]))
            for r in rows
        ]

    def restore_edit(self, edit: Edit) -> None:
        with self._ed_cursor(write=True) as cur:
            self._ed_run(
                cur,
                "INSERT INTO edits (kind, record_id, number, action, author, reason, at,"
                " correction) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    edit.kind,
                    edit.record_id,
                    edit.number,
                    edit.action.value,
                    edit.author,
                    edit.reason,
                    edit.at or now(),
                    int(edit.correction),
                ],
            )

    def restore_history(self, kind: str, number: int, record: Record) -> None:
        body, digest = codec.serialise(record)
        self._ed_write(
            "INSERT INTO record_history VALUES (?, ?, ?, ?, ?)",
            [kind, record.id, number, digest, body],
        )

    def add_audit(self, entry: AuditEntry) -> None:
        self._ed_write(
            "INSERT INTO audit_log (at, actor, action, target, detail, address)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                entry.at or now(),
                entry.actor,
                entry.action,
                entry.target,
                entry.detail,
                entry.address,
            ],
        )

    def audit_log(self, limit: int = 100, offset: int = 0, actor: str = "") -> list[AuditEntry]:
        where = "WHERE actor = ?" if actor else ""
        params: list[Any] = [actor] if actor else []
        rows = self._ed_rows(
            "SELECT actor, action, target, detail, address, at, id FROM audit_log"
            f" {where} ORDER BY id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], int(r[6])) for r in rows]

    def generation(self) -> int:
        rows = self._ed_rows("SELECT coalesce(max(id), 0) FROM edits")
        return int(rows[0][0])

    # -- accounts ----------------------------------------------------------------------
    _ACCOUNT = (
        "SELECT id, name, role, password_hash, display_name, email, disabled, feed_key,"
        " created_at FROM accounts"
    )

    @staticmethod
    def _account(r: Any) -> Account:
        return Account(int(r[0]), r[1], Role(r[2]), r[3], r[4], r[5], bool(r[6]), r[7], r[8])

    def add_account(self, account: Account) -> Account:
        if self._ed_rows("SELECT 1 FROM accounts WHERE name = ?", [account.name]):
            raise Conflict(f"the name {account.name!r} is taken")
        made = account.created_at or now()
        try:
            new_id = self._ed_insert(
                "INSERT INTO accounts (name, role, password_hash, display_name, email, disabled,"
                " feed_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    account.name,
                    account.role.value,
                    account.password_hash,
                    account.display_name,
                    account.email,
                    int(account.disabled),
                    account.feed_key,
                    made,
                ],
            )
        except Exception as exc:  # two sign-ups racing for one name
            if "unique" in str(exc).lower():
                raise Conflict(f"the name {account.name!r} is taken") from exc
            raise
        return self.account(account_id=new_id)

    def account(self, name: str | None = None, account_id: int | None = None) -> Account:
        if account_id is not None:
            rows = self._ed_rows(self._ACCOUNT + " WHERE id = ?", [account_id])
        else:
            rows = self._ed_rows(self._ACCOUNT + " WHERE name = ?", [name or ""])
        if not rows:
            raise NotFound(f"no account {name or account_id!r}")
        return self._account(rows[0])

    def accounts(self) -> list[Account]:
        return [self._account(r) for r in self._ed_rows(self._ACCOUNT + " ORDER BY name")]

    def update_account(self, account: Account) -> None:
        self._ed_write(
            "UPDATE accounts SET role = ?, password_hash = ?, display_name = ?, email = ?,"
            " disabled = ?, feed_key = ? WHERE id = ?",
            [
                account.role.value,
                account.password_hash,
                account.display_name,
                account.email,
                int(account.disabled),
                account.feed_key,
                account.id,
            ],
        )

    def add_session(self, session: Session) -> None:
        self._ed_write(
            "INSERT INTO sessions (key, account_id, csrf, created_at, expires_at, address)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                session.key,
                session.account_id,
                session.csrf,
                session.created_at,
                session.expires_at,
                session.address,
            ],
        )

    def session(self, key: str) -> Session | None:
        rows = self._ed_rows(
            "SELECT key, account_id, csrf, created_at, expires_at, address FROM sessions"
            " WHERE key = ?",
            [key],
        )
        return Session(rows[0][0], int(rows[0][1]), *rows[0][2:]) if rows else None

    def remove_sessions(self, key: str | None = None, account_id: int | None = None) -> None:
        if key is not None:
            self._ed_write("DELETE FROM sessions WHERE key = ?", [key])
        if account_id is not None:
            self._ed_write("DELETE FROM sessions WHERE account_id = ?", [account_id])

    _TOKEN = "SELECT id, account_id, key, label, created_at, revoked_at FROM api_tokens"

    def add_token(self, token: ApiToken) -> ApiToken:
        new_id = self._ed_insert(
            "INSERT INTO api_tokens (account_id, key, label, created_at) VALUES (?, ?, ?, ?)",
            [token.account_id, token.key, token.label, token.created_at or now()],
        )
        rows = self._ed_rows(self._TOKEN + " WHERE id = ?", [new_id])
        return ApiToken(int(rows[0][0]), int(rows[0][1]), *rows[0][2:])

    def token(self, key: str) -> ApiToken | None:
        rows = self._ed_rows(self._TOKEN + " WHERE key = ?", [key])
        return ApiToken(int(rows[0][0]), int(rows[0][1]), *rows[0][2:]) if rows else None

    def tokens(self, account_id: int) -> list[ApiToken]:
        rows = self._ed_rows(self._TOKEN + " WHERE account_id = ? ORDER BY id", [account_id])
        return [ApiToken(int(r[0]), int(r[1]), *r[2:]) for r in rows]

    def revoke_token(self, token_id: int, at: str) -> None:
        self._ed_write(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            [at, token_id],
        )

    def note_event(self, bucket: str, key: str, at: str, since: str) -> int:
        with self._ed_cursor(write=True) as cur:
            self._ed_run(cur, "INSERT INTO throttle_events VALUES (?, ?, ?)", [bucket, key, at])
            # Old events go as new ones come: the table holds one window's worth.
            self._ed_run(
                cur,
                "DELETE FROM throttle_events WHERE bucket = ? AND key = ? AND at < ?",
                [bucket, key, since],
            )
            row = self._ed_run(
                cur,
                "SELECT count(*) FROM throttle_events WHERE bucket = ? AND key = ? AND at >= ?",
                [bucket, key, since],
            ).fetchone()
        return int(row[0])

    def count_events(self, bucket: str, key: str, since: str) -> int:
        rows = self._ed_rows(
            "SELECT count(*) FROM throttle_events WHERE bucket = ? AND key = ? AND at >= ?",
            [bucket, key, since],
        )
        return int(rows[0][0])

    def clear_events(self, bucket: str, key: str) -> None:
        self._ed_write("DELETE FROM throttle_events WHERE bucket = ? AND key = ?", [bucket, key])

    # -- annotations -------------------------------------------------------------------
    _ANNOTATION = (
        "SELECT id, doc_id, text_index, block_index, start_offset, end_offset, quote, body,"
        " author, visibility, parent_id, hidden, locked, created_at, updated_at FROM annotations"
    )

    @staticmethod
    def _annotation(r: Any) -> Annotation:
        return Annotation(
            id=int(r[0]),
            doc_id=r[1],
            text_index=int(r[2]),
            block_index=int(r[3]),
            start=int(r[4]),
            end=int(r[5]),
            quote=r[6],
            body=r[7],
            author=r[8],
            visibility=Visibility(r[9]),
            parent=int(r[10]) if r[10] is not None else None,
            hidden=bool(r[11]),
            locked=bool(r[12]),
            created_at=r[13],
            updated_at=r[14],
        )

    def add_annotation(self, annotation: Annotation) -> Annotation:
        a = annotation
        # To the microsecond: a thread's replies are ordered by it (ids are random).
        made = a.created_at or datetime.now(UTC).isoformat(timespec="microseconds")
        # Ids drawn at random, not counted: a reader who sees annotation 7 and then 9
        # must not learn that one they may not see lies between. (Within a 32-bit
        # integer, the columns' type on both backends; a rare clash draws again.)
        for attempt in range(8):
            new_id = secrets.randbelow(2**31 - 2) + 1
            try:
                self._ed_insert(
                    "INSERT INTO annotations (id, doc_id, parent_id, text_index, block_index,"
                    " start_offset, end_offset, quote, body, author, visibility, hidden, locked,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        new_id,
                        a.doc_id,
                        a.parent,
                        a.text_index,
                        a.block_index,
                        a.start,
                        a.end,
                        a.quote,
                        a.body,
                        a.author,
                        a.visibility.value,
                        int(a.hidden),
                        int(a.locked),
                        made,
                        a.updated_at or made,
                    ],
                )
                break
            except Exception as exc:
                if attempt == 7 or "unique" not in str(exc).lower():
                    raise
        return self.annotation(new_id)

    def annotation(self, annotation_id: int) -> Annotation:
        rows = self._ed_rows(self._ANNOTATION + " WHERE id = ?", [annotation_id])
        if not rows:
            raise NotFound(f"no annotation {annotation_id}")
        return self._annotation(rows[0])

    def annotations(self, doc_id: str | None = None) -> list[Annotation]:
        if doc_id is None:
            rows = self._ed_rows(self._ANNOTATION + " ORDER BY created_at, id")
        else:
            rows = self._ed_rows(
                self._ANNOTATION + " WHERE doc_id = ? ORDER BY created_at, id", [doc_id]
            )
        return [self._annotation(r) for r in rows]

    def update_annotation(self, annotation: Annotation) -> None:
        a = annotation
        self._ed_write(
            "UPDATE annotations SET body = ?, visibility = ?, hidden = ?, locked = ?,"
            " updated_at = ? WHERE id = ?",
            [a.body, a.visibility.value, int(a.hidden), int(a.locked), a.updated_at or now(), a.id],
        )

    def add_report(self, report: Report) -> Report:
        new_id = self._ed_insert(
            "INSERT INTO annotation_reports (annotation_id, reporter, reason, at, resolved)"
            " VALUES (?, ?, ?, ?, 0)",
            [report.annotation_id, report.reporter, report.reason, report.at or now()],
        )
        rows = self._ed_rows(
            "SELECT id, annotation_id, reporter, reason, at, resolved FROM annotation_reports"
            " WHERE id = ?",
            [new_id],
        )
        r = rows[0]
        return Report(int(r[0]), int(r[1]), r[2], r[3], r[4], bool(r[5]))

    def reports(self, open_only: bool = True) -> list[Report]:
        rows = self._ed_rows(
            "SELECT id, annotation_id, reporter, reason, at, resolved FROM annotation_reports"
            + (" WHERE resolved = 0" if open_only else "")
            + " ORDER BY id"
        )
        return [Report(int(r[0]), int(r[1]), r[2], r[3], r[4], bool(r[5])) for r in rows]

    def resolve_reports(self, annotation_id: int) -> None:
        self._ed_write(
            "UPDATE annotation_reports SET resolved = 1 WHERE annotation_id = ?", [annotation_id]
        )

    # -- follows -----------------------------------------------------------------------
    _FOLLOW = "SELECT id, account_id, kind, target, label, created_at, seen_at FROM follows"

    @staticmethod
    def _follow(r: Any) -> Follow:
        return Follow(int(r[0]), int(r[1]), FollowKind(r[2]), r[3], r[4], r[5], r[6])

    def add_follow(self, follow: Follow) -> Follow:
        made = follow.created_at or now()
        existing = self._ed_rows(
            self._FOLLOW + " WHERE account_id = ? AND kind = ? AND target = ?",
            [follow.account_id, follow.kind.value, follow.target],
        )
        if existing:
            return self._follow(existing[0])
        new_id = self._ed_insert(
            "INSERT INTO follows (account_id, kind, target, label, created_at, seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                follow.account_id,
                follow.kind.value,
                follow.target,
                follow.label,
                made,
                follow.seen_at or made,
            ],
        )
        return self._follow(self._ed_rows(self._FOLLOW + " WHERE id = ?", [new_id])[0])

    def follows(self, account_id: int) -> list[Follow]:
        rows = self._ed_rows(self._FOLLOW + " WHERE account_id = ? ORDER BY id", [account_id])
        return [self._follow(r) for r in rows]

    def update_follow(self, follow: Follow) -> None:
        self._ed_write(
            "UPDATE follows SET label = ?, seen_at = ? WHERE id = ? AND account_id = ?",
            [follow.label, follow.seen_at, follow.id, follow.account_id],
        )

    def remove_follow(self, follow_id: int, account_id: int) -> None:
        self._ed_write(
            "DELETE FROM follows WHERE id = ? AND account_id = ?", [follow_id, account_id]
        )


def _readable_where(alias: str, levels: Sequence[str] | None, today: str) -> tuple[str, list[Any]]:
    """The SQL condition (and its parameters) for documents of `levels` open by `today`."""
    if levels is None:
        return "1 = 1", []
    return (
        f"{alias}.access IN ({_marks(levels)})"
        f" AND ({alias}.embargo_until IS NULL OR {alias}.embargo_until <= ?)",
        [*levels, today],
    )
