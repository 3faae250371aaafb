"""Parallels in the reading room: the JSON API, the page, and the page in a real browser.

The app is served over the session's parallels archive, with the session's finder put
in its state, so the model loads and the passages are embedded once per session.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from declass.archive import Archive, Config
from declass.parallels import ParallelFinder
from declass.store.base import Store
from declass.web import create_app
from tests.web.test_browser import ARGS, ARTIFACTS, CHROMIUM


@pytest.fixture(scope="module")
def parallels_app(
    parallels_archive: Store, finder: ParallelFinder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Starlette]:
    db = parallels_archive.path  # type: ignore[attr-defined]
    archive = Archive(Config(home=tmp_path_factory.mktemp("parallels-web"), db=str(db)))
    app = create_app(archive)
    app.state.parallels = finder
    yield app
    archive.close()


@pytest.fixture(scope="module")
def parallels_client(parallels_app: Starlette) -> Iterator[TestClient]:
    with TestClient(parallels_app) as c:
        yield c


def test_api_returns_explained_parallels_for_the_summit_article(
    parallels_client: TestClient, summit_article: bytes
) -> None:
    r = parallels_client.post(
        "/api/parallels", json={"text": summit_article.decode(), "filename": "summit.txt"}
    )
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["article"]["title"] == "Moscow Summit Revives the Ghost of 1950"
    parallels = found["parallels"]
    assert len(parallels) == 10
    docs = {d["doc_id"] for p in parallels for d in p["documents"]}
    assert any(d.startswith("ungdc:") for d in docs)
    assert any(d.startswith("milestones:") for d in docs)
    assert found["claims"] and found["situation"]["actors"]
    for p in parallels:
        assert p["label"] and p["earliest"]
        e = p["explanation"]
        assert e["actors"] and e["gap_years"] >= 10 and e["claims"]
        assert len(e["passages"]) <= 3
        for pair in e["passages"]:
            assert pair["href"].startswith("/documents/")
            parts = pair["record"]["parts"]
            assert "".join(part["text"] for part in parts) == pair["record"]["text"]
    pairs = [pair for p in parallels for pair in p["explanation"]["passages"]]
    assert pairs and any(part["mark"] for pair in pairs for part in pair["article"]["parts"])


def test_api_refuses_empty_articles_and_cross_site_posts(parallels_client: TestClient) -> None:
    empty = parallels_client.post("/api/parallels", json={"text": "  "})
    assert empty.status_code == 400
    assert empty.headers["content-type"].startswith("application/problem+json")
    forged = parallels_client.post(
        "/api/parallels", json={"text": "x"}, headers={"origin": "https://evil.example"}
    )
    assert forged.status_code == 403
    page = parallels_client.post(
        "/parallels", data={"text": "x"}, headers={"origin": "https://evil.example"}
    )
    assert page.status_code == 403


def test_page_upload_shows_parallels_with_everything_escaped(
    parallels_client: TestClient, summit_article: bytes
) -> None:
    hostile = b"<script>alert(1)</script> Summit\n\n" + summit_article.split(b"\n\n", 1)[1]
    r = parallels_client.post(
        "/parallels",
        files={"file": ("summit.txt", hostile, "text/plain")},
        data={"top": "5"},
        headers={"origin": str(parallels_client.base_url)},
    )
    assert r.status_code == 200, r.text
    assert "<script>alert(1)" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Summit" in r.text
    assert r.text.count('class="parallel"') == 5
    assert "years before the article" in r.text and "<mark>" in r.text


@pytest.fixture(scope="module")
def parallels_server(parallels_app: Starlette) -> Iterator[str]:
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(parallels_app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the reading room did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_reader_pastes_the_article_and_sees_parallels_side_by_side(
    parallels_server: str, summit_article: bytes
) -> None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("chromium is not installed (scripts/system-packages installs it)")
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(base_url=parallels_server, viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto("/")
        page.get_by_role("link", name="Parallels").click()
        page.get_by_label("Article text").fill(summit_article.decode())
        page.get_by_role("button", name="Find parallels").click()
        expect(page.locator("#parallels-heading")).to_contain_text("10 parallels", timeout=60_000)
        first = page.locator(".parallel").first
        expect(first.locator(".gap")).to_contain_text("years before the article")
        expect(first.locator(".actors")).to_contain_text("Shared actors")
        expect(page.locator(".pair mark").first).to_be_visible()
        first.locator("h3").evaluate("heading => heading.scrollIntoView()")
        page.screenshot(path=str(ARTIFACTS / "parallels-summit.png"), full_page=False)
        browser.close()
    assert not errors, errors
