"""What the store keeps about accounts: plain values, no I/O (the store imports these)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(str, Enum):
    """What an account may do. Anonymous readers have no account."""

    RESEARCHER = "researcher"  # reads registered material, annotates, follows
    EDITOR = "editor"  # reads everything, edits, withdraws, moderates
    ADMIN = "admin"  # an editor who also manages accounts


@dataclass(frozen=True)
class Account:
    """A registered reader or member of staff; the name is fixed once chosen."""

    id: int
    name: str
    role: Role
    password_hash: str
    display_name: str = ""
    email: str = ""
    disabled: bool = False
    # The secret in the address of the account's Atom feed (feed readers send no cookie).
    feed_key: str = ""
    created_at: str = ""

    @property
    def shown_name(self) -> str:
        return self.display_name or self.name


@dataclass(frozen=True)
class Session:
    """A signed-in browser: the key is the SHA-256 of the cookie's secret."""

    key: str
    account_id: int
    csrf: str  # the token every form and cookie-borne API call of this session must carry
    created_at: str
    expires_at: str
    address: str = ""


@dataclass(frozen=True)
class ApiToken:
    """A script's credential (Authorization: Bearer); the key is the SHA-256 of it."""

    id: int
    account_id: int
    key: str
    label: str
    created_at: str
    revoked_at: str | None = None
