"""An actor the article names is resolved to the person it means, on real records.

The archive holds the FRUS volume on the Soviet Union 1961–63, whose persons list
gives Khrushchev's record the variants "Stalin" and "Richard H. Davis" (a merging
slip in the data), and the people authority's records of the surnames asked about.
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
from declass.parallels.actors import find_mentions, resolve_authority
from declass.store import open_store
from declass.store.base import Store

SURNAMES = ("Stalin", "Khrushchev", "Mao", "Kennedy", "Dulles")


@pytest.fixture(scope="module")
def soviet_volume(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("actors")
    people = folder / "people.tgz"
    with (
        tarfile.open(corpora / "hsg" / "people.tgz") as src,
        tarfile.open(people, "w:gz", compresslevel=1) as out,
    ):
        for member in src:
            handle = src.extractfile(member) if member.isfile() else None
            data = handle.read() if handle else b""
            name = re.search(rb"<preferred>\s*<name>([^<]*)</name>", data)
            if name and any(s.encode() in name.group(1) for s in SURNAMES):
                member.size = len(data)
                out.addfile(member, io.BytesIO(data))
    store = open_store(folder / "archive.sqlite3")
    volume = corpora / "frus" / "volumes" / "frus1961-63v05.xml.gz"
    ingest(store, [volume, people], default_registry(), workers=1)
    yield store
    store.close()


def test_the_data_holds_the_slip_that_misled_the_old_resolver(soviet_volume: Store) -> None:
    khrushchev = soviet_volume.authority("frus:frus1961-63v05:p_KNS1")
    assert "Stalin" in khrushchev.all_names


def test_stalin_is_stalin_not_the_record_that_lists_him_as_a_variant(
    soviet_volume: Store,
) -> None:
    stalin = resolve_authority(soviet_volume, "Stalin")
    assert stalin is not None and "Stalin" in stalin.name
    assert "Khrushchev" not in stalin.name
    khrushchev = resolve_authority(soviet_volume, "Khrushchev")
    assert khrushchev is not None and "Khrushchev" in khrushchev.name
    assert khrushchev.id.startswith("person:"), "the people authority speaks for the person"


def test_a_surname_shared_by_several_people_needs_the_full_name(soviet_volume: Store) -> None:
    kennedys = {
        a.name
        for a in soviet_volume.authorities_named("Kennedy")
        if "Kennedy" in a.name and a.kind.value == "person"
    }
    if len(kennedys) > 1:  # John F., Robert F. …: no guess between them
        assert resolve_authority(soviet_volume, "Kennedy") is None
    chosen = resolve_authority(soviet_volume, "Kennedy", ["John F. Kennedy"])
    assert chosen is not None and "John" in chosen.name


def test_one_person_however_the_article_names_him(soviet_volume: Store) -> None:
    text = (
        "Khrushchev told Mao Zedong that Stalin had been wrong. Mao did not agree,"
        " and Nikita Khrushchev left Peking early."
    )
    mentions = find_mentions(soviet_volume, text)
    keys = [m.key for m in mentions if "Khrushchev" in m.text]
    assert len(keys) == 1
    stalin = next(m for m in mentions if m.text == "Stalin")
    assert "Khrushchev" not in stalin.authority_name
    assert not any("Khrushchev" in s or "Davis" in s for s in stalin.spellings)
