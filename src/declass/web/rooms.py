"""One reading room per audience: the public's, registered researchers', and staff's.

Each ReadingRoom reads through a store scoped to its audience (declass.store.scoped)
and keeps its own caches, so a page built for an editor is never served from a cache
to anyone else. Every room forgets what it kept when an edit is saved (the store's
generation moves) or the day changes (embargoes lift at midnight).
"""

from __future__ import annotations

import threading
from typing import Any

from starlette.requests import Request

from declass.access import Audience, Clock
from declass.accounts.reader import ANONYMOUS, Reader
from declass.archive import Archive
from declass.store.scoped import ScopedStore
from declass.web.reading import ReadingRoom


class Rooms:
    """The rooms of one app, their scoped stores, and the clock they judge access by."""

    def __init__(self, archive: Archive, cache: bool = True, clock: Clock | None = None) -> None:
        self.archive = archive
        self.clock = clock or Clock()
        self.stores = {a: ScopedStore(archive.store, a, self.clock) for a in Audience}
        self.rooms = {a: ReadingRoom(archive, cache=cache, store=self.stores[a]) for a in Audience}
        self.finders: dict[Audience, Any] = {}  # parallels, one finder per audience
        self._lock = threading.Lock()
        self._seen = (archive.store.generation(), self.clock.today())

    def fresh(self) -> None:
        """Drop every cache when an edit was saved or the day turned since last asked."""
        now = (self.archive.store.generation(), self.clock.today())
        with self._lock:
            if now == self._seen:
                return
            self._seen = now
            self.finders.clear()
        for room in self.rooms.values():
            room.forget()

    def room(self, audience: Audience) -> ReadingRoom:
        self.fresh()
        return self.rooms[audience]

    def store(self, audience: Audience) -> ScopedStore:
        return self.stores[audience]

    def finder(self, audience: Audience, make: Any) -> Any:
        """The parallels finder of `audience` (`make(store, index_folder)` on first use):
        over its scoped store, with an approximate index of its own."""
        self.fresh()
        with self._lock:
            found = self.finders.get(audience)
            if found is None:
                home = self.archive.config.home
                folder = (
                    home / "ann" if audience is Audience.PUBLIC else home / f"ann-{audience.value}"
                )
                found = self.finders[audience] = make(self.stores[audience], folder)
            return found


def reader_of(request: Request) -> Reader:
    """Who is asking (set by the Gatekeeper; anonymous when it did not run)."""
    reader = request.scope.get("state", {}).get("reader")
    return reader if isinstance(reader, Reader) else ANONYMOUS


def rooms_of(request: Request) -> Rooms:
    return request.app.state.rooms  # type: ignore[no-any-return]


def room_for(request: Request) -> ReadingRoom:
    """The reading room of the reader's audience."""
    return rooms_of(request).room(reader_of(request).audience)


def scoped_for(request: Request) -> ScopedStore:
    """The store as the reader may see it."""
    rooms = rooms_of(request)
    rooms.fresh()
    return rooms.store(reader_of(request).audience)
