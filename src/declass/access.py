"""Who may read what: the archive's one access rule, applied wherever a reader is served.

A reader belongs to an audience: the public (anyone, signed in or not), registered
researchers, or staff (editors and administrators). Everything that can be closed
(documents, their texts and notes, collections, authorities, events) carries an
`AccessLevel` and may carry an embargo. A thing is open to an audience when the
audience reaches its level and its embargo, if any, has passed: embargoes lift by
themselves on their day, because "today" is asked at read time, never stored. Staff
read everything, withdrawn records included.

A text or note closed apart from its document is never put in the search index (the
index is shared by every audience and filtered by document): it is read only on the
document's page, by those it is open to.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum

from declass.model import AccessLevel, Document, Note, NoteAnchor, Reference, Text


class Audience(str, Enum):
    """Whom a page is served to; it decides everything a reader can see."""

    PUBLIC = "public"
    REGISTERED = "registered"
    STAFF = "staff"


# The levels each audience reaches (staff: all of them, withdrawn too).
LEVELS: dict[Audience, tuple[str, ...]] = {
    Audience.PUBLIC: (AccessLevel.PUBLIC.value,),
    Audience.REGISTERED: (AccessLevel.PUBLIC.value, AccessLevel.REGISTERED.value),
    Audience.STAFF: tuple(level.value for level in AccessLevel),
}


class Clock:
    """Today's date for access decisions; tests (and the embargo journey) move it."""

    def __init__(self, offset_days: int = 0) -> None:
        self._offset = offset_days
        self._lock = threading.Lock()

    def today(self) -> date:
        with self._lock:
            return date.today() + timedelta(days=self._offset)

    def now(self) -> datetime:
        """This moment in UTC, moved as the day is."""
        with self._lock:
            return datetime.now(UTC) + timedelta(days=self._offset)

    def advance(self, days: int) -> None:
        with self._lock:
            self._offset += days


def open_to(
    access: AccessLevel | str | None,
    embargo_until: date | str | None,
    audience: Audience,
    today: date,
) -> bool:
    """Whether something of `access` (None: public) under `embargo_until` is open to
    `audience` on `today`."""
    if audience is Audience.STAFF:
        return True
    level = AccessLevel(access).value if access else AccessLevel.PUBLIC.value
    if level not in LEVELS[audience]:
        return False
    if embargo_until is None or embargo_until == "":
        return True
    day = embargo_until if isinstance(embargo_until, date) else date.fromisoformat(embargo_until)
    return day <= today


def readable(
    doc: Document, audience: Audience = Audience.PUBLIC, today: date | None = None
) -> bool:
    """Whether `doc` as a whole is open to `audience` today."""
    return open_to(doc.access, doc.embargo_until, audience, today or date.today())


def sealed(part: Text | Note) -> bool:
    """Whether a text or note is closed apart from its document (never indexed)."""
    return part.access is not None or part.embargo_until is not None


def indexed_texts(doc: Document) -> tuple[Text, ...]:
    """The texts of `doc` the search index and snippets may hold: those not sealed."""
    return tuple(t for t in doc.texts if not sealed(t))


def indexed_notes(doc: Document) -> tuple[Note, ...]:
    return tuple(n for n in doc.notes if not sealed(n))


@dataclass(frozen=True)
class Hidden:
    """What an audience may not see besides documents: collections and authorities
    (whose ids must not appear on the pages of open documents either)."""

    collections: frozenset[str] = field(default_factory=frozenset)
    authorities: frozenset[str] = field(default_factory=frozenset)


def visible_document(
    doc: Document, audience: Audience, today: date, hidden: Hidden = Hidden()
) -> Document | None:
    """`doc` as `audience` may see it today, or None when it is closed to them: texts
    and notes closed apart from it are taken out (anchors renumbered to the texts that
    remain), as are hidden collections and links to hidden authorities."""
    if not readable(doc, audience, today):
        return None
    if audience is Audience.STAFF:
        return doc
    kept = [
        i for i, t in enumerate(doc.texts) if open_to(t.access, t.embargo_until, audience, today)
    ]
    renumber = {old: new for new, old in enumerate(kept)}

    def anchor_of(anchor: NoteAnchor | None) -> tuple[bool, NoteAnchor | None]:
        if anchor is None:
            return True, None
        if anchor.text_index not in renumber:
            return False, None
        return True, replace(anchor, text_index=renumber[anchor.text_index])

    notes: list[Note] = []
    for note in doc.notes:
        ok, anchor = anchor_of(note.anchor)
        if ok and open_to(note.access, note.embargo_until, audience, today):
            notes.append(replace(note, anchor=anchor))
    references: list[Reference] = []
    for ref in doc.references:
        ok, anchor = anchor_of(ref.anchor)
        if ok and ref.target not in hidden.collections:
            references.append(replace(ref, anchor=anchor))
    participants = tuple(
        replace(p, authority_id=None) if p.authority_id in hidden.authorities else p
        for p in doc.participants
    )
    return replace(
        doc,
        texts=tuple(doc.texts[i] for i in kept),
        notes=tuple(notes),
        references=tuple(references),
        participants=participants,
        collections=tuple(c for c in doc.collections if c not in hidden.collections),
    )


def text_index_map(doc: Document, audience: Audience, today: date) -> dict[int, int]:
    """Stored text index → index among the texts `audience` sees (for anchors kept
    outside the document, such as annotations)."""
    kept = [
        i for i, t in enumerate(doc.texts) if open_to(t.access, t.embargo_until, audience, today)
    ]
    return {old: new for new, old in enumerate(kept)}


def filter_open(
    items: Iterable[tuple[str, str | None, str | None]],
    audience: Audience,
    today: date,
) -> set[str]:
    """The ids among (id, access, embargo_until) rows that are open to `audience`."""
    return {i for i, access, embargo in items if open_to(access, embargo, audience, today)}


def closed_ids(
    rows: dict[str, tuple[str, str | None]], audience: Audience, today: date
) -> frozenset[str]:
    """The ids of `rows` (id → (access, embargo)) closed to `audience` today."""
    return frozenset(
        i for i, (access, embargo) in rows.items() if not open_to(access, embargo, audience, today)
    )


OpenCheck = Callable[[str], bool]


def first_open(ids: Collection[str], is_open: OpenCheck) -> list[str]:
    """`ids` that `is_open` accepts, in order."""
    return [i for i in ids if is_open(i)]
