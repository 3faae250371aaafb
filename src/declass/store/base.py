"""The one storage interface. SQLite implements it now; PostgreSQL will too."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from declass.accounts.records import Account, ApiToken, Session
from declass.annotations.records import Annotation, Report
from declass.editing.records import AuditEntry, Edit
from declass.follows.records import DocumentChange, Follow
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

if TYPE_CHECKING:
    from declass.store.prepared import Prepared, Preparer


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


# -- the search contract ------------------------------------------------------------
# The engine (declass.search) turns a reader's query into the expression below, with
# every word already analysed (declass.search.analysis) and every name expanded; a
# backend only evaluates it: SQLite with FTS5, PostgreSQL with tsvector/GIN.

TEXT_FIELDS = ("title", "heading", "body", "note", "people")
FACET_FIELDS = ("type", "country", "person", "decade", "year", "collection", "language", "source")


@dataclass(frozen=True)
class TermMatch:
    """Documents containing these analysed words in a row (one word: just that word).

    `prefix`: the last word may be the start of a longer one. `fields`: the text
    fields to look in (see TEXT_FIELDS); empty means all of them.
    """

    words: tuple[str, ...]
    prefix: bool = False
    fields: tuple[str, ...] = ()
    # The one word as the reader typed it, folded but not stemmed: a backend that keeps
    # exact forms ranks "religions" above "religion" for it (both match).
    surface: str = ""


@dataclass(frozen=True)
class FieldFilter:
    """Documents whose `field` (one of FACET_FIELDS) has one of `values`.

    Values compare case-blind; a country matches its code or its name, a person the
    name of a participant.
    """

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class DateFilter:
    """Documents whose date range overlaps [earliest, latest] (ISO days, either open)."""

    earliest: str | None
    latest: str | None


@dataclass(frozen=True)
class AllOf:
    parts: tuple[IndexExpression, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[IndexExpression, ...]


@dataclass(frozen=True)
class Excluding:
    """Every document except those matching `part`."""

    part: IndexExpression


@dataclass(frozen=True)
class MatchAll:
    pass


IndexExpression = TermMatch | FieldFilter | DateFilter | AllOf | AnyOf | Excluding | MatchAll


@dataclass(frozen=True)
class SearchRequest:
    expression: IndexExpression
    sort: str = "relevance"  # or "date"
    offset: int = 0
    limit: int = 10
    facets: tuple[str, ...] = FACET_FIELDS
    facet_size: int = 10
    # Restricted and still-embargoed documents are left out unless the caller may see them.
    include_restricted: bool = False
    # Otherwise the levels open to the reader (declass.access.LEVELS), and the ISO day
    # embargoes are judged on ("": today): an embargo lifts by itself on its day.
    access_levels: tuple[str, ...] = ("public",)
    today: str = ""
    # Relative weights of the text fields (title and headings above body, body above
    # notes). They multiply each field's BM25 score, after saturation: a large weight
    # would let a short field's length decide the ranking, so they stay close to 1.
    weights: tuple[tuple[str, float], ...] = (
        ("title", 1.5),
        ("heading", 1.25),
        ("body", 1.0),
        ("note", 0.5),
        ("people", 1.5),
    )


@dataclass(frozen=True)
class IndexHit:
    doc_id: str
    score: float
    title: str
    sort_date: str
    date_start: str = ""  # the date's bounds as indexed, "" or 9999-12-31 when open
    date_end: str = ""


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchPage:
    """One page of matches, the total, and facet counts over all matches."""

    total: int
    hits: tuple[IndexHit, ...]
    facets: dict[str, tuple[FacetCount, ...]]
    # False when a very broad query on a very large archive was counted on a sample:
    # the total and facet counts are then estimates (the page is still the best of all).
    exact: bool = True


# -- passage embeddings -------------------------------------------------------------
# Vectors of a document's passages, one row per (model, document, passage), kept with
# the catalogue so that the approximate index (declass.ann) can be rebuilt from them.


@dataclass(frozen=True)
class PassageVector:
    """One passage of a document and its embedding by `model`.

    `start`/`end` are character offsets into `Document.body`; `vector` is the
    embedding as little-endian float32 bytes; `content_hash` identifies the body the
    passage was cut from, so a changed document is embedded again.
    """

    doc_id: str
    passage: int
    start: int
    end: int
    model: str
    content_hash: str
    vector: bytes


# -- persons across sources (declass.persons) -----------------------------------------
# Which person each person authority record is (a volume's persons-list entry, a
# provisional record, the people authority's own), and the spellings recorded for it:
# derived from the authorities, kept beside them, rewritten only where they change.


@dataclass(frozen=True)
class PersonLink:
    """The person an authority record stands for, and the evidence for saying so."""

    authority_id: str
    person_id: str  # the canonical record: the people authority's id where it has one
    evidence: str  # "self", "frus-person" (the authority lists the entry), "name-match"
    detail: str = ""  # what the evidence rests on, in words
    content_hash: str = ""  # the authority's content when it was linked


@dataclass(frozen=True)
class PersonSpelling:
    """One recorded spelling of a person's name, and where it was recorded."""

    authority_id: str
    name: str  # in natural order: "Nikita S. Khrushchev", "Mao Tse-tung"
    key: str  # declass.names.PersonName.key: folded, hyphen-blind
    surname: str  # the surname's key
    source: str = ""  # the volume or page that records it
    person_id: str = ""  # filled in when read back


@dataclass(frozen=True)
class PersonDocument:
    """A current document naming one of a person's authority records."""

    doc_id: str
    title: str
    sort_date: str
    series: str
    role: str
    authority_id: str


@dataclass(frozen=True)
class CollectionSpan:
    """How many documents a collection holds and the days their dates span."""

    collection_id: str
    documents: int
    earliest: str = ""  # ISO day of the earliest dated document; "" when none is dated
    latest: str = ""


class Store(ABC):
    """Persists model records. Every put is one transaction, and so is every put_many."""

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
        content becomes a new version (documents keep every old version).

        Raises StorageError when the catalogue cannot hold the record."""

    def put_many(
        self,
        records: Sequence[Record],
        run_id: int | None = None,
        prepared: Sequence[Prepared | None] | None = None,
    ) -> list[WriteOutcome]:
        """Store `records` in order, with the outcomes put() would give each in turn.

        The backends write the batch as one transaction: all of it, or on any error
        (StorageError when the catalogue refuses a record) none of it. `prepared`, aligned
        with `records`: their JSON, hashes and analysis made ahead (by ingest's reading
        processes), used instead of making them again. This default only stands in for a
        backend without batches, one transaction a record.
        """
        return [self.put(record, run_id) for record in records]

    def preparer(self) -> Preparer:
        """How ingest's reading processes prepare records for `put_many` here."""
        from declass.store.prepared import Preparer

        return Preparer()

    @abstractmethod
    def document(self, doc_id: str, version: int | None = None) -> Document:
        """The current (or a given) version of a document; raises NotFound."""

    @abstractmethod
    def versions(self, doc_id: str) -> list[Version]: ...

    @abstractmethod
    def document_texts(self, doc_ids: Sequence[str]) -> dict[str, list[str]]:
        """The plain text of each text of the current documents `doc_ids`, in order
        (what a snippet reads, without decoding whole records); unknown ids are absent."""

    # -- moving a whole archive between backends (declass.store.transfer) ---------
    @abstractmethod
    def stored_versions(self, doc_id: str) -> list[tuple[Version, Document]]:
        """Every stored version of a document with its record, oldest first."""

    @abstractmethod
    def restore_version(self, doc: Document, version: Version) -> None:
        """Write one version exactly as exported (number, hash, run, time, source);
        the highest number restored becomes the current version."""

    @abstractmethod
    def restore_run(self, run: IngestRun, rejections: Sequence[Rejection]) -> None:
        """Recreate an ingest run under its own id, with its counts and rejections."""

    @abstractmethod
    def documents(
        self, collection: str | None = None, series: str | None = None
    ) -> Iterator[Document]:
        """Current versions, in date order."""

    @abstractmethod
    def document_ids(self) -> list[str]: ...

    @abstractmethod
    def cited_by(self, targets: Sequence[str]) -> list[str]:
        """Ids of current documents that link to any of `targets` (a document's id, or
        the printed pages it spans), in volume order."""

    @abstractmethod
    def collection_spans(self, include_restricted: bool = False) -> list[CollectionSpan]:
        """Each collection's count of current documents and the span of their dates (for
        an overview), counting only what an anonymous reader may see unless asked."""

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

    # -- search ------------------------------------------------------------------
    @abstractmethod
    def search(self, request: SearchRequest) -> SearchPage:
        """Evaluate an analysed query: ranked (or dated) page, total and facets."""

    @abstractmethod
    def term_counts(self, words: Sequence[str]) -> dict[str, int]:
        """How many current documents contain each analysed word (0 when none)."""

    @abstractmethod
    def similar_terms(self, word: str, max_distance: int, limit: int = 5) -> list[str]:
        """Indexed words within `max_distance` edits of `word`, most frequent first."""

    # -- passage embeddings ------------------------------------------------------
    @abstractmethod
    def put_passage_vectors(
        self, model: str, doc_id: str, vectors: Sequence[PassageVector]
    ) -> None:
        """Replace every vector of `doc_id` under `model` with `vectors`, atomically."""

    @abstractmethod
    def passage_vectors(
        self, model: str, doc_ids: Sequence[str] | None = None
    ) -> Iterator[PassageVector]:
        """The stored vectors of `model` (only those of `doc_ids` when given), ordered
        by document id and passage."""

    @abstractmethod
    def embedded_documents(self, model: str) -> dict[str, str]:
        """Document id → content hash of the body its vectors under `model` came from."""

    # -- persons across sources ----------------------------------------------------
    @abstractmethod
    def authority_hashes(self, kind: AuthorityKind) -> dict[str, str]:
        """Authority id → content hash, for every authority of `kind`."""

    @abstractmethod
    def identifier_values(self, scheme: str) -> list[tuple[str, str]]:
        """(authority id, value) of every identifier in `scheme` ("frus-person")."""

    @abstractmethod
    def person_links(self, authority_ids: Sequence[str] | None = None) -> dict[str, PersonLink]:
        """The stored links of these authorities (of all, when None), by authority id."""

    @abstractmethod
    def person_members(self, person_ids: Sequence[str]) -> list[PersonLink]:
        """Every link to one of `person_ids`, ordered by person and authority id."""

    @abstractmethod
    def update_person_links(
        self,
        links: Sequence[PersonLink],
        spellings: Mapping[str, Sequence[PersonSpelling]],
        removed: Sequence[str] = (),
    ) -> None:
        """In one transaction: store `links` (replacing those of the same authorities),
        replace the spellings of each authority in `spellings`, and forget the links
        and spellings of `removed` authorities."""

    @abstractmethod
    def person_spellings(
        self,
        keys: Sequence[str] = (),
        surnames: Sequence[str] = (),
        person_ids: Sequence[str] = (),
    ) -> list[PersonSpelling]:
        """Spellings whose key is in `keys`, or surname in `surnames`, or person in
        `person_ids`, with their person; only spellings of linked authorities."""

    @abstractmethod
    def person_documents(
        self, authority_ids: Sequence[str], limit: int | None = None
    ) -> list[PersonDocument]:
        """Current documents with a participant from `authority_ids`, in date order
        (one row a document and authority, its first role)."""

    # -- access, editorial work, accounts (declass.access, .editing, .accounts, ...) --
    # Implemented once for both backends in store/editorial_sql.py; the backends add
    # only what touches their own write paths (the conditional writes of edits).

    @abstractmethod
    def document_access(self, doc_ids: Sequence[str]) -> dict[str, tuple[str, str | None, int]]:
        """Current document id → (access level, embargo day or None, version) for the
        known ids among `doc_ids` (lists of documents are checked without decoding them)."""

    @abstractmethod
    def closed_records(self, kind: str) -> dict[str, tuple[str, str | None]]:
        """Id → (access level, embargo day) of every authority, event or collection
        (`kind`) that is not simply public: the few a reader may be refused."""

    @abstractmethod
    def readable_collection_spans(
        self, levels: Sequence[str] | None, today: str
    ) -> list[CollectionSpan]:
        """collection_spans over the current documents of `levels` whose embargo has
        passed by `today` (None: every document)."""

    @abstractmethod
    def near_terms(self, word: str, max_distance: int) -> list[tuple[str, int, int]]:
        """Every indexed word within `max_distance` edits of `word` as (word, distance,
        documents), by the rules similar_terms ranks with (documents: every audience's;
        declass.store.scoped counts them again for the reader)."""

    @abstractmethod
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
        """(id, ISO day) of current documents of `levels` open by `today`, in id order
        after `after`: the day their current version was stored or their embargo
        lifted, whichever is later, within [since, until] (OAI-PMH, sitemaps)."""

    @abstractmethod
    def document_changes(self, since: str, today: str) -> list[DocumentChange]:
        """Documents added, opened by an embargo lifting, or corrected since `since` (the
        second included) and by `today`, oldest first (readers' feeds; access is
        checked by the caller)."""

    @abstractmethod
    def edit_document(self, doc: Document, base_version: int, edit: Edit) -> Version:
        """Make `doc` the current version if the current one is still `base_version`,
        recording `edit` with it, in one transaction. Raises StaleEdit (nothing
        written) when another save came first, NotFound for an unknown document."""

    @abstractmethod
    def edit_record(
        self, record: Authority | Event | Collection, base_hash: str, edit: Edit
    ) -> str:
        """Replace an authority, event or collection if its content hash is still
        `base_hash`, keeping the replaced state in its history; the new hash. Raises
        StaleEdit or NotFound as edit_document does."""

    @abstractmethod
    def record_hash(self, kind: str, record_id: str) -> str:
        """The content hash of the current authority, event or collection (an ETag)."""

    @abstractmethod
    def record_history(self, kind: str, record_id: str) -> list[tuple[int, Record]]:
        """The stored states of an authority, event or collection, oldest first, each
        with its number (edits name the number they made)."""

    @abstractmethod
    def edits(
        self,
        kind: str | None = None,
        record_id: str | None = None,
        since: str = "",
        limit: int = 200,
    ) -> list[Edit]:
        """Saved changes, newest first (of one kind, one record, after `since`)."""

    @abstractmethod
    def restore_edit(self, edit: Edit) -> None:
        """Keep an edit exactly as exported (declass.store.transfer)."""

    @abstractmethod
    def restore_history(self, kind: str, number: int, record: Record) -> None:
        """Keep one exported state of an authority, event or collection's history."""

    @abstractmethod
    def add_audit(self, entry: AuditEntry) -> None: ...

    @abstractmethod
    def audit_log(self, limit: int = 100, offset: int = 0, actor: str = "") -> list[AuditEntry]:
        """The audit log, newest first."""

    @abstractmethod
    def generation(self) -> int:
        """A number that grows with every saved edit: caches of what readers see are
        dropped when it moves."""

    # accounts, sessions, tokens, throttles
    @abstractmethod
    def add_account(self, account: Account) -> Account:
        """Store a new account (its id is given by the store); Conflict if the name is
        taken."""

    @abstractmethod
    def account(self, name: str | None = None, account_id: int | None = None) -> Account:
        """The account of that name or id; NotFound."""

    @abstractmethod
    def accounts(self) -> list[Account]: ...

    @abstractmethod
    def update_account(self, account: Account) -> None:
        """Save role, password, names, feed key and disabled flag of an account (by id)."""

    @abstractmethod
    def add_session(self, session: Session) -> None: ...

    @abstractmethod
    def session(self, key: str) -> Session | None:
        """The session stored under `key` (the hash of a cookie), if any."""

    @abstractmethod
    def remove_sessions(self, key: str | None = None, account_id: int | None = None) -> None:
        """End one session, or every session of an account."""

    @abstractmethod
    def add_token(self, token: ApiToken) -> ApiToken: ...

    @abstractmethod
    def token(self, key: str) -> ApiToken | None: ...

    @abstractmethod
    def tokens(self, account_id: int) -> list[ApiToken]: ...

    @abstractmethod
    def revoke_token(self, token_id: int, at: str) -> None: ...

    @abstractmethod
    def note_event(self, bucket: str, key: str, at: str, since: str) -> int:
        """Record one event (a failed sign-in, an expensive request) under (bucket, key)
        and return how many there have been since `since`, this one included."""

    @abstractmethod
    def count_events(self, bucket: str, key: str, since: str) -> int: ...

    @abstractmethod
    def clear_events(self, bucket: str, key: str) -> None: ...

    # annotations and discussion
    @abstractmethod
    def add_annotation(self, annotation: Annotation) -> Annotation:
        """Store a new annotation (id given by the store), keeping created/updated times."""

    @abstractmethod
    def annotation(self, annotation_id: int) -> Annotation: ...

    @abstractmethod
    def annotations(self, doc_id: str | None = None) -> list[Annotation]:
        """Every annotation (of one document), hidden and private ones included, in
        thread order (oldest first)."""

    @abstractmethod
    def update_annotation(self, annotation: Annotation) -> None: ...

    @abstractmethod
    def add_report(self, report: Report) -> Report: ...

    @abstractmethod
    def reports(self, open_only: bool = True) -> list[Report]: ...

    @abstractmethod
    def resolve_reports(self, annotation_id: int) -> None: ...

    # follows
    @abstractmethod
    def add_follow(self, follow: Follow) -> Follow:
        """Follow a search or collection (the same one twice is one follow)."""

    @abstractmethod
    def follows(self, account_id: int) -> list[Follow]: ...

    @abstractmethod
    def update_follow(self, follow: Follow) -> None: ...

    @abstractmethod
    def remove_follow(self, follow_id: int, account_id: int) -> None: ...
