"""Saving, reverting, withdrawing and restoring records, each a version with author,
time and reason; and reading that history back.

Every save names the version it was made on (a document's version number, another
record's content hash): a save made on a version that is no longer current raises
StaleEdit and writes nothing. Nothing is ever deleted: withdrawal is a version whose
access is "withdrawn" (staff only), and restoring brings back the access it had.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from declass.access import Audience, open_to
from declass.editing.diffs import FieldDiff, record_diff
from declass.editing.records import Edit, EditAction
from declass.errors import Conflict, NotFound, QueryError
from declass.model import AccessLevel, Authority, Collection, Document, Event, Record
from declass.store import codec
from declass.store.base import Store, Version

MAX_REASON = 500


@dataclass(frozen=True)
class HistoryEntry:
    """One state of a record in its history, with the edit that made it (if any)."""

    number: int
    at: str
    author: str
    reason: str
    action: str
    correction: bool
    access: str
    embargo_until: str
    title: str
    current: bool = False


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise QueryError(0, "say why: every save keeps its reason")
    return reason[:MAX_REASON]


def _published(record: Record, today: date) -> bool:
    access = getattr(record, "access", AccessLevel.PUBLIC)
    return open_to(access, getattr(record, "embargo_until", None), Audience.PUBLIC, today)


def save_document(
    store: Store,
    doc: Document,
    base_version: int,
    author: str,
    reason: str,
    action: EditAction = EditAction.EDIT,
    today: date | None = None,
) -> Version:
    """Save `doc` as a new version made on `base_version`. A change to a document the
    public could read before and after it is a correction, listed on the errata page."""
    day = today or date.today()
    before = store.document(doc.id)
    correction = action in (EditAction.EDIT, EditAction.REVERT) and (
        _published(before, day) and _published(doc, day)
    )
    edit = Edit("document", doc.id, 0, action, author, _reason(reason), correction=correction)
    return store.edit_document(doc, base_version, edit)


def save_record(
    store: Store,
    record: Authority | Event | Collection,
    base_hash: str,
    author: str,
    reason: str,
    action: EditAction = EditAction.EDIT,
) -> str:
    """Save an authority, event or collection made on the state `base_hash`; the new
    content hash (its ETag)."""
    kind = codec.record_kind(record)
    edit = Edit(kind, record.id, 0, action, author, _reason(reason))
    return store.edit_record(record, base_hash, edit)


def revert_document(
    store: Store,
    doc_id: str,
    to_version: int,
    base_version: int,
    author: str,
    reason: str,
    today: date | None = None,
) -> Version:
    """Make version `to_version`'s content current again, as a new version."""
    old = store.document(doc_id, to_version)
    why = f"revert to version {to_version}: {reason}" if reason.strip() else ""
    return save_document(store, old, base_version, author, why, EditAction.REVERT, today)


def revert_record(
    store: Store,
    kind: str,
    record_id: str,
    to_number: int,
    base_hash: str,
    author: str,
    reason: str,
) -> str:
    states = dict(store.record_history(kind, record_id))
    if to_number not in states:
        raise NotFound(f"no state {to_number} of {kind} {record_id!r}")
    why = f"revert to state {to_number}: {reason}" if reason.strip() else ""
    record = states[to_number]
    assert isinstance(record, Authority | Event | Collection)
    return save_record(store, record, base_hash, author, why, EditAction.REVERT)


def withdraw_document(
    store: Store, doc_id: str, base_version: int, author: str, reason: str
) -> Version:
    """Take a document out of the reading room (staff still read it), as a version."""
    doc = store.document(doc_id)
    if doc.access is AccessLevel.WITHDRAWN:
        raise Conflict(f"{doc_id} is already withdrawn")
    changed = replace(doc, access=AccessLevel.WITHDRAWN)
    return save_document(store, changed, base_version, author, reason, EditAction.WITHDRAW)


def restore_document(
    store: Store, doc_id: str, base_version: int, author: str, reason: str
) -> Version:
    """Bring a withdrawn document back with the access it had before, as a version."""
    doc = store.document(doc_id)
    if doc.access is not AccessLevel.WITHDRAWN:
        raise Conflict(f"{doc_id} is not withdrawn")
    before = next(
        (
            d
            for _, d in reversed(store.stored_versions(doc_id))
            if d.access is not AccessLevel.WITHDRAWN
        ),
        None,
    )
    access, embargo = (
        (before.access, before.embargo_until) if before else (AccessLevel.PUBLIC, None)
    )
    changed = replace(doc, access=access, embargo_until=embargo)
    return save_document(store, changed, base_version, author, reason, EditAction.RESTORE)


def document_history(store: Store, doc_id: str) -> list[HistoryEntry]:
    """Every version of a document, newest first, with who made it and why (versions
    read at ingest name their ingest run)."""
    edits = {e.number: e for e in store.edits("document", doc_id, limit=10_000)}
    stored = store.stored_versions(doc_id)
    top = stored[-1][0].number if stored else 0
    out = []
    for version, doc in reversed(stored):
        e = edits.get(version.number)
        out.append(
            HistoryEntry(
                number=version.number,
                at=e.at if e else version.created_at,
                author=e.author if e else "",
                reason=e.reason
                if e
                else (f"ingest run {version.ingest_run}" if version.ingest_run else "stored"),
                action=e.action.value if e else EditAction.INGEST.value,
                correction=e.correction if e else False,
                access=doc.access.value,
                embargo_until=doc.embargo_until.isoformat() if doc.embargo_until else "",
                title=doc.title,
                current=version.number == top,
            )
        )
    return out


def record_history(store: Store, kind: str, record_id: str) -> list[HistoryEntry]:
    """The kept states of an authority, event or collection, newest first."""
    edits = {e.number: e for e in store.edits(kind, record_id, limit=10_000)}
    states = store.record_history(kind, record_id)
    top = states[-1][0] if states else 0
    out = []
    for number, record in reversed(states):
        e = edits.get(number)
        embargo = getattr(record, "embargo_until", None)
        out.append(
            HistoryEntry(
                number=number,
                at=e.at if e else "",
                author=e.author if e else "",
                reason=e.reason if e else "",
                action=e.action.value if e else EditAction.INGEST.value,
                correction=False,
                access=getattr(record, "access", AccessLevel.PUBLIC).value,
                embargo_until=embargo.isoformat() if embargo else "",
                title=getattr(record, "title", "")
                or getattr(record, "name", "")
                or getattr(record, "description", "")[:80],
                current=number == top,
            )
        )
    return out


def document_diff(store: Store, doc_id: str, a: int, b: int) -> list[FieldDiff]:
    """What changed from version `a` to version `b` of a document."""
    return record_diff(store.document(doc_id, a), store.document(doc_id, b))


def record_state_diff(store: Store, kind: str, record_id: str, a: int, b: int) -> list[FieldDiff]:
    states = dict(store.record_history(kind, record_id))
    if a not in states or b not in states:
        raise NotFound(f"no such states of {kind} {record_id!r}")
    return record_diff(states[a], states[b])
