"""API tokens for scripts: `Authorization: Bearer dcl_…`. Shown once; kept hashed."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from declass.accounts.reader import Reader
from declass.accounts.records import Account, ApiToken
from declass.accounts.sessions import key_of
from declass.accounts.users import audit
from declass.errors import NotFound
from declass.store.base import Store

PREFIX = "dcl_"


def issue_token(
    store: Store, account: Account, label: str, actor: str = ""
) -> tuple[str, ApiToken]:
    """A new token for `account`: the secret (to show once) and what the store keeps."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = store.add_token(
        ApiToken(0, account.id, key_of(secret), label.strip()[:100] or "token", "")
    )
    audit(store, actor or account.name, "token.add", account.name, token.label)
    return secret, token


def revoke_token(store: Store, account: Account, token_id: int, actor: str = "") -> None:
    if all(t.id != token_id for t in store.tokens(account.id)):
        raise NotFound(f"no token {token_id} of {account.name}")
    store.revoke_token(token_id, datetime.now(UTC).isoformat(timespec="seconds"))
    audit(store, actor or account.name, "token.revoke", account.name, str(token_id))


def token_reader(store: Store, secret: str) -> Reader | None:
    """The reader a bearer token stands for, or None for an unknown or revoked one."""
    if not secret.startswith(PREFIX) or len(secret) > 128:
        return None
    token = store.token(key_of(secret))
    if token is None or token.revoked_at is not None:
        return None
    try:
        account = store.account(account_id=token.account_id)
    except NotFound:
        return None
    return None if account.disabled else Reader(account, via_token=True)
