"""Rate limits on costly requests (parallels, large exports), per account and per
address, counted in the store so that every server process shares them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from declass.accounts.reader import Reader
from declass.errors import TooManyRequests
from declass.store.base import Store


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` requests of `bucket` in `window` seconds for each key."""

    bucket: str
    limit: int
    window: int


def charge(store: Store, rule: RateLimit, reader: Reader, address: str) -> None:
    """Count one request against the reader's account and the address; raise
    TooManyRequests (with the seconds to wait) when either is over its limit."""
    now = datetime.now(UTC)
    since = (now - timedelta(seconds=rule.window)).isoformat(timespec="seconds")
    at = now.isoformat(timespec="seconds")
    keys = [f"address:{address}"]
    if reader.account is not None:
        keys.append(f"account:{reader.account.id}")
    over = [k for k in keys if store.note_event(rule.bucket, k, at, since) > rule.limit]
    if over:
        raise TooManyRequests(
            f"too many {rule.bucket} requests: at most {rule.limit} in {rule.window} seconds",
            rule.window,
        )
