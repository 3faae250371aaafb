"""What the store keeps about editorial work: plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class EditAction(str, Enum):
    INGEST = "ingest"  # the state a record was in before its first edit
    EDIT = "edit"
    REVERT = "revert"
    WITHDRAW = "withdraw"
    RESTORE = "restore"


@dataclass(frozen=True)
class Edit:
    """One saved change: which record and version it made, who, when and why.

    `kind` is the record's kind ("document", "authority", "event", "collection");
    `number` the version it made (a document's version number; for the others, the
    place in their history). `correction`: listed on the public errata page.
    """

    kind: str
    record_id: str
    number: int
    action: EditAction
    author: str
    reason: str
    at: str = ""
    correction: bool = False


@dataclass(frozen=True)
class AuditEntry:
    """Who did what, when, from where: every sign-in, account change and edit."""

    actor: str
    action: str
    target: str = ""
    detail: str = ""
    address: str = ""
    at: str = ""
    id: int = 0
