"""The editorial journeys in a real browser (Debian's chromium through Playwright):
sign up and sign in; edit a document while another editor does, meet the conflict,
save again; revert; annotate a passage and reply; watch an embargo lift.

The archive: three real FRUS-history documents and, SYNTHETIC, one memorandum under
embargo until tomorrow. The server runs in a thread, so the test can move the app's
clock a day on. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from declass.accounts.records import Role
from declass.accounts.users import add_user
from declass.archive import Archive, Config
from declass.model import (
    Block,
    BlockKind,
    Document,
    DocumentType,
    HistoricalDate,
    Text,
    TextRole,
)
from declass.web import create_app
from tests.web.test_browser import ARGS, ARTIFACTS, CHROMIUM

FILES = (
    "1958-11-03-noble-to-osborne.xml",
    "1963-11-01-hac-meeting-minutes.xml",
    "1972-09-22-kogan-to-franklin.xml",
)
MEMO = "frus-history:1958-11-03-noble-to-osborne"
EMBARGOED = "synthetic:embargoed-until-tomorrow"
EDITOR_PASSWORD = "corrects-the-text-1"


@pytest.fixture(scope="module")
def served(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The reading room over the small archive, on 127.0.0.1, and its app."""
    import uvicorn

    home = tmp_path_factory.mktemp("editorial-browser")
    (home / "fh").mkdir()
    for name in FILES:
        shutil.copy(corpora / "hsg" / "frus-history" / "documents" / name, home / "fh")
    archive = Archive(Config(home=home, db=str(home / "archive.sqlite3")))
    archive.ingest([home / "fh"])
    archive.store.put(
        Document(
            EMBARGOED,
            "SYNTHETIC memorandum opened tomorrow",
            DocumentType.MEMORANDUM,
            texts=(
                Text(
                    "en", TextRole.ORIGINAL, (Block(BlockKind.PARAGRAPH, "Held until tomorrow."),)
                ),
            ),
            date=HistoricalDate.parse("1965-05-05"),
            collections=("frus-history-documents",),
            embargo_until=date.today() + timedelta(days=1),
        )
    )
    for name in ("eddie", "edna"):
        add_user(archive.store, name, EDITOR_PASSWORD, Role.EDITOR)
    app = create_app(archive)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the reading room did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=10)
    archive.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("chromium is not installed (scripts/system-packages installs it)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


class Reader:
    """One browser context: a reader with their own cookies."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []

        def console(message: Any) -> None:
            # A page answered 404 on purpose logs "Failed to load resource".
            if message.type == "error" and "Failed to load resource" not in message.text:
                self.errors.append(message.text)

        self.page.on("console", console)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)

    def sign_in(self, name: str, password: str) -> None:
        p = self.page
        p.goto("/login")
        p.get_by_label("Name").fill(name)
        p.get_by_label("Password").fill(password)
        p.get_by_role("button", name="Sign in").click()
        p.wait_for_load_state()

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors  # e.g. a CSP violation


@pytest.fixture
def readers(browser: Any, served: tuple[str, Any]) -> Iterator[list[Reader]]:
    made: list[Reader] = []
    yield made
    for r in made:
        r.close()


def _reader(readers: list[Reader], browser: Any, served: tuple[str, Any]) -> Reader:
    r = Reader(browser, served[0])
    readers.append(r)
    return r


def test_sign_up_sign_out_and_sign_in(
    browser: Any, served: tuple[str, Any], readers: list[Reader]
) -> None:
    from playwright.sync_api import expect

    r = _reader(readers, browser, served)
    p = r.page
    p.goto("/")
    p.get_by_role("link", name="Sign up").click()
    p.get_by_label("Name (2–32").fill("rita")
    p.get_by_label("Name shown with your annotations").fill("Rita Historian")
    p.get_by_label("Password (at least 10 characters)").fill("reads-the-record-1")
    p.get_by_label("Password again").fill("reads-the-record-1")
    r.shot("20-sign-up")
    p.get_by_role("button", name="Create the account").click()
    expect(p.locator("h1")).to_have_text("Rita Historian")
    expect(p.locator("nav.account")).to_contain_text("researcher")
    r.shot("21-signed-up-account")
    p.get_by_role("button", name="Sign out").click()
    expect(p.locator("nav.account")).to_contain_text("Sign in")
    r.sign_in("rita", "wrong password here")
    expect(p.locator("#login-error")).to_contain_text("wrong name or password")
    r.sign_in("rita", "reads-the-record-1")
    expect(p.locator("nav.account")).to_contain_text("Rita Historian")
    r.shot("22-signed-in")


def test_two_editors_meet_a_conflict_then_revert(
    browser: Any, served: tuple[str, Any], readers: list[Reader]
) -> None:
    from playwright.sync_api import expect

    first, second = _reader(readers, browser, served), _reader(readers, browser, served)
    first.sign_in("eddie", EDITOR_PASSWORD)
    second.sign_in("edna", EDITOR_PASSWORD)
    for r in (first, second):
        r.page.goto(f"/documents/{MEMO}/edit")
    a, b = first.page, second.page
    original = a.get_by_label("Title").input_value()
    a.get_by_label("Title").fill("Memorandum from G. Bernard Noble to Melville Osborne")
    a.get_by_label("Why (kept with the version").fill("the title as the archive catalogues it")
    first.shot("23-editor-one-edits")
    a.get_by_role("button", name="Save a new version").click()
    expect(a.locator(".notice")).to_contain_text("Saved as version 2")
    # The second editor's form was opened on version 1.
    b.get_by_label("Place").fill("Washington")
    b.get_by_label("Why (kept with the version").fill("the place from the letterhead")
    b.get_by_role("button", name="Save a new version").click()
    expect(b.locator("#edit-error")).to_contain_text(
        "Version 2 was saved since you opened version 1"
    )
    expect(b.locator(".conflict")).to_contain_text("title")
    assert b.get_by_label("Place").input_value() == "Washington"  # kept
    second.shot("24-conflict")
    b.get_by_role("button", name="Save a new version").click()
    expect(b.locator(".notice")).to_contain_text("Saved as version 3")
    b.goto(f"/documents/{MEMO}")
    expect(b.locator("h1")).to_contain_text("Memorandum from G. Bernard Noble")
    expect(b.locator("p.date")).to_contain_text("Washington")
    # Revert to version 1: a new version with the old content, and the reason kept.
    b.goto(f"/documents/{MEMO}/history")
    row = b.locator("tr", has_text="ingest")
    row.get_by_label("Why go back to version 1").fill("the catalogue title was wrong after all")
    row.get_by_role("button", name="Revert to 1").click()
    expect(b.locator("tr.current")).to_contain_text("revert")
    expect(b.locator("tr.current")).to_contain_text("the catalogue title was wrong after all")
    second.shot("25-history-after-revert")
    b.goto(f"/documents/{MEMO}/diff?from=3&to=4")
    expect(b.locator("main")).to_contain_text("title")
    second.shot("26-diff")
    b.goto(f"/documents/{MEMO}")
    expect(b.locator("h1")).to_have_text(re.compile(re.escape(original[:20])))
    b.goto("/errata")
    expect(b.locator("ol.errata li")).to_have_count(3)


def test_annotate_a_passage_and_reply(
    browser: Any, served: tuple[str, Any], readers: list[Reader]
) -> None:
    from playwright.sync_api import expect

    _, app = served
    store = app.state.rooms.archive.store
    for name in ("paula", "quinn"):
        add_user(store, name, "annotates-passages-1", Role.RESEARCHER)
    writer, answerer = _reader(readers, browser, served), _reader(readers, browser, served)
    writer.sign_in("paula", "annotates-passages-1")
    answerer.sign_in("quinn", "annotates-passages-1")
    p = writer.page
    p.goto("/documents/frus-history:1963-11-01-hac-meeting-minutes")
    p.locator("details#annotate summary").click()
    choice = p.locator("#annotate-where option").nth(3)
    label = choice.inner_text()
    p.get_by_label("Paragraph", exact=True).select_option(choice.get_attribute("value"))
    words = label.split(": ", 1)[1].split()[:3]
    p.get_by_label("The words you comment on").fill(" ".join(words))
    p.get_by_label("Your annotation").fill("Compare the committee's minutes of 1962.")
    p.get_by_role("button", name="Annotate").click()
    thread = p.locator("article.thread").first
    expect(thread).to_contain_text("Compare the committee's minutes of 1962.")
    expect(thread.locator("blockquote")).to_have_text(" ".join(words))
    writer.shot("27-annotated")
    q = answerer.page
    q.goto("/documents/frus-history:1963-11-01-hac-meeting-minutes")
    q.locator("article.thread").first.get_by_label("Reply").fill(
        "The 1962 minutes say the opposite."
    )
    q.locator("article.thread").first.get_by_role("button", name="Reply").click()
    expect(q.locator("article.thread .reply")).to_contain_text("The 1962 minutes say the opposite.")
    answerer.shot("28-reply")
    anonymous = _reader(readers, browser, served).page
    anonymous.goto("/documents/frus-history:1963-11-01-hac-meeting-minutes")
    expect(anonymous.locator("article.thread .reply")).to_contain_text("say the opposite")
    expect(anonymous.locator("details#annotate")).to_have_count(0)


def test_an_embargo_lifts_by_itself_on_its_day(
    browser: Any, served: tuple[str, Any], readers: list[Reader]
) -> None:
    from playwright.sync_api import expect

    _, app = served
    store = app.state.rooms.archive.store
    add_user(store, "fern", "follows-the-record-1", Role.RESEARCHER)
    follower = _reader(readers, browser, served)
    follower.sign_in("fern", "follows-the-record-1")
    f = follower.page
    f.goto("/collections/frus-history-documents")
    f.get_by_role("button", name="Follow this collection").click()
    expect(f.locator("ul.follows")).to_contain_text("collection")
    anonymous = _reader(readers, browser, served)
    a = anonymous.page
    response = a.goto(f"/documents/{EMBARGOED}")
    assert response is not None and response.status == 404
    expect(a.locator("h1")).to_have_text("Not found")
    a.goto("/search?q=tomorrow&sort=date")
    expect(a.locator("main")).not_to_contain_text("opened tomorrow")
    anonymous.shot("29-embargoed-not-found")
    app.state.rooms.clock.advance(1)  # the next day: nothing else is done
    try:
        response = a.goto(f"/documents/{EMBARGOED}")
        assert response is not None and response.status == 200
        expect(a.locator("h1")).to_contain_text("SYNTHETIC memorandum opened tomorrow")
        a.goto("/search?q=tomorrow&sort=date")
        expect(a.locator("ol.hits")).to_contain_text("opened tomorrow")
        anonymous.shot("30-embargo-lifted")
        f.goto("/feed")
        expect(f.locator("ol.feed")).to_contain_text("Opened (embargo lifted)")
        expect(f.locator("ol.feed")).to_contain_text("SYNTHETIC memorandum opened tomorrow")
        follower.shot("31-feed-opened")
    finally:
        app.state.rooms.clock.advance(-1)
