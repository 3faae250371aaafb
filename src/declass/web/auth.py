"""Signing up, in and out; a reader's account (API tokens, feed address, password);
accounts for administrators; the audit log and the moderation queue for staff."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from declass.accounts import sessions, tokens, users
from declass.accounts.passwords import WeakPassword, check_password, verify_password
from declass.accounts.records import Role
from declass.accounts.throttle import RateLimit, charge
from declass.accounts.users import BadName
from declass.errors import Conflict, DeclassError, NotFound, QueryError, Unauthorized
from declass.web.access import address_of, require_admin, require_signed_in, require_staff
from declass.web.csrf import SESSION_COOKIE, check_form_token, cookie_header, token_of
from declass.web.params import int_param
from declass.web.rooms import reader_of

SIGN_UPS = RateLimit("sign-up", limit=5, window=3600)


def store_of(request: Request) -> Any:
    """The archive's own store (accounts are not a reading surface: no scoping)."""
    return request.app.state.rooms.archive.store


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, template, context, status_code=status
    )


def safe_next(target: str) -> str:
    """Where to go after signing in: a path of this site only (never //elsewhere)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


async def read_form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=200, max_part_size=4 * 1024 * 1024)


def _signed_in(request: Request, account: Any, target: str) -> Response:
    secret, _ = sessions.open_session(store_of(request), account, address_of(request))
    response = RedirectResponse(safe_next(target), status_code=303)
    secure = request.url.scheme == "https"
    response.headers.append(
        "set-cookie",
        cookie_header(SESSION_COOKIE, secret, secure, int(sessions.LIFETIME.total_seconds())),
    )
    return response


async def login(request: Request) -> Response:
    target = request.query_params.get("next", "/")
    if request.method == "GET":
        return render(request, "editorial/login.html", next=target, error=None, name="")
    form = await read_form(request)
    check_form_token(request, form)
    name = str(form.get("name", ""))
    target = str(form.get("next", target))
    try:
        account = users.authenticate(
            store_of(request), name, str(form.get("password", "")), address_of(request)
        )
    except Unauthorized as exc:
        return render(request, "editorial/login.html", 401, next=target, error=str(exc), name=name)
    return _signed_in(request, account, target)


async def logout(request: Request) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if cookie:
        sessions.close_session(store_of(request), cookie)
    response = RedirectResponse("/", status_code=303)
    response.headers.append(
        "set-cookie", cookie_header(SESSION_COOKIE, "", request.url.scheme == "https", 0)
    )
    return response


async def signup(request: Request) -> Response:
    if not request.app.state.signup_open:
        raise NotFound("this reading room does not take sign-ups")
    if request.method == "GET":
        return render(request, "editorial/signup.html", error=None, form={})
    form = await read_form(request)
    check_form_token(request, form)
    store = store_of(request)
    charge(store, SIGN_UPS, reader_of(request), address_of(request))
    password = str(form.get("password", ""))
    if password != str(form.get("password_again", "")):
        return render(
            request, "editorial/signup.html", 400, error="the passwords differ", form=form
        )
    try:
        account = users.add_user(
            store,
            str(form.get("name", "")),
            password,
            Role.RESEARCHER,
            display_name=str(form.get("display_name", "")),
            email=str(form.get("email", "")),
            address=address_of(request),
        )
    except (BadName, WeakPassword, Conflict) as exc:
        return render(request, "editorial/signup.html", 400, error=str(exc), form=form)
    return _signed_in(request, account, "/account")


def _account_page(request: Request, status: int = 200, **extra: Any) -> Response:
    reader = require_signed_in(request)
    store = store_of(request)
    assert reader.account is not None
    account = store.account(account_id=reader.account.id)
    feed = f"{str(request.base_url).rstrip('/')}/feed/{account.feed_key}.atom"
    context: dict[str, Any] = {"new_token": None, "error": None, "password_error": None}
    context.update(extra)
    return render(
        request,
        "editorial/account.html",
        status,
        account=account,
        tokens=store.tokens(account.id),
        follows=store.follows(account.id),
        feed_url=feed,
        **context,
    )


async def account_page(request: Request) -> Response:
    return _account_page(request)


async def add_token(request: Request) -> Response:
    reader = require_signed_in(request)
    form = await read_form(request)
    assert reader.account is not None
    secret, _ = tokens.issue_token(store_of(request), reader.account, str(form.get("label", "")))
    return _account_page(request, new_token=secret)


async def revoke_token(request: Request) -> Response:
    reader = require_signed_in(request)
    assert reader.account is not None
    try:
        token_id = int(request.path_params["token_id"])
    except ValueError:
        raise NotFound("no such token") from None
    tokens.revoke_token(store_of(request), reader.account, token_id)
    return RedirectResponse("/account", status_code=303)


async def change_password(request: Request) -> Response:
    reader = require_signed_in(request)
    assert reader.account is not None
    form = await read_form(request)
    store = store_of(request)
    account = store.account(account_id=reader.account.id)
    new = str(form.get("new_password", ""))
    if not verify_password(account.password_hash, str(form.get("current_password", ""))):
        return _account_page(request, 400, password_error="the current password is wrong")
    try:
        check_password(new, account.name)
    except WeakPassword as exc:
        return _account_page(request, 400, password_error=str(exc))
    users.reset_password(store, account.name, new, actor=account.name)
    return _signed_in(request, account, "/account")


async def me(request: Request) -> Response:
    """Who the API sees: name, role, audience, and (for a browser session) the CSRF
    token that state-changing calls made with its cookie must send."""
    reader = reader_of(request)
    session = request.scope.get("state", {}).get("session")
    return JSONResponse(
        {
            "signed_in": reader.signed_in,
            "name": reader.name,
            "role": reader.account.role.value if reader.account else "anonymous",
            "audience": reader.audience.value,
            "csrf_token": token_of(request) if session is not None else None,
        },
        headers={"cache-control": "no-store"},
    )


async def admin_users(request: Request) -> Response:
    admin = require_admin(request)
    store = store_of(request)
    error = None
    if request.method == "POST":
        form = await read_form(request)
        try:
            name = str(form.get("name", ""))
            if form.get("role"):
                users.set_role(store, name, Role(str(form["role"])), admin.name)
            if form.get("disabled") in ("0", "1"):
                users.set_disabled(store, name, form["disabled"] == "1", admin.name)
        except (ValueError, DeclassError) as exc:
            error = str(exc)
    return render(
        request, "editorial/users.html", accounts=store.accounts(), roles=list(Role), error=error
    )


async def audit_page(request: Request) -> Response:
    require_staff(request)
    page = int_param(request, "page", 1)
    if not 1 <= page <= 1000:
        raise QueryError(0, "page must be between 1 and 1000")
    entries = store_of(request).audit_log(limit=100, offset=(page - 1) * 100)
    return render(request, "editorial/audit.html", entries=entries, page=page)


routes = [
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/signup", signup, methods=["GET", "POST"], name="signup"),
    Route("/account", account_page, name="account"),
    Route("/account/tokens", add_token, methods=["POST"]),
    Route("/account/tokens/{token_id}/revoke", revoke_token, methods=["POST"]),
    Route("/account/password", change_password, methods=["POST"]),
    Route("/admin/users", admin_users, methods=["GET", "POST"], name="admin_users"),
    Route("/audit", audit_page, name="audit"),
    Route("/api/me", me),
]
