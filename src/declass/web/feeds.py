"""Following searches and collections, and the feed of what changed in them: a page,
JSON, and Atom for feed readers (its address carries the account's feed key, since
feed readers send no cookie)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from declass.accounts.reader import Reader
from declass.errors import NotFound, QueryError
from declass.follows import feed as feeds
from declass.follows.atom import atom_feed
from declass.web.access import require_signed_in
from declass.web.auth import read_form, render, store_of
from declass.web.reading import document_path
from declass.web.rooms import rooms_of, scoped_for


def _today(request: Request) -> str:
    return rooms_of(request).clock.today().isoformat()


def _items_json(items: list[feeds.FeedItem]) -> list[dict[str, Any]]:
    return [
        {
            "doc_id": i.doc_id,
            "title": i.title,
            "change": i.change,
            "at": i.at,
            "detail": i.detail,
            "href": document_path(i.doc_id),
            "follow": {"id": i.follow.id, "kind": i.follow.kind.value, "label": i.follow.label},
        }
        for i in items
    ]


async def follow(request: Request) -> Response:
    reader = require_signed_in(request)
    form = await read_form(request)
    kind = str(form.get("kind", ""))
    store = store_of(request)
    if kind == "collection":
        feeds.follow_collection(store, scoped_for(request), reader, str(form.get("target", "")))
    elif kind == "search":
        feeds.follow_search(
            store,
            reader,
            str(form.get("q", "")),
            [str(f) for f in form.getlist("facet")],
            str(form.get("label", "")),
        )
    else:
        raise QueryError(0, "kind is search or collection")
    return RedirectResponse("/feed", status_code=303)


async def unfollow(request: Request) -> Response:
    reader = require_signed_in(request)
    try:
        follow_id = int(request.path_params["follow_id"])
    except ValueError:
        raise NotFound("no such follow") from None
    feeds.unfollow(store_of(request), reader, follow_id)
    return RedirectResponse("/feed", status_code=303)


def _feed(request: Request, reader: Reader) -> list[feeds.FeedItem]:
    return feeds.feed(store_of(request), scoped_for(request), reader, _today(request))


async def feed_page(request: Request) -> Response:
    reader = require_signed_in(request)
    assert reader.account is not None
    store = store_of(request)
    return render(
        request,
        "editorial/feed.html",
        items=_items_json(_feed(request, reader)),
        follows=store.follows(reader.account.id),
        feed_key=store.account(account_id=reader.account.id).feed_key,
    )


async def seen(request: Request) -> Response:
    reader = require_signed_in(request)
    feeds.mark_seen(store_of(request), reader, rooms_of(request).clock.now())
    return RedirectResponse("/feed", status_code=303)


async def api_feed(request: Request) -> Response:
    reader = require_signed_in(request)
    return JSONResponse({"items": _items_json(_feed(request, reader))})


async def atom(request: Request) -> Response:
    """The feed of the account whose feed key is in the address (404 for any other)."""
    key = request.path_params["key"]
    store = store_of(request)
    account = next((a for a in store.accounts() if key and a.feed_key == key), None)
    if account is None or account.disabled:
        raise NotFound("no such feed")
    reader = Reader(account)
    rooms = rooms_of(request)
    rooms.fresh()
    since = feeds.atom_since(datetime.now(UTC))
    items = feeds.feed(store, rooms.store(reader.audience), reader, _today(request), since=since)
    base = str(request.base_url)
    body = atom_feed(
        items, f"declass: what changed for {account.shown_name}", str(request.url), base
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


routes = [
    Route("/follows", follow, methods=["POST"]),
    Route("/follows/{follow_id}/remove", unfollow, methods=["POST"]),
    Route("/feed", feed_page, name="feed"),
    Route("/feed/seen", seen, methods=["POST"]),
    Route("/feed/{key}.atom", atom),
    Route("/api/feed", api_feed),
]
