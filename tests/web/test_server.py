"""How the reading room is served: requests off the event loop, so a slow one stalls no
other; several processes over one archive; a server with its caches off."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from declass.archive import Archive
from declass.web.server import OffLoop, reading_room


async def slow(request: Request) -> Response:
    time.sleep(1.0)  # blocking work, as an archive call is
    return PlainTextResponse("slow")


async def fast(request: Request) -> Response:
    return PlainTextResponse("fast")


async def echo(request: Request) -> Response:
    form = await request.form()
    return PlainTextResponse(str(form.get("text", "")))


def demo_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/slow", slow),
            Route("/fast", fast),
            Route("/echo", echo, methods=["POST"]),
        ]
    )


async def slow_then_fast(app: object) -> tuple[float, float]:
    """Seconds until a fast request asked just after a slow one is answered, and until
    the slow one is, both from when the slow one was asked."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        started = time.perf_counter()

        async def answered(path: str) -> float:
            response = await client.get(path)
            assert response.status_code == 200
            return time.perf_counter() - started

        slow_task = asyncio.create_task(answered("/slow"))
        await asyncio.sleep(0.05)
        fast_seconds = await answered("/fast")
        return fast_seconds, await slow_task


def test_a_blocking_request_does_not_stall_the_others_off_the_loop() -> None:
    fast_seconds, slow_seconds = asyncio.run(slow_then_fast(OffLoop(demo_app())))
    assert slow_seconds >= 1.0
    assert fast_seconds < 0.5


def test_on_the_loop_the_same_blocking_request_stalls_the_others() -> None:
    # The control: served as before, on the event loop, the fast request waits.
    fast_seconds, _ = asyncio.run(slow_then_fast(demo_app()))
    assert fast_seconds >= 0.8


def test_request_bodies_reach_handlers_run_off_the_loop() -> None:
    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=OffLoop(demo_app()))
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
            return await client.post("/echo", data={"text": "Gromyko, 1969"})

    response = asyncio.run(post())
    assert response.status_code == 200
    assert response.text == "Gromyko, 1969"


def test_a_reading_room_with_caches_off_counts_every_search_anew(web_archive: Archive) -> None:
    index = web_archive.store._search.index  # type: ignore[attr-defined]
    app = reading_room(web_archive, cache=False, threads=2)
    index.forget_counts()  # what earlier tests on this shared archive left
    try:

        async def twice() -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
                return [await client.get("/api/search?q=disarmament") for _ in range(2)]

        first, second = asyncio.run(twice())
        assert first.status_code == second.status_code == 200
        assert first.json()["total"] == second.json()["total"] > 0
        assert index._counts == {}  # nothing kept between the two
    finally:
        index.cache_counts = True


def test_serve_answers_from_several_processes_each_holding_readers(
    web_archive: Archive, tmp_path: Path
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "declass.cli", "serve", "--port", str(port)]
    env = {**os.environ, "DECLASS_DB": web_archive.config.db, "DECLASS_HOME": str(tmp_path)}
    server = subprocess.Popen(
        [*command, "--workers", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/search?q=peace", timeout=10)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.3)
        assert response.status_code == 200 and "peace" in response.text.lower()
        workers = subprocess.run(
            ["pgrep", "-P", str(server.pid), "-f", "spawn_main"],
            capture_output=True,
            text=True,
        ).stdout.split()
        assert len(workers) == 2
        # Sixteen readers connect at once, search and keep their connections: every
        # worker serves some of them. (On one socket shared by the workers, the first
        # to wake took nearly all of such a burst, 15 or 16 of 16, most times.)
        for round_ in range(2):
            held = asyncio.run(readers_held(port, workers, round_))
            assert sum(held.values()) == 16
            assert min(held.values()) >= 2, held
    finally:
        server.terminate()
        server.wait(timeout=30)


async def readers_held(port: int, workers: list[str], round_: int) -> dict[str, int]:
    """Connect sixteen readers at once, each searching; how many each worker holds."""

    async def reader(i: int) -> asyncio.StreamWriter:
        incoming, outgoing = await asyncio.open_connection("127.0.0.1", port)
        outgoing.write(f"GET /search?q=peace+{round_}{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        await outgoing.drain()
        assert (await incoming.read(65536)).startswith(b"HTTP/1.1 200")
        return outgoing

    connections = await asyncio.gather(*(reader(i) for i in range(16)))
    try:
        return {pid: established_to(port, int(pid)) for pid in workers}
    finally:
        for outgoing in connections:
            outgoing.close()


def established_to(port: int, pid: int) -> int:
    """How many established TCP connections on local `port` the process `pid` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count
