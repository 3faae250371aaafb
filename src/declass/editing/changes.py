"""Changes to a record, as the editing form and the API send them.

A change names top-level fields of the record in the codec's JSON form (what
`GET …/source` shows), so any field the model has can be edited the same way; a date
may also be given as ISO text ("1965-05-05"), and a text's body as plain paragraphs
(see `blocks_from_text`). Identity and provenance cannot be edited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from declass.errors import QueryError
from declass.model import (
    AccessLevel,
    Authority,
    Block,
    BlockKind,
    Collection,
    Document,
    Event,
    HistoricalDate,
    Record,
)
from declass.store import codec

FIXED = frozenset({"id", "provenance"})
_MARKS = (("# ", BlockKind.HEADING), ("> ", BlockKind.QUOTE), ("- ", BlockKind.LIST_ITEM))


class InvalidEdit(QueryError):
    """A change the record cannot take: the field, and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(0, reason)


def apply_changes(record: Record, changes: Mapping[str, Any]) -> Record:
    """`record` with `changes` (field → new value in codec form) applied."""
    kind = codec.record_kind(record)
    cls = codec.RECORD_TYPES[kind]
    data = codec.to_data(record)
    for name, value in changes.items():
        if name in FIXED or name not in data:
            raise InvalidEdit(f"{kind} has no editable field {name!r}")
        if name in ("date", "coverage") and isinstance(value, str):
            value = _date_data(value)
        if name in ("access",) and value == AccessLevel.WITHDRAWN.value:
            raise InvalidEdit("withdraw a record with its own action, giving a reason")
        data[name] = value
    try:
        edited = codec.from_data(cls, data)
        codec.serialise(edited)  # every value must encode again
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InvalidEdit(f"the change cannot be read: {exc}") from None
    return edited  # type: ignore[no-any-return]


def _date_data(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        if ".." in text:
            lo, _, hi = text.partition("..")
            return codec.to_data(HistoricalDate.between(lo.strip() or None, hi.strip() or None))
        return codec.to_data(HistoricalDate.parse(text))
    except ValueError as exc:
        raise InvalidEdit(f"not a date: {text!r} ({exc})") from None


def text_of_blocks(blocks: Sequence[Block]) -> str:
    """A text's blocks as paragraphs for a form: headings marked "# ", quotes "> ",
    list items "- "."""
    marks = {kind: mark for mark, kind in _MARKS}
    return "\n\n".join(marks.get(b.kind, "") + " ".join(b.text.split("\n")) for b in blocks)


def blocks_from_text(text: str, before: Sequence[Block] = ()) -> tuple[Block, ...]:
    """Paragraphs (blank-line separated) back into blocks; where the number of blocks
    is unchanged each keeps its level and printed page."""
    parts = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    blocks = []
    for i, part in enumerate(parts):
        kind = BlockKind.PARAGRAPH
        for mark, marked in _MARKS:
            if part.startswith(mark):
                kind, part = marked, part[len(mark) :].strip()
                break
        if len(parts) == len(before):
            old = before[i]
            if kind is BlockKind.PARAGRAPH and old.kind not in (b for _, b in _MARKS):
                kind = old.kind  # a dateline, signature or table row stays one
            blocks.append(Block(kind, part, old.level, old.page))
        else:
            blocks.append(Block(kind, part))
    return tuple(blocks)


def editable_fields(record: Record) -> list[str]:
    return [k for k in codec.to_data(record) if k not in FIXED]


RECORD_CLASSES: dict[str, type[Document | Authority | Event | Collection]] = {
    "document": Document,
    "authority": Authority,
    "event": Event,
    "collection": Collection,
}
