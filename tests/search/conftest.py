"""A session-wide archive of real UNGDC speeches for the search tests.

A slice of the corpus (every USA, USSR/Russia and China speech, India and France,
and the speeches that hold the rarer spellings the variant tests need) is copied into
a small tarball with the speakers spreadsheet beside it and read by the real reader.
"""

from __future__ import annotations

import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.store.base import Store
from tests.conftest import BACKENDS, open_backend

SLICE_COUNTRIES = ("USA", "RUS", "CHN", "IND", "FRA")
SLICE_EXTRA = (
    "HND_41_1986",  # "Gorbachov"
    "BHR_63_2008",  # "Nanjing"
    "SGP_68_2013",  # "Tianjin"
    "SGP_65_2010",  # "Mao Zedong"
    "UGA_68_2013",
    "GBR_39_1984",  # "Deng Xiaoping"
    "ALB_23_1968",  # "Mao Tse-tung", "Chou En-lai", "Khrushchev"
    "ALB_24_1969",  # "Sinkiang"
    "CZE_70_2015",  # "Xinjiang"
    "CAN_77_2022",
    "MYS_31_1976",
    "ZAF_02_1947",  # "Vishinsky"
)


def slice_members(name: str) -> bool:
    base = PurePosixPath(name).name
    return base.startswith(SLICE_COUNTRIES) or base.removesuffix(".txt") in SLICE_EXTRA


@pytest.fixture(scope="session")
def ungdc_slice(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tarball of the slice, with Speakers_by_session.xlsx beside it."""
    folder = tmp_path_factory.mktemp("ungdc-slice")
    target = folder / "UNGDC_slice.tgz"
    with (
        tarfile.open(corpora / "ungdc" / "UNGDC_1946-2022.tgz") as src,
        tarfile.open(target, "w:gz", compresslevel=1) as out,
    ):
        for member in src:
            if member.isfile() and slice_members(member.name):
                out.addfile(member, src.extractfile(member))
    shutil.copy(corpora / "ungdc" / "Speakers_by_session.xlsx", folder)
    return target


@pytest.fixture(scope="session", params=BACKENDS)
def searchable(
    request: pytest.FixtureRequest, ungdc_slice: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """An archive holding the slice, once per backend (read-only for the tests)."""
    folder = tmp_path_factory.mktemp("search-archive")
    store, discard = open_backend(request.param, folder, request)
    result = ingest(store, [ungdc_slice], default_registry())
    assert result.added > 300, result
    yield store
    discard()


@pytest.fixture(scope="session")
def slice_texts(ungdc_slice: Path) -> dict[str, str]:
    """Independent reading of the slice: document id → raw text, by tarfile alone."""
    texts: dict[str, str] = {}
    with tarfile.open(ungdc_slice) as tar:
        for member in tar:
            if member.isfile():
                raw = tar.extractfile(member)
                assert raw is not None
                base = PurePosixPath(member.name).name.removesuffix(".txt")
                texts[f"ungdc:{base}"] = raw.read().decode("utf-8-sig")
    return texts
