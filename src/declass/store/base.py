"""The one storage interface. SQLite implements it now; PostgreSQL will too."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

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


class WriteOutcome(str, Enum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Version:
    """One stored state of a document."""

    number: int
    content_hash: str
    ingest_run: int | None
    created_at: str
    source: str


@dataclass(frozen=True)
class IngestRun:
    id: int
    started_at: str
    finished_at: str | None
    sources: tuple[str, ...]
    added: int
    updated: int
    unchanged: int
    rejected: int


@dataclass(frozen=True)
class ArchiveStats:
    documents: int
    versions: int
    authorities: dict[str, int]
    events: dict[str, int]
    collections: int
    by_collection: dict[str, int]
    by_type: dict[str, int]
    by_decade: dict[str, int]
    by_language: dict[str, int]
    rejections: int
    runs: int
    extra: dict[str, int] = field(default_factory=dict)


class Store(ABC):
    """Persists model records. Every write of one record is one transaction."""

    @abstractmethod
    def migrate(self) -> int:
        """Bring the schema to the current version; return that version."""

    @abstractmethod
    def schema_version(self) -> int: ...

    @abstractmethod
    def close(self) -> None: ...

    # -- ingest runs -------------------------------------------------------------
    @abstractmethod
    def start_run(self, sources: list[str]) -> int: ...

    @abstractmethod
    def finish_run(self, run_id: int, added: int, updated: int, unchanged: int) -> None: ...

    @abstractmethod
    def runs(self) -> list[IngestRun]: ...

    @abstractmethod
    def reject(self, run_id: int, rejection: Rejection) -> None:
        """Keep a rejection in the quarantine list of the run."""

    @abstractmethod
    def rejections(self, run_id: int | None = None) -> list[Rejection]: ...

    # -- records -----------------------------------------------------------------
    @abstractmethod
    def put(self, record: Record, run_id: int | None = None) -> WriteOutcome:
        """Store a record atomically: unchanged content writes nothing; changed
        content becomes a new version (documents keep every old version)."""

    @abstractmethod
    def document(self, doc_id: str, version: int | None = None) -> Document:
        """The current (or a given) version of a document; raises NotFound."""

    @abstractmethod
    def versions(self, doc_id: str) -> list[Version]: ...

    @abstractmethod
    def documents(
        self, collection: str | None = None, series: str | None = None
    ) -> Iterator[Document]:
        """Current versions, in date order."""

    @abstractmethod
    def document_ids(self) -> list[str]: ...

    @abstractmethod
    def authority(self, authority_id: str) -> Authority: ...

    @abstractmethod
    def authorities(self, kind: AuthorityKind | None = None) -> Iterator[Authority]: ...

    @abstractmethod
    def authorities_named(self, name: str) -> list[Authority]:
        """Authorities one of whose name variants matches `name` (case- and accent-blind)."""

    @abstractmethod
    def event(self, event_id: str) -> Event: ...

    @abstractmethod
    def events(
        self, kind: EventKind | None = None, person: str | None = None, country: str | None = None
    ) -> Iterator[Event]: ...

    @abstractmethod
    def collection(self, collection_id: str) -> Collection: ...

    @abstractmethod
    def collections(self) -> list[Collection]: ...

    @abstractmethod
    def stats(self) -> ArchiveStats: ...
