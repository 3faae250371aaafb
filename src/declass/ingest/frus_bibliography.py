"""The FRUS bibliography: one record per volume of the series (HistoryAtState/frus
`bibliography/*.xml`, or `bibliography.tgz`), with what a volume's own header lacks:
the years it covers, the administration, its summary, when it was published.

A volume file is read with the bibliography found beside it: `bibliography.tgz` or a
`bibliography/` folder in the volume's folder or up to three folders above it (also in
a `frus/` folder there, as `../shared/corpora` lays out its FRUS corpora), or the file
the reader settings name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from lxml import etree

from declass.ingest.packed import Limits, Member, members
from declass.ingest.tei_text import inline_text
from declass.ingest.tei_xml import hardened_parser

_NAMES = ("bibliography.tgz", "bibliography.tar.gz", "bibliography")
_TEI = "{http://www.tei-c.org/ns/1.0}"


@dataclass(frozen=True)
class VolumeRecord:
    """What the bibliography says of one volume."""

    id: str
    title: str = ""
    editors: tuple[tuple[str, str], ...] = ()  # (role, name), as listed
    coverage_from: str = ""  # "1964"
    coverage_to: str = ""  # "1968"
    administration: str = ""  # "johnson"
    summary: tuple[str, ...] = ()  # its paragraphs
    published_year: str = ""
    status: str = ""  # "published", "being-researched-or-prepared"…


def find_bibliography(volume: Path, given: Path | None = None) -> Path | None:
    """The bibliography to read with the volume at `volume`, if there is one."""
    if given is not None:
        return given if given.exists() else None
    folder = volume.parent
    for _ in range(4):
        for base in (folder, folder / "frus"):
            for name in _NAMES:
                candidate = base / name
                if candidate.exists():
                    return candidate
        if folder.parent == folder:
            break
        folder = folder.parent
    return None


@lru_cache(maxsize=4)
def load_bibliography(path: Path) -> dict[str, VolumeRecord]:
    """Every volume record in a bibliography tarball or folder, by volume id."""
    records: dict[str, VolumeRecord] = {}
    if path.is_dir():
        files = ((p.name, p.read_bytes()) for p in sorted(path.glob("*.xml")))
    else:
        files = (
            (PurePosixPath(m.name).name, m.data)
            for m in members(path, Limits(member_bytes=16 * 1024 * 1024))
            if isinstance(m, Member) and m.name.endswith(".xml")
        )
    for _, data in files:
        record = _record(data)
        if record is not None:
            records[record.id] = record
    return records


def _record(data: bytes) -> VolumeRecord | None:
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError:
        return None
    if root is None or root.tag != "volume" or not root.get("id"):
        return None

    def text(path: str) -> str:
        el = root.find(path)
        return " ".join((el.text or "").split()) if el is not None else ""

    summary = root.find("summary")
    paragraphs: tuple[str, ...] = ()
    if summary is not None:
        paragraphs = tuple(t for t in (inline_text(p) for p in summary.iter(f"{_TEI}p", "p")) if t)
    return VolumeRecord(
        id=root.get("id", ""),
        title=text("title[@type='complete']"),
        editors=tuple(
            (e.get("role", ""), " ".join((e.text or "").split()))
            for e in root.iterfind("editor")
            if (e.text or "").strip()
        ),
        coverage_from=text("coverage[@type='from']"),
        coverage_to=text("coverage[@type='to']"),
        administration=text("administration"),
        summary=paragraphs,
        published_year=text("published-year"),
        status=text("publication-status"),
    )


_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")


def years_in_title(title: str) -> tuple[int, int] | None:
    """ "Foreign Relations …, 1969–1976, Volume XVII, China, 1969–1972" → (1969, 1972):
    the years after the volume number are the volume's own, those before it the
    subseries'. A title that names one year covers that year; None when it names none."""
    before, _, after = title.partition("Volume")
    years = [int(y) for y in _YEAR.findall(after)] or [int(y) for y in _YEAR.findall(before)]
    if not years:
        return None
    return min(years), max(years)
