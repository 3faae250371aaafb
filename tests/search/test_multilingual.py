"""Search across scripts, on both backends, over three real corpora read end to end:
the UN Charter in six languages, a Russian record from the Wilson Center Digital
Archive, and PRC reports in Simplified and Traditional Chinese."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.search.engine import search
from declass.search.variants import palladius_forms
from declass.store.base import Store
from tests.conftest import BACKENDS, open_backend

CHARTER = "parallel-texts:un_charter"
ROSHCHIN = "wilson:transcript-33548"
ALL = 200


@pytest.fixture(scope="module", params=BACKENDS)
def archive(
    request: pytest.FixtureRequest, corpora: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    store, discard = open_backend(request.param, tmp_path_factory.mktemp("multilingual"), request)
    paths = [corpora / "un-charter", corpora / "wilson-center", corpora / "prc-political"]
    result = ingest(store, paths, default_registry())
    assert len(result.rejections) == 1, result.rejections  # the PRC disambiguation page
    yield store
    discard()


@pytest.fixture(scope="module")
def prc_contents(corpora: Path) -> dict[str, str]:
    """Title → content of every PRC record, read with the json module."""
    found: dict[str, str] = {}
    for path in sorted((corpora / "prc-political").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                found[record["title"]] = record["content"]
    return found


def _ids(store: Store, query: str) -> list[str]:
    return [r.doc_id for r in search(store, query, page_size=ALL).results]


@pytest.mark.parametrize(
    ("query", "language", "written"),
    [
        ("Устав", "ru", "Устав"),  # Russian: "the Charter"
        ("宪章", "zh", "宪章"),
        ("ميثاق", "ar", "الميثاق"),  # found without its article, as written in the text
        ("Charte", "fr", "Charte"),
    ],
)
def test_the_charter_is_found_in_each_of_its_languages_as_one_document(
    archive: Store, corpora: Path, query: str, language: str, written: str
) -> None:
    assert written in (corpora / "un-charter" / f"un_charter_{language}.txt").read_text("utf-8")
    found = search(archive, query, page_size=ALL)
    hit = next(r for r in found.results if r.doc_id == CHARTER)
    assert hit.snippet is not None and hit.snippet.highlights
    marked = [hit.snippet.text[s:e] for s, e in hit.snippet.highlights]
    assert any(written in m or m in written for m in marked), marked
    charter = archive.document(CHARTER)
    assert sorted(t.language for t in charter.texts) == ["ar", "en", "es", "fr", "ru", "zh"]
    assert all(t.authentic for t in charter.texts)


def test_an_arabic_phrase_finds_the_charter(archive: Store) -> None:
    assert _ids(archive, '"الأمم المتحدة"') == [CHARTER]


def test_the_roshchin_record_is_found_by_a_russian_word(archive: Store) -> None:
    # "военных преступников" (war criminals), inflected otherwise in the query.
    assert ROSHCHIN in _ids(archive, "военные преступники")
    assert _ids(archive, "Рощин") == [ROSHCHIN]


@pytest.mark.parametrize("query", ["Roshchin", "Mao Tszedun", "Mao Zedong", "Mao Tse-tung"])
def test_the_roshchin_record_is_found_by_latin_spellings_of_its_names(
    archive: Store, query: str
) -> None:
    found = search(archive, query, page_size=ALL)
    assert ROSHCHIN in [r.doc_id for r in found.results]
    assert found.expansions, "the Latin spelling was searched with its Cyrillic forms"


def test_mao_zedong_in_pinyin_is_mao_tszedun_in_russian_palladius() -> None:
    assert palladius_forms("Mao Zedong") == {"Мао Цзэдун"}
    assert {"Mao Zedong", "Mao Tse-Tung"} <= palladius_forms("Мао Цзэдун")
    assert palladius_forms("Roshchin") == set()


def test_a_traditional_query_finds_reports_written_in_simplified(
    archive: Store, prc_contents: dict[str, str]
) -> None:
    simplified_only = {t for t, c in prc_contents.items() if "周恩来" in c and "周恩來" not in c}
    assert simplified_only
    titles = {r.title for r in search(archive, "周恩來", page_size=ALL).results}
    assert simplified_only <= titles


def test_a_simplified_query_finds_a_report_written_in_traditional(
    archive: Store, prc_contents: dict[str, str]
) -> None:
    # The 1954 report is transcribed in Traditional characters only.
    traditional_only = {t for t, c in prc_contents.items() if "劉少奇" in c and "刘少奇" not in c}
    assert "1954年中华人民共和国国务院政府工作报告" in traditional_only
    titles = {r.title for r in search(archive, "刘少奇", page_size=ALL).results}
    assert traditional_only <= titles
    assert titles == {r.title for r in search(archive, "劉少奇", page_size=ALL).results}
