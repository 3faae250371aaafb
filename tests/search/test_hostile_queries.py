"""Any input at all gives results or a QueryError: never a crash or an engine error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from declass.errors import QueryError
from declass.search.engine import SearchResults, search
from declass.search.query import parse
from declass.store.base import Store

PIECES = [
    '"',
    "(",
    ")",
    "*",
    "-",
    ":",
    "..",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "^",
    "{",
    "}",
    "+",
    "title:",
    "person:",
    "date:",
    "country:",
    "type:",
    "date:1969",
    "date:19",
    "date:..",
    "peace",
    "Gromyko",
    "Mao Tse-tung",
    "Громыко",
    "毛泽东",
    "'",
    "\\",
    "\x00",
    "NEAR(",
    "col:",
    "rowid",
    ";",
    "--",
    "/*",
    "%",
    "_",
    " ",
    "  ",
    "\n",
    "é",
    "ß",
    "🙂",
]
queries = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join),
)


@settings(max_examples=2000, deadline=None)
@given(queries)
def test_the_parser_gives_a_tree_or_a_query_error(text: str) -> None:
    try:
        parse(text)
    except QueryError as exc:
        assert 0 <= exc.position <= len(text) + 1


@settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(queries)
def test_the_engine_gives_results_or_a_query_error(searchable: Store, text: str) -> None:
    try:
        found = search(searchable, text, page_size=3)
    except QueryError as exc:
        assert 0 <= exc.position <= len(text) + 1
    else:
        assert isinstance(found, SearchResults)
        assert found.total >= len(found.results)
