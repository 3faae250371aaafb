"""What the reading room shows, as plain data: one function per page, used by the HTML
pages and the JSON API alike, so that the API carries everything a page shows.

Each room reads through a store scoped to its audience (declass.store.scoped,
declass.web.rooms): what its readers may not see is not there, in documents, search
and every list built from them.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

from declass import citations, persons
from declass.access import Audience
from declass.archive import Archive
from declass.countries import country_at
from declass.errors import NotFound, QueryError
from declass.ingest.translations import align
from declass.model import (
    Authority,
    AuthorityKind,
    Block,
    BlockKind,
    Collection,
    Document,
    Event,
    EventKind,
    Note,
    NoteKind,
    Participant,
    ParticipantRole,
    Text,
    TextRole,
)
from declass.names import fold
from declass.search.engine import SearchResults, search
from declass.store.base import CollectionSpan, FieldFilter, IndexHit, SearchRequest, Store
from declass.store.scoped import ScopedStore
from declass.terminal import format_date
from declass.web import overview, volumes
from declass.web.labels import FACET_NAMES, ROLES, FacetLabels

PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_PAGE = 1000
CACHE_SECONDS = 60.0  # lists built from the whole catalogue: a re-ingest shows within this

T = TypeVar("T")


def document_path(doc_id: str) -> str:
    """The permalink of a document (ids hold ':' and '/', kept readable)."""
    return "/documents/" + quote(doc_id, safe=":/")


def person_path(authority_id: str) -> str:
    return "/people/" + quote(authority_id, safe=":/")


def person_lookup_path(name: str) -> str:
    return "/people?" + urlencode({"name": name})


def country_path(code: str) -> str:
    return "/countries/" + quote(code, safe="")


def collection_path(collection_id: str) -> str:
    return "/collections/" + quote(collection_id, safe=":/")


def front_matter_path(collection_id: str, section_id: str) -> str:
    return collection_path(collection_id) + "/front/" + quote(section_id, safe="")


def search_path(q: str = "", facets: Sequence[str] = (), **extra: Any) -> str:
    params = [_param("q", q), *(_param("facet", f) for f in facets)]
    params += [_param(k, v) for k, v in extra.items() if v not in (None, "", False)]
    return "/search?" + "&".join(params)


@lru_cache(maxsize=4096)
def _param(key: str, value: Any) -> str:
    """One parameter of a query string, as urlencode writes it (a page's facet links
    repeat the same few dozen)."""
    return urlencode([(key, value)])


class _Cached:
    """Values rebuilt from the catalogue at most every CACHE_SECONDS, the most recently
    used `size` kept."""

    def __init__(self, size: int = 512) -> None:
        self._values: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self.size = size  # 0: nothing kept (a server started with its caches off)
        self._lock = threading.Lock()  # requests are served on several threads

    def get(self, key: str, build: Callable[[], T]) -> T:
        if self.size <= 0:
            return build()
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
        if hit is None or now - hit[0] > CACHE_SECONDS:
            hit = (now, build())
        with self._lock:
            self._values[key] = hit
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return hit[1]  # type: ignore[no-any-return,unused-ignore]

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


@dataclass(frozen=True)
class Paging:
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    def as_json(self) -> dict[str, int]:
        return {
            "page": self.page,
            "page_size": self.page_size,
            "total": self.total,
            "pages": self.pages,
        }


class ReadingRoom:
    """The reading room's view of one Archive, with the few caches it keeps."""

    def __init__(
        self, archive: Archive, cache: bool = True, store: ScopedStore | None = None
    ) -> None:
        self.archive = archive
        # Every read goes through a store scoped to one audience (the public's unless
        # given): what it may not see is not there (declass.store.scoped).
        self.store: Store = store or ScopedStore(archive.store, Audience.PUBLIC)
        # `cache` False: every request computed anew (benchmarks of the engine itself).
        self._cache = _Cached(size=512 if cache else 0)
        # search results: repeated queries and facet clicks
        self._results = _Cached(size=256 if cache else 0)
        # The catalogue's collections and the labels of facet values drawn from them:
        # the same for every query, kept even with the caches off (they answer no
        # query; an edit, the day's turn or CACHE_SECONDS renews them).
        self._catalogue = _Cached(size=8)

    def forget(self) -> None:
        """Drop everything kept (an edit was saved; the day turned)."""
        self._cache.clear()
        self._results.clear()
        self._catalogue.clear()

    # -- home, timeline -------------------------------------------------------------
    def home(self) -> dict[str, Any]:
        everything = self._search("", facet_size=500)
        spans = self._spans()
        records = list(self._collections().values())
        labels = self._labels()
        stats = self._cache.get("stats", self.store.stats)
        collections = [
            {
                "id": c.id,
                "title": c.title,
                "short_title": labels.label("collection", c.id),
                "description": c.description,
                "kind": c.kind,
                "documents": spans[c.id].documents,
                "span": overview.span_words(spans[c.id]),
                "href": collection_path(c.id),
            }
            for c in records
            if c.id in spans and spans[c.id].documents
        ]
        return {
            "documents": everything.total,
            "corpora": overview.corpora(records, spans, collection_path),
            "frus": overview.frus_volumes(records, spans, collection_path),
            "authorities": stats.authorities,
            "events": stats.events,
            "collections": collections,
            "decades": _sorted_counts(everything, "decade"),
            "types": [
                {**t, "label": labels.label("type", t["value"])}
                for t in _sorted_counts(everything, "type", by_value=False)
            ],
            "languages": [
                {**t, "label": labels.label("language", t["value"])}
                for t in _sorted_counts(everything, "language", by_value=False)
            ],
        }

    def _spans(self) -> dict[str, CollectionSpan]:
        return self._cache.get(
            "spans", lambda: {s.collection_id: s for s in self.store.collection_spans()}
        )

    def timeline(self) -> dict[str, Any]:
        everything = self._search("", facet_size=1000)
        years = _sorted_counts(everything, "year")
        for y in years:
            y["href"] = search_path("", [f"year:{y['value']}"], sort="date")
        counts = {int(y["value"]): y["count"] for y in years if str(y["value"]).isdigit()}
        series = self._cache.get(
            "timeline", lambda: overview.timeline_series(counts, self._essays())
        )
        return {
            "documents": everything.total,
            "years": years,
            "decades": _sorted_counts(everything, "decade"),
            "series": series,
        }

    def _essays(self) -> list[IndexHit]:
        """Every readable essay with the span of its subject, for the timeline."""
        hits: list[IndexHit] = []
        while True:
            page = self.store.search(
                SearchRequest(
                    FieldFilter("type", ("essay",)),
                    sort="date",
                    offset=len(hits),
                    limit=MAX_PAGE_SIZE,
                    facets=(),
                )
            )
            hits += page.hits
            if not page.hits or len(hits) >= page.total or len(hits) >= 5000:
                return hits

    # -- search ----------------------------------------------------------------------
    def search(
        self,
        q: str,
        facets: Sequence[str] = (),
        sort: str = "relevance",
        page: int = 1,
        page_size: int = PAGE_SIZE,
        expand: bool = True,
    ) -> dict[str, Any]:
        page, page_size = _paging(page, page_size)
        found = self._search(
            q, facets=facets, sort=sort, page=page, page_size=page_size, expand=expand
        )
        paging = Paging(page, page_size, found.total)
        selected = [f"{k}:{v}" for k, v in found.selected_facets]
        extra = {"sort": sort if sort != "relevance" else None, "expand": None if expand else "0"}

        def facet_link(name: str, value: str) -> tuple[str, bool]:
            key = f"{name}:{value}"
            chosen = key in selected
            kept = [f for f in selected if f != key] if chosen else [*selected, key]
            return search_path(q, kept, **extra), chosen

        labels = self._labels()
        facets_out: dict[str, list[dict[str, Any]]] = {}
        for name, counts in found.facets.items():
            rows = []
            for c in counts:
                href, chosen = facet_link(name, c.value)
                rows.append(
                    {
                        "value": c.value,
                        "label": labels.label(name, c.value),
                        "count": c.count,
                        "href": href,
                        "selected": chosen,
                    }
                )
            facets_out[name] = rows

        def page_link(n: int) -> str | None:
            if 1 <= n <= paging.pages and n != page:
                return search_path(q, selected, page=n if n > 1 else None, **extra)
            return None

        return {
            "query": q,
            "sort": sort,
            "expanded": found.expanded,
            **paging.as_json(),
            # False: a very broad query on a very large archive, counted on a sample.
            "total_exact": found.exact,
            "results": [
                {
                    "id": r.doc_id,
                    "title": r.title,
                    "date": r.date,
                    "date_label": r.date_label or r.date,
                    "href": document_path(r.doc_id),
                    "snippet": r.snippet.text if r.snippet else "",
                    "highlights": [list(h) for h in r.snippet.highlights] if r.snippet else [],
                    "snippet_parts": _snippet_parts(r.snippet.text, r.snippet.highlights)
                    if r.snippet
                    else [],
                }
                for r in found.results
            ],
            "facets": facets_out,
            "facet_names": FACET_NAMES,
            "selected_facets": [
                {
                    "facet": f,
                    "label": labels.chip(f),
                    "remove": search_path(q, [g for g in selected if g != f], **extra),
                }
                for f in selected
            ],
            "variants_searched": [
                {"name": e.name, "variants": list(e.variants)} for e in found.expansions
            ],
            "corrections": [
                {"typed": typed, "searched": list(near)} for typed, near in found.corrections
            ],
            "links": {
                "next": page_link(page + 1),
                "prev": page_link(page - 1),
                "toggle_expansion": search_path(
                    q,
                    selected,
                    sort=extra["sort"],
                    expand="0" if expand else None,
                ),
            },
        }

    def _search(
        self,
        q: str,
        facets: Sequence[str] = (),
        sort: str = "relevance",
        page: int = 1,
        page_size: int = PAGE_SIZE,
        expand: bool = True,
        facet_size: int = 10,
        snippets: bool = True,
    ) -> SearchResults:
        key = repr((q, tuple(facets), sort, page, page_size, expand, facet_size, snippets))
        return self._results.get(
            key,
            lambda: search(
                self.store,
                q,
                expand=expand,
                sort=sort,
                page=page,
                page_size=page_size,
                facets=list(facets),
                snippets=snippets,
                facet_size=facet_size,
            ),
        )

    # -- documents -------------------------------------------------------------------
    def document(
        self, doc_id: str, base_url: str = "", languages: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        """A document for display; `languages` picks the two texts shown side by side
        when it has several equally authentic ones (a treaty's official languages)."""
        doc = self.store.document(doc_id)
        url = base_url.rstrip("/") + document_path(doc.id)
        volume = self._volume_of(doc)
        titles = self._collection_titles()
        archive_title = titles.get(doc.collections[0], "") if doc.collections else ""
        pages = volumes.printed_pages(doc)
        item = citations.csl_item(
            doc,
            url,
            archive=archive_title,
            volume=volume,
            pages=(pages[0], pages[-1]) if pages else None,
        )
        book = citations.volume_item(volume) if volume is not None else None
        styles = {
            name: self._cache.get(
                f"cite:{name}:" + json.dumps([item, book], sort_keys=True),
                lambda name=name: citations.render(item, name, book),  # type: ignore[misc]
            )
            for name in citations.STYLES
        }
        numbered = _numbered_notes(doc)
        texts = [_text_json(i, t, numbered) for i, t in enumerate(doc.texts)]
        heading = _title_block(doc, texts)
        parallel = _parallel(doc, numbered, languages)
        when = volumes.date_words(doc.date)
        labels = self._labels()
        return {
            "id": doc.id,
            "title": doc.title,
            "title_segments": heading,
            "type": doc.doc_type.value,
            "type_label": labels.label("type", doc.doc_type.value),
            "number": doc.number,
            "date": format_date(doc.date) if doc.date else "",
            "date_label": when["text"],
            "date_note": when["note"],
            "date_iso": doc.date.sort_key() if doc.date else "",
            "place": doc.place,
            "language": doc.language,
            "permalink": url,
            "hsg_url": volumes.hsg_url(doc.id) if doc.id.startswith("frus:") else None,
            "pages": pages,
            "participants": [
                _participant_json(p)
                for p in sorted(doc.participants, key=lambda p: p.role is ParticipantRole.MENTIONED)
            ],
            "countries": [
                {
                    "code": c.code,
                    "name": c.name,
                    "href": country_path(c.code),
                    "derived": c.derived,
                }
                for c in doc.countries
            ],
            "collections": [
                {"id": c, "title": labels.label("collection", c), "href": collection_path(c)}
                for c in doc.collections
            ],
            "volume": self._volume_json(volume, doc) if volume is not None else None,
            "subjects": list(doc.subjects),
            "archival_reference": _reference_json(doc),
            "source_note": doc.source_note,
            "texts": texts,
            "parallel": parallel,
            "notes": [
                {
                    "number": number,
                    "id": f"note-{number}",
                    "kind": n.kind.value,
                    "label": n.label or str(number),
                    "text": n.text,
                    "author": n.author,
                }
                for n, number in numbered.values()
            ],
            "document_notes": [
                {"kind": n.kind.value, "text": n.text, "author": n.author}
                for n in doc.notes
                if n.kind is not NoteKind.SOURCE and n.anchor is None
            ],
            "links": self._links(doc),
            "cited_by": self._cited_by(doc, pages),
            "series": self._neighbours(doc),
            "citation": {
                "style": citations.CHICAGO_STYLE,
                "chicago_note": styles["chicago"].note,
                "chicago_bibliography": styles["chicago"].bibliography,
                "styles": [
                    {"id": name, "label": r.label, "note": r.note, "bibliography": r.bibliography}
                    for name, r in styles.items()
                ],
                "bibtex": citations.bibtex(item),
                "ris": citations.ris(item),
                "csl_json": item,
                "meta": [
                    list(t)
                    for t in citations.zotero_meta(
                        item,
                        volume.title if volume is not None else "",
                        people=citations.authors(doc) if volume is not None else None,
                    )
                ],
            },
        }

    def _collection_titles(self) -> dict[str, str]:
        return self._cache.get(
            "collections", lambda: {c.id: c.title for c in self.store.collections()}
        )

    def _collections(self) -> dict[str, Collection]:
        return self._catalogue.get(
            "collection-records", lambda: {c.id: c for c in self.store.collections()}
        )

    def _labels(self) -> FacetLabels:
        return self._catalogue.get("labels", lambda: FacetLabels(self._collections().values()))

    def _volume_of(self, doc: Document) -> Collection | None:
        """The printed volume a document belongs to, when the archive holds it."""
        found = self._collections()
        for cid in doc.collections:
            c = found.get(cid)
            if c is not None and c.kind == "volume":
                return c
        return None

    def _volume_json(self, volume: Collection, doc: Document) -> dict[str, Any]:
        return {
            "id": volume.id,
            "title": volume.title,
            "short_title": self._labels().label("collection", volume.id),
            "href": collection_path(volume.id),
            "contents_href": collection_path(volume.id) + f"#{_doc_anchor(doc.id)}",
            "search_href": search_path("", [f"collection:{volume.id}"]),
            "divisions": list(doc.divisions),
        }

    def _links(self, doc: Document) -> list[dict[str, Any]]:
        """The records a document links to: here when the archive holds them, on
        history.state.gov otherwise."""
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        collections = self._collections()
        for ref in doc.references:
            if ref.target in seen:
                continue
            seen.add(ref.target)
            href = None
            if ref.target in collections:
                href = collection_path(ref.target)
            elif "#" not in ref.target and self._holds(ref.target):
                href = document_path(ref.target)
            out.append(
                {
                    "target": ref.target,
                    "label": ref.label or ref.target,
                    "href": href,
                    "external": volumes.hsg_url(ref.target),
                    "in_note": ref.in_note,
                }
            )
        return out

    def _holds(self, doc_id: str) -> bool:
        def build() -> bool:
            try:
                self.store.document(doc_id)
                return True
            except NotFound:
                return False

        return self._cache.get("holds:" + doc_id, build)

    def _cited_by(self, doc: Document, pages: list[str]) -> list[dict[str, Any]]:
        """Documents linking to this one, or to a printed page it spans."""
        targets = [doc.id]
        volume_id = volumes.volume_of(doc.id)
        if volume_id is not None:
            targets += [f"{volume_id}#pg_{p}" for p in pages]

        def build() -> list[dict[str, Any]]:
            found = []
            for cid in self.store.cited_by(targets)[:MAX_PAGE_SIZE]:
                if cid == doc.id:
                    continue
                try:
                    other = self.store.document(cid)
                except NotFound:
                    continue
                found.append(
                    {
                        "id": other.id,
                        "title": other.title,
                        "href": document_path(other.id),
                        "volume": self._labels().label("collection", other.collections[-1])
                        if other.collections
                        else "",
                    }
                )
            return found

        return self._cache.get("cited-by:" + "|".join(targets), build)

    def _neighbours(self, doc: Document) -> dict[str, Any] | None:
        """Previous and next readable documents of the document's series, in the
        series' own order (a volume's: as printed), not by date."""
        if not doc.series:
            return None

        def build() -> list[tuple[str, str, str]]:
            members = list(self.store.documents(series=doc.series))
            members.sort(key=lambda d: (d.sequence if d.sequence is not None else 1 << 30, d.id))
            return [(d.id, d.title, d.number) for d in members]

        members = self._cache.get(f"series:{doc.series}", build)
        ids = [m[0] for m in members]
        if doc.id not in ids:
            return {"id": doc.series, "previous": None, "next": None, "position": None}
        i = ids.index(doc.id)

        def link(j: int) -> dict[str, str] | None:
            if 0 <= j < len(members):
                return {
                    "id": members[j][0],
                    "title": members[j][1],
                    "number": members[j][2],
                    "href": document_path(members[j][0]),
                }
            return None

        return {
            "id": doc.series,
            "position": i + 1,
            "size": len(members),
            "previous": link(i - 1),
            "next": link(i + 1),
        }

    # -- people ----------------------------------------------------------------------
    def person(self, authority_id: str, page: int = 1) -> dict[str, Any]:
        """One person across every source that names them (`declass.persons`): the
        canonical record's id is `id`; any record linked to it answers with the same."""
        found = persons.person(self.store, authority_id)
        main = self.store.authority(found.id)
        if main.kind is not AuthorityKind.PERSON:
            raise NotFound(f"no person {authority_id!r}")
        posts = persons.person_posts(self.store, found.id)
        journeys: dict[str, Event] = {}
        for member in found.authority_ids:
            for e in self.store.events(person=member):
                if e.kind in (EventKind.VISIT, EventKind.TRAVEL):
                    journeys.setdefault(e.id, e)
        events = sorted(journeys.values(), key=lambda e: (e.date.sort_key(), e.id))
        query = person_query(found.name)
        page, _ = _paging(page, PAGE_SIZE)
        documents = self._search(query, sort="date", page=page, snippets=False)
        paging = Paging(page, PAGE_SIZE, documents.total)
        # Records that print only the surname ("Mr. GROMYKO" in the UN speakers list) are
        # not linked to anyone: counted apart, and said to be possibly someone else.
        family = _family(found.name)
        by_surname = f'person:"{family}" NOT {query}'
        surname_total = self._search(by_surname, page=1, snippets=False, page_size=0).total
        description = found.description or next(
            (i.text for i in found.identifications if i.text), ""
        )
        return {
            "id": found.id,
            "requested": authority_id,
            "name": found.name,
            "display_name": found.name,
            "birth_year": found.birth_year,
            "death_year": found.death_year,
            "description": description,
            "variants": [
                {
                    "name": sp.name,
                    "kind": "",
                    "language": "",
                    "source": " ".join(sp.sources),
                    "sources": variant_sources(" ".join(sp.sources)),
                }
                for sp in found.spellings
            ],
            "identifications": [
                {
                    "source": i.source,
                    "label": self._labels().label("collection", f"frus:{i.source}")
                    if _FRUS_VOLUME_ID.match(i.source)
                    else i.source,
                    "text": i.text,
                }
                for i in found.identifications
            ],
            "records": [{"id": m.authority_id, "evidence": m.evidence} for m in found.members],
            "identifiers": [{"scheme": sc, "value": v} for sc, v in main.identifiers],
            "posts": [_event_json(e) for e in posts],
            "events": [_event_json(e) for e in events],
            "timeline": _event_years([*posts, *events]),
            "documents": {
                "query": query,
                "search": search_path(query, sort="date"),
                "surname_only": {
                    "query": by_surname,
                    "search": search_path(by_surname, sort="date"),
                    "total": surname_total,
                },
                **paging.as_json(),
                "results": [
                    {
                        "id": r.doc_id,
                        "title": r.title,
                        "date": r.date,
                        "date_label": r.date_label or r.date,
                        "href": document_path(r.doc_id),
                    }
                    for r in documents.results
                ],
                "types": _sorted_counts(documents, "type", by_value=False),
            },
        }

    def people_named(self, name: str) -> list[dict[str, Any]]:
        """Every person the name can mean, once each (all spellings, all sources): a
        full name finds its bearer, a surname everyone recorded with it."""
        name = name.strip()
        if not name:
            return []
        return [
            {
                "id": p.id,
                "name": p.name,
                "display_name": p.name,
                "years": f"{p.birth_year or '?'}–{p.death_year or ''}"
                if p.birth_year or p.death_year
                else "",
                "description": (
                    p.description or next((i.text for i in p.identifications if i.text), "")
                ).split("\n\n")[0][:300],
                "spellings": [
                    {"name": sp.name, "sources": variant_sources(" ".join(sp.sources))}
                    for sp in p.spellings
                ],
                "href": person_path(p.id),
            }
            for p in persons.persons_named(self.store, name)
        ]

    def _surname_index(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for a in self.store.authorities(AuthorityKind.PERSON):
            for key in {fold(citations.person_name(n)["family"]) for n in a.all_names}:
                index.setdefault(key, []).append(a.id)
        return index

    # -- countries -------------------------------------------------------------------
    def country(self, code: str) -> dict[str, Any]:
        code = code.upper()
        documents = self._search("", facets=[f"country:{code}"], facet_size=500, snippets=False)
        visits = list(self.store.events(kind=EventKind.VISIT, country=code))
        chiefs = list(self.store.events(kind=EventKind.APPOINTMENT, country=code))
        if not documents.total and not visits and not chiefs:
            raise NotFound(f"nothing in the archive about the country {code!r}")
        try:
            name = country_at(code).name
        except (KeyError, ValueError, LookupError):
            name = code
        essays = self._search(
            "",
            facets=[f"country:{code}", "collection:rdcr"],
            sort="date",
            page_size=20,
            snippets=False,
        )
        return {
            "code": code,
            "name": name,
            "documents": documents.total,
            "search": search_path("", [f"country:{code}"], sort="date"),
            "years": [
                {
                    **y,
                    "href": search_path("", [f"country:{code}", f"year:{y['value']}"], sort="date"),
                }
                for y in _sorted_counts(documents, "year")
            ],
            "relations": [
                {"id": r.doc_id, "title": r.title, "href": document_path(r.doc_id)}
                for r in essays.results
            ],
            "visits": [_event_json(e) for e in visits],
            "chiefs_of_mission": [_event_json(e) for e in chiefs],
        }

    # -- collections -----------------------------------------------------------------
    def collections(self) -> list[dict[str, Any]]:
        return self.home()["collections"]  # type: ignore[no-any-return]

    def collection(self, collection_id: str, page: int = 1, page_size: int = 20) -> dict[str, Any]:
        c = self.store.collection(collection_id)
        if c.kind == "volume":
            return self._volume(c)
        page, page_size = _paging(page, page_size)
        found = self._search(
            "",
            facets=[f"collection:{c.id}"],
            sort="date",
            page=page,
            page_size=page_size,
            snippets=False,
        )
        paging = Paging(page, page_size, found.total)
        base = collection_path(c.id)

        def link(n: int) -> str | None:
            return f"{base}?page={n}" if 1 <= n <= paging.pages and n != page else None

        return {
            "id": c.id,
            "title": c.title,
            "kind": c.kind,
            "description": c.description,
            "parent": c.parent,
            "search_href": search_path("", [f"collection:{c.id}"]),
            **paging.as_json(),
            "results": [
                {
                    "id": r.doc_id,
                    "title": r.title,
                    "date": r.date,
                    "date_label": r.date_label or r.date,
                    "href": document_path(r.doc_id),
                }
                for r in found.results
            ],
            "links": {"next": link(page + 1), "prev": link(page - 1)},
        }

    def _volume(self, c: Collection) -> dict[str, Any]:
        """A printed volume as a book: its particulars, front matter and contents in the
        volume's own order, grouped by compilation and chapter."""

        def build() -> list[dict[str, Any]]:
            members = list(self.store.documents(collection=c.id))
            return volumes.contents(members, document_path)

        groups = self._cache.get("contents:" + c.id, build)
        ids = dict(c.identifiers)
        span = self._spans().get(c.id)
        return {
            "id": c.id,
            "title": c.title,
            "short_title": self._labels().label("collection", c.id),
            "kind": c.kind,
            "description": c.description,
            "parent": c.parent,
            "editors": list(c.editors),
            "coverage": c.coverage.label if c.coverage else "",
            "summary": c.summary,
            "published": c.published,
            "identifiers": [{"scheme": k, "value": v} for k, v in c.identifiers],
            "isbn": ids.get("isbn-13", ids.get("isbn-10", "")),
            "hsg_url": volumes.hsg_url(c.id) if c.id.startswith("frus:") else None,
            "search_href": search_path("", [f"collection:{c.id}"]),
            "front_matter": [
                {"id": s.id, "title": s.title, "href": front_matter_path(c.id, s.id)}
                for s in c.sections
            ],
            "total": sum(len(g["documents"]) for g in groups),
            "documents": span.documents if span else 0,
            "outline": volumes.outline(groups),
            "contents": groups,
        }

    def front_matter(self, collection_id: str, section_id: str) -> dict[str, Any]:
        """One part of a volume's front matter: preface, sources, abbreviations, persons."""
        c = self.store.collection(collection_id)
        section = next((s for s in c.sections if s.id == section_id), None)
        if section is None:
            raise NotFound(f"no front matter {section_id!r} in {collection_id!r}")
        return {
            "volume": {
                "id": c.id,
                "title": c.title,
                "short_title": self._labels().label("collection", c.id),
                "href": collection_path(c.id),
            },
            "sections": [
                {
                    "id": s.id,
                    "title": s.title,
                    "href": front_matter_path(c.id, s.id),
                    "current": s.id == section_id,
                }
                for s in c.sections
            ],
            **volumes.section_json(c, section),
        }


# -- helpers -------------------------------------------------------------------------


def _paging(page: int, page_size: int) -> tuple[int, int]:
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(0, f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise QueryError(0, f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    return page, page_size


_FRUS_VOLUME_ID = re.compile(r"^frus[0-9A-Za-z-]+$")


def variant_sources(source: str) -> list[dict[str, str | None]]:
    """Where a spelling was seen, short enough to read: a FRUS persons list becomes its
    volume id ("frus1945Berlinv02") linked to the page; other text stays as it is."""
    found: list[dict[str, str | None]] = []
    for part in source.split():
        url = urlsplit(part)
        if _FRUS_VOLUME_ID.match(part):
            # A volume the archive may hold: its own page here (the caller's store knows).
            found.append({"label": part, "href": collection_path(f"frus:{part}")})
            continue
        if url.scheme not in ("http", "https") or not url.netloc:
            found.append({"label": part, "href": None})
            continue
        segments = [x for x in url.path.split("/") if x]
        if "historicaldocuments" in segments[:-1]:
            label = segments[segments.index("historicaldocuments") + 1]
        else:
            label = url.netloc + ("/…" if segments else "")
        found.append({"label": label, "href": part})
    if found and all(f["href"] is None for f in found):
        return [{"label": source, "href": None}]
    return found


def natural_order(name: str) -> str:
    """ "Gromyko, Andreĭ Andreevich" → "Andreĭ Andreevich Gromyko"."""
    family, sep, given = name.partition(",")
    return f"{given.strip()} {family.strip()}" if sep and given.strip() else name


def person_query(name: str) -> str:
    """The search for a person's documents: their full name, which the engine searches
    under every spelling of that person (never the surname alone: others share it)."""
    return f'person:"{name.replace(chr(34), "")}"'


def _family(name: str) -> str:
    return citations.person_name(name)["family"].replace('"', "") or name


def _life(a: Authority) -> str:
    if a.birth_year or a.death_year:
        return f"{a.birth_year or '?'}–{a.death_year or ''}"
    return ""


def _sorted_counts(found: SearchResults, facet: str, by_value: bool = True) -> list[dict[str, Any]]:
    rows = [{"value": f.value, "count": f.count} for f in found.facets.get(facet, ())]
    return sorted(rows, key=lambda r: r["value"]) if by_value else rows


def _snippet_parts(text: str, spans: Sequence[tuple[int, int]]) -> list[dict[str, Any]]:
    """The snippet cut into plain and matched parts (the template marks the latter)."""
    parts: list[dict[str, Any]] = []
    last = 0
    for start, end in spans:
        if start > last:
            parts.append({"text": text[last:start], "mark": False})
        parts.append({"text": text[start:end], "mark": True})
        last = end
    if last < len(text):
        parts.append({"text": text[last:], "mark": False})
    return parts


def _participant_json(p: Participant) -> dict[str, Any]:
    return {
        "name": p.name,
        "role": p.role.value,
        "role_label": ROLES.get(p.role.value, p.role.value),
        "post": p.post,
        "authority_id": p.authority_id,
        "organisation": p.organisation,
        # A body (an embassy, a department) has no person page to lead to.
        "href": None
        if p.organisation
        else person_path(p.authority_id)
        if p.authority_id
        else person_lookup_path(p.name),
    }


def _reference_json(doc: Document) -> dict[str, str] | None:
    ref = doc.archival_reference
    if ref is None:
        return None
    fields = (
        "repository",
        "collection",
        "series",
        "lot",
        "box",
        "folder",
        "item",
        "barcode",
        "fond",
        "opis",
        "delo",
        "folio",
        "text",
    )
    return {f: getattr(ref, f) for f in fields if getattr(ref, f)}


def _numbered_notes(doc: Document) -> dict[int, tuple[Note, int]]:
    """Notes anchored in the text, keyed by their index in doc.notes, each with a running
    number for its anchors; the reader sees the printed label ("1" for a FRUS source note,
    "2", "3" for the footnotes after it), so markers and the list agree with the volume."""
    numbered: dict[int, tuple[Note, int]] = {}
    for i, note in enumerate(doc.notes):
        if note.anchor is None:
            continue
        if note.kind is NoteKind.SOURCE and not note.label:
            continue  # an unnumbered source note is shown as the source, not as a note
        numbered[i] = (note, len(numbered) + 1)
    return numbered


def _doc_anchor(doc_id: str) -> str:
    return "doc-" + doc_id.rsplit(":", 1)[-1]


def _title_block(doc: Document, texts: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The first heading of the text when it is the document's title (a FRUS head):
    the page's title is drawn from it, with its note markers, and it is not repeated."""
    if not doc.texts or not doc.texts[0].blocks or not texts:
        return None
    first = doc.texts[0].blocks[0]
    if first.kind is not BlockKind.HEADING or " ".join(first.text.split()) != " ".join(
        doc.title.split()
    ):
        return None
    texts[0]["blocks"][0]["is_title"] = True
    return texts[0]["blocks"][0]["segments"]  # type: ignore[no-any-return]


def _block_json(
    block: Block, markers: list[tuple[int, int, str, str]], page_break: str = ""
) -> dict[str, Any]:
    """A block with its text cut into segments around the note markers it carries."""
    segments: list[dict[str, Any]] = []
    last = 0
    for offset, number, label, note in sorted(markers):
        at = max(last, min(offset, len(block.text)))
        if at > last:
            segments.append({"text": block.text[last:at]})
        segments.append({"note": number, "label": label, "note_text": note})
        last = at
    if last < len(block.text) or not segments:
        segments.append({"text": block.text[last:]})
    return {
        "kind": block.kind.value,
        "level": block.level,
        "page": block.page,
        "page_break": page_break,  # set only where a printed page begins
        "segments": segments,
    }


def _markers(
    numbered: dict[int, tuple[Note, int]], text_index: int
) -> dict[int, list[tuple[int, int, str, str]]]:
    out: dict[int, list[tuple[int, int, str, str]]] = {}
    for note, number in numbered.values():
        anchor = note.anchor
        if anchor is not None and anchor.text_index == text_index:
            marker = (anchor.offset, number, note.label or str(number), note.text)
            out.setdefault(anchor.block_index, []).append(marker)
    return out


def _text_json(index: int, text: Text, numbered: dict[int, tuple[Note, int]]) -> dict[str, Any]:
    markers = _markers(numbered, index)
    return {
        "index": index,
        "language": text.language,
        "role": text.role.value,
        "translator": text.translator,
        "source_edition": text.source_edition,
        "blocks": [
            _block_json(b, markers.get(i, []), mark)
            for i, (b, mark) in enumerate(
                zip(text.blocks, volumes.page_breaks(text.blocks), strict=True)
            )
        ],
    }


def _pair(doc: Document, languages: tuple[str, str] | None) -> tuple[int, int] | None:
    """Which two texts stand side by side: the original and its first translation; or,
    when every text is authentic, the two languages asked for (else English, or the
    first, beside the next)."""
    texts = doc.texts
    if len(texts) > 1 and all(t.authentic for t in texts):
        by_language = {t.language: i for i, t in enumerate(texts)}
        wanted = [by_language[lang] for lang in (languages or ()) if lang in by_language]
        left = wanted[0] if wanted else by_language.get("en", 0)
        right = next((i for i in wanted[1:] if i != left), None)
        if right is None:
            right = next(i for i in range(len(texts)) if i != left)
        return left, right
    original = next((i for i, t in enumerate(texts) if t.role is TextRole.ORIGINAL), None)
    translated = next((i for i, t in enumerate(texts) if t.role is TextRole.TRANSLATION), None)
    if original is None or translated is None:
        return None
    return original, translated


_RIGHT_TO_LEFT = {"ar", "fa", "he", "ur", "yi"}


def _parallel(
    doc: Document,
    numbered: dict[int, tuple[Note, int]],
    languages: tuple[str, str] | None = None,
) -> dict[str, Any] | None:
    """Two texts side by side, passage by passage: the original beside its translation,
    or two of several authentic texts."""
    pair = _pair(doc, languages)
    if pair is None:
        return None
    original, translated = pair
    left, right = doc.texts[original], doc.texts[translated]
    left_markers, right_markers = _markers(numbered, original), _markers(numbered, translated)
    left_index = {id(b): i for i, b in enumerate(left.blocks)}
    right_index = {id(b): i for i, b in enumerate(right.blocks)}
    rows = [
        {
            "original": [_block_json(b, left_markers.get(left_index[id(b)], [])) for b in a],
            "translation": [_block_json(b, right_markers.get(right_index[id(b)], [])) for b in t],
        }
        for a, t in align(left, right)
    ]
    authentic = all(t.authentic for t in doc.texts)
    return {
        "authentic": authentic,
        "languages": [t.language for t in doc.texts] if authentic else [],
        "original": {
            "index": original,
            "language": left.language,
            "dir": "rtl" if left.language in _RIGHT_TO_LEFT else "ltr",
        },
        "translation": {
            "index": translated,
            "language": right.language,
            "dir": "rtl" if right.language in _RIGHT_TO_LEFT else "ltr",
            "translator": right.translator,
            "source_edition": right.source_edition,
        },
        "rows": rows,
    }


def _event_json(e: Event) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind.value,
        "date": e.date.label or format_date(e.date),
        "start": e.date.earliest.isoformat() if e.date.earliest else None,
        "end": e.date.latest.isoformat() if e.date.latest else None,
        "description": e.description,
        "place": e.place,
        "people": [_participant_json(p) for p in e.people],
        "countries": [
            {"code": c.code, "name": c.name, "href": country_path(c.code)} for c in e.countries
        ],
    }


def _event_years(events: list[Event]) -> list[dict[str, Any]]:
    """Events grouped by the year they begin, for the person's timeline."""
    years: dict[int, list[dict[str, str]]] = {}
    for e in events:
        year = e.date.year
        if year is not None:
            years.setdefault(year, []).append({"kind": e.kind.value, "description": e.description})
    return [{"year": y, "events": years[y]} for y in sorted(years)]
