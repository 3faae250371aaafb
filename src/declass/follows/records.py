"""What the store keeps about follows: plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class FollowKind(str, Enum):
    SEARCH = "search"  # target: the query, with its facets ("q=…&facet=…")
    COLLECTION = "collection"  # target: the collection id


@dataclass(frozen=True)
class Follow:
    id: int
    account_id: int
    kind: FollowKind
    target: str
    label: str = ""
    created_at: str = ""
    seen_at: str = ""  # when the reader last looked: the feed shows what came after


@dataclass(frozen=True)
class DocumentChange:
    """Something that happened to a document: added, opened (its embargo lifted) or
    corrected, at a time (ISO; a lifted embargo at the start of its day)."""

    doc_id: str
    change: str  # "added", "opened", "corrected"
    at: str
    detail: str = ""
