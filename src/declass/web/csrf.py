"""Identity and cross-site request forgery protection, for every request.

The Gatekeeper finds who is asking (an API token in `Authorization: Bearer`, else the
session cookie) and checks every state-changing request that could be forged:

- a request made with a session cookie must carry the session's token, in the form
  field `csrf_token` or the `X-CSRF-Token` header;
- an API token is no ambient credential (a browser never sends it by itself), so a
  request made with one needs no other token, and its cookies are ignored;
- forms of readers who are not signed in (sign-in, sign-up) carry the token of a
  `declass_csrf` cookie, which those pages check themselves (`check_form_token`).

Cookies are HttpOnly and SameSite=Lax, and Secure whenever the request came over TLS.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from declass.accounts.reader import ANONYMOUS, Reader
from declass.accounts.records import Session
from declass.accounts.sessions import session_reader
from declass.accounts.tokens import token_reader
from declass.errors import Forbidden, Unauthorized

SESSION_COOKIE = "declass_session"
CSRF_COOKIE = "declass_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_FORM_BYTES = 8 * 1024 * 1024  # parallels take a 2 MB article, URL-encoded


def cookie_header(name: str, value: str, secure: bool, max_age: int | None = None) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header: ignore it, as browsers do
                continue
    return {k: v.value for k, v in jar.items()}


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def token_of(request: Request) -> str:
    """The token this request's forms must carry (the session's, else the cookie's)."""
    state = request.scope.get("state", {})
    return str(state.get("csrf", ""))


def check_form_token(request: Request, form: Mapping[str, Any]) -> None:
    """For pages that signed-out readers post (sign-in, sign-up): the form's token must
    be the one its page was served with."""
    if not same(str(form.get(FIELD, "")), token_of(request)):
        raise Forbidden("the form has expired or was sent from another site: reload it")


class Gatekeeper:
    """Sets `state.reader`, `state.session` and `state.csrf` on each request and refuses
    forged ones (see the module doc). `store` gives sessions and tokens."""

    def __init__(self, app: ASGIApp, store_of: Any) -> None:
        self.app = app
        self.store_of = store_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        store = self.store_of(scope)
        cookies = _cookies(scope)
        reader: Reader = ANONYMOUS
        session: Session | None = None
        bearer = _header(scope, b"authorization")
        if bearer:
            kind, _, secret = bearer.partition(" ")
            found = token_reader(store, secret.strip()) if kind.lower() == "bearer" else None
            if found is None:
                await _refuse(scope, receive, send, Unauthorized("the API token is not valid"))
                return
            reader = found
        elif cookies.get(SESSION_COOKIE):
            reader, session = session_reader(store, cookies[SESSION_COOKIE])
        fresh_csrf = ""
        if session is not None:
            csrf = session.csrf
        else:
            csrf = cookies.get(CSRF_COOKIE, "")
            if not csrf or len(csrf) > 64:
                csrf = fresh_csrf = secrets.token_urlsafe(24)
        state = scope.setdefault("state", {})
        state.update(reader=reader, session=session, csrf=csrf)
        if scope["method"] not in SAFE and session is not None and not reader.via_token:
            receive, sent = await _token_sent(scope, receive)
            if not same(sent, session.csrf):
                await _refuse(
                    scope,
                    receive,
                    send,
                    Forbidden("the request carries no valid CSRF token: reload the page"),
                )
                return
        secure = scope.get("scheme") == "https"

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and fresh_csrf:
                headers = message.setdefault("headers", [])
                headers.append(
                    (b"set-cookie", cookie_header(CSRF_COOKIE, fresh_csrf, secure).encode())
                )
            await send(message)

        await self.app(scope, receive, sending)


async def _token_sent(scope: Scope, receive: Receive) -> tuple[Receive, str]:
    """The CSRF token a request sends (header, else form field), and a `receive` that
    replays the body for the app."""
    header = _header(scope, HEADER.encode())
    if header:
        return receive, header
    kind = _header(scope, b"content-type").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return receive, ""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return receive, ""
        chunks.append(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    if kind == "application/x-www-form-urlencoded":
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(FIELD, [""])
        return replay, values[0]
    request = Request(scope, replay)
    try:
        form = await request.form(max_part_size=MAX_FORM_BYTES)
        sent = str(form.get(FIELD, ""))
    except Exception:
        sent = ""
    replayed = False
    return replay, sent


async def _refuse(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    """Answer with the app's own error response (a page, or problem JSON under /api)."""
    from declass.web import problems

    response = await problems.handle(Request(scope, receive), exc)
    await response(scope, receive, send)
