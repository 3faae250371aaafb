"""A treaty's equally authentic texts on the document page: the UN Charter, two of its six
languages side by side, article facing article, any pair the reader picks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import html
from starlette.testclient import TestClient

from declass.archive import Archive, Config
from declass.web import create_app

CHARTER = "/documents/parallel-texts:un_charter"


@pytest.fixture(scope="module")
def client(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    home = tmp_path_factory.mktemp("charter")
    with Archive(Config(home=home, db=str(home / "archive.sqlite3"))) as archive:
        assert archive.ingest([corpora / "un-charter"], workers=1).ok
        with TestClient(create_app(archive)) as c:
            yield c


def _sides(page: str) -> list[tuple[str, str]]:
    tree = html.fromstring(page)
    return [
        (
            " ".join(row.xpath("string(div[1])").split()),
            " ".join(row.xpath("string(div[2])").split()),
        )
        for row in tree.xpath("//section[@class='parallel']/div[@class='pair']")
    ]


def test_the_charter_shows_two_authentic_texts_side_by_side(client: TestClient) -> None:
    page = client.get(CHARTER).text
    tree = html.fromstring(page)
    assert "equally authentic" in tree.xpath("string(//h2[@id='parallel-heading'])")
    left = tree.xpath("//div[@class='pair']/div[1]")[0]
    right = tree.xpath("//div[@class='pair']/div[2]")[0]
    assert (left.get("lang"), right.get("lang")) == ("en", "ar")
    assert right.get("dir") == "rtl" and left.get("dir") == "ltr"
    # The other four languages are on the page too, and each can be put beside English.
    links = tree.xpath("//nav[@class='languages']/a/@href")
    assert {re.search(r"with=(\w+)", h).group(1) for h in links} == {"ar", "es", "fr", "ru", "zh"}


def test_a_chosen_pair_faces_article_with_article(client: TestClient) -> None:
    sides = _sides(client.get(CHARTER, params={"lang": "ru", "with": "zh"}).text)
    assert len(sides) > 100
    label = "Authentic text: "  # read out to screen readers before each side
    row = next(r for r in sides if r[0].startswith(f"{label}Статья 51 "))
    assert row[1].startswith(f"{label}第五十一条")
