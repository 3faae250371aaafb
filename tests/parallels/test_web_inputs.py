"""Any text a reader pastes gets an answer, never a crash, and is never lost.

The reading room's Parallels form and POST /api/parallels are driven with generated
texts (hypothesis) and with the awkward cases by hand: nothing, one line, 2 MB, other
scripts. The page always comes back with the reader's text in the form.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from starlette.applications import Starlette
from starlette.testclient import TestClient

from declass.archive import Archive, Config
from declass.parallels import ParallelFinder
from declass.store.base import Store
from declass.web import create_app

# SYNTHETIC texts in several scripts, written for this test.
SAMPLES = [
    "Mao",
    "One line about Stalin and Mao in 1950.",
    "Мао Цзэдун прибыл в Москву в декабре 1949 года для переговоров со Сталиным.",
    "毛泽东一九四九年十二月访问莫斯科，与斯大林会谈。",
    "ماو تسي تونغ في موسكو عام ١٩٥٠",
    "\n\n\t  \u200b x \n",
    '"""((( OR AND NOT date:1950.. *** ""',
    "A" * 5000,
]


@pytest.fixture(scope="module")
def app(
    parallels_archive: Store, finder: ParallelFinder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Starlette]:
    db = parallels_archive.path  # type: ignore[attr-defined]
    archive = Archive(Config(home=tmp_path_factory.mktemp("inputs"), db=str(db)))
    application = create_app(archive)
    application.state.parallels = finder
    yield application
    archive.close()


@pytest.fixture(scope="module")
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _page(client: TestClient, text: str, mode: str = "hybrid") -> object:
    return client.post("/parallels", data={"text": text, "mode": mode, "top": "3"})


@pytest.mark.parametrize("text", SAMPLES)
def test_awkward_texts_get_an_answer_and_keep_the_text(client: TestClient, text: str) -> None:
    for mode in ("hybrid", "semantic", "fulltext"):
        page = _page(client, text, mode)
        assert page.status_code in (200, 400), (mode, page.status_code)  # type: ignore[attr-defined]
        assert str(escape(text.strip() or text)) in page.text  # type: ignore[attr-defined]
        api = client.post("/api/parallels", json={"text": text, "mode": mode, "top": 3})
        assert api.status_code in (200, 400), (mode, api.status_code, api.text[:300])


def test_two_megabytes_are_read_and_more_is_refused_with_the_text_kept(
    client: TestClient,
) -> None:
    paragraph = "Mao Zedong met Stalin in Moscow in 1950 to negotiate a treaty.\n\n"
    big = paragraph * (1_990_000 // len(paragraph))
    page = _page(client, big, "fulltext")
    assert page.status_code == 200  # type: ignore[attr-defined]
    too_big = big + paragraph * 400
    refused = _page(client, too_big, "fulltext")
    assert refused.status_code == 413  # type: ignore[attr-defined]
    assert "larger than 2 MB" in refused.text  # type: ignore[attr-defined]
    assert paragraph.strip() in refused.text  # type: ignore[attr-defined]


def test_a_failure_inside_gives_the_form_back_with_the_text(
    client: TestClient, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise AttributeError("'Matches' object has no attribute 'counts'")

    monkeypatch.setattr(app.state.parallels, "find", broken)
    text = "A short paragraph on Khrushchev and Mao that the reader must not lose."
    page = _page(client, text)
    assert page.status_code == 500  # type: ignore[attr-defined]
    assert text in page.text and "kept" in page.text  # type: ignore[attr-defined]
    assert '<textarea id="article-text"' in page.text  # type: ignore[attr-defined]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=st.text(max_size=600),
    mode=st.sampled_from(["hybrid", "semantic", "fulltext"]),
    top=st.one_of(st.integers(-5, 80), st.text(max_size=4)),
)
def test_any_text_through_the_form_and_the_api_never_crashes(
    client: TestClient, text: str, mode: str, top: object
) -> None:
    page = client.post("/parallels", data={"text": text, "mode": mode, "top": str(top)})
    assert page.status_code < 500, page.text[-500:]
    if page.status_code == 200 or text.strip():
        assert str(escape(text.replace("\r\n", "\n").strip())) in page.text.replace("\r\n", "\n")
    api = client.post("/api/parallels", json={"text": text, "mode": mode, "top": top})
    assert api.status_code < 500, api.text[-500:]
