"""The Administrative Timeline of the Department of State: dated events, 1789 to today.

`timeline.xml` holds one `div` a decade, each of entries whose head is a TEI `date`
(`@when`, `@from`/`@to`, or `@notBefore`/`@notAfter` for a year or month) followed by
paragraphs. Each entry is an `Event(ADMINISTRATIVE)` dated at the precision its markup
states: "1818" covers the year, "June 1870" the month, never a made-up day. Linked
people (`/departmenthistory/people/<slug>`) and countries become the event's people and
countries. The entries carry no ids; an entry is named by its date ("admin-timeline:
1789-09-15", "admin-timeline:1818"), with ".2" for a second entry on the same date.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

from lxml import etree

from declass.errors import IngestError
from declass.ingest.hsg import element_hash
from declass.ingest.hsg_header import file_title, sniffed_title
from declass.ingest.hsg_links import links_in
from declass.ingest.source import Source
from declass.ingest.tei_text import BlockWriter, inline_text
from declass.ingest.tei_xml import NS, XML_ID, element_path, parse_tei
from declass.model import (
    Collection,
    DatePrecision,
    Event,
    EventKind,
    HistoricalDate,
    Item,
    Provenance,
    Rejection,
    Section,
)

COLLECTION_ID = "admin-timeline"
_TITLE = re.compile(r"^Administrative Timeline of the Department of State\b", re.I)
_CHAPTER_YEARS = re.compile(r"(\d{4})\D+(\d{4})")


class AdministrativeTimelineReader:
    """Reads `timeline.xml`: its Collection (with the introduction), then one Event an entry."""

    name = "hsg-timeline"

    def detect(self, source: Source) -> bool:
        return _TITLE.match(sniffed_title(source)) is not None

    def read(self, source: Source) -> Iterator[Item]:
        root = parse_tei(source.read_bytes(), source.label)
        body = root.find("t:text/t:body", NS)
        if body is None:
            raise IngestError(source.label, "text/body", "the timeline has no body")
        yield _collection(root)
        where = source.member or source.name
        used: Counter[str] = Counter()
        for chapter in body.iterfind("t:div", NS):
            span = _CHAPTER_YEARS.search(chapter.get(XML_ID, ""))
            for entry in chapter.iterfind("t:div", NS):
                try:
                    date = _entry_date(entry)
                except ValueError as exc:
                    yield Rejection(source.label, element_path(entry), f"bad date: {exc}")
                    continue
                key = _key(date)
                used[key] += 1
                if used[key] > 1:
                    key = f"{key}.{used[key]}"
                if span and date.year and not int(span[1]) <= date.year <= int(span[2]):
                    date = replace(date, doubtful=f"filed under {span[1]}–{span[2]}")
                paragraphs = [inline_text(p) for p in entry.iterfind("t:p", NS)]
                description = "\n\n".join(p for p in paragraphs if p)
                if not description:
                    yield Rejection(source.label, element_path(entry), "entry has no text")
                    continue
                links = links_in(entry, date.earliest)
                yield Event(
                    id=f"{COLLECTION_ID}:{key}",
                    kind=EventKind.ADMINISTRATIVE,
                    date=date,
                    description=description,
                    people=links.people,
                    countries=links.countries,
                    provenance=Provenance(
                        source.label, f"{where}#{key}", element_hash(entry), self.name
                    ),
                )


def _collection(root: etree._Element) -> Collection:
    """The timeline as a collection: its title, its sources, and the introduction."""
    sections = []
    for index, div in enumerate(root.iterfind("t:text/t:front/t:div", NS), 1):
        writer = BlockWriter()
        for child in div:
            if child.tag != f"{{{NS['t']}}}head":
                writer.write(child, depth=1)
        head = div.find("t:head", NS)
        title = inline_text(head) if head is not None else "Introduction"
        sections.append(Section(div.get(XML_ID) or f"front-{index}", title, tuple(writer.blocks)))
    source_desc = root.find("t:teiHeader/t:fileDesc/t:sourceDesc", NS)
    published = root.find("t:teiHeader/t:fileDesc/t:publicationStmt", NS)
    return Collection(
        id=COLLECTION_ID,
        title=file_title(root) or "Administrative Timeline of the Department of State",
        description=inline_text(source_desc) if source_desc is not None else "",
        kind="corpus",
        published=inline_text(published) if published is not None else "",
        sections=tuple(sections),
    )


def _entry_date(entry: etree._Element) -> HistoricalDate:
    """The date an entry's head states, at the precision its attributes give."""
    el = entry.find("t:head/t:date", NS)
    if el is None:
        raise ValueError("the entry's head has no date")
    label = inline_text(el)
    when = el.get("when")
    if when:
        return HistoricalDate.parse(when, label)
    lo, hi = el.get("from") or el.get("notBefore"), el.get("to") or el.get("notAfter")
    if not lo and not hi:
        raise ValueError(f"date {label!r} has no when, from/to or notBefore/notAfter")
    if not lo or not hi:
        return HistoricalDate.between(lo, hi, label)
    # Bounds that are a whole year or month are that year or month, not a range of days.
    first, last = HistoricalDate.parse(lo).earliest, HistoricalDate.parse(hi).latest
    assert first is not None and last is not None
    bounded = HistoricalDate.from_bounds(first.isoformat(), last.isoformat())
    assert bounded is not None
    return replace(bounded, label=label)


def _key(date: HistoricalDate) -> str:
    """The date as an id: "1818", "1870-06", "1789-09-15", "1790-02-10_1790-08-05"."""
    lo, hi = date.earliest, date.latest
    if date.precision is DatePrecision.YEAR and lo:
        return str(lo.year)
    if date.precision is DatePrecision.MONTH and lo:
        return lo.strftime("%Y-%m")
    if lo and hi and lo == hi:
        return lo.isoformat()
    return f"{lo.isoformat() if lo else ''}_{hi.isoformat() if hi else ''}"
