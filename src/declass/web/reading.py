"""What the reading room shows, as plain data: one function per page, used by the HTML
pages and the JSON API alike, so that the API carries everything a page shows.

Every document a reader reaches goes through `access.require_readable`; search (and so
every list of documents here) leaves out what an anonymous reader may not see.
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

from declass import citations
from declass.archive import Archive
from declass.countries import country_at
from declass.errors import NotFound, QueryError
from declass.ingest.translations import align
from declass.model import (
    Authority,
    AuthorityKind,
    Block,
    Document,
    Event,
    EventKind,
    Note,
    NoteKind,
    Participant,
    Text,
    TextRole,
)
from declass.names import fold
from declass.search.engine import SearchResults, search
from declass.terminal import format_date
from declass.web.access import require_readable

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


def search_path(q: str = "", facets: Sequence[str] = (), **extra: Any) -> str:
    params: list[tuple[str, Any]] = [("q", q)] + [("facet", f) for f in facets]
    params += [(k, v) for k, v in extra.items() if v not in (None, "", False)]
    return "/search?" + urlencode(params)


class _Cached:
    """Values rebuilt from the catalogue at most every CACHE_SECONDS, the most recently
    used `size` kept."""

    def __init__(self, size: int = 512) -> None:
        self._values: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self.size = size

    def get(self, key: str, build: Callable[[], T]) -> T:
        now = time.monotonic()
        hit = self._values.get(key)
        if hit is None or now - hit[0] > CACHE_SECONDS:
            hit = (now, build())
            self._values[key] = hit
            if len(self._values) > self.size:
                self._values.popitem(last=False)
        self._values.move_to_end(key)
        return hit[1]  # type: ignore[no-any-return,unused-ignore]


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

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.store = archive.store
        self._cache = _Cached()
        self._results = _Cached(size=256)  # search results: repeated queries and facet clicks

    # -- home, timeline -------------------------------------------------------------
    def home(self) -> dict[str, Any]:
        everything = self._search("", facet_size=500)
        by_collection = {f.value: f.count for f in everything.facets.get("collection", ())}
        collections = [
            {
                "id": c.id,
                "title": c.title,
                "description": c.description,
                "documents": by_collection.get(c.id, 0),
                "href": collection_path(c.id),
            }
            for c in self.store.collections()
        ]
        return {
            "documents": everything.total,
            "collections": collections,
            "decades": _sorted_counts(everything, "decade"),
            "types": _sorted_counts(everything, "type", by_value=False),
            "languages": _sorted_counts(everything, "language", by_value=False),
        }

    def timeline(self) -> dict[str, Any]:
        everything = self._search("", facet_size=1000)
        years = _sorted_counts(everything, "year")
        for y in years:
            y["href"] = search_path("", [f"year:{y['value']}"], sort="date")
        return {
            "documents": everything.total,
            "years": years,
            "decades": _sorted_counts(everything, "decade"),
        }

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

        facets_out: dict[str, list[dict[str, Any]]] = {}
        for name, counts in found.facets.items():
            rows = []
            for c in counts:
                href, chosen = facet_link(name, c.value)
                rows.append({"value": c.value, "count": c.count, "href": href, "selected": chosen})
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
            "selected_facets": [
                {"facet": f, "remove": search_path(q, [g for g in selected if g != f], **extra)}
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
    def document(self, doc_id: str, base_url: str = "") -> dict[str, Any]:
        doc = require_readable(self.store.document(doc_id))
        url = base_url.rstrip("/") + document_path(doc.id)
        archive_title = (
            self._collection_titles().get(doc.collections[0], "") if doc.collections else ""
        )
        item = citations.csl_item(doc, url, archive=archive_title)
        chicago = self._cache.get(
            "chicago:" + json.dumps(item, sort_keys=True), lambda: citations.chicago(item)
        )
        numbered = _numbered_notes(doc)
        texts = [_text_json(i, t, numbered) for i, t in enumerate(doc.texts)]
        parallel = _parallel(doc, numbered)
        return {
            "id": doc.id,
            "title": doc.title,
            "type": doc.doc_type.value,
            "date": format_date(doc.date) if doc.date else "",
            "date_iso": doc.date.sort_key() if doc.date else "",
            "place": doc.place,
            "language": doc.language,
            "permalink": url,
            "participants": [_participant_json(p) for p in doc.participants],
            "countries": [
                {"code": c.code, "name": c.name, "href": country_path(c.code)}
                for c in doc.countries
            ],
            "collections": [
                {
                    "id": c,
                    "title": self._collection_titles().get(c, c),
                    "href": collection_path(c),
                }
                for c in doc.collections
            ],
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
            "series": self._neighbours(doc),
            "citation": {
                "style": citations.CHICAGO_STYLE,
                "chicago_note": chicago.note,
                "chicago_bibliography": chicago.bibliography,
                "bibtex": citations.bibtex(item),
                "csl_json": item,
                "meta": [list(t) for t in citations.zotero_meta(item)],
            },
        }

    def _collection_titles(self) -> dict[str, str]:
        return self._cache.get(
            "collections", lambda: {c.id: c.title for c in self.store.collections()}
        )

    def _neighbours(self, doc: Document) -> dict[str, Any] | None:
        """Previous and next readable documents of the document's series."""
        if not doc.series:
            return None

        def build() -> list[tuple[str, str]]:
            return [
                (d.id, d.title) for d in self.store.documents(series=doc.series) if _is_readable(d)
            ]

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
        authority = self.store.authority(authority_id)
        if authority.kind is not AuthorityKind.PERSON:
            raise NotFound(f"no person {authority_id!r}")
        events = list(self.store.events(person=authority.id))
        posts = [e for e in events if e.kind is EventKind.APPOINTMENT]
        journeys = [e for e in events if e.kind is not EventKind.APPOINTMENT]
        query = person_query(authority)
        page, _ = _paging(page, PAGE_SIZE)
        documents = self._search(query, sort="date", page=page, snippets=False)
        paging = Paging(page, PAGE_SIZE, documents.total)
        return {
            "id": authority.id,
            "name": authority.name,
            "display_name": natural_order(authority.name),
            "birth_year": authority.birth_year,
            "death_year": authority.death_year,
            "description": authority.description,
            "variants": [
                {
                    "name": v.name,
                    "kind": v.kind.value,
                    "language": v.language,
                    "source": v.source,
                    "sources": variant_sources(v.source),
                }
                for v in authority.variants
            ],
            "identifiers": [{"scheme": s, "value": v} for s, v in authority.identifiers],
            "posts": [_event_json(e) for e in posts],
            "events": [_event_json(e) for e in journeys],
            "timeline": _event_years(events),
            "documents": {
                "query": query,
                "search": search_path(query, sort="date"),
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
        """People whose name (any spelling, or the family name alone) is `name`."""
        name = name.strip()
        if not name:
            return []
        found = [a for a in self.store.authorities_named(name) if a.kind is AuthorityKind.PERSON]
        if not found:
            key = fold(citations.person_name(name)["family"])
            ids = self._cache.get("surnames", self._surname_index).get(key, [])
            found = [self.store.authority(i) for i in ids[:20]]
        return [
            {
                "id": a.id,
                "name": a.name,
                "display_name": natural_order(a.name),
                "years": _life(a),
                "description": a.description.split("\n\n")[0][:300],
                "href": person_path(a.id),
            }
            for a in found
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
            "description": c.description,
            "parent": c.parent,
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


# -- helpers -------------------------------------------------------------------------


def _paging(page: int, page_size: int) -> tuple[int, int]:
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(0, f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise QueryError(0, f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    return page, page_size


def _is_readable(doc: Document) -> bool:
    from declass.web.access import readable

    return readable(doc)


def variant_sources(source: str) -> list[dict[str, str | None]]:
    """Where a spelling was seen, short enough to read: a FRUS persons list becomes its
    volume id ("frus1945Berlinv02") linked to the page; other text stays as it is."""
    found: list[dict[str, str | None]] = []
    for part in source.split():
        url = urlsplit(part)
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


def person_query(authority: Authority) -> str:
    """The search for a person's documents: their name as written in natural order, or
    their family name alone (speakers' lists often print only that)."""
    family = citations.person_name(authority.name)["family"]
    full = natural_order(authority.name).replace('"', "")
    return f'person:"{full}" OR person:"{family.replace(chr(34), "")}"'


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
        "post": p.post,
        "authority_id": p.authority_id,
        "href": person_path(p.authority_id) if p.authority_id else person_lookup_path(p.name),
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
        "fond",
        "opis",
        "delo",
        "folio",
        "text",
    )
    return {f: getattr(ref, f) for f in fields if getattr(ref, f)}


def _numbered_notes(doc: Document) -> dict[int, tuple[Note, int]]:
    """Notes anchored in the text, numbered in document order (key: index in doc.notes)."""
    numbered: dict[int, tuple[Note, int]] = {}
    for i, note in enumerate(doc.notes):
        if note.anchor is not None and note.kind is not NoteKind.SOURCE:
            numbered[i] = (note, len(numbered) + 1)
    return numbered


def _block_json(block: Block, markers: list[tuple[int, int, str, str]]) -> dict[str, Any]:
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
        "blocks": [_block_json(b, markers.get(i, [])) for i, b in enumerate(text.blocks)],
    }


def _parallel(doc: Document, numbered: dict[int, tuple[Note, int]]) -> dict[str, Any] | None:
    """The original beside its first translation, passage by passage, when both exist."""
    original = next((i for i, t in enumerate(doc.texts) if t.role is TextRole.ORIGINAL), None)
    translated = next((i for i, t in enumerate(doc.texts) if t.role is TextRole.TRANSLATION), None)
    if original is None or translated is None:
        return None
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
    return {
        "original": {"index": original, "language": left.language},
        "translation": {
            "index": translated,
            "language": right.language,
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
