"""What the store keeps about annotations: plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Visibility(str, Enum):
    PUBLIC = "public"  # shown to everyone who may read the document
    PRIVATE = "private"  # shown to its author alone


@dataclass(frozen=True)
class Annotation:
    """A comment on a passage (text, block, character offsets into the block as
    stored), or a reply in its thread (`parent`, anchored where its thread is)."""

    id: int
    doc_id: str
    text_index: int
    block_index: int
    start: int
    end: int
    quote: str
    body: str
    author: str
    visibility: Visibility = Visibility.PUBLIC
    parent: int | None = None
    hidden: bool = False  # by a moderator: shown to staff only, marked
    locked: bool = False  # a thread closed to replies
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Report:
    """A reader's report of an annotation to the moderators."""

    id: int
    annotation_id: int
    reporter: str
    reason: str
    at: str = ""
    resolved: bool = False
