"""Annotations and discussion on the document page and in the API: researchers anchor
a comment to a passage, reply, and report; editors hide and lock. What a reader is
shown is `declass.annotations.threads` for that reader."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from declass.annotations import threads
from declass.annotations.records import Annotation, Visibility
from declass.errors import NotFound, QueryError
from declass.web.access import require_signed_in, require_staff
from declass.web.auth import read_form, render, store_of
from declass.web.reading import document_path
from declass.web.rooms import reader_of, rooms_of, scoped_for


def _int(value: Any, name: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise QueryError(0, f"{name} must be a whole number") from None


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise QueryError(0, "send a JSON object") from None
    if not isinstance(body, dict):
        raise QueryError(0, "send a JSON object")
    return body


def _visibility(value: Any) -> Visibility:
    try:
        return Visibility(str(value or "public"))
    except ValueError:
        raise QueryError(0, "visibility is public or private") from None


def annotation_json(a: Annotation, text_index: int) -> dict[str, Any]:
    return {
        "id": a.id,
        "doc_id": a.doc_id,
        "text_index": text_index,
        "block_index": a.block_index,
        "start": a.start,
        "end": a.end,
        "quote": a.quote,
        "body": a.body,
        "author": a.author,
        "visibility": a.visibility.value,
        "parent": a.parent,
        "hidden": a.hidden,
        "locked": a.locked,
        "created_at": a.created_at,
    }


def discussion(request: Request, doc_id: str) -> list[dict[str, Any]]:
    """The document's threads as the reader may see them, as plain data."""
    found = threads.threads(
        store_of(request),
        scoped_for(request),
        reader_of(request),
        doc_id,
        rooms_of(request).clock.today(),
    )
    return [
        {
            **annotation_json(t.root, t.text_index),
            "replies": [annotation_json(r, t.text_index) for r in t.replies],
        }
        for t in found
    ]


async def add_annotation(request: Request) -> Response:
    reader = require_signed_in(request)
    doc_id = request.path_params["doc_id"]
    form = await read_form(request)
    # The page's paragraph picker sends "text:block"; scripts may send both apart.
    where = str(form.get("where", ""))
    text_index, _, block_index = where.partition(":") if where else ("", "", "")
    made = threads.annotate(
        store_of(request),
        scoped_for(request),
        reader,
        doc_id,
        _int(text_index or form.get("text_index", 0), "text_index"),
        _int(block_index or form.get("block_index", 0), "block_index"),
        str(form.get("quote", "")),
        str(form.get("body", "")),
        _visibility(form.get("visibility")),
        rooms_of(request).clock.today(),
    )
    return RedirectResponse(f"{document_path(doc_id)}#annotation-{made.id}", status_code=303)


async def add_reply(request: Request) -> Response:
    reader = require_signed_in(request)
    form = await read_form(request)
    made = threads.reply(
        store_of(request),
        scoped_for(request),
        reader,
        _int(request.path_params["annotation_id"], "id"),
        str(form.get("body", "")),
    )
    return RedirectResponse(f"{document_path(made.doc_id)}#annotation-{made.id}", status_code=303)


async def report_annotation(request: Request) -> Response:
    reader = require_signed_in(request)
    form = await read_form(request)
    aid = _int(request.path_params["annotation_id"], "id")
    threads.report(store_of(request), scoped_for(request), reader, aid, str(form.get("reason", "")))
    a = store_of(request).annotation(aid)
    return RedirectResponse(f"{document_path(a.doc_id)}#annotation-{a.id}", status_code=303)


async def moderate(request: Request) -> Response:
    """hide, show, lock, unlock (staff)."""
    aid = _int(request.path_params["annotation_id"], "id")
    threads.visible_annotation(store_of(request), scoped_for(request), reader_of(request), aid)
    reader = require_staff(request)
    form = await read_form(request)
    action = request.path_params["action"]
    store = store_of(request)
    if action in ("hide", "show"):
        a = threads.set_hidden(store, reader, aid, action == "hide", str(form.get("reason", "")))
    elif action in ("lock", "unlock"):
        a = threads.set_locked(store, reader, aid, action == "lock")
    else:
        raise NotFound(f"no action {action!r}")
    target = str(form.get("next", "")) or f"{document_path(a.doc_id)}#annotation-{a.id}"
    return RedirectResponse(
        target if target.startswith("/") and not target.startswith("//") else "/", status_code=303
    )


async def moderation_page(request: Request) -> Response:
    require_staff(request)
    store = store_of(request)
    reports = store.reports()
    items = []
    for r in reports:
        try:
            items.append({"report": r, "annotation": store.annotation(r.annotation_id)})
        except NotFound:
            continue
    return render(request, "editorial/moderation.html", items=items)


async def api_annotations(request: Request) -> Response:
    doc_id = request.path_params["doc_id"]
    if request.method == "GET":
        scoped_for(request).document(doc_id)  # 404 alike for closed and unknown
        return JSONResponse({"annotations": discussion(request, doc_id)})
    reader = require_signed_in(request)
    body = await _json(request)
    made = threads.annotate(
        store_of(request),
        scoped_for(request),
        reader,
        doc_id,
        _int(body.get("text_index", 0), "text_index"),
        _int(body.get("block_index", 0), "block_index"),
        str(body.get("quote", "")),
        str(body.get("body", "")),
        _visibility(body.get("visibility")),
        rooms_of(request).clock.today(),
    )
    return JSONResponse(
        annotation_json(made, _int(body.get("text_index", 0), "text_index")), status_code=201
    )


async def api_reply(request: Request) -> Response:
    reader = require_signed_in(request)
    body = await _json(request)
    made = threads.reply(
        store_of(request),
        scoped_for(request),
        reader,
        _int(request.path_params["annotation_id"], "id"),
        str(body.get("body", "")),
    )
    return JSONResponse({"id": made.id, "parent": made.parent}, status_code=201)


routes = [
    Route("/documents/{doc_id:path}/annotations", add_annotation, methods=["POST"]),
    Route("/annotations/{annotation_id}/replies", add_reply, methods=["POST"]),
    Route("/annotations/{annotation_id}/report", report_annotation, methods=["POST"]),
    Route("/annotations/{annotation_id}/{action}", moderate, methods=["POST"]),
    Route("/moderation", moderation_page),
    Route("/api/documents/{doc_id:path}/annotations", api_annotations, methods=["GET", "POST"]),
    Route("/api/annotations/{annotation_id}/replies", api_reply, methods=["POST"]),
]
