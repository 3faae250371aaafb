"""Reading query parameters: a bad one is a QueryError (400), never a server error."""

from __future__ import annotations

from starlette.requests import Request

from declass.errors import QueryError


def int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise QueryError(0, f"{name} must be a whole number, not {raw!r}") from None


def bool_param(request: Request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise QueryError(0, f"{name} must be true or false, not {raw!r}")


def search_params(request: Request) -> dict[str, object]:
    """The search request's parameters, as ReadingRoom.search takes them."""
    return {
        "q": request.query_params.get("q", ""),
        "facets": request.query_params.getlist("facet"),
        "sort": request.query_params.get("sort") or "relevance",
        "page": int_param(request, "page", 1),
        "page_size": int_param(request, "page_size", 10),
        "expand": bool_param(request, "expand", True),
    }
