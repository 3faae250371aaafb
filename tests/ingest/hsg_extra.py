"""The hsg-extra tarball's members, read with tarfile and lxml for the readers' tests.

Counts in the tests come from here (member names, XPath), never from the readers.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from lxml import etree

from declass.ingest.registry import Reader
from declass.ingest.source import Source
from declass.model import Item

TEI = {"t": "http://www.tei-c.org/ns/1.0"}


def tarball(corpora: Path) -> Path:
    return corpora / "hsg-extra" / "hsg_extra_tei.tgz"


@cache
def members(path: Path) -> dict[str, bytes]:
    """Every file of the tarball by member name, with its bytes."""
    found: dict[str, bytes] = {}
    with tarfile.open(path) as tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is not None:
                found[member.name] = handle.read()
    return found


def under(path: Path, folder: str) -> dict[str, bytes]:
    """The XML members whose path contains `folder` ("wwdai/articles/")."""
    return {n: b for n, b in members(path).items() if folder in n and n.endswith(".xml")}


def source(path: Path, name: str) -> Source:
    return Source(path, name, members(path)[name])


def read_all(reader: Reader, path: Path, folder: str) -> Iterator[Item]:
    """What `reader` yields for each member under `folder`."""
    for name in sorted(under(path, folder)):
        yield from reader.read(source(path, name))


def tree(data: bytes) -> etree._Element:
    return etree.fromstring(data)
