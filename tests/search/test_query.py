"""The query language: what parses to what, and where errors point."""

from __future__ import annotations

from datetime import date

import pytest

from declass.errors import QueryError
from declass.search.query import And, DateRange, Field, Not, Or, Phrase, Word, parse


def test_words_side_by_side_must_all_match() -> None:
    assert parse("nuclear disarmament") == And((Word("nuclear", 0), Word("disarmament", 8)))


def test_operators_phrases_fields_and_parentheses() -> None:
    tree = parse('"peaceful coexistence" AND (Soviet OR Russia) NOT country:USA')
    assert tree == And(
        (
            Phrase("peaceful coexistence", 0),
            Or((Word("Soviet", 28), Word("Russia", 38))),
            Not(Field("country", Word("USA", 58), 50), 46),
        )
    )


def test_lowercase_and_or_not_are_words() -> None:
    assert parse("war and peace") == And((Word("war", 0), Word("and", 4), Word("peace", 8)))


def test_prefix_and_minus() -> None:
    assert parse("peace* -war") == And((Word("peace", 0, prefix=True), Not(Word("war", 8), 7)))


def test_hyphenated_word_is_not_negated() -> None:
    assert parse("non-aligned") == Word("non-aligned", 0)


def test_field_with_a_quoted_value() -> None:
    assert parse('person:"Andrei Gromyko"') == Field("person", Phrase("Andrei Gromyko", 7), 0)


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("date:1969", date(1969, 1, 1), date(1969, 12, 31)),
        ("date:1949-12..1950-02", date(1949, 12, 1), date(1950, 2, 28)),
        ("date:1955..1965", date(1955, 1, 1), date(1965, 12, 31)),
        ("date:..1950", None, date(1950, 12, 31)),
        ("date:1960-02", date(1960, 2, 1), date(1960, 2, 29)),
    ],
)
def test_date_ranges(text: str, earliest: date | None, latest: date | None) -> None:
    assert parse(text) == DateRange(earliest, latest, 0)


def test_empty_query_matches_everything() -> None:
    assert parse("   ") is None


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ('peace "cold war', 6, "never closed"),
        ("(peace OR war", 0, "never closed"),
        ("peace)", 5, "no '(' opened it"),
        ("peace AND", 6, "after"),
        ("OR peace", 0, "expected"),
        ("date:1969-13", 5, "no month 13"),
        ("date:1970..1960", 5, "ends before it starts"),
        ("date:nineteen", 5, "not a date"),
        ("contry:RUS", 0, "unknown field"),
        ("person:", 7, "needs a value"),
        ("*", 0, "'*' must follow"),
        ("NOT", 0, "needs a term"),
        ("()", 0, "empty parentheses"),
        ('""', 0, "empty quotes"),
    ],
)
def test_errors_point_at_the_problem(text: str, position: int, words: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert caught.value.position == position
    assert words in caught.value.reason


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(QueryError, match="nested too deeply"):
        parse("(" * 500 + "peace" + ")" * 500)
