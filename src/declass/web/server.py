"""How the reading room is served: several processes, and no request on the event loop.

The handlers call the archive directly (SQLite, Tantivy, the snippet reader), and that
work blocks. Each HTTP request is therefore run on a thread of a pool, with an event
loop of its own, so that a slow search never stalls the loop that accepts and answers
the other readers; Tantivy lets go of Python's lock while it searches, so the threads
overlap. Several worker processes (one per core by default) open the same archive,
each listening on a socket of its own on the same port, so that the kernel spreads the
readers' connections across them; the parent brings the search index level with the
catalogue before they start, so each only reads it, and replaces a worker that dies.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from declass.archive import Archive, Config
from declass.errors import DeclassError
from declass.store.base import MatchAll, SearchRequest

# Requests in progress at once in one process. Two let one request's Python run while
# another's search runs in Tantivy without Python's lock; more only contend for that
# lock and for the archive's one connection (bench/web.py, workers on sockets of their
# own: 449.3 and 467.5 req/s with 2, 424.2 with 4, 399.3 with 8; the others' p99
# beside a slow query ×1.27 and ×1.33, ×1.34, ×1.02). Raise it (`--threads`) where
# requests wait on a PostgreSQL server across a network.
THREADS = 2
_CACHE_ENV = "DECLASS_SERVE_CACHE"
_THREADS_ENV = "DECLASS_SERVE_THREADS"


class OffLoop:
    """Runs each HTTP request of `app` on a pool thread with an event loop of its own;
    what the request receives and sends still goes through the server's loop."""

    def __init__(self, app: ASGIApp, threads: int = THREADS) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="request")
        self.local = threading.local()

    def _loop(self) -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop | None = getattr(self.local, "loop", None)
        if loop is None:
            loop = self.local.loop = asyncio.new_event_loop()
        return loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        server_loop = asyncio.get_running_loop()

        async def on_server(call: Any) -> Any:
            future = asyncio.run_coroutine_threadsafe(call, server_loop)
            return await asyncio.wrap_future(future)

        async def receive_here() -> Any:
            return await on_server(receive())

        async def send_here(message: Any) -> None:
            await on_server(send(message))

        def run() -> None:
            self._loop().run_until_complete(self.app(scope, receive_here, send_here))

        await server_loop.run_in_executor(self.pool, run)


def reading_room(archive: Archive, cache: bool = True, threads: int = THREADS) -> ASGIApp:
    """The reading room over `archive`, its requests run off the event loop; `cache`
    False turns off every cache of results and counts (for benchmarks of the engine)."""
    from declass.web import create_app

    app: Starlette = create_app(archive, cache=cache)
    if not cache:
        # The index's own cache of totals and facets (the embedded archive's).
        index = getattr(getattr(archive.store, "_search", None), "index", None)
        if index is not None:
            index.cache_counts = False
    # threads=0: requests on the event loop itself (how it was served before).
    return OffLoop(app, threads) if threads > 0 else app


def app_from_env() -> ASGIApp:
    """The reading room of one worker process, configured by `serve` through the
    environment (each worker opens the archive itself)."""
    archive = Archive(Config.from_env())
    cache = os.environ.get(_CACHE_ENV, "1") != "0"
    return reading_room(archive, cache, int(os.environ.get(_THREADS_ENV, THREADS)))


def default_workers() -> int:
    """One worker process per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def serve(
    config: Config,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int | None = None,
    cache: bool = True,
    threads: int = THREADS,
) -> None:
    """Serve the reading room of `config` until interrupted, with `workers` processes."""
    import uvicorn

    with Archive(config) as archive:
        # Level the index once here: the workers then find it level and only read it.
        archive.store.search(SearchRequest(MatchAll(), limit=0, facet_size=0))
    os.environ.update(
        {
            "DECLASS_DB": config.db,
            "DECLASS_HOME": str(config.home),
            _CACHE_ENV: "1" if cache else "0",
            _THREADS_ENV: str(threads),
        }
    )
    count = workers or default_workers()
    if count == 1:
        uvicorn.run(_APP, factory=True, host=host, port=port, log_level="warning")
        return
    try:
        _listening_socket(host, port, reuse_port=False).close()  # taken: say so once, here
    except OSError as exc:
        raise DeclassError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    _supervise(host, port, count)


_APP = "declass.web.server:app_from_env"
_STARTUP_SECONDS = 10.0  # a worker that ends sooner than this did not start


def _listening_socket(host: str, port: int, reuse_port: bool = True) -> socket.socket:
    """A listening socket of one worker's own. With one socket shared by every worker,
    whichever worker wakes first takes a whole burst of new connections, and a reader's
    kept-alive connection stays where it landed: half the workers could serve every
    reader. Each on a socket of its own (SO_REUSEPORT), the kernel spreads them."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family, backlog=2048, reuse_port=reuse_port)


def _worker(host: str, port: int) -> None:
    import uvicorn

    sock = _listening_socket(host, port)
    uvicorn.Server(uvicorn.Config(_APP, factory=True, log_level="warning")).run(sockets=[sock])


def _supervise(host: str, port: int, count: int) -> None:
    """Run `count` worker processes until interrupted, replacing any that dies."""
    context = multiprocessing.get_context("spawn")  # nothing of this process carried over
    stopping = threading.Event()
    handlers = {sig: signal.signal(sig, lambda *_: stopping.set()) for sig in _STOP_SIGNALS}

    def start() -> tuple[Any, float]:
        process = context.Process(target=_worker, args=(host, port), name="declass-serve")
        process.start()
        return process, time.monotonic()

    running: list[tuple[Any, float]] = []
    try:
        running = [start() for _ in range(count)]
        while not stopping.wait(0.5):
            for i, (process, started) in enumerate(running):
                if process.is_alive():
                    continue
                if time.monotonic() - started < _STARTUP_SECONDS:
                    raise DeclassError(
                        f"a reading room worker ended as it started (exit code"
                        f" {process.exitcode}): see its message above"
                    )
                running[i] = start()  # a worker that died is replaced
    finally:
        for process, _ in running:
            process.terminate()
        for process, _ in running:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
