"""The JSON API under /api: the data of every page, with ETags, pagination and
problem-detail errors, described by the OpenAPI schema at /api/openapi.json."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from declass.errors import NotFound, QueryError
from declass.web.editorial import openapi_with
from declass.web.params import int_param, search_params
from declass.web.reading import ReadingRoom
from declass.web.rooms import room_for


def _room(request: Request) -> ReadingRoom:
    """The reading room of the reader's audience (declass.web.rooms)."""
    return room_for(request)


def json_response(request: Request, data: Any) -> Response:
    """JSON with a strong ETag of its bytes; a matching If-None-Match gets 304."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"etag": etag, "cache-control": "no-cache"}
    wanted = request.headers.get("if-none-match", "")
    if etag in (t.strip().removeprefix("W/") for t in wanted.split(",")) or wanted.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


async def search(request: Request) -> Response:
    return json_response(request, _room(request).search(**search_params(request)))  # type: ignore[arg-type]


async def document(request: Request) -> Response:
    return json_response(
        request, _room(request).document(request.path_params["doc_id"], str(request.base_url))
    )


async def citation(request: Request) -> Response:
    """One citation format of a document, as a download: bibtex, csl-json or chicago."""
    doc = _room(request).document(request.path_params["doc_id"], str(request.base_url))
    fmt = request.query_params.get("format", "csl-json")
    cite = doc["citation"]
    styles = {s["id"]: s for s in cite["styles"]}
    if fmt == "bibtex":
        return Response(cite["bibtex"], media_type="application/x-bibtex; charset=utf-8")
    if fmt == "ris":
        return Response(cite["ris"], media_type="application/x-research-info-systems")
    if fmt in styles:
        style = styles[fmt]
        return Response(
            f"{style['note']}\n\n{style['bibliography']}\n", media_type="text/plain; charset=utf-8"
        )
    if fmt == "csl-json":
        return json_response(request, [cite["csl_json"]])
    raise QueryError(0, f"format must be bibtex, ris, csl-json, {', '.join(styles)}, not {fmt!r}")


async def front_matter(request: Request) -> Response:
    return json_response(
        request,
        _room(request).front_matter(
            request.path_params["collection_id"], request.path_params["section_id"]
        ),
    )


async def people(request: Request) -> Response:
    return json_response(
        request, {"people": _room(request).people_named(request.query_params.get("name", ""))}
    )


async def person(request: Request) -> Response:
    return json_response(
        request,
        _room(request).person(request.path_params["person_id"], int_param(request, "page", 1)),
    )


async def country(request: Request) -> Response:
    return json_response(request, _room(request).country(request.path_params["code"]))


async def collections(request: Request) -> Response:
    return json_response(request, {"collections": _room(request).collections()})


async def collection(request: Request) -> Response:
    return json_response(
        request,
        _room(request).collection(
            request.path_params["collection_id"],
            int_param(request, "page", 1),
            int_param(request, "page_size", 20),
        ),
    )


async def timeline(request: Request) -> Response:
    return json_response(request, _room(request).timeline())


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_with(OPENAPI))  # with accounts, editing, discussion


async def not_found(request: Request) -> Response:
    raise NotFound(f"no API resource at {request.url.path}")


# -- the schema --------------------------------------------------------------------

_PROBLEM = {
    "description": "A problem (RFC 9457)",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **extra,
    }


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": description,
    }


_PAGE = _query(
    "page", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1}, "Page, from 1"
)
_PAGED = {
    "page": {"type": "integer"},
    "page_size": {"type": "integer"},
    "total": {"type": "integer"},
    "pages": {"type": "integer"},
}
_HIT = {
    "type": "object",
    "required": ["id", "title", "href"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "date": {"type": "string", "description": "ISO date the document sorts by"},
        "date_label": {"type": "string", "description": "the date at its stated precision"},
        "href": {"type": "string"},
    },
}
_ERRORS = {"400": _PROBLEM, "403": _PROBLEM, "404": _PROBLEM}

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "declass reading room API",
        "version": "1",
        "description": "Declassified diplomatic records: search with facets, documents with"
        " citations, people, countries, collections. Only public documents are served.",
    },
    "paths": {
        "/api/search": {
            "get": {
                "summary": "Search the archive",
                "parameters": [
                    _query(
                        "q",
                        {"type": "string"},
                        'Query: words, "phrases", AND/OR/NOT, field:value, date:1960..1969',
                    ),
                    _query(
                        "facet",
                        {"type": "array", "items": {"type": "string"}},
                        "A facet selection field:value (repeatable)",
                        style="form",
                        explode=True,
                    ),
                    _query("sort", {"type": "string", "enum": ["relevance", "date"]}, "Order"),
                    _PAGE,
                    _query(
                        "page_size",
                        {"type": "integer", "minimum": 1, "maximum": 100},
                        "Hits a page",
                    ),
                    _query("expand", {"type": "boolean"}, "Search names in every known spelling"),
                ],
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["total", "results", "facets"],
                            "properties": {
                                **_PAGED,
                                "total_exact": {
                                    "type": "boolean",
                                    "description": "False when a very broad query on a very"
                                    " large archive was counted on a sample: total and facet"
                                    " counts are then estimates",
                                },
                                "results": {"type": "array", "items": _HIT},
                                "facets": {"type": "object"},
                            },
                        }
                    ),
                    "304": {"description": "Not modified"},
                    **_ERRORS,
                },
            }
        },
        "/api/documents/{doc_id}": {
            "get": {
                "summary": "A document with its structure, notes and citations",
                "parameters": [_path("doc_id", "Document id, e.g. ungdc:RUS_24_1969")],
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["id", "title", "citation"],
                            "properties": {
                                "id": {"type": "string"},
                                "title": {"type": "string"},
                                "citation": {"type": "object"},
                            },
                        }
                    ),
                    "304": {"description": "Not modified"},
                    **_ERRORS,
                },
            }
        },
        "/api/citations/{doc_id}": {
            "get": {
                "summary": "A document's citation in one format",
                "parameters": [
                    _path("doc_id", "Document id"),
                    _query(
                        "format",
                        {
                            "type": "string",
                            "enum": ["csl-json", "bibtex", "ris", "chicago", "mla", "apa"],
                        },
                        "Citation format",
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "The citation",
                        "content": {
                            "application/json": {"schema": {"type": "array"}},
                            "application/x-bibtex": {"schema": {"type": "string"}},
                            "application/x-research-info-systems": {"schema": {"type": "string"}},
                            "text/plain": {"schema": {"type": "string"}},
                        },
                    },
                    "304": {"description": "Not modified"},
                    **_ERRORS,
                },
            }
        },
        "/api/people": {
            "get": {
                "summary": "People by name (any spelling, or the family name)",
                "parameters": [_query("name", {"type": "string"}, "A name")],
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["people"],
                            "properties": {"people": {"type": "array"}},
                        }
                    ),
                    "304": {"description": "Not modified"},
                    **_ERRORS,
                },
            }
        },
        "/api/people/{person_id}": {
            "get": {
                "summary": "A person: names, posts, journeys, documents",
                "parameters": [_path("person_id", "Authority id, e.g. person:hsg-105222"), _PAGE],
                "responses": {
                    "200": _ok({"type": "object", "required": ["id", "name"]}),
                    "304": {"description": "Not modified"},
                    **_ERRORS,
                },
            }
        },
        "/api/countries/{code}": {
            "get": {
                "summary": "A country: documents by year, relations, visits, chiefs of mission",
                "parameters": [_path("code", "ISO 3166 alpha-3 code, e.g. RUS")],
                "responses": {
                    "200": _ok({"type": "object", "required": ["code", "years"]}),
                    "304": {"description": "Not modified"},
                    **_ERRORS,
                },
            }
        },
        "/api/collections": {
            "get": {
                "summary": "Every collection with its document count",
                "responses": {
                    "200": _ok({"type": "object", "required": ["collections"]}),
                    "304": {"description": "Not modified"},
                },
            }
        },
        "/api/collections/{collection_id}": {
            "get": {
                "summary": "A collection and a page of its contents in date order; a printed"
                " volume with its particulars, front matter and contents in volume order",
                "parameters": [
                    _path("collection_id", "Collection id, e.g. ungdc"),
                    _PAGE,
                    _query(
                        "page_size",
                        {"type": "integer", "minimum": 1, "maximum": 100},
                        "Items a page",
                    ),
                ],
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["id", "results"],
                            "properties": {**_PAGED, "results": {"type": "array", "items": _HIT}},
                        }
                    ),
                    "304": {"description": "Not modified"},
                    **_ERRORS,
                },
            }
        },
        "/api/collections/{collection_id}/front/{section_id}": {
            "get": {
                "summary": "A volume's front matter: preface, sources, abbreviations, persons",
                "parameters": [
                    _path("collection_id", "Collection id, e.g. frus:frus1964-68v30"),
                    _path("section_id", "Section id, e.g. persons"),
                ],
                "responses": {
                    "200": _ok({"type": "object", "required": ["id", "title", "blocks"]}),
                    "304": {"description": "Not modified"},
                    **_ERRORS,
                },
            }
        },
        "/api/timeline": {
            "get": {
                "summary": "Documents by year and decade",
                "responses": {
                    "200": _ok({"type": "object", "required": ["years"]}),
                    "304": {"description": "Not modified"},
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Problem": {
                "type": "object",
                "required": ["title", "status", "detail"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "position": {"type": "integer"},
                },
            }
        }
    },
}

routes = [
    Route("/api/openapi.json", openapi),
    Route("/api/search", search),
    Route("/api/documents/{doc_id:path}", document),
    Route("/api/citations/{doc_id:path}", citation),
    Route("/api/people", people),
    Route("/api/people/{person_id:path}", person),
    Route("/api/countries/{code}", country),
    Route("/api/collections", collections),
    Route("/api/collections/{collection_id:path}/front/{section_id}", front_matter),
    Route("/api/collections/{collection_id:path}", collection),
    Route("/api/timeline", timeline),
    Route("/api/{rest:path}", not_found),
]
