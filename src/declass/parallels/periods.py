"""The stretches of the past an article names: years, decades and named episodes."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Episodes commentators name, with the years they span.
NAMED_EPISODES: dict[str, tuple[int, int]] = {
    "sino-soviet split": (1956, 1966),
    "sino-soviet alliance": (1949, 1960),
    "sino-soviet treaty": (1950, 1950),
    "treaty of friendship": (1950, 1950),
    "sino-soviet border conflict": (1969, 1969),
    "border clash": (1969, 1969),
    "chinese revolution": (1949, 1949),
    "korean war": (1950, 1953),
    "cuban missile crisis": (1962, 1962),
    "berlin blockade": (1948, 1949),
    "berlin crisis": (1958, 1961),
    "vietnam war": (1955, 1975),
    "détente": (1969, 1979),
    "detente": (1969, 1979),
    "marshall plan": (1947, 1952),
    "prague spring": (1968, 1968),
    "hungarian revolution": (1956, 1956),
    "suez crisis": (1956, 1956),
    "first taiwan strait crisis": (1954, 1955),
    "second taiwan strait crisis": (1958, 1958),
    "taiwan strait crisis": (1954, 1958),
    "ping-pong diplomacy": (1971, 1971),
    "nixon's visit to china": (1972, 1972),
    "opening to china": (1971, 1972),
    "rapprochement with china": (1969, 1972),
    "shanghai communiqué": (1972, 1972),
    "shanghai communique": (1972, 1972),
    "test ban treaty": (1963, 1963),
    "vienna summit": (1961, 1961),
    "great leap forward": (1958, 1960),
    "cultural revolution": (1966, 1976),
    "yalta": (1945, 1945),
    "potsdam": (1945, 1945),
}
_YEAR = re.compile(r"(?<![\d-])(1[6-9]\d\d|20\d\d)(?![\d])")
_RANGE = re.compile(r"(?<!\d)(1[6-9]\d\d|20\d\d)\s*[–—-]\s*(\d{2,4})(?!\d)")
_DECADE = re.compile(r"(?<!\d)(1[6-9]\d0|20\d0)s\b|(?<!\d)(?:the\s+)?'(\d0)s\b", re.I)


@dataclass(frozen=True)
class Period:
    """A stretch of the past the article names: a year, a range, a decade or an episode."""

    label: str
    earliest: int
    latest: int


def find_periods(text: str, present: int) -> list[Period]:
    """The periods `text` names, earliest first; this year and the last few are the
    article's present, not its past."""
    found: dict[str, Period] = {}
    low = text.casefold()
    for name, (start, end) in NAMED_EPISODES.items():
        if name in low:
            found[name] = Period(name, start, end)
    for m in _RANGE.finditer(text):
        start, tail = int(m.group(1)), m.group(2)
        end = int(str(start)[: 4 - len(tail)] + tail)
        if start < end <= start + 30 and end < present - 5:
            found.setdefault(f"{start}–{end}", Period(f"{start}–{end}", start, end))
    for m in _DECADE.finditer(text):
        if m.group(1):
            start = int(m.group(1))
        else:
            short = int(m.group(2))
            start = (1900 if short > present % 100 else 2000) + short
        if start < present - 5:
            found.setdefault(f"{start}s", Period(f"the {start}s", start, start + 9))
    for m in _YEAR.finditer(text):
        year = int(m.group(1))
        if year < present - 5:
            found.setdefault(str(year), Period(str(year), year, year))
    return sorted(found.values(), key=lambda p: (p.earliest, p.latest))


def years_in(text: str, present: int) -> list[int]:
    """The past years one sentence names (ranges and decades spelled out)."""
    years: set[int] = set()
    for p in find_periods(text, present):
        # A named episode dates a sentence only when it is short ("the Korean War",
        # not "the Taiwan Strait crisis" of 1954–58, which the article may narrow).
        if p.label in NAMED_EPISODES and p.latest - p.earliest > 3:
            continue
        if p.latest - p.earliest <= 12:
            years.update(range(p.earliest, p.latest + 1))
    return sorted(years)
