"""Dates as records write them: TEI `date` attributes, datelines, and plain words."""

from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree

from declass.ingest.tei_text import inline_text
from declass.ingest.tei_xml import NS, TEI_NS, local
from declass.model import HistoricalDate

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DASH = r"\s*[-–—]\s*"
# A year in prose: four digits that are not a time of day ("0900 hours").
_YEAR = r"(?:1[5-9]\d\d|20\d\d)(?!\d|\s*(?:hours|hrs)\b)"
_DATE_PATTERNS = [
    # June 20-August 31, 1961
    re.compile(
        rf"(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}){_DASH}(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}),?\s+(?P<y>{_YEAR})"
    ),
    # November 7-8, 1958
    re.compile(rf"(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}){_DASH}(?P<d2>\d{{1,2}}),?\s+(?P<y>{_YEAR})"),
    # August 19, 2002, 1425Z / November 4, 1960 9:08 a.m.
    re.compile(
        rf"(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}),?\s+(?P<y>{_YEAR})"
        r"(?:,?\s+(?:(?P<zh>\d{2})(?P<zm>\d{2})\s?Z\b|(?P<h>\d{1,2}):(?P<mi>\d{2})\s*(?P<ap>[ap])\.?m\.?))?"
    ),
    # 3 February 1957
    re.compile(rf"(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH}),?\s+(?P<y>{_YEAR})"),
    # July 1984
    re.compile(rf"(?P<m1>{_MONTH}),?\s+(?P<y>{_YEAR})"),
]


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def date_in_text(text: str) -> tuple[HistoricalDate, int] | None:
    """Find a date written out in prose ("Athens, August 19, 2002, 1425Z").

    Returns the date (label: the wording from the date on) and where it starts.
    """
    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        g = m.groupdict()
        label = text[m.start() :].strip().rstrip(".").strip()
        y, m1 = int(g["y"]), _month(g["m1"])
        try:
            if g.get("d2"):
                m2 = _month(g["m2"]) if g.get("m2") else m1
                lo = f"{y:04d}-{m1:02d}-{int(g['d1']):02d}"
                hi = f"{y:04d}-{m2:02d}-{int(g['d2']):02d}"
                return HistoricalDate.between(lo, hi, label), m.start()
            if g.get("d1"):
                iso = f"{y:04d}-{m1:02d}-{int(g['d1']):02d}"
                if g.get("zh"):
                    iso += f"T{g['zh']}:{g['zm']}"
                elif g.get("h"):
                    hour = int(g["h"]) % 12 + (12 if g["ap"].lower() == "p" else 0)
                    iso += f"T{hour:02d}:{g['mi']}"
                return HistoricalDate.parse(iso, label), m.start()
            return HistoricalDate.parse(f"{y:04d}-{m1:02d}", label), m.start()
        except ValueError:
            continue  # "February 30" is not a date; try a looser reading
    return None


_MONTH_DAY = (
    re.compile(
        rf"(?<![\w-])(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:{_DASH}(?P<d2>\d{{1,2}}))?"
        rf"(?!\d|,?\s+{_YEAR})"
    ),
    # 9 July, 0900 Hours
    re.compile(rf"(?<![\w-])(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})(?!\w|,?\s+{_YEAR})"),
)


def month_day_in_text(text: str) -> tuple[int, int, int, int] | None:
    """A day named without its year ("Memorandum from Dean to Bundy, August 4."): month,
    first day, last day and where the words start; the year must come from elsewhere."""
    found = [m for m in (p.search(text) for p in _MONTH_DAY) if m]
    if not found:
        return None
    m = min(found, key=lambda m: m.start())
    first = int(m.group("d1"))
    last = int(m.group("d2")) if m.groupdict().get("d2") else first
    if not 1 <= first <= last <= 31:
        return None
    return _month(m.group("m1")), first, last, m.start()


def on_day(year: int, month: int, first: int, last: int, label: str) -> HistoricalDate | None:
    """The day (or days) of `month` in `year`, read from words; None if no such day."""
    try:
        return replace(
            HistoricalDate.between(
                f"{year:04d}-{month:02d}-{first:02d}", f"{year:04d}-{month:02d}-{last:02d}", label
            ),
            inferred=True,
        )
    except ValueError:
        return None


def date_of_element(el: etree._Element) -> HistoricalDate | None:
    """A TEI `date`'s attributes (when, from/to, notBefore/notAfter), else its wording."""
    label = inline_text(el)
    when = el.get("when")
    if when:
        return HistoricalDate.parse(when, label)
    lo = el.get("from") or el.get("notBefore")
    hi = el.get("to") or el.get("notAfter")
    if lo or hi:
        return HistoricalDate.between(lo, hi, label)
    found = date_in_text(label)
    return found[0] if found else None


def dateline_of(div: etree._Element) -> etree._Element | None:
    """The record's own dateline (not one inside a nested record or attachment)."""
    for dl in div.iter(f"{{{TEI_NS}}}dateline"):
        if _owner(dl) is div:
            return dl
    return None


def _owner(el: etree._Element) -> etree._Element | None:
    node = el.getparent()
    while node is not None:
        if local(node) == "attachment" or (local(node) == "div" and node.get("type") == "document"):
            return node
        node = node.getparent()
    return None


def date_and_place(dateline: etree._Element | None) -> tuple[HistoricalDate | None, str]:
    """The date and place a dateline states: `date`/`placeName` markup first, then prose."""
    if dateline is None:
        return None, ""
    place_el = dateline.find(".//t:placeName", NS)
    place = inline_text(place_el) if place_el is not None else ""
    text = inline_text(dateline)
    date: HistoricalDate | None = None
    date_el = dateline.find(".//t:date", NS)
    if date_el is not None:
        try:
            date = date_of_element(date_el)
        except ValueError:
            date = None
    found = date_in_text(text)
    if date is None and found:
        date = found[0]
    if not place and found and found[1] > 0:
        before = text[: found[1]].strip().rstrip(",").strip()
        if before and not re.search(r"\d", before):
            place = before
    return date, place
