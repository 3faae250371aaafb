"""The Parallels page and POST /api/parallels: an article in, the record that echoes it out.

One ParallelFinder per app (in `app.state.parallels`), made on first use, so the
embedding model loads once. The finder reads the vectors the archive already holds
(`declass parallels` or ingest embeds them); only readable documents come back.
Both take a POST: the reading room has no session to hang a token on, so cross-site
requests are refused by their Origin (or Referer) header instead.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from declass.article import Article, read_article
from declass.errors import DeclassError, Forbidden
from declass.parallels import MODES, HighlightedText, ParallelFinder, result_as_json
from declass.web.access import charge
from declass.web.problems import problem
from declass.web.reading import document_path
from declass.web.rooms import reader_of, rooms_of

MAX_ARTICLE_BYTES = 2_000_000
log = logging.getLogger(__name__)


def finder_for(request: Request) -> ParallelFinder:
    """The reader's finder, made on first use (the model loads lazily inside it)."""
    # -- access hook (editorial work; keep it): one finder per audience, each over the
    # reader's scoped store (declass.web.rooms), so nothing closed to the reader comes
    # back; a finder the app was given in state.parallels (tests) is used as it is.
    given = getattr(request.app.state, "parallels", None)
    if given is not None:
        return given  # type: ignore[no-any-return]
    return rooms_of(request).finder(reader_of(request).audience, ParallelFinder)  # type: ignore[no-any-return]


def check_same_origin(request: Request) -> None:
    """Refuse a browser's cross-site POST: its Origin (else Referer) must be ours."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent:
        return  # not a browser form post (curl, scripts): nothing to forge
    theirs = urlsplit(sent)
    ours = urlsplit(str(request.base_url))
    if (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
        raise Forbidden("cross-site requests may not submit articles")


async def _read_form(request: Request) -> dict[str, Any]:
    """The form's fields: text, top, mode, and the uploaded file's name and bytes."""
    try:
        # A pasted article may be as large as an uploaded one (Starlette's default
        # part limit is 1 MB), and URL-encoding can triple its bytes; the 2 MB limit
        # is applied to the decoded text below.
        form = await request.form(max_files=1, max_fields=10, max_part_size=3 * MAX_ARTICLE_BYTES)
    except MultiPartException as exc:
        raise HTTPException(400, f"the form cannot be read ({exc.message})") from None
    fields: dict[str, Any] = {
        "text": str(form.get("text") or ""),
        "top": form.get("top"),
        "mode": form.get("mode"),
    }
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        fields["filename"] = upload.filename
        fields["data"] = await upload.read(MAX_ARTICLE_BYTES + 1)
    return fields


def _article_of(fields: dict[str, Any]) -> Article | None:
    """The article the form sends: the file if one came, else the pasted text."""
    data = fields.get("data")
    if data is not None:
        if len(data) > MAX_ARTICLE_BYTES:
            raise HTTPException(413, "the article is larger than 2 MB")
        if data.strip():
            return read_article(data, fields["filename"])
    text = fields["text"]
    if len(text.encode("utf-8", "surrogatepass")) > MAX_ARTICLE_BYTES:
        raise HTTPException(413, "the article is larger than 2 MB")
    if not text.strip():
        return None
    return read_article(text)


def _options(raw: dict[str, Any]) -> tuple[int, str]:
    try:
        top = int(raw.get("top") or 10)
    except (TypeError, ValueError):
        raise HTTPException(400, "top must be a whole number") from None
    mode = str(raw.get("mode") or "hybrid")
    if mode not in MODES:
        raise HTTPException(400, f"mode must be one of {', '.join(MODES)}")
    return max(1, min(top, 50)), mode


def present(result_json: dict[str, Any]) -> dict[str, Any]:
    """The API's JSON plus links and highlighted parts, for the page and the API alike."""
    for parallel in result_json["parallels"]:
        for doc in parallel["documents"]:
            doc["href"] = document_path(doc["doc_id"])
        for actor in parallel["explanation"]["actors"]:
            actor["href"] = document_path(actor["doc_id"])
        titles = {d["doc_id"]: d["title"] for d in parallel["documents"]}
        for pair in parallel["explanation"]["passages"]:
            pair["href"] = document_path(pair["doc_id"])
            pair["title"] = titles.get(pair["doc_id"], pair["doc_id"])
            for side in ("article", "record"):
                pair[side]["parts"] = _parts(pair[side])
    return result_json


def _parts(side: dict[str, Any]) -> list[dict[str, Any]]:
    text = HighlightedText(side["text"], tuple(tuple(h) for h in side["highlights"]))
    parts, last = [], 0
    for start, end in text.highlights:
        if start > last:
            parts.append({"text": text.text[last:start], "mark": False})
        parts.append({"text": text.text[start:end], "mark": True})
        last = end
    if last < len(text.text):
        parts.append({"text": text.text[last:], "mark": False})
    return parts


async def _find(request: Request, article: Article, top: int, mode: str) -> dict[str, Any]:
    charge(request, "parallels")  # access hook: rate-limited per account and address
    finder = finder_for(request)
    result = await run_in_threadpool(finder.find, article, top=top, mode=mode)
    return present(result_as_json(result))


async def parallels_page(request: Request) -> Response:
    """The form, and on POST the parallels under it; on any error the form comes back
    with the reader's text in it and the reason above it."""
    templates = request.app.state.templates
    context: dict[str, Any] = {"form": {"text": "", "top": 10, "mode": "hybrid"}, "modes": MODES}
    status = 200
    if request.method == "POST":
        check_same_origin(request)
        try:
            fields = await _read_form(request)
            context["form"] = {**context["form"], "text": fields["text"]}
            top, mode = _options(fields)
            context["form"] = {"text": fields["text"], "top": top, "mode": mode}
            article = _article_of(fields)
            if article is None:
                context["error"] = "Paste an article or choose a file."
                status = 400
            else:
                context["found"] = await _find(request, article, top, mode)
        except Forbidden:
            raise
        except (DeclassError, HTTPException) as exc:
            context["error"] = str(getattr(exc, "detail", exc))
            status = getattr(exc, "status_code", 400)
        except Exception:
            # Never lose what the reader pasted: log the fault, give the form back.
            log.exception("parallels failed")
            context["error"] = (
                "declass could not finish finding parallels for this text; it is kept"
                " below. Try again, or try the full-text mode."
            )
            status = 500
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "parallels.html", context, status_code=status
    )


async def parallels_api(request: Request) -> Response:
    """POST a JSON body {"text", "filename"?, "top"?, "mode"?} or a form with text/file."""
    check_same_origin(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise HTTPException(400, "the body must be a JSON object")
            # A lone surrogate can arrive escaped in JSON; it cannot be read as text.
            text = str(body.get("text") or "").encode("utf-8", "replace").decode("utf-8")
            if len(text.encode()) > MAX_ARTICLE_BYTES:
                raise HTTPException(413, "the article is larger than 2 MB")
            label = str(body.get("filename") or "pasted text")
            article = read_article(text, label) if text.strip() else None
            options: dict[str, Any] = body
        else:
            options = await _read_form(request)
            article = _article_of(options)
        top, mode = _options(options)
    except ValueError as exc:  # malformed JSON
        raise HTTPException(400, f"the body is not JSON ({exc})") from None
    except DeclassError as exc:
        if isinstance(exc, Forbidden):
            raise
        return JSONResponse(problem(400, str(exc)), 400, media_type="application/problem+json")
    if article is None:
        raise HTTPException(400, "the article is empty: send text or a file")
    return JSONResponse(await _find(request, article, top, mode))


routes = [
    Route("/parallels", parallels_page, methods=["GET", "POST"], name="parallels"),
    Route("/api/parallels", parallels_api, methods=["POST"], name="api-parallels"),
]
