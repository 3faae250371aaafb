"""A session-wide archive for the parallels tests, built from real corpora.

General Debate speeches of the USSR/Russia, China and the United States from the
years of the Sino-Soviet alliance and its strain (1950, 1960) and of 2022, the
Milestones essays of 1945–1960, the recognition histories of China, Russia and the
Soviet Union, and the Wilson Center records (among them the Russian original of
Roshchin's conversation with Mao, 1 January 1950). Its passages are embedded once per
session (a few hundred), and the approximate index is cached in the session's
temporary folder.
"""

from __future__ import annotations

import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from declass.embeddings import TextEncoder, embed_archive, load_embedder
from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.parallels import ParallelFinder
from declass.store import open_store
from declass.store.base import Store

HERE = Path(__file__).resolve().parent
SPEECH_COUNTRIES = ("RUS", "CHN", "USA")
SPEECH_YEARS = ("1950", "1960")
MILESTONES = ("1945-1952.xml", "1953-1960.xml")
RDCR = ("china.xml", "russia.xml", "soviet-union.xml")


def _wanted(name: str) -> bool:
    base = PurePosixPath(name).name.removesuffix(".txt")
    parts = base.split("_")
    if base == "RUS_77_2022":  # one speech of the article's present, which must not appear
        return True
    return len(parts) == 3 and parts[0] in SPEECH_COUNTRIES and parts[2] in SPEECH_YEARS


@pytest.fixture(scope="session")
def parallels_sources(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("parallels-sources")
    speeches = folder / "ungdc" / "UNGDC_slice.tgz"
    speeches.parent.mkdir()
    with (
        tarfile.open(corpora / "ungdc" / "UNGDC_1946-2022.tgz") as src,
        tarfile.open(speeches, "w:gz", compresslevel=1) as out,
    ):
        for member in src:
            if member.isfile() and _wanted(member.name):
                out.addfile(member, src.extractfile(member))
    shutil.copy(corpora / "ungdc" / "Speakers_by_session.xlsx", speeches.parent)
    essays = folder / "hsg"
    (essays / "milestones").mkdir(parents=True)
    (essays / "rdcr").mkdir()
    for name in MILESTONES:
        shutil.copy(corpora / "hsg" / "milestones" / "chapters" / name, essays / "milestones")
    for name in RDCR:
        shutil.copy(corpora / "hsg" / "rdcr" / "articles" / name, essays / "rdcr")
    return [speeches, essays / "milestones", essays / "rdcr", corpora / "wilson-center"]


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> TextEncoder:
    """The ONNX embedder, exported from the packaged model into the session's folder."""
    return load_embedder(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def parallels_archive(
    parallels_sources: list[Path], embedder: TextEncoder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The archive, ingested and embedded (read-only for the tests)."""
    store = open_store(tmp_path_factory.mktemp("parallels-archive") / "archive.sqlite3")
    result = ingest(store, parallels_sources, default_registry())
    assert not result.rejections, result.rejections
    embed_archive(store, embedder)
    yield store
    store.close()


@pytest.fixture(scope="session")
def finder(
    parallels_archive: Store, embedder: TextEncoder, tmp_path_factory: pytest.TempPathFactory
) -> ParallelFinder:
    return ParallelFinder(parallels_archive, tmp_path_factory.mktemp("ann"), embedder)


@pytest.fixture(scope="session")
def summit_article() -> bytes:
    """A present-day opinion piece (SYNTHETIC, written for these tests)."""
    return (HERE / "summit_article.txt").read_bytes()
