"""Who may do what in the reading room: the checks a page or API call makes about its
reader. What a reader may *see* is decided below the web, by the scoped store of the
reader's room (declass.store.scoped, declass.web.rooms)."""

from __future__ import annotations

from starlette.requests import Request

from declass.accounts import throttle
from declass.accounts.reader import Reader
from declass.errors import Forbidden, Unauthorized
from declass.web.rooms import reader_of


def require_signed_in(request: Request) -> Reader:
    """The reader, who must be signed in (a page sends them to sign in first)."""
    reader = reader_of(request)
    if not reader.signed_in:
        raise Unauthorized("sign in first")
    return reader


def require_staff(request: Request) -> Reader:
    """An editor or administrator. Others are told no (on records they cannot see,
    the record itself answers 404 first)."""
    reader = require_signed_in(request)
    if not reader.is_staff:
        raise Forbidden("only editors may do this")
    return reader


def require_admin(request: Request) -> Reader:
    reader = require_signed_in(request)
    if not reader.is_admin:
        raise Forbidden("only administrators may do this")
    return reader


def charge(request: Request, bucket: str) -> None:
    """Count a costly request (parallels, a large export) against the reader's account
    and address; TooManyRequests (429, with Retry-After) past the app's limit."""
    limit = request.app.state.limits[bucket]
    store = request.app.state.rooms.archive.store
    throttle.charge(store, limit, reader_of(request), address_of(request))


def address_of(request: Request) -> str:
    """The client's address, as the server saw it (behind a proxy, as uvicorn's
    --proxy-headers resolved it)."""
    return request.client.host if request.client else ""
