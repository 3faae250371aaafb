"""Who is asking: an account (or nobody) and what that lets them see and do."""

from __future__ import annotations

from dataclasses import dataclass

from declass.access import Audience
from declass.accounts.records import Account, Role


@dataclass(frozen=True)
class Reader:
    """The person behind a request; `account` None for an anonymous reader."""

    account: Account | None = None
    via_token: bool = False  # an API token, not a browser session

    @property
    def signed_in(self) -> bool:
        return self.account is not None

    @property
    def name(self) -> str:
        return self.account.name if self.account else ""

    @property
    def audience(self) -> Audience:
        if self.account is None:
            return Audience.PUBLIC
        if self.account.role in (Role.EDITOR, Role.ADMIN):
            return Audience.STAFF
        return Audience.REGISTERED

    @property
    def is_staff(self) -> bool:
        return self.audience is Audience.STAFF

    @property
    def is_admin(self) -> bool:
        return self.account is not None and self.account.role is Role.ADMIN


ANONYMOUS = Reader()
