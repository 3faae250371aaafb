"""The pure model: dates keep the precision the source gave them."""

from __future__ import annotations

from datetime import date

import pytest

from declass.model import DatePrecision, HistoricalDate


@pytest.mark.parametrize(
    "text",
    ["1949", "1949-12", "1950-02", "1949-12-16", "1960-02-29"],
)
def test_a_date_rebuilt_from_its_bounds_keeps_its_precision(text: str) -> None:
    stated = HistoricalDate.parse(text)
    assert stated.earliest and stated.latest
    rebuilt = HistoricalDate.from_bounds(stated.earliest.isoformat(), stated.latest.isoformat())
    assert rebuilt is not None
    assert rebuilt.precision is stated.precision
    assert rebuilt.display() == stated.display()


def test_bounds_that_are_not_a_calendar_unit_stay_a_range() -> None:
    rebuilt = HistoricalDate.from_bounds("1949-12-16", "1950-02-14")
    assert rebuilt == HistoricalDate(date(1949, 12, 16), date(1950, 2, 14), DatePrecision.RANGE)
    assert rebuilt.display() == "1949-12-16 .. 1950-02-14"
    # A whole month minus its last day is not "the month".
    assert HistoricalDate.from_bounds("1950-02-01", "1950-02-27").precision is DatePrecision.RANGE


def test_open_bounds() -> None:
    assert HistoricalDate.from_bounds("", "") is None
    assert HistoricalDate.from_bounds("", "9999-12-31") is None
    open_end = HistoricalDate.from_bounds("1971-10-25", "9999-12-31")
    assert open_end is not None and open_end.latest is None
    assert open_end.display() == "1971-10-25 .. ?"
