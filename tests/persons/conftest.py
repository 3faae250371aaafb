"""Small real archives for the persons tests: four FRUS volumes and the people records
that matter to them, read by the real readers.

The people records are a slice of hsg/people.tgz: every record whose source pages are
the chosen volumes' persons lists, and every record of the surnames the tests ask
about (so that different people of one name are there to be kept apart).
"""

from __future__ import annotations

import io
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.store.base import Store
from tests.conftest import BACKENDS, open_backend

VOLUMES = ("frus1964-68v30", "frus1961-63v06", "frus1955-57v02", "frus1950-55Intel")
SURNAMES = ("Gromyko", "Khrushchev", "Hoover", "Mao", "Zhou", "Chou", "Bundy", "Acheson")


def _wanted(xml: bytes) -> bool:
    text = xml.decode("utf-8", "replace")
    if any(f"/historicaldocuments/{v}/persons#" in text for v in VOLUMES):
        return True
    preferred = re.search(r"<preferred>\s*<name>([^<]*)</name>", text)
    return bool(preferred) and any(
        re.search(rf"\b{s}\b", preferred.group(1)) for s in SURNAMES if preferred
    )


@pytest.fixture(scope="session")
def people_slice(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A people.tgz holding the records these tests need (a few hundred)."""
    target = tmp_path_factory.mktemp("people") / "people.tgz"
    with (
        tarfile.open(corpora / "hsg" / "people.tgz") as src,
        tarfile.open(target, "w:gz", compresslevel=1) as out,
    ):
        for member in src:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            handle = src.extractfile(member)
            data = handle.read() if handle else b""
            if _wanted(data):
                member.size = len(data)
                out.addfile(member, io.BytesIO(data))
    return target


@pytest.fixture(scope="session")
def volume_paths(corpora: Path) -> list[Path]:
    return [corpora / "frus" / "volumes" / f"{v}.xml.gz" for v in VOLUMES]


@pytest.fixture(scope="session", params=BACKENDS)
def persons_archive(
    request: pytest.FixtureRequest,
    volume_paths: list[Path],
    people_slice: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Store]:
    """The four volumes, then the people records, once per backend (read-only)."""
    store, discard = open_backend(request.param, tmp_path_factory.mktemp("persons"), request)
    ingest(store, volume_paths, default_registry(), workers=1)
    ingest(store, [people_slice], default_registry(), workers=1)
    yield store
    discard()
