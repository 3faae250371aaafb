"""The main journeys in a real browser: Debian's chromium driven by Playwright.

Screenshots go to test-artifacts/. Under CI=true a missing chromium fails the run.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI") == "true":
            pytest.fail(f"chromium not found at {CHROMIUM} (required under CI)")
        pytest.skip("chromium is not installed (scripts/system-packages installs it)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object, live_server: str) -> Iterator[object]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    errors: list[str] = []
    p = context.new_page()
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield p
    context.close()
    assert not errors, errors  # e.g. a CSP violation


def shot(page: object, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)  # type: ignore[attr-defined]


def test_search_narrow_open_cite_and_follow_the_speaker(page: object) -> None:
    from playwright.sync_api import expect

    p = page
    p.goto("/")  # type: ignore[attr-defined]
    p.get_by_label("Search the archive").first.fill("Gromyko")  # type: ignore[attr-defined]
    p.get_by_label("Search the archive").first.press("Enter")  # type: ignore[attr-defined]
    expect(p.locator("#results-heading")).to_contain_text("for “Gromyko”")  # type: ignore[attr-defined]
    shot(p, "01-search-gromyko")

    p.locator(".facet a", has_text="1960s").click()  # type: ignore[attr-defined]
    expect(p.locator(".chosen")).to_contain_text("Decade: 1960s")  # type: ignore[attr-defined]
    dates = p.locator(".hits .date").all_inner_texts()  # type: ignore[attr-defined]
    assert dates and all(d.startswith("196") for d in dates), dates
    shot(p, "02-narrowed-to-1960s")

    p.locator(".hits h3 a", has_text="statement by Mr. GROMYKO").first.click()  # type: ignore[attr-defined]
    expect(p.locator("h1")).to_contain_text(re.compile("statement by Mr. Gromyko", re.I))  # type: ignore[attr-defined]
    title = p.locator("h1").inner_text()  # type: ignore[attr-defined]
    year = re.search(r"\((\d{4})\)", title).group(1)  # type: ignore[union-attr]
    shot(p, "03-speech")

    p.locator("details.cite summary").click()  # type: ignore[attr-defined]
    note = p.locator("#chicago-note")  # type: ignore[attr-defined]
    expect(note).to_be_visible()
    text = note.inner_text()
    assert text.startswith("Gromyko, “Union of Soviet Socialist Republics") and year in text, text
    p.get_by_role("button", name="Copy note").click()  # type: ignore[attr-defined]
    expect(p.locator(".copied")).to_have_text("Copied to the clipboard.")  # type: ignore[attr-defined]
    assert p.evaluate("navigator.clipboard.readText()") == text  # type: ignore[attr-defined]
    shot(p, "04-cite-chicago")

    p.locator(".metadata a.person", has_text="GROMYKO").click()  # type: ignore[attr-defined]
    p.get_by_role("link", name="Andreĭ Andreevich Gromyko").click()  # type: ignore[attr-defined]
    expect(p.locator("h1")).to_contain_text("Andreĭ Andreevich Gromyko")  # type: ignore[attr-defined]
    expect(p.locator("#docs-heading")).to_contain_text("Documents by and about")  # type: ignore[attr-defined]
    # His UN speeches name only "Mr. GROMYKO": offered apart, one click away.
    p.get_by_role("link", name=re.compile(r"records naming only the surname")).click()  # type: ignore[attr-defined]
    assert p.locator("ol.hits li", has_text="statement by Mr. GROMYKO").count() >= 5  # type: ignore[attr-defined]
    shot(p, "05-person-gromyko")


def test_a_footnote_opens_in_place(page: object) -> None:
    from playwright.sync_api import expect

    p = page
    p.goto("/documents/frus-history:1972-09-22-kogan-to-franklin")  # type: ignore[attr-defined]
    note = p.locator("#fn-1")  # type: ignore[attr-defined]
    expect(note).to_be_hidden()
    p.locator("#ref-1").click()  # type: ignore[attr-defined]
    expect(note).to_be_visible()
    expect(note).to_contain_text("Samuel Flagg Bemis")
    note.scroll_into_view_if_needed()
    shot(p, "06-footnote-open")


def test_original_and_translation_side_by_side(page: object) -> None:
    p = page
    p.goto("/documents/edition:official-names")  # type: ignore[attr-defined]
    first = p.locator(".parallel .pair:not(.head)").first  # type: ignore[attr-defined]
    left = first.locator(".original").bounding_box()
    right = first.locator(".translation").bounding_box()
    assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 5
    assert re.search("[А-Яа-я]", first.locator(".original").inner_text())
    shot(p, "07-original-and-translation")


def test_readable_on_a_phone(browser: object, live_server: str) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    p = context.new_page()
    p.goto("/documents/ungdc:RUS_24_1969")
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    p.keyboard.press("Tab")
    assert p.evaluate("document.activeElement.className") == "skip"
    shot(p, "08-phone-document")
    context.close()
