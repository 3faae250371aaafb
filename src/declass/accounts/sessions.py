"""Server-side sessions: the cookie holds a random secret, the store its SHA-256.

A stolen database gives no usable cookie; ending a session (sign-out, a password
reset, a role change) takes effect at the next request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from declass.accounts.reader import ANONYMOUS, Reader
from declass.accounts.records import Account, Session
from declass.errors import NotFound
from declass.store.base import Store

LIFETIME = timedelta(days=14)


def key_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def open_session(store: Store, account: Account, address: str = "") -> tuple[str, Session]:
    """A new session for `account`: the cookie's secret and what the store keeps."""
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session = Session(
        key=key_of(secret),
        account_id=account.id,
        csrf=secrets.token_urlsafe(32),
        created_at=now.isoformat(timespec="seconds"),
        expires_at=(now + LIFETIME).isoformat(timespec="seconds"),
        address=address[:64],
    )
    store.add_session(session)
    return secret, session


def session_reader(store: Store, secret: str) -> tuple[Reader, Session | None]:
    """The reader a session cookie stands for (anonymous when it is unknown, expired,
    or its account disabled), with the session."""
    if not secret or len(secret) > 128:
        return ANONYMOUS, None
    session = store.session(key_of(secret))
    if session is None:
        return ANONYMOUS, None
    if session.expires_at < datetime.now(UTC).isoformat(timespec="seconds"):
        store.remove_sessions(key=session.key)
        return ANONYMOUS, None
    try:
        account = store.account(account_id=session.account_id)
    except NotFound:
        return ANONYMOUS, None
    if account.disabled:
        return ANONYMOUS, None
    return Reader(account), session


def close_session(store: Store, secret: str) -> None:
    store.remove_sessions(key=key_of(secret))
