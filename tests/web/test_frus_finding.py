"""Finding things in real FRUS volumes as a reader would: a theme within a country, and
one person under one page."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from lxml import etree
from starlette.testclient import TestClient

NS = {"t": "http://www.tei-c.org/ns/1.0"}
CHINA_VOLUMES = ("frus1964-68v30", "frus1969-76ve13")


def _docs_saying(path: Path, *patterns: str) -> set[str]:
    """Ids of the volume's documents whose own text matches every pattern (an XPath and
    regexes over the TEI, independent of declass's readers and analysis)."""
    root = etree.fromstring(gzip.decompress(path.read_bytes()))
    found = set()
    for div in root.xpath("//t:div[@type='document']", namespaces=NS):
        text = " ".join(div.xpath("string()").split())
        if all(re.search(p, text, re.I) for p in patterns):
            found.add(
                f"frus:{path.name[: -len('.xml.gz')]}:{div.get('{http://www.w3.org/XML/1998/namespace}id')}"
            )
    return found


def test_sino_soviet_split_within_china_finds_the_china_volumes(
    frus_client: TestClient, frus_volume_files: dict[str, Path]
) -> None:
    answer = frus_client.get(
        "/api/search",
        params={"q": "Sino-Soviet split", "facet": "country:CHN", "page_size": 100},
    ).json()
    found = {r["id"] for r in answer["results"]}
    expected = set()
    for volume in CHINA_VOLUMES:
        expected |= _docs_saying(frus_volume_files[volume], r"Sino-Soviet", r"\bsplit")
    assert len(expected) >= 5
    assert expected <= found
    # The facet is the PRC, as the volumes' own chapters make it: nothing from the
    # Soviet Union volume unless its record is about China too.
    assert all(r["id"].split(":")[1] in CHINA_VOLUMES for r in answer["results"])


def test_one_gromyko_with_his_spellings_and_the_volumes_they_were_seen_in(
    frus_client: TestClient, frus_volume_files: dict[str, Path]
) -> None:
    page = frus_client.get("/people", params={"name": "Gromyko"}, follow_redirects=False)
    assert page.status_code in (301, 302)
    person = frus_client.get(page.headers["location"])
    assert person.status_code == 200
    html = person.text
    # The spelling each volume's persons list gives him, with that volume named.
    for volume, path in frus_volume_files.items():
        root = etree.fromstring(gzip.decompress(path.read_bytes()))
        listed = root.xpath(
            "//t:div[@xml:id='persons']//t:persName[starts-with(normalize-space(), 'Gromyko')]",
            namespaces=NS,
        )
        for entry in listed:
            name = " ".join(entry.xpath("string()").split()).rstrip(",")
            family, _, given = name.partition(",")
            assert f"{given.strip()} {family.strip()}" in html or name in html, name
            assert volume in html
