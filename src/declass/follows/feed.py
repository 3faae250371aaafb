"""The reader's feed: documents added, opened by an embargo lifting, or corrected in
the searches and collections the reader follows, since the reader last looked.

Everything is read through the reader's own scoped store: a document closed to the
reader is not in their feed, and one that opens to them appears when it does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode

from declass.accounts.reader import Reader
from declass.errors import NotFound, QueryError, Unauthorized
from declass.follows.records import Follow, FollowKind
from declass.search.engine import search
from declass.store.base import Store

MAX_MATCHES = 2000  # the matches of a followed search checked against what changed
ATOM_DAYS = 30  # how far back an Atom feed reaches


@dataclass(frozen=True)
class FeedItem:
    doc_id: str
    title: str
    change: str  # "added", "opened", "corrected"
    at: str
    detail: str
    follow: Follow


def _account_id(reader: Reader) -> int:
    if reader.account is None:
        raise Unauthorized("sign in to follow searches and collections")
    return reader.account.id


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def search_target(query: str, facets: list[str]) -> str:
    return urlencode([("q", query), *[("facet", f) for f in facets]])


def follow_search(
    store: Store, reader: Reader, query: str, facets: list[str], label: str = ""
) -> Follow:
    target = search_target(query.strip(), sorted(facets))
    shown = label.strip() or query.strip() or "everything"
    return store.add_follow(Follow(0, _account_id(reader), FollowKind.SEARCH, target, shown[:200]))


def follow_collection(
    store: Store, reader_store: Store, reader: Reader, collection_id: str
) -> Follow:
    collection = reader_store.collection(collection_id)  # NotFound when closed to the reader
    return store.add_follow(
        Follow(0, _account_id(reader), FollowKind.COLLECTION, collection.id, collection.title[:200])
    )


def unfollow(store: Store, reader: Reader, follow_id: int) -> None:
    store.remove_follow(follow_id, _account_id(reader))


def mark_seen(store: Store, reader: Reader, at: datetime | None = None) -> None:
    """The reader has looked (at `at`, else now): the feed starts again from then."""
    now = (at or datetime.now(UTC)).isoformat(timespec="seconds")
    for f in store.follows(_account_id(reader)):
        store.update_follow(replace(f, seen_at=now))


def _matches(reader_store: Store, follow: Follow, candidates: set[str]) -> set[str]:
    if follow.kind is FollowKind.COLLECTION:
        found = set()
        for doc_id in candidates:
            try:
                if follow.target in reader_store.document(doc_id).collections:
                    found.add(doc_id)
            except NotFound:
                continue
        return found
    params = parse_qs(follow.target)
    query = params.get("q", [""])[0]
    facets = params.get("facet", [])
    hits: set[str] = set()
    page = 1
    while len(hits) < MAX_MATCHES:
        try:
            found = search(
                reader_store,
                query,
                sort="date",
                page=page,
                page_size=100,
                facets=facets,
                snippets=False,
                facet_size=0,
            )
        except QueryError:
            return set()
        hits |= {r.doc_id for r in found.results}
        if len(found.results) < 100:
            break
        page += 1
    return hits & candidates


def feed(
    store: Store, reader_store: Store, reader: Reader, today: str, since: str | None = None
) -> list[FeedItem]:
    """What changed in the reader's follows after each was last looked at (or after
    `since`), newest first, each document once a change and follow."""
    follows = store.follows(_account_id(reader))
    if not follows:
        return []
    start = since if since is not None else min(f.seen_at for f in follows)
    changes = reader_store.document_changes(start, today)
    items: list[FeedItem] = []
    titles: dict[str, str] = {}
    for follow in follows:
        after = since if since is not None else follow.seen_at
        # Times are to the second: what happened in the second the reader looked is
        # shown again rather than lost.
        recent = [
            c for c in changes if c.at >= after or (c.change == "opened" and c.at > after[:10])
        ]
        matched = _matches(reader_store, follow, {c.doc_id for c in recent})
        for c in recent:
            if c.doc_id not in matched:
                continue
            if c.doc_id not in titles:
                try:
                    titles[c.doc_id] = reader_store.document(c.doc_id).title
                except NotFound:
                    continue
            items.append(FeedItem(c.doc_id, titles[c.doc_id], c.change, c.at, c.detail, follow))
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for item in sorted(items, key=lambda i: (i.at, i.doc_id), reverse=True):
        key = (item.doc_id, item.change, item.at)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def atom_since(today: datetime | None = None) -> str:
    return ((today or datetime.now(UTC)) - timedelta(days=ATOM_DAYS)).isoformat(timespec="seconds")
