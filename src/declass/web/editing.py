"""Editing in the reading room and through the API: documents (metadata, body, texts
and translations, notes) and authorities, events and collections; history with diffs
and reverts; withdrawal and restoration; the public errata.

Staff only, except the errata. A record the reader cannot see answers 404 before any
question of rights is asked. Every save names the version it was made on: the form
carries it, the API sends it as If-Match (the ETag of `…/source`); a save made on an
older version answers 412 and writes nothing, and the form comes back with the
reader's changes and what changed meanwhile.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from declass.editing import history
from declass.editing.changes import (
    InvalidEdit,
    apply_changes,
    blocks_from_text,
    editable_fields,
    text_of_blocks,
)
from declass.editing.diffs import record_diff
from declass.editing.errata import errata
from declass.errors import NotFound, PreconditionRequired, QueryError, StaleEdit
from declass.model import (
    AccessLevel,
    Authority,
    Collection,
    Document,
    DocumentType,
    Event,
    Note,
    Text,
    TextRole,
)
from declass.store import codec
from declass.web.access import require_staff
from declass.web.auth import read_form, render, store_of
from declass.web.reading import document_path
from declass.web.rooms import reader_of, rooms_of, scoped_for

LEVELS = [a.value for a in AccessLevel if a is not AccessLevel.WITHDRAWN]
RECORD_KINDS = ("authority", "event", "collection")


def _today(request: Request) -> date:
    return rooms_of(request).clock.today()


def _staff_document(request: Request) -> tuple[Document, int]:
    """The document of the path, seen by the reader (404 if closed to them), then the
    reader must be staff; with its current version number."""
    doc_id = request.path_params["doc_id"]
    scoped_for(request).document(doc_id)
    require_staff(request)
    store = store_of(request)
    return store.document(doc_id), store.versions(doc_id)[-1].number


def _etag(version: int) -> str:
    return f'"v{version}"'


def _if_match(request: Request, current: str) -> str:
    """The version the client's change was made on, from If-Match (428 without)."""
    sent = request.headers.get("if-match", "").strip()
    if not sent:
        raise PreconditionRequired("send If-Match with the ETag of the version you changed")
    if sent == "*":
        return current
    return sent.removeprefix("W/")


def _version_of(tag: str, doc_id: str, current: int) -> int:
    try:
        return int(tag.strip('"').removeprefix("v"))
    except ValueError:
        raise StaleEdit(doc_id, f"version {current}") from None


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise QueryError(0, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise QueryError(0, "the body must be a JSON object")
    return body


def _reason(body: dict[str, Any]) -> str:
    reason = body.get("reason", "")
    if not isinstance(reason, str):
        raise QueryError(0, "reason must be text")
    return reason


# -- the document form -----------------------------------------------------------------


def _form_values(doc: Document) -> dict[str, Any]:
    """What the edit form shows for `doc`."""
    return {
        "title": doc.title,
        "doc_type": doc.doc_type.value,
        "date": _date_text(doc),
        "place": doc.place,
        "access": doc.access.value,
        "embargo_until": doc.embargo_until.isoformat() if doc.embargo_until else "",
        "source_note": doc.source_note,
        "subjects": "\n".join(doc.subjects),
        "texts": [
            {
                "language": t.language,
                "role": t.role.value,
                "translator": t.translator,
                "access": t.access.value if t.access else "",
                "embargo_until": t.embargo_until.isoformat() if t.embargo_until else "",
                "body": text_of_blocks(t.blocks),
            }
            for t in doc.texts
        ],
        "notes": [
            {
                "text": n.text,
                "access": n.access.value if n.access else "",
                "embargo_until": n.embargo_until.isoformat() if n.embargo_until else "",
            }
            for n in doc.notes
        ],
        "new_language": "",
        "new_body": "",
        "reason": "",
    }


def _date_text(doc: Document) -> str:
    d = doc.date
    if d is None:
        return ""
    if d.earliest and d.latest and d.earliest == d.latest:
        return d.earliest.isoformat()
    if d.precision.value in ("year", "month") and d.earliest:
        return d.earliest.isoformat()[: 4 if d.precision.value == "year" else 7]
    lo = d.earliest.isoformat() if d.earliest else ""
    hi = d.latest.isoformat() if d.latest else ""
    return f"{lo}..{hi}"


def _values_from_form(form: FormData, doc: Document) -> dict[str, Any]:
    values = _form_values(doc)
    for key in ("title", "doc_type", "date", "place", "access", "embargo_until"):
        values[key] = str(form.get(key, values[key]))
    values["source_note"] = str(form.get("source_note", values["source_note"]))
    values["subjects"] = str(form.get("subjects", values["subjects"]))
    for i, t in enumerate(values["texts"]):
        for key in ("language", "role", "translator", "access", "embargo_until", "body"):
            t[key] = str(form.get(f"text-{i}-{key}", t[key]))
    for j, n in enumerate(values["notes"]):
        for key in ("text", "access", "embargo_until"):
            n[key] = str(form.get(f"note-{j}-{key}", n[key]))
    values["new_language"] = str(form.get("new_language", "")).strip()
    values["new_body"] = str(form.get("new_body", ""))
    values["reason"] = str(form.get("reason", ""))
    return values


def _merge(
    opened: dict[str, Any], mine: dict[str, Any], current: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The reader's changes (`mine` against `opened`) laid over `current`, field by field
    (texts and notes by position while their number is unchanged), and the fields both
    the reader and the other save changed."""
    merged = dict(current)
    both: list[str] = []

    def lay(name: str, before: Any, after: Any, now: Any) -> Any:
        if after == before:
            return now
        if now != before and now != after:
            both.append(name)
        return after

    for key in ("title", "doc_type", "date", "place", "access", "embargo_until"):
        merged[key] = lay(key, opened[key], mine[key], current[key])
    merged["source_note"] = lay(
        "source note", opened["source_note"], mine["source_note"], current["source_note"]
    )
    merged["subjects"] = lay("subjects", opened["subjects"], mine["subjects"], current["subjects"])
    for part in ("texts", "notes"):
        if len(opened[part]) == len(mine[part]) == len(current[part]):
            merged[part] = [
                {k: lay(f"{part[:-1]} {i + 1} {k}", o[k], m[k], c[k]) for k in o}
                for i, (o, m, c) in enumerate(
                    zip(opened[part], mine[part], current[part], strict=True)
                )
            ]
        elif mine[part] != opened[part]:
            merged[part] = mine[part]
            both.append(part)
    for key in ("new_language", "new_body", "reason"):
        merged[key] = mine[key]
    return merged, both


def _day(text: str, what: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidEdit(f"{what}: not a day (YYYY-MM-DD): {text!r}") from None


def _level(text: str, what: str, optional: bool = False) -> AccessLevel | None:
    if optional and not text:
        return None
    if text not in LEVELS:
        raise InvalidEdit(f"{what}: access must be one of {', '.join(LEVELS)}")
    return AccessLevel(text)


def _edited_document(doc: Document, values: dict[str, Any]) -> Document:
    """`doc` as the form's `values` leave it."""
    try:
        kind = DocumentType(values["doc_type"])
    except ValueError:
        raise InvalidEdit(f"not a document type: {values['doc_type']!r}") from None
    texts = []
    for i, (old, t) in enumerate(zip(doc.texts, values["texts"], strict=True)):
        try:
            role = TextRole(t["role"])
        except ValueError:
            raise InvalidEdit(f"text {i + 1}: not a role: {t['role']!r}") from None
        texts.append(
            replace(
                old,
                language=t["language"].strip() or "und",
                role=role,
                translator=t["translator"].strip(),
                access=_level(t["access"], f"text {i + 1}", optional=True),
                embargo_until=_day(t["embargo_until"], f"text {i + 1}"),
                blocks=blocks_from_text(t["body"], old.blocks),
            )
        )
    if values["new_body"].strip():
        texts.append(
            Text(
                values["new_language"] or "und",
                TextRole.TRANSLATION,
                blocks_from_text(values["new_body"]),
            )
        )
    notes: list[Note] = []
    for j, (old_note, n) in enumerate(zip(doc.notes, values["notes"], strict=True)):
        notes.append(
            replace(
                old_note,
                text=n["text"].strip(),
                access=_level(n["access"], f"note {j + 1}", optional=True),
                embargo_until=_day(n["embargo_until"], f"note {j + 1}"),
            )
        )
    changed: Document = doc
    if values["date"].strip() != _date_text(doc):  # unchanged: keep the date as written
        edited = apply_changes(doc, {"date": values["date"]})
        assert isinstance(edited, Document)
        changed = edited
    access = _level(values["access"], "document")
    if doc.access is AccessLevel.WITHDRAWN:
        access = AccessLevel.WITHDRAWN  # restored by its own action only
    return replace(
        changed,
        title=" ".join(values["title"].split()) or doc.title,
        doc_type=kind,
        place=values["place"].strip(),
        access=access or AccessLevel.PUBLIC,
        embargo_until=_day(values["embargo_until"], "document"),
        source_note=values["source_note"].strip(),
        subjects=tuple(s.strip() for s in values["subjects"].splitlines() if s.strip()),
        texts=tuple(texts),
        notes=tuple(notes),
    )


def _edit_page(
    request: Request,
    doc: Document,
    version: int,
    values: dict[str, Any],
    status: int = 200,
    error: str | None = None,
    conflict: dict[str, Any] | None = None,
) -> Response:
    return render(
        request,
        "editorial/edit_document.html",
        status,
        doc=doc,
        version=version,
        values=values,
        error=error,
        conflict=conflict,
        levels=LEVELS,
        types=[t.value for t in DocumentType],
        roles=[r.value for r in TextRole],
        href=document_path(doc.id),
    )


async def edit_document_page(request: Request) -> Response:
    doc, version = _staff_document(request)
    if request.method == "GET":
        return _edit_page(request, doc, version, _form_values(doc))
    reader = reader_of(request)
    form = await read_form(request)
    values = _values_from_form(form, doc)
    try:
        base = int(str(form.get("base_version", "")))
    except ValueError:
        base = -1
    store = store_of(request)
    if base != version:
        # Someone saved since this form was opened: nothing is written. The form comes
        # back on the current version with this reader's changes laid over it, beside
        # what changed meanwhile; fields both changed are named.
        try:
            opened = store.document(doc.id, base)
        except NotFound:
            opened = doc
        merged, both = _merge(_form_values(opened), values, _form_values(doc))
        merged["base_version"] = version
        clash = f" Both of you changed: {', '.join(both)}." if both else ""
        return _edit_page(
            request,
            doc,
            version,
            merged,
            412,
            error=f"Version {version} was saved since you opened version {base}: nothing"
            " was saved. Your changes are kept below, on the current version; check them"
            f" against what changed, then save again.{clash}",
            conflict={"opened": base, "current": version, "changes": record_diff(opened, doc)},
        )
    try:
        edited = _edited_document(doc, values)
        saved = history.save_document(
            store, edited, base, reader.name, values["reason"], today=_today(request)
        )
    except StaleEdit as exc:
        return _edit_page(request, doc, version, values, 412, error=str(exc))
    except QueryError as exc:
        return _edit_page(request, doc, version, values, 400, error=exc.reason)
    return RedirectResponse(f"/documents/{doc.id}/history?saved={saved.number}", status_code=303)


async def history_page(request: Request) -> Response:
    doc, version = _staff_document(request)
    entries = history.document_history(store_of(request), doc.id)
    return render(
        request,
        "editorial/history.html",
        doc=doc,
        version=version,
        entries=entries,
        href=document_path(doc.id),
        saved=request.query_params.get("saved", ""),
        kind="document",
        base=f"/documents/{doc.id}",
    )


def _two_versions(request: Request, current: int) -> tuple[int, int]:
    try:
        a = int(request.query_params.get("from", current - 1))
        b = int(request.query_params.get("to", current))
    except ValueError:
        raise QueryError(0, "from and to are version numbers") from None
    return a, b


async def diff_page(request: Request) -> Response:
    doc, version = _staff_document(request)
    a, b = _two_versions(request, version)
    changes = history.document_diff(store_of(request), doc.id, a, b)
    return render(
        request,
        "editorial/diff.html",
        doc=doc,
        a=a,
        b=b,
        changes=changes,
        href=document_path(doc.id),
        base=f"/documents/{doc.id}",
    )


async def _action_form(request: Request) -> tuple[Document, int, FormData, int]:
    doc, version = _staff_document(request)
    form = await read_form(request)
    try:
        base = int(str(form.get("base_version", "")))
    except ValueError:
        raise QueryError(0, "base_version is the version you saw") from None
    return doc, version, form, base


async def revert_document(request: Request) -> Response:
    doc, _, form, base = await _action_form(request)
    try:
        to = int(str(form.get("to_version", "")))
    except ValueError:
        raise QueryError(0, "to_version is a version number") from None
    history.revert_document(
        store_of(request),
        doc.id,
        to,
        base,
        reader_of(request).name,
        str(form.get("reason", "")),
        _today(request),
    )
    return RedirectResponse(f"/documents/{doc.id}/history", status_code=303)


async def withdraw_document(request: Request) -> Response:
    doc, _, form, base = await _action_form(request)
    history.withdraw_document(
        store_of(request), doc.id, base, reader_of(request).name, str(form.get("reason", ""))
    )
    return RedirectResponse(f"/documents/{doc.id}/history", status_code=303)


async def restore_document(request: Request) -> Response:
    doc, _, form, base = await _action_form(request)
    history.restore_document(
        store_of(request), doc.id, base, reader_of(request).name, str(form.get("reason", ""))
    )
    return RedirectResponse(f"/documents/{doc.id}/history", status_code=303)


# -- the document API ------------------------------------------------------------------


def _entries_json(entries: list[history.HistoryEntry]) -> list[dict[str, Any]]:
    return [e.__dict__ for e in entries]


async def api_source(request: Request) -> Response:
    doc, version = _staff_document(request)
    return JSONResponse(
        {"id": doc.id, "version": version, "record": codec.to_data(doc)},
        headers={"etag": _etag(version), "cache-control": "no-store"},
    )


async def api_patch(request: Request) -> Response:
    doc, version = _staff_document(request)
    base = _version_of(_if_match(request, _etag(version)), doc.id, version)
    body = await _json_body(request)
    changes = body.get("changes", {})
    if not isinstance(changes, dict):
        raise QueryError(0, "changes is an object of field → new value")
    if "access" in changes and changes["access"] == AccessLevel.WITHDRAWN.value:
        raise QueryError(0, "withdraw with POST …/withdraw")
    edited = apply_changes(doc, changes)
    assert isinstance(edited, Document)
    saved = history.save_document(
        store_of(request),
        edited,
        base,
        reader_of(request).name,
        _reason(body),
        today=_today(request),
    )
    return JSONResponse(
        {"id": doc.id, "version": saved.number}, headers={"etag": _etag(saved.number)}
    )


async def api_versions(request: Request) -> Response:
    doc, _ = _staff_document(request)
    return JSONResponse(
        {"versions": _entries_json(history.document_history(store_of(request), doc.id))}
    )


async def api_diff(request: Request) -> Response:
    doc, version = _staff_document(request)
    a, b = _two_versions(request, version)
    changes = history.document_diff(store_of(request), doc.id, a, b)
    return JSONResponse(
        {
            "from": a,
            "to": b,
            "changes": [{"field": c.field, "lines": list(c.lines)} for c in changes],
        }
    )


async def _api_action(request: Request, action: str) -> Response:
    doc, version = _staff_document(request)
    base = _version_of(_if_match(request, _etag(version)), doc.id, version)
    body = await _json_body(request)
    store, name = store_of(request), reader_of(request).name
    if action == "revert":
        to = body.get("to")
        if not isinstance(to, int):
            raise QueryError(0, "to is the version to go back to")
        saved = history.revert_document(
            store, doc.id, to, base, name, _reason(body), _today(request)
        )
    elif action == "withdraw":
        saved = history.withdraw_document(store, doc.id, base, name, _reason(body))
    else:
        saved = history.restore_document(store, doc.id, base, name, _reason(body))
    return JSONResponse(
        {"id": doc.id, "version": saved.number}, headers={"etag": _etag(saved.number)}
    )


async def api_revert(request: Request) -> Response:
    return await _api_action(request, "revert")


async def api_withdraw(request: Request) -> Response:
    return await _api_action(request, "withdraw")


async def api_restore(request: Request) -> Response:
    return await _api_action(request, "restore")


# -- authorities, events, collections --------------------------------------------------


def _staff_record(request: Request) -> tuple[str, Authority | Event | Collection, str]:
    kind, record_id = request.path_params["kind"], request.path_params["record_id"]
    if kind not in RECORD_KINDS:
        raise NotFound(f"no record kind {kind!r}")
    scoped = scoped_for(request)
    getter = {"authority": scoped.authority, "event": scoped.event, "collection": scoped.collection}
    getter[kind](record_id)
    require_staff(request)
    store = store_of(request)
    found = {"authority": store.authority, "event": store.event, "collection": store.collection}
    record = found[kind](record_id)
    return kind, record, store.record_hash(kind, record_id)


def _record_fields(record: Authority | Event | Collection) -> list[dict[str, Any]]:
    data = codec.to_data(record)
    out = []
    for name in editable_fields(record):
        value = data[name]
        if name == "access":
            widget = "access"
        elif name == "embargo_until":
            widget = "day"
        elif isinstance(value, str) and ("\n" in value or len(value) > 80):
            widget = "long"
        elif isinstance(value, str | int | bool) or (value is None and name.endswith("year")):
            widget = "line"
        else:
            widget = "json"
        shown = (
            json.dumps(value, ensure_ascii=False, indent=1)
            if widget == "json"
            else ("" if value is None else str(value))
        )
        out.append({"name": name, "widget": widget, "value": shown})
    return out


def _record_changes(record: Authority | Event | Collection, form: FormData) -> dict[str, Any]:
    data = codec.to_data(record)
    changes: dict[str, Any] = {}
    for field in _record_fields(record):
        name = field["name"]
        if name not in form:
            continue
        raw = str(form[name])
        old = data[name]
        if field["widget"] == "json":
            try:
                value: Any = json.loads(raw or "null")
            except ValueError:
                raise InvalidEdit(f"{name}: not JSON") from None
        elif field["widget"] == "day":
            value = raw.strip() or None
        elif isinstance(old, bool):
            value = raw.strip().lower() in ("1", "true", "yes", "on")
        elif isinstance(old, int) or (old is None and name.endswith("year")):
            value = int(raw) if raw.strip() else None
        else:
            value = raw if field["widget"] == "long" else raw.strip()
        if value != old:
            changes[name] = value
    return changes


async def edit_record_page(request: Request) -> Response:
    kind, record, digest = _staff_record(request)
    error = None
    status = 200
    fields = _record_fields(record)
    if request.method == "POST":
        form = await read_form(request)
        base = str(form.get("base_hash", ""))
        try:
            changes = _record_changes(record, form)
            edited = apply_changes(record, changes)
            assert isinstance(edited, Authority | Event | Collection)
            if base != digest:
                raise StaleEdit(record.id, f"content {digest[:12]}")
            history.save_record(
                store_of(request),
                edited,
                base,
                reader_of(request).name,
                str(form.get("reason", "")),
            )
            return RedirectResponse(f"/records/{kind}/{record.id}/history", status_code=303)
        except StaleEdit as exc:
            status, error = 412, str(exc)
        except QueryError as exc:
            status, error = 400, exc.reason
        fields = [{**f, "value": str(form.get(f["name"], f["value"]))} for f in fields]
    return render(
        request,
        "editorial/edit_record.html",
        status,
        kind=kind,
        record=record,
        digest=digest,
        fields=fields,
        levels=LEVELS,
        error=error,
    )


async def record_history_page(request: Request) -> Response:
    kind, record, digest = _staff_record(request)
    entries = history.record_history(store_of(request), kind, record.id)
    return render(
        request,
        "editorial/history.html",
        doc=record,
        version=digest,
        entries=entries,
        href=None,
        saved="",
        kind=kind,
        base=f"/records/{kind}/{record.id}",
    )


async def revert_record(request: Request) -> Response:
    kind, record, _ = _staff_record(request)
    form = await read_form(request)
    try:
        to = int(str(form.get("to_version", "")))
    except ValueError:
        raise QueryError(0, "to_version is a state number") from None
    history.revert_record(
        store_of(request),
        kind,
        record.id,
        to,
        str(form.get("base_hash", "")),
        reader_of(request).name,
        str(form.get("reason", "")),
    )
    return RedirectResponse(f"/records/{kind}/{record.id}/history", status_code=303)


async def api_record(request: Request) -> Response:
    kind, record, digest = _staff_record(request)
    if request.method == "GET":
        return JSONResponse(
            {"kind": kind, "id": record.id, "record": codec.to_data(record)},
            headers={"etag": f'"{digest}"', "cache-control": "no-store"},
        )
    base = _if_match(request, f'"{digest}"').strip('"')
    body = await _json_body(request)
    changes = body.get("changes", {})
    if not isinstance(changes, dict):
        raise QueryError(0, "changes is an object of field → new value")
    edited = apply_changes(record, changes)
    assert isinstance(edited, Authority | Event | Collection)
    new = history.save_record(
        store_of(request), edited, base, reader_of(request).name, _reason(body)
    )
    return JSONResponse({"kind": kind, "id": record.id}, headers={"etag": f'"{new}"'})


async def records_page(request: Request) -> Response:
    """Staff: the closed records and the recently edited ones, with links to edit them."""
    require_staff(request)
    store = store_of(request)
    closed = [
        {"kind": kind, "id": rid, "access": access, "embargo_until": embargo or ""}
        for kind in RECORD_KINDS
        for rid, (access, embargo) in sorted(store.closed_records(kind).items())
    ]
    edits = store.edits(limit=100)
    return render(request, "editorial/records.html", closed=closed, edits=edits, kinds=RECORD_KINDS)


# -- errata ------------------------------------------------------------------------


async def errata_page(request: Request) -> Response:
    found = errata(store_of(request), scoped_for(request))
    items = [{**e.__dict__, "href": document_path(e.doc_id)} for e in found]
    return render(request, "editorial/errata.html", errata=items)


async def api_errata(request: Request) -> Response:
    found = errata(store_of(request), scoped_for(request))
    return JSONResponse(
        {"errata": [{**e.__dict__, "href": document_path(e.doc_id)} for e in found]}
    )


routes = [
    Route("/documents/{doc_id:path}/edit", edit_document_page, methods=["GET", "POST"]),
    Route("/documents/{doc_id:path}/history", history_page),
    Route("/documents/{doc_id:path}/diff", diff_page),
    Route("/documents/{doc_id:path}/revert", revert_document, methods=["POST"]),
    Route("/documents/{doc_id:path}/withdraw", withdraw_document, methods=["POST"]),
    Route("/documents/{doc_id:path}/restore", restore_document, methods=["POST"]),
    Route("/records", records_page),
    Route("/records/{kind}/{record_id:path}/edit", edit_record_page, methods=["GET", "POST"]),
    Route("/records/{kind}/{record_id:path}/history", record_history_page),
    Route("/records/{kind}/{record_id:path}/revert", revert_record, methods=["POST"]),
    Route("/errata", errata_page, name="errata"),
    Route("/api/errata", api_errata),
    Route("/api/documents/{doc_id:path}/source", api_source),
    Route("/api/documents/{doc_id:path}/versions", api_versions),
    Route("/api/documents/{doc_id:path}/diff", api_diff),
    Route("/api/documents/{doc_id:path}/revert", api_revert, methods=["POST"]),
    Route("/api/documents/{doc_id:path}/withdraw", api_withdraw, methods=["POST"]),
    Route("/api/documents/{doc_id:path}/restore", api_restore, methods=["POST"]),
    Route("/api/records/{kind}/{record_id:path}", api_record, methods=["GET", "PATCH"]),
    Route("/api/documents/{doc_id:path}", api_patch, methods=["PATCH"]),
]
