"""Accounts, editing, discussion, feeds, OAI-PMH and sitemaps, put into the reading
room by `install` (called from create_app): the rooms per audience, the Gatekeeper
(who is asking; CSRF), the routes, their part of the OpenAPI schema, and what the
templates need (the CSRF field, the reader, the document page's side panel)."""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import Scope

from declass.access import Audience, Clock, open_to
from declass.accounts.throttle import RateLimit
from declass.archive import Archive
from declass.errors import NotFound
from declass.model import AccessLevel
from declass.web import annotations, auth, editing, feeds, oai, sitemaps
from declass.web.csrf import FIELD, Gatekeeper, token_of
from declass.web.reading import document_path
from declass.web.rooms import Rooms, reader_of, scoped_for

# Costly requests, per account and per address: parallels take seconds of CPU each.
PARALLELS_LIMIT = RateLimit("parallels", limit=120, window=600)
# Pages of a whole-archive listing (OAI-PMH lists, sitemap files): enough for a
# harvester to walk a large archive in an hour, not for a flood.
EXPORT_LIMIT = RateLimit("export", limit=3000, window=3600)

routes: list[BaseRoute] = [
    *auth.routes,
    *editing.routes,
    *annotations.routes,
    *feeds.routes,
    *oai.routes,
    *sitemaps.routes,
]


def install(app: Starlette, archive: Archive, cache: bool = True) -> None:
    """Give `app` its rooms per audience, the Gatekeeper and the template helpers
    (the routes are listed by create_app, ahead of the pages they extend)."""
    rooms = Rooms(archive, cache=cache, clock=Clock())
    app.state.rooms = rooms
    app.state.room = rooms.rooms[Audience.PUBLIC]  # the public's, for older callers
    app.state.signup_open = True
    app.state.limits = {"parallels": PARALLELS_LIMIT, "export": EXPORT_LIMIT}
    app.state.openapi_paths = OPENAPI_PATHS
    app.add_middleware(Gatekeeper, store_of=_store_of)
    env = app.state.templates.env
    env.globals.update(csrf_field=csrf_field, current_reader=current_reader)
    env.globals.update(document_panel=document_panel, follow_form=follow_form)


def _store_of(scope: Scope) -> Any:
    return scope["app"].state.rooms.archive.store


@pass_context
def csrf_field(context: Any) -> Markup:
    """The hidden field every form of the reading room carries."""
    token = token_of(context["request"])
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(token)}">')


@pass_context
def current_reader(context: Any) -> Any:
    return reader_of(context["request"])


@pass_context
def follow_form(context: Any, kind: str, target: str = "", facets: Any = ()) -> Markup:
    """A button to follow this search or collection (signed-in readers only)."""
    request = context["request"]
    if not reader_of(request).signed_in:
        return Markup("")
    fields = [f'<input type="hidden" name="kind" value="{escape(kind)}">']
    if kind == "search":
        fields.append(f'<input type="hidden" name="q" value="{escape(target)}">')
        fields += [f'<input type="hidden" name="facet" value="{escape(f)}">' for f in facets]
    else:
        fields.append(f'<input type="hidden" name="target" value="{escape(target)}">')
    # Every value in `fields` is escaped above: the parts are markup.
    return Markup(
        '<form class="follow" method="post" action="/follows">'
        + str(csrf_field(context))
        + "".join(fields)
        + f'<button type="submit">Follow this {escape(kind)}</button></form>'
    )


@pass_context
def document_panel(context: Any, doc_id: str) -> dict[str, Any]:
    """What the document page shows beside the text: the discussion, the passages a
    reader may annotate, and for staff the record's access and the editing actions."""
    request: Request = context["request"]
    reader = reader_of(request)
    try:
        doc = scoped_for(request).document(doc_id)
    except NotFound:
        return {"threads": [], "paragraphs": [], "staff": None, "reader": reader}
    paragraphs = [
        {
            "text": ti,
            "block": bi,
            "label": f"{t.language} ¶{bi + 1}: " + " ".join(b.text.split())[:60],
        }
        for ti, t in enumerate(doc.texts)
        for bi, b in enumerate(t.blocks)
        if b.text.strip()
    ]
    staff = None
    if reader.is_staff:
        store = request.app.state.rooms.archive.store
        today = request.app.state.rooms.clock.today()
        raw = store.document(doc_id)
        staff = {
            "version": store.versions(doc_id)[-1].number,
            "access": raw.access.value,
            "embargo_until": raw.embargo_until.isoformat() if raw.embargo_until else "",
            "withdrawn": raw.access is AccessLevel.WITHDRAWN,
            "public": open_to(raw.access, raw.embargo_until, Audience.PUBLIC, today),
            "closed_texts": [
                i for i, t in enumerate(raw.texts) if t.access is not None or t.embargo_until
            ],
            "href": document_path(doc_id),
        }
    return {
        "threads": annotations.discussion(request, doc_id),
        "paragraphs": paragraphs,
        "staff": staff,
        "reader": reader,
        "href": document_path(doc_id),
    }


# -- the API's part of the OpenAPI schema --------------------------------------------


def _op(
    summary: str, params: list[str], *, body: bool = False, etag: bool = False
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "parameters": [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
            for p in params
        ],
        "responses": {
            "200": {
                "description": "OK",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            **{
                code: {
                    "description": "A problem (RFC 9457)",
                    "content": {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    },
                }
                for code in ("400", "401", "403", "404", "409", "412", "428", "429")
            },
        },
    }
    if etag:
        op["parameters"].append(
            {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"}}
        )
    if body:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
        op["responses"]["201"] = {
            "description": "Created",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    return op


OPENAPI_PATHS: dict[str, Any] = {
    "/api/me": {"get": _op("Who the API sees, and a browser session's CSRF token", [])},
    "/api/errata": {"get": _op("Corrections made to published documents, with dates", [])},
    "/api/feed": {"get": _op("What changed in the searches and collections you follow", [])},
    "/api/documents/{doc_id}/annotations": {
        "get": _op("The discussion of a document, as you may see it", ["doc_id"]),
        "post": _op("Annotate a passage (signed in)", ["doc_id"], body=True),
    },
    "/api/annotations/{annotation_id}/replies": {
        "post": _op("Reply to an annotation (signed in)", ["annotation_id"], body=True)
    },
    "/api/documents/{doc_id}/source": {
        "get": _op("A document as stored, with its version as ETag (editors)", ["doc_id"])
    },
    "/api/documents/{doc_id}/versions": {
        "get": _op("A document's versions with author, time and reason (editors)", ["doc_id"])
    },
    "/api/documents/{doc_id}/diff": {
        "get": _op("What changed between two versions (editors)", ["doc_id"])
    },
    "/api/documents/{doc_id}/revert": {
        "post": _op("Make an old version current again (editors)", ["doc_id"], body=True, etag=True)
    },
    "/api/documents/{doc_id}/withdraw": {
        "post": _op("Withdraw a document (editors)", ["doc_id"], body=True, etag=True)
    },
    "/api/documents/{doc_id}/restore": {
        "post": _op("Restore a withdrawn document (editors)", ["doc_id"], body=True, etag=True)
    },
    "/api/records/{kind}/{record_id}": {
        "get": _op("An authority, event or collection as stored (editors)", ["kind", "record_id"]),
        "patch": _op(
            "Edit it, with If-Match (editors)", ["kind", "record_id"], body=True, etag=True
        ),
    },
}
PATCH_DOCUMENT = _op(
    "Edit a document: {changes, reason} with If-Match (editors)", ["doc_id"], body=True, etag=True
)


def openapi_with(base: dict[str, Any]) -> dict[str, Any]:
    """The reading room's schema with this module's paths added."""
    paths = {**base["paths"], **OPENAPI_PATHS}
    document = dict(paths.get("/api/documents/{doc_id}", {}))
    document["patch"] = PATCH_DOCUMENT
    paths["/api/documents/{doc_id}"] = document
    return {**base, "paths": paths}
