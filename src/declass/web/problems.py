"""Every error becomes one consistent response: a page for a reader, problem-detail
JSON (RFC 9457) for the API. DeclassError subclasses decide the status."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from declass.errors import (
    Conflict,
    DeclassError,
    Forbidden,
    NotFound,
    PreconditionRequired,
    QueryError,
    StaleEdit,
    TooManyRequests,
    Unauthorized,
)

STATUS: dict[type[DeclassError], int] = {
    NotFound: 404,
    QueryError: 400,
    Forbidden: 403,
    Conflict: 409,
    StaleEdit: 412,
    PreconditionRequired: 428,
    Unauthorized: 401,
    TooManyRequests: 429,
}
TITLES = {
    400: "The request cannot be read",
    401: "Sign in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Changed since you opened it",
    428: "Say which version you changed",
    429: "Too many requests",
    500: "Something went wrong",
}


def problem(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }


def status_of(exc: Exception) -> int:
    if isinstance(exc, HTTPException):
        return exc.status_code
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def describe(exc: Exception) -> dict[str, Any]:
    status = status_of(exc)
    if isinstance(exc, QueryError):
        return problem(status, exc.reason, position=exc.position)
    if isinstance(exc, HTTPException):
        return problem(status, str(exc.detail))
    if isinstance(exc, DeclassError):
        return problem(status, str(exc))
    return problem(500, "The server could not answer this request.")


async def handle(request: Request, exc: Exception) -> Response:
    """The one exception handler: JSON problems under /api, pages elsewhere."""
    body = describe(exc)
    headers = {"retry-after": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            body,
            status_code=body["status"],
            media_type="application/problem+json",
            headers=headers,
        )
    if isinstance(exc, Unauthorized) and request.method == "GET":
        # A page that needs a signed-in reader: sign in, then come back.
        return RedirectResponse("/login?" + urlencode({"next": request.url.path}), 303)
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "error.html", {"problem": body}, status_code=body["status"], headers=headers
    )
