"""A store as one audience sees it: everything closed to them is simply not there.

`ScopedStore(store, audience)` answers every read of the Store interface with only
what `audience` may see today (declass.access): documents, their texts and notes,
collections, authorities, events, and every trace of them (search totals and facet
counts, word counts behind corrections and name expansions, spellings, ids of linked
records). A thing closed to the reader and a thing that does not exist answer alike:
NotFound, with the same words. The reading room, the JSON API, parallels, feeds and
exports each read through one, so nothing upstream has to remember to filter.

Writes of records are refused: editing goes through the real store, with its checks,
in declass.editing. A Store method added later and not reviewed here fails closed
(Forbidden) rather than answering unfiltered; tests/access lists the reviewed ones.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, NoReturn

from declass.access import LEVELS, Audience, Clock, Hidden, closed_ids, open_to, visible_document
from declass.accounts.records import Account, ApiToken, Session
from declass.annotations.records import Annotation, Report, Visibility
from declass.editing.records import AuditEntry, Edit
from declass.errors import Forbidden, NotFound
from declass.follows.records import DocumentChange, Follow
from declass.model import (
    Authority,
    AuthorityKind,
    Collection,
    Document,
    Event,
    EventKind,
    Participant,
    Record,
    Rejection,
)
from declass.store import codec
from declass.store.base import (
    AllOf,
    AnyOf,
    ArchiveStats,
    CollectionSpan,
    Excluding,
    FacetCount,
    FieldFilter,
    IndexExpression,
    IngestRun,
    MatchAll,
    PassageVector,
    PersonDocument,
    PersonLink,
    PersonSpelling,
    SearchPage,
    SearchRequest,
    Store,
    TermMatch,
    Version,
    WriteOutcome,
)

HIDDEN_SECONDS = 5.0  # how long the sets of hidden records are kept (edits drop them at once)
NEAR_CANDIDATES = 200  # words weighed for a correction, nearest first
_NOWHERE = "\x00closed"  # a filter value no document holds


def _fresh(kept: tuple[float, int, str, Any] | None, generation: int, day: str) -> bool:
    """Whether what was kept (when, generation, day, value) still holds: the same
    archive, the same day, and not older than HIDDEN_SECONDS."""
    return (
        kept is not None
        and kept[1] == generation
        and kept[2] == day
        and time.monotonic() - kept[0] < HIDDEN_SECONDS
    )


def _refuse(what: str) -> NoReturn:
    raise Forbidden(f"the reading room does not {what}")


class ScopedStore(Store):
    """`inner` as `audience` sees it on the clock's day (see the module's doc)."""

    def __init__(self, inner: Store, audience: Audience, clock: Clock | None = None) -> None:
        self.inner = inner
        self.audience = audience
        self.clock = clock or Clock()
        self._staff = audience is Audience.STAFF
        self._levels = LEVELS[audience]
        self._hidden_cache: tuple[float, int, str, Hidden] | None = None
        self._closed_cache: tuple[float, int, str, int | None] | None = None
        self._lock = threading.Lock()

    # -- what is closed ----------------------------------------------------------------
    @property
    def today(self) -> date:
        return self.clock.today()

    def _day(self) -> str:
        return self.today.isoformat()

    def hidden(self) -> Hidden:
        """Collections and authorities closed to this audience today: closed themselves,
        or (collections) holding documents none of which is open to it."""
        if self._staff:
            return Hidden()
        day = self._day()
        generation = self.inner.generation()
        with self._lock:
            kept = self._hidden_cache
        if _fresh(kept, generation, day):
            return kept[3]  # type: ignore[index]
        today = self.today
        collections = set(closed_ids(self.inner.closed_records("collection"), self.audience, today))
        every = {s.collection_id for s in self.inner.readable_collection_spans(None, day)}
        seen = {s.collection_id for s in self.inner.readable_collection_spans(self._levels, day)}
        collections |= every - seen
        found = Hidden(
            collections=frozenset(collections),
            authorities=closed_ids(self.inner.closed_records("authority"), self.audience, today),
        )
        with self._lock:
            self._hidden_cache = (time.monotonic(), generation, day, found)
        return found

    def _closed_events(self) -> frozenset[str]:
        if self._staff:
            return frozenset()
        return closed_ids(self.inner.closed_records("event"), self.audience, self.today)

    def _open_ids(self, doc_ids: Sequence[str]) -> list[str]:
        """`doc_ids` that are open to the audience, in order (unknown ones dropped)."""
        if not doc_ids:
            return []
        rows = self.inner.document_access(doc_ids)
        today = self.today
        return [
            d
            for d in doc_ids
            if d in rows and open_to(rows[d][0], rows[d][1], self.audience, today)
        ]

    def _visible(self, doc: Document) -> Document | None:
        return visible_document(doc, self.audience, self.today, self.hidden())

    # -- schema and runs -----------------------------------------------------------------
    def migrate(self) -> int:
        return self.inner.schema_version()

    def schema_version(self) -> int:
        return self.inner.schema_version()

    def close(self) -> None:
        """The inner store belongs to its archive: it stays open."""

    def start_run(self, sources: list[str]) -> int:
        _refuse("ingest")

    def finish_run(self, run_id: int, added: int, updated: int, unchanged: int) -> None:
        _refuse("ingest")

    def runs(self) -> list[IngestRun]:
        # Runs name the files read, closed ones too: staff only.
        return self.inner.runs() if self._staff else []

    def reject(self, run_id: int, rejection: Rejection) -> None:
        _refuse("ingest")

    def rejections(self, run_id: int | None = None) -> list[Rejection]:
        return self.inner.rejections(run_id) if self._staff else []

    def restore_run(self, run: IngestRun, rejections: Sequence[Rejection]) -> None:
        _refuse("import")

    # -- documents ---------------------------------------------------------------------
    def put(self, record: Record, run_id: int | None = None) -> WriteOutcome:
        _refuse("write records")

    def put_many(
        self, records: Sequence[Record], run_id: int | None = None, prepared: Any = None
    ) -> list[WriteOutcome]:
        _refuse("write records")

    def document(self, doc_id: str, version: int | None = None) -> Document:
        if self._staff:
            return self.inner.document(doc_id, version)
        suffix = f" version {version}" if version is not None else ""
        refused = NotFound(f"no document {doc_id!r}{suffix}")
        rows = self.inner.document_access([doc_id])
        if doc_id not in rows or (version is not None and version != rows[doc_id][2]):
            raise refused
        found = self._visible(self.inner.document(doc_id))
        if found is None:
            raise refused
        return found

    def versions(self, doc_id: str) -> list[Version]:
        if self._staff:
            return self.inner.versions(doc_id)
        # A reader sees the version that is open now, never the history behind it, and
        # its hash is of what they see (the stored one would betray a closed text).
        seen = self.document(doc_id)
        current = self.inner.versions(doc_id)[-1]
        return [replace(current, content_hash=codec.content_hash(seen), source="", ingest_run=None)]

    def document_texts(self, doc_ids: Sequence[str]) -> dict[str, list[str]]:
        return self.inner.document_texts(doc_ids if self._staff else self._open_ids(doc_ids))

    def stored_versions(self, doc_id: str) -> list[tuple[Version, Document]]:
        if self._staff:
            return self.inner.stored_versions(doc_id)
        doc = self.document(doc_id)
        return [(self.versions(doc_id)[-1], doc)]

    def restore_version(self, doc: Document, version: Version) -> None:
        _refuse("import")

    def documents(
        self, collection: str | None = None, series: str | None = None
    ) -> Iterator[Document]:
        if collection is not None and collection in self.hidden().collections:
            return
        for doc in self.inner.documents(collection, series):
            seen = self._visible(doc)
            if seen is not None:
                yield seen

    def document_ids(self) -> list[str]:
        if self._staff:
            return self.inner.document_ids()
        return [i for i, _ in self.inner.document_stamps(self._levels, self._day(), limit=10**9)]

    def cited_by(self, targets: Sequence[str]) -> list[str]:
        found = self.inner.cited_by(targets)
        return found if self._staff else self._open_ids(found)

    def collection_spans(self, include_restricted: bool = False) -> list[CollectionSpan]:
        return self.readable_collection_spans(None, self._day())

    # -- authorities, events, collections ----------------------------------------------
    def _authority_open(self, authority_id: str | None) -> bool:
        return self._staff or authority_id not in self.hidden().authorities

    def authority(self, authority_id: str) -> Authority:
        if not self._authority_open(authority_id):
            raise NotFound(f"no authority record {authority_id!r}")
        return self.inner.authority(authority_id)

    def authorities(self, kind: AuthorityKind | None = None) -> Iterator[Authority]:
        for a in self.inner.authorities(kind):
            if self._authority_open(a.id):
                yield a

    def authorities_named(self, name: str) -> list[Authority]:
        return [a for a in self.inner.authorities_named(name) if self._authority_open(a.id)]

    def _event(self, e: Event) -> Event:
        hidden = self.hidden().authorities
        if not any(p.authority_id in hidden for p in e.people):
            return e
        return replace(e, people=tuple(_unlinked(p, hidden) for p in e.people))

    def event(self, event_id: str) -> Event:
        if event_id in self._closed_events():
            raise NotFound(f"no event {event_id!r}")
        return self._event(self.inner.event(event_id))

    def events(
        self, kind: EventKind | None = None, person: str | None = None, country: str | None = None
    ) -> Iterator[Event]:
        if person is not None and not self._authority_open(person):
            return
        closed = self._closed_events()
        for e in self.inner.events(kind, person, country):
            if e.id not in closed:
                yield self._event(e)

    def _collection(self, c: Collection) -> Collection:
        if c.parent is not None and c.parent in self.hidden().collections:
            return replace(c, parent=None)
        return c

    def collection(self, collection_id: str) -> Collection:
        if collection_id in self.hidden().collections:
            raise NotFound(f"no collection {collection_id!r}")
        return self._collection(self.inner.collection(collection_id))

    def collections(self) -> list[Collection]:
        hidden = self.hidden().collections
        return [self._collection(c) for c in self.inner.collections() if c.id not in hidden]

    def stats(self) -> ArchiveStats:
        if self._staff:
            return self.inner.stats()
        found = self.search(
            SearchRequest(
                MatchAll(),
                limit=0,
                facets=("type", "decade", "language", "collection"),
                facet_size=10_000,
            )
        )
        every = self.inner.stats()
        authorities = dict(every.authorities)
        for authority_id in self.hidden().authorities:
            kind = self.inner.authority(authority_id).kind.value
            authorities[kind] = authorities.get(kind, 0) - 1
        events = dict(every.events)
        for event_id in self._closed_events():
            kind = self.inner.event(event_id).kind.value
            events[kind] = events.get(kind, 0) - 1

        def counts(name: str) -> dict[str, int]:
            return {f.value: f.count for f in found.facets.get(name, ())}

        spans = self.collection_spans()
        return ArchiveStats(
            documents=found.total,
            versions=found.total,
            authorities={k: n for k, n in authorities.items() if n > 0},
            events={k: n for k, n in events.items() if n > 0},
            collections=len(self.collections()),
            by_collection={s.collection_id: s.documents for s in spans},
            by_type=counts("type"),
            by_decade=dict(sorted(counts("decade").items())),
            by_language=counts("language"),
            rejections=0,
            runs=0,
        )

    # -- search --------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchPage:
        scoped = replace(
            request,
            include_restricted=self._staff,
            access_levels=self._levels,
            today=self._day(),
        )
        if self._staff:
            return self.inner.search(scoped)
        hidden = self.hidden().collections
        if hidden:
            scoped = replace(scoped, expression=_without(scoped.expression, hidden))
        page = self.inner.search(scoped)
        if hidden and "collection" in page.facets:
            facets = dict(page.facets)
            facets["collection"] = tuple(
                f for f in page.facets["collection"] if f.value not in hidden
            )
            page = replace(page, facets=facets)
        return page

    def _closed_documents(self) -> int | None:
        """How many current documents this audience may not read today (None where a
        count is an estimate), kept while the archive and the day are the same."""
        day = self._day()
        generation = self.inner.generation()
        with self._lock:
            kept = self._closed_cache
        if _fresh(kept, generation, day):
            return kept[3]  # type: ignore[index]
        every = self.inner.search(
            SearchRequest(MatchAll(), limit=0, facets=(), include_restricted=True)
        )
        seen = self.search(SearchRequest(MatchAll(), limit=0, facets=()))
        closed = every.total - seen.total if every.exact and seen.exact else None
        with self._lock:
            self._closed_cache = (time.monotonic(), generation, day, closed)
        return closed

    def _visible_count(self, word: str) -> int:
        found = self.search(SearchRequest(TermMatch((word,)), limit=0, facets=()))
        return found.total

    def term_counts(self, words: Sequence[str]) -> dict[str, int]:
        counts = self.inner.term_counts(words)
        if self._staff or self._closed_documents() == 0:
            return counts  # every document holding a word is one this audience reads
        # A word only closed documents hold is a word the archive does not have.
        return {w: self._visible_count(w) if n else 0 for w, n in counts.items()}

    def near_terms(self, word: str, max_distance: int) -> list[tuple[str, int, int]]:
        found = self.inner.near_terms(word, max_distance)
        if self._staff:
            return found
        counted = [(t, d, self._visible_count(t)) for t, d, _ in found[:NEAR_CANDIDATES]]
        return sorted(
            ((t, d, n) for t, d, n in counted if n > 0), key=lambda x: (x[1], -x[2], x[0])
        )

    def similar_terms(self, word: str, max_distance: int, limit: int = 5) -> list[str]:
        if self._staff:
            return self.inner.similar_terms(word, max_distance, limit)
        near = self.near_terms(word, max_distance)
        best = min((d for _, d, _ in near), default=0)
        return [t for t, d, _ in near if d == best][:limit]

    # -- passage embeddings ----------------------------------------------------------
    def put_passage_vectors(
        self, model: str, doc_id: str, vectors: Sequence[PassageVector]
    ) -> None:
        # Parallels embed the open documents they read: vectors of the catalogue.
        self.inner.put_passage_vectors(model, doc_id, vectors)

    def passage_vectors(
        self, model: str, doc_ids: Sequence[str] | None = None
    ) -> Iterator[PassageVector]:
        if self._staff:
            yield from self.inner.passage_vectors(model, doc_ids)
            return
        allowed = set(self._open_ids(list(doc_ids)) if doc_ids is not None else self.document_ids())
        for v in self.inner.passage_vectors(model, doc_ids):
            if v.doc_id in allowed:
                yield v

    def embedded_documents(self, model: str) -> dict[str, str]:
        found = self.inner.embedded_documents(model)
        if self._staff:
            return found
        return {d: found[d] for d in self._open_ids(sorted(found))}

    # -- persons across sources ------------------------------------------------------
    def authority_hashes(self, kind: AuthorityKind) -> dict[str, str]:
        return {
            k: v for k, v in self.inner.authority_hashes(kind).items() if self._authority_open(k)
        }

    def identifier_values(self, scheme: str) -> list[tuple[str, str]]:
        return [(a, v) for a, v in self.inner.identifier_values(scheme) if self._authority_open(a)]

    def _link_open(self, link: PersonLink) -> bool:
        return self._authority_open(link.authority_id) and self._authority_open(link.person_id)

    def person_links(self, authority_ids: Sequence[str] | None = None) -> dict[str, PersonLink]:
        found = self.inner.person_links(authority_ids)
        return {k: v for k, v in found.items() if self._link_open(v)}

    def person_members(self, person_ids: Sequence[str]) -> list[PersonLink]:
        return [m for m in self.inner.person_members(person_ids) if self._link_open(m)]

    def update_person_links(
        self,
        links: Sequence[PersonLink],
        spellings: Mapping[str, Sequence[PersonSpelling]],
        removed: Sequence[str] = (),
    ) -> None:
        _refuse("relink persons")

    def person_spellings(
        self,
        keys: Sequence[str] = (),
        surnames: Sequence[str] = (),
        person_ids: Sequence[str] = (),
    ) -> list[PersonSpelling]:
        found = self.inner.person_spellings(keys, surnames, person_ids)
        return [
            s
            for s in found
            if self._authority_open(s.authority_id) and self._authority_open(s.person_id)
        ]

    def person_documents(
        self, authority_ids: Sequence[str], limit: int | None = None
    ) -> list[PersonDocument]:
        ids = [a for a in authority_ids if self._authority_open(a)]
        found = self.inner.person_documents(ids)
        if not self._staff:
            allowed = set(self._open_ids(list(dict.fromkeys(d.doc_id for d in found))))
            found = [d for d in found if d.doc_id in allowed]
        return found[:limit] if limit is not None else found

    # -- access, editorial work ------------------------------------------------------
    def document_access(self, doc_ids: Sequence[str]) -> dict[str, tuple[str, str | None, int]]:
        found = self.inner.document_access(doc_ids)
        if self._staff:
            return found
        return {d: found[d] for d in self._open_ids(list(found))}

    def closed_records(self, kind: str) -> dict[str, tuple[str, str | None]]:
        # What is closed is itself closed: a reader is told of nothing.
        return self.inner.closed_records(kind) if self._staff else {}

    def readable_collection_spans(
        self, levels: Sequence[str] | None, today: str
    ) -> list[CollectionSpan]:
        spans = self.inner.readable_collection_spans(
            None if self._staff else self._levels, self._day()
        )
        hidden = self.hidden().collections
        return [s for s in spans if s.collection_id not in hidden]

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
        if collection is not None and collection in self.hidden().collections:
            return []
        return self.inner.document_stamps(
            None if self._staff else self._levels,
            self._day(),
            after,
            limit,
            since,
            until,
            collection,
        )

    def document_changes(self, since: str, today: str) -> list[DocumentChange]:
        found = self.inner.document_changes(since, self._day())
        allowed = set(self._open_ids(list(dict.fromkeys(c.doc_id for c in found))))
        return [c for c in found if c.doc_id in allowed]

    def edit_document(self, doc: Document, base_version: int, edit: Edit) -> Version:
        _refuse("edit (declass.editing does)")

    def edit_record(
        self, record: Authority | Event | Collection, base_hash: str, edit: Edit
    ) -> str:
        _refuse("edit (declass.editing does)")

    def record_hash(self, kind: str, record_id: str) -> str:
        if kind == "collection":
            self.collection(record_id)
        elif kind == "authority":
            self.authority(record_id)
        else:
            self.event(record_id)
        return self.inner.record_hash(kind, record_id)

    def record_history(self, kind: str, record_id: str) -> list[tuple[int, Record]]:
        if not self._staff:
            raise NotFound(f"no {kind} {record_id!r}")
        return self.inner.record_history(kind, record_id)

    def edits(
        self,
        kind: str | None = None,
        record_id: str | None = None,
        since: str = "",
        limit: int = 200,
    ) -> list[Edit]:
        # Readers see corrections through declass.editing.errata, which checks each.
        return self.inner.edits(kind, record_id, since, limit) if self._staff else []

    def restore_edit(self, edit: Edit) -> None:
        _refuse("import")

    def restore_history(self, kind: str, number: int, record: Record) -> None:
        _refuse("import")

    def add_audit(self, entry: AuditEntry) -> None:
        _refuse("keep the audit log")

    def audit_log(self, limit: int = 100, offset: int = 0, actor: str = "") -> list[AuditEntry]:
        return self.inner.audit_log(limit, offset, actor) if self._staff else []

    def generation(self) -> int:
        return self.inner.generation()

    # accounts, sessions, tokens, throttles: not a reading surface.
    def add_account(self, account: Account) -> Account:
        _refuse("keep accounts")

    def account(self, name: str | None = None, account_id: int | None = None) -> Account:
        _refuse("keep accounts")

    def accounts(self) -> list[Account]:
        _refuse("keep accounts")

    def update_account(self, account: Account) -> None:
        _refuse("keep accounts")

    def add_session(self, session: Session) -> None:
        _refuse("keep sessions")

    def session(self, key: str) -> Session | None:
        _refuse("keep sessions")

    def remove_sessions(self, key: str | None = None, account_id: int | None = None) -> None:
        _refuse("keep sessions")

    def add_token(self, token: ApiToken) -> ApiToken:
        _refuse("keep tokens")

    def token(self, key: str) -> ApiToken | None:
        _refuse("keep tokens")

    def tokens(self, account_id: int) -> list[ApiToken]:
        _refuse("keep tokens")

    def revoke_token(self, token_id: int, at: str) -> None:
        _refuse("keep tokens")

    def note_event(self, bucket: str, key: str, at: str, since: str) -> int:
        _refuse("keep throttles")

    def count_events(self, bucket: str, key: str, since: str) -> int:
        _refuse("keep throttles")

    def clear_events(self, bucket: str, key: str) -> None:
        _refuse("keep throttles")

    # annotations: the public, shown ones on open documents (a reader's own private
    # ones are added by declass.annotations, which knows the reader).
    def _annotation_open(self, a: Annotation) -> bool:
        if self._staff:
            return a.visibility is Visibility.PUBLIC
        return a.visibility is Visibility.PUBLIC and not a.hidden

    def add_annotation(self, annotation: Annotation) -> Annotation:
        _refuse("write annotations (declass.annotations does)")

    def annotation(self, annotation_id: int) -> Annotation:
        a = self.inner.annotation(annotation_id)
        if not self._annotation_open(a) or not self._open_ids([a.doc_id]):
            raise NotFound(f"no annotation {annotation_id}")
        return a

    def annotations(self, doc_id: str | None = None) -> list[Annotation]:
        found = [a for a in self.inner.annotations(doc_id) if self._annotation_open(a)]
        allowed = set(self._open_ids(list(dict.fromkeys(a.doc_id for a in found))))
        if self._staff:
            allowed = {a.doc_id for a in found}
        return [a for a in found if a.doc_id in allowed]

    def update_annotation(self, annotation: Annotation) -> None:
        _refuse("write annotations (declass.annotations does)")

    def add_report(self, report: Report) -> Report:
        _refuse("write reports (declass.annotations does)")

    def reports(self, open_only: bool = True) -> list[Report]:
        return self.inner.reports(open_only) if self._staff else []

    def resolve_reports(self, annotation_id: int) -> None:
        _refuse("moderate (declass.annotations does)")

    def add_follow(self, follow: Follow) -> Follow:
        _refuse("keep follows")

    def follows(self, account_id: int) -> list[Follow]:
        _refuse("keep follows")

    def update_follow(self, follow: Follow) -> None:
        _refuse("keep follows")

    def remove_follow(self, follow_id: int, account_id: int) -> None:
        _refuse("keep follows")


# Store methods added later fail closed until reviewed here (tests/access checks the list).
REVIEWED = frozenset(name for name in Store.__abstractmethods__ if name in vars(ScopedStore))


def _unreviewed(name: str) -> Any:
    def refuse(self: ScopedStore, *args: Any, **kwargs: Any) -> NoReturn:
        raise Forbidden(f"{name} is not yet reviewed for access (declass.store.scoped)")

    refuse.__name__ = name
    return refuse


for _name in Store.__abstractmethods__ - REVIEWED:
    setattr(ScopedStore, _name, _unreviewed(_name))
ScopedStore.__abstractmethods__ = frozenset()


def _unlinked(p: Participant, hidden: frozenset[str]) -> Participant:
    return replace(p, authority_id=None) if p.authority_id in hidden else p


def _without(e: IndexExpression, hidden: frozenset[str]) -> IndexExpression:
    """`e` with filters on hidden collections matching nothing (so a reader who types
    a closed collection's id learns no more than from any unknown one)."""
    if isinstance(e, FieldFilter) and e.field == "collection":
        closed = {h.casefold() for h in hidden}  # filters compare case-blind
        values = tuple(_NOWHERE if v.casefold() in closed else v for v in e.values)
        return replace(e, values=values)
    if isinstance(e, AllOf | AnyOf):
        return type(e)(tuple(_without(p, hidden) for p in e.parts))
    if isinstance(e, Excluding):
        return Excluding(_without(e.part, hidden))
    return e


__all__ = ["REVIEWED", "FacetCount", "ScopedStore"]
