"""Managing accounts: what `declass users` and the sign-up and sign-in pages call.

Every change is written to the audit log with who made it. Signing in is throttled
per account and per address; a wrong name and a wrong password answer alike.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from declass.accounts import passwords
from declass.accounts.records import Account, Role
from declass.editing.records import AuditEntry
from declass.errors import DeclassError, NotFound, TooManyRequests, Unauthorized
from declass.store.base import Store

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
# Failed sign-ins allowed in the window, per account and per address.
FAILURES_PER_ACCOUNT = 5
FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=15)
WRONG = "wrong name or password"


class BadName(DeclassError):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def audit(
    store: Store, actor: str, action: str, target: str = "", detail: str = "", address: str = ""
) -> None:
    store.add_audit(AuditEntry(actor, action, target, detail, address))


def add_user(
    store: Store,
    name: str,
    password: str,
    role: Role = Role.RESEARCHER,
    *,
    display_name: str = "",
    email: str = "",
    actor: str = "",
    address: str = "",
) -> Account:
    """Create an account; raises BadName, WeakPassword or Conflict (name taken)."""
    name = name.strip().lower()
    if not NAME.match(name):
        raise BadName(
            "a name is 2 to 32 lower-case letters, digits, dots, dashes or underscores,"
            " starting with a letter or digit"
        )
    passwords.check_password(password, name)
    account = store.add_account(
        Account(
            0,
            name,
            role,
            passwords.hash_password(password),
            display_name=display_name.strip()[:100],
            email=email.strip()[:200],
            feed_key=secrets.token_urlsafe(24),
        )
    )
    audit(store, actor or name, "account.add", name, role.value, address)
    return account


def set_role(store: Store, name: str, role: Role, actor: str) -> Account:
    account = store.account(name)
    changed = replace(account, role=role)
    store.update_account(changed)
    store.remove_sessions(account_id=account.id)  # its pages were served to the old role
    audit(store, actor, "account.role", name, f"{account.role.value} -> {role.value}")
    return changed


def set_disabled(store: Store, name: str, disabled: bool, actor: str) -> Account:
    account = store.account(name)
    changed = replace(account, disabled=disabled)
    store.update_account(changed)
    store.remove_sessions(account_id=account.id)
    audit(store, actor, "account.disable" if disabled else "account.enable", name)
    return changed


def reset_password(store: Store, name: str, password: str | None, actor: str) -> str:
    """Set a new password (a generated one when None, returned); ends every session."""
    account = store.account(name)
    new = password if password is not None else secrets.token_urlsafe(15)
    passwords.check_password(new, name)
    store.update_account(replace(account, password_hash=passwords.hash_password(new)))
    store.remove_sessions(account_id=account.id)
    store.clear_events("sign-in", f"account:{name}")
    audit(store, actor, "account.password", name)
    return new


def authenticate(store: Store, name: str, password: str, address: str = "") -> Account:
    """The account `name` if `password` is its own; Unauthorized otherwise, alike for
    an unknown name; TooManyRequests after too many failures for the account or from
    the address in FAILURE_WINDOW (checked before the password, so guessing stops)."""
    name = name.strip().lower()
    now = _now()
    since = _stamp(now - FAILURE_WINDOW)
    keys = [(f"account:{name}", FAILURES_PER_ACCOUNT), (f"address:{address}", FAILURES_PER_ADDRESS)]
    for key, limit in keys:
        if store.count_events("sign-in", key, since) >= limit:
            audit(store, name or "?", "sign-in.throttled", name, key, address)
            raise TooManyRequests(
                "too many failed sign-ins: try again in a quarter of an hour",
                int(FAILURE_WINDOW.total_seconds()),
            )
    try:
        account: Account | None = store.account(name) if NAME.match(name) else None
    except NotFound:
        account = None
    ok = passwords.verify_password(account.password_hash if account else None, password)
    if not ok or account is None or account.disabled:
        for key, _ in keys:
            store.note_event("sign-in", key, _stamp(now), since)
        audit(store, name or "?", "sign-in.failed", name, "", address)
        raise Unauthorized(WRONG)
    store.clear_events("sign-in", f"account:{name}")
    if passwords.needs_rehash(account.password_hash):
        account = replace(account, password_hash=passwords.hash_password(password))
        store.update_account(account)
    audit(store, name, "sign-in", name, "", address)
    return account
