"""The query language a historian types, parsed into a small tree with positions.

    words "exact phrases" AND OR NOT - ( ) peace* field:value field:"a phrase"
    date:1969  date:1949-12..1950-02  date:..1950  date:1960..

Words side by side must all match (AND); AND/OR/NOT are operators only in capitals.
Every problem is a `QueryError` naming the character position where it lies.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from declass.errors import QueryError

TEXT_FIELDS = ("title", "person")
FILTER_FIELDS = ("country", "type", "language", "collection", "source", "year", "decade")
FIELDS = (*TEXT_FIELDS, *FILTER_FIELDS, "date")
MAX_LENGTH = 2000
MAX_DEPTH = 32


@dataclass(frozen=True)
class Word:
    text: str
    position: int
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    text: str
    position: int


@dataclass(frozen=True)
class Field:
    """`name:value` for a text field (title, person) or a filter (country, type…)."""

    name: str
    value: Word | Phrase
    position: int


@dataclass(frozen=True)
class DateRange:
    earliest: date | None
    latest: date | None
    position: int


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node
    position: int


Node = Word | Phrase | Field | DateRange | And | Or | Not


@dataclass(frozen=True)
class _Lexeme:
    kind: str  # "word", "phrase", "field", "(", ")", "AND", "OR", "NOT"
    text: str
    position: int
    field: str = ""
    value_position: int = 0
    quoted: bool = False


_FIELD = re.compile(r"([A-Za-z]+):")
_BREAK = set(' \t\r\n()"')


def parse(text: str) -> Node | None:
    """The tree of `text`; None for a query with nothing in it (match everything)."""
    if len(text) > MAX_LENGTH:
        raise QueryError(MAX_LENGTH, f"the query is longer than {MAX_LENGTH} characters")
    lexemes = _lex(text)
    if not lexemes:
        return None
    parser = _Parser(lexemes, len(text))
    node = parser.expression(0)
    if parser.at < len(lexemes):
        extra = lexemes[parser.at]
        raise QueryError(extra.position, f"unexpected {extra.text!r}: no '(' opened it")
    return node


def _lex(text: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append(_Lexeme(c, c, i))
            i += 1
        elif c == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError(i, 'this quote is never closed: add a closing "')
            out.append(_Lexeme("phrase", text[i + 1 : end], i))
            i = end + 1
        elif (
            c == "-"
            and i + 1 < n
            and text[i + 1] not in _BREAK
            and text[i + 1] != "-"
            and (not out or out[-1].kind != "word" or text[i - 1].isspace())
        ):
            out.append(_Lexeme("NOT", "-", i))
            i += 1
        else:
            start = i
            field = _FIELD.match(text, i)
            if field and field.group(1).lower() in FIELDS:
                value_at = field.end()
                if value_at < n and text[value_at] == '"':
                    end = text.find('"', value_at + 1)
                    if end < 0:
                        raise QueryError(value_at, 'this quote is never closed: add a closing "')
                    out.append(
                        _Lexeme(
                            "field",
                            text[value_at + 1 : end],
                            start,
                            field.group(1).lower(),
                            value_at,
                            quoted=True,
                        )
                    )
                    i = end + 1
                    continue
                j = value_at
                while j < n and text[j] not in _BREAK:
                    j += 1
                if j == value_at:
                    raise QueryError(value_at, f"{field.group(1)}: needs a value after the colon")
                out.append(
                    _Lexeme("field", text[value_at:j], start, field.group(1).lower(), value_at)
                )
                i = j
                continue
            if (
                field
                and text[field.end() : field.end() + 1] not in ("", " ")
                and not (field.group(1).isdigit())
            ):
                raise QueryError(
                    start, f"unknown field {field.group(1)!r}; fields are {', '.join(FIELDS)}"
                )
            while i < n and text[i] not in _BREAK:
                i += 1
            word = text[start:i]
            kind = word if word in ("AND", "OR", "NOT") else "word"
            out.append(_Lexeme(kind, word, start))
    return out


class _Parser:
    def __init__(self, lexemes: list[_Lexeme], length: int) -> None:
        self.lexemes, self.at, self.length = lexemes, 0, length

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.at] if self.at < len(self.lexemes) else None

    def expression(self, depth: int) -> Node:
        parts = [self.conjunction(depth)]
        while (la := self.peek()) is not None and la.kind == "OR":
            self.at += 1
            if self.peek() is None or self.peek().kind in (")", "OR", "AND"):  # type: ignore[union-attr]
                raise QueryError(la.position, "OR needs a term on both sides")
            parts.append(self.conjunction(depth))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def conjunction(self, depth: int) -> Node:
        parts: list[Node] = []
        while (la := self.peek()) is not None and la.kind not in (")", "OR"):
            if la.kind == "AND":
                if not parts:
                    raise QueryError(la.position, "AND needs a term before it")
                self.at += 1
                nxt = self.peek()
                if nxt is None or nxt.kind in (")", "OR", "AND"):
                    raise QueryError(la.position, "AND needs a term after it")
                continue
            parts.append(self.unary(depth))
        if not parts:
            la = self.peek()
            where = la.position if la is not None else self.length
            what = f"{la.text!r}" if la is not None else "the end of the query"
            raise QueryError(where, f"expected a word, phrase or field before {what}")
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self, depth: int) -> Node:
        la = self.peek()
        assert la is not None
        if la.kind == "NOT":
            if depth >= MAX_DEPTH:
                raise QueryError(la.position, "the query is nested too deeply")
            self.at += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "OR", "AND"):
                raise QueryError(la.position, f"{la.text} needs a term after it")
            return Not(self.unary(depth + 1), la.position)
        if la.kind == "(":
            if depth >= MAX_DEPTH:
                raise QueryError(la.position, "the query is nested too deeply")
            self.at += 1
            if (nxt := self.peek()) is not None and nxt.kind == ")":
                raise QueryError(la.position, "empty parentheses")
            inner = self.expression(depth + 1)
            close = self.peek()
            if close is None or close.kind != ")":
                raise QueryError(la.position, "this '(' is never closed: add a ')'")
            self.at += 1
            return inner
        self.at += 1
        if la.kind == "phrase":
            if not la.text.strip():
                raise QueryError(la.position, "empty quotes")
            return Phrase(la.text, la.position)
        if la.kind == "field":
            return _field(la)
        return _word(la.text, la.position)


def _word(text: str, position: int) -> Word:
    prefix = text.endswith("*")
    stripped = text.rstrip("*")
    if prefix and not stripped.strip("*"):
        raise QueryError(position, "'*' must follow the start of a word, as in peace*")
    return Word(stripped.replace("*", ""), position, prefix)


def _field(lexeme: _Lexeme) -> Node:
    name, value, at = lexeme.field, lexeme.text, lexeme.value_position
    if name == "date":
        return _date_range(value, at, lexeme.position)
    if not value.strip():
        raise QueryError(at, f"{name}: needs a value")
    inner: Word | Phrase = Phrase(value, at) if lexeme.quoted else _word(value, at)
    return Field(name, inner, lexeme.position)


_DAY = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _date_range(value: str, at: int, position: int) -> DateRange:
    if ".." in value:
        lo_text, hi_text = value.split("..", 1)
        hi_at = at + len(lo_text) + 2
        lo = _day(lo_text, at, end=False) if lo_text else None
        hi = _day(hi_text, hi_at, end=True) if hi_text else None
        if lo is None and hi is None:
            raise QueryError(at, "date: needs at least one end, as in date:1949..1950")
        if lo and hi and lo > hi:
            raise QueryError(at, f"date range ends before it starts: {value}")
        return DateRange(lo, hi, position)
    return DateRange(_day(value, at, end=False), _day(value, at, end=True), position)


def _day(text: str, at: int, end: bool) -> date:
    m = _DAY.match(text)
    if not m:
        raise QueryError(at, f"not a date: {text!r} (write 1969, 1949-12 or 1950-02-14)")
    year = int(m.group(1))
    if year == 0:
        raise QueryError(at, f"year out of range: {text!r}")
    month = int(m.group(2)) if m.group(2) else (12 if end else 1)
    if not 1 <= month <= 12:
        raise QueryError(at, f"no month {month} in {text!r}")
    last = calendar.monthrange(year, month)[1]
    day = int(m.group(3)) if m.group(3) else (last if end else 1)
    if not 1 <= day <= last:
        raise QueryError(at, f"no day {day} in {text!r}")
    return date(year, month, day)
