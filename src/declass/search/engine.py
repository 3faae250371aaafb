"""`search(store, query)`: what the CLI and the web call.

The query is parsed (query.py), its names expanded to every spelling the archive
holds (variants.py and the authority records), its words analysed (analysis.py);
the store evaluates the result and counts facets; snippets come from the best
passage of each document on the page.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from declass.errors import NotFound, QueryError
from declass.model import AuthorityKind, HistoricalDate
from declass.persons.directory import display_name
from declass.persons.spellings import parse_spelling
from declass.search import analysis, query
from declass.search.analysis import fold_word
from declass.search.expansion import expand_name
from declass.search.query import And, DateRange, Field, Node, Not, Or, Phrase, Word
from declass.search.snippets import Snippet, page_snippets, wanted_words
from declass.store.base import (
    FACET_FIELDS,
    AllOf,
    AnyOf,
    DateFilter,
    Excluding,
    FacetCount,
    FieldFilter,
    IndexExpression,
    MatchAll,
    SearchRequest,
    Store,
    TermMatch,
)

SORTS = ("relevance", "date")
PAGE_SIZE = 10
_PERSON_SPREAD = 3  # person facet values read per shown, before merging per person
_CAPITALISED = re.compile(r"^[A-Z\u0400-\u042f]|[\u3400-\u9fff]")
_NON_LATIN_NAME = re.compile(r"[\u0400-\u04ff\u3400-\u9fff]")


@dataclass(frozen=True)
class Result:
    doc_id: str
    title: str
    date: str
    score: float
    snippet: Snippet | None
    date_label: str = ""  # the date at its stated precision, when the document was read


@dataclass(frozen=True)
class Expansion:
    """A name as typed and the other spellings searched with it."""

    name: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    page: int
    page_size: int
    sort: str
    results: tuple[Result, ...]
    facets: dict[str, tuple[FacetCount, ...]]
    expansions: tuple[Expansion, ...] = ()
    corrections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    expanded: bool = True
    selected_facets: tuple[tuple[str, str], ...] = field(default=())
    exact: bool = True  # False: total and facet counts are estimates (see SearchPage)


def search(
    store: Store,
    text: str,
    *,
    expand: bool = True,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    facets: Sequence[str] = (),
    snippets: bool = True,
    facet_size: int = 10,
    include_restricted: bool = False,
) -> SearchResults:
    """Run a reader's query: a page of results with snippets, and facet counts.

    `facets` are selections like "country:RUS" or "decade:1950s" that narrow the
    query. Restricted or embargoed documents count only with `include_restricted`
    (for staff). Raises QueryError (with the position) for a query that cannot be read.
    """
    if sort not in SORTS:
        raise QueryError(0, f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if page < 1:
        raise QueryError(0, "pages are numbered from 1")
    tree = query.parse(text)
    planner = _Planner(store, expand)
    expression = planner.plan(tree) if tree is not None else MatchAll()
    if expression is None:
        raise QueryError(0, "nothing to search for: the query has no words")
    selected = tuple(_facet_selection(f) for f in facets)
    if selected:
        filters = tuple(
            FieldFilter(name, _person_values(store, value) if name == "person" else (value,))
            for name, value in selected
        )
        expression = AllOf((expression, *filters))
    expression = planner.correct(expression)
    found = store.search(
        SearchRequest(
            expression,
            sort=sort,
            offset=(page - 1) * page_size,
            limit=page_size,
            # Persons are counted per spelling and merged per person below: a few more
            # spellings are read so that merging does not lose a person.
            facet_size=facet_size * _PERSON_SPREAD,
            include_restricted=include_restricted,
        )
    )
    facets_found = {
        name: counts[:facet_size] if name != "person" else _persons(store, counts, facet_size)
        for name, counts in found.facets.items()
    }
    marked = page_snippets(store, found.hits, wanted_words(expression)) if snippets else []
    results = tuple(
        Result(h.doc_id, h.title, h.sort_date, h.score, m, _date_label(h.date_start, h.date_end))
        for h, m in itertools.zip_longest(found.hits, marked)
    )
    return SearchResults(
        query=text,
        total=found.total,
        page=page,
        page_size=page_size,
        sort=sort,
        results=results,
        facets=facets_found,
        expansions=tuple(planner.expansions),
        corrections=tuple(planner.corrections),
        expanded=expand,
        selected_facets=selected,
        exact=found.exact,
    )


@lru_cache(maxsize=4096)
def _date_label(start: str, end: str) -> str:
    """The date of a hit at its precision, from the bounds the index keeps (few
    distinct ones: kept)."""
    bounds = HistoricalDate.from_bounds(start, end)
    return bounds.display() if bounds else ""


def _persons(store: Store, counts: tuple[FacetCount, ...], size: int) -> tuple[FacetCount, ...]:
    """Person facet values merged per person: the spellings a linked person goes by in
    different volumes ("Andrei A. Gromyko", "Andrei Andreevich Gromyko") are one value,
    shown under the person's preferred name."""
    keys = {c.value: _spelling_key(c.value) for c in counts}
    owners: dict[str, set[str]] = {}
    for s in store.person_spellings(keys=sorted(set(keys.values()))):
        owners.setdefault(s.key, set()).add(s.person_id)
    merged: dict[str, int] = {}
    for c in counts:
        people = owners.get(keys[c.value], set())
        label = _preferred(store, next(iter(people))) if len(people) == 1 else c.value
        merged[label] = merged.get(label, 0) + c.count
    ranked = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(FacetCount(v, n) for v, n in ranked[:size])


@lru_cache(maxsize=100_000)
def _spelling_key(value: str) -> str:
    """A person facet value's key (values repeat from query to query: kept)."""
    return parse_spelling(value).key


def _preferred(store: Store, person_id: str) -> str:
    try:
        return display_name(store.authority(person_id))
    except NotFound:
        return person_id


def _person_values(store: Store, value: str) -> tuple[str, ...]:
    """A person facet value as the names the index may hold for that person: every
    spelling recorded for the person it names (or the value alone)."""
    key = parse_spelling(value).key
    people = {s.person_id for s in store.person_spellings(keys=[key])}
    if len(people) != 1:
        return (value,)
    names = {s.name for s in store.person_spellings(person_ids=sorted(people))}
    return (value, *sorted(names - {value}))


def _facet_selection(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not value.strip() or name.strip().lower() not in FACET_FIELDS:
        raise QueryError(
            0, f"a facet is field:value with field one of {', '.join(FACET_FIELDS)}: {text!r}"
        )
    return name.strip().lower(), value.strip()


class _Planner:
    """Turns the parsed tree into the store's expression, expanding names on the way."""

    def __init__(self, store: Store, expand: bool) -> None:
        self.store, self.expand = store, expand
        self.expansions: list[Expansion] = []
        self.corrections: list[tuple[str, tuple[str, ...]]] = []
        self.typed: dict[str, str] = {}  # analysed word → folded word as typed

    def plan(self, node: Node) -> IndexExpression | None:
        if isinstance(node, Word | Phrase):
            return self._sequence([node])
        if isinstance(node, And):
            return self._sequence(list(node.parts))
        if isinstance(node, Or):
            parts = [p for p in (self.plan(n) for n in node.parts) if p is not None]
            return None if not parts else parts[0] if len(parts) == 1 else AnyOf(tuple(parts))
        if isinstance(node, Not):
            inner = self.plan(node.part)
            return None if inner is None else Excluding(inner)
        if isinstance(node, DateRange):
            return DateFilter(
                node.earliest.isoformat() if node.earliest else None,
                node.latest.isoformat() if node.latest else None,
            )
        if isinstance(node, Field):
            return self._field(node)
        raise TypeError(f"not a query node: {node!r}")

    def _sequence(self, nodes: list[Node]) -> IndexExpression | None:
        """AND of `nodes`, with runs of capitalised words tried as names."""
        parts: list[IndexExpression] = []
        i = 0
        while i < len(nodes):
            run = _name_run(nodes, i) if self.expand else 0
            if run:
                name = " ".join(_text(n) for n in nodes[i : i + run])
                named = self._name(name, fields=(), always=False)
                if named is None and run > 1:
                    run = 1
                    named = self._name(_text(nodes[i]), fields=(), always=False)
                if named is not None:
                    parts.append(named)
                    i += run
                    continue
            node = nodes[i]
            planned = self._leaf(node) if isinstance(node, Word | Phrase) else self.plan(node)
            if planned is not None:
                parts.append(planned)
            i += 1
        return None if not parts else parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def _leaf(self, node: Word | Phrase, fields: tuple[str, ...] = ()) -> IndexExpression | None:
        words = tuple(analysis.terms(node.text))
        if not words:
            return None
        if isinstance(node, Word) and node.prefix:
            raw = tuple(fold_word(w) for w in re.findall(r"[^\W_]+", node.text))
            forms = {TermMatch(words, True, fields), TermMatch(raw, True, fields)}
            forms = {f for f in forms if f.words}
            return forms.pop() if len(forms) == 1 else AnyOf(tuple(sorted(forms, key=str)))
        if len(words) == 1:
            self.typed.setdefault(words[0], fold_word(node.text))
            surface = analysis.surface_terms(node.text)
            if len(surface) == 1 and surface[0] != words[0]:
                return TermMatch(words, False, fields, surface[0])
        return TermMatch(words, False, fields)

    def _field(self, node: Field) -> IndexExpression | None:
        value = node.value.text.strip()
        if node.name == "title":
            return self._leaf(node.value, fields=("title", "heading"))
        if node.name == "person":
            if not self.expand:
                return self._leaf(Phrase(value, node.position))
            return self._name(value, fields=(), always=True)
        return FieldFilter(node.name, (value,))

    def _name(self, name: str, fields: tuple[str, ...], always: bool) -> IndexExpression | None:
        """Every spelling of `name` that is evidently the same person (or place) and
        that the archive holds, as alternatives (see expansion.py); None if none beyond
        the name itself (and not `always`)."""
        found = expand_name(self.store, name, explicit=always)
        spellings: dict[str, None] = {v.name: None for v in found.variants}
        for authority in self.store.authorities_named(name):
            if authority.kind is AuthorityKind.PLACE:
                for n in authority.all_names:
                    spellings.setdefault(n, None)
        by_terms: dict[tuple[str, ...], str] = {}
        for s in spellings:
            by_terms.setdefault(tuple(analysis.terms(s)), s)
        by_terms.pop((), None)
        counts = self.store.term_counts([w for t in by_terms for w in t])
        typed = tuple(analysis.terms(name))
        kept = [t for t in by_terms if t == typed or all(counts.get(w, 0) for w in t)]
        # A spelling holding another whole ("Chairman Mao Tse-tung") finds nothing more.
        kept = [t for t in kept if not any(o != t and _holds(t, o) for o in kept)]
        if not kept:
            return None
        if len(kept) == 1 and not always:
            return None
        shown = tuple(by_terms[t] for t in kept if by_terms[t] != name)
        if shown:
            self.expansions.append(Expansion(name, shown))
        alternatives = tuple(TermMatch(t, False, fields) for t in kept)
        return alternatives[0] if len(alternatives) == 1 else AnyOf(alternatives)

    def correct(self, e: IndexExpression) -> IndexExpression:
        """Words found nowhere in the archive are searched with their near spellings."""
        singles = [t for t in _term_matches(e) if len(t.words) == 1 and not t.prefix]
        if not singles:
            return e
        counts = self.store.term_counts([t.words[0] for t in singles])
        missing = {t.words[0] for t in singles if counts.get(t.words[0], 0) == 0}
        replacements: dict[str, tuple[str, ...]] = {}
        for term in sorted(missing):
            typed = self.typed.get(term, term)
            if len(typed) < 4 or not typed.isalpha():
                continue
            distance = 1 if len(typed) <= 5 else 2
            near = tuple(self.store.similar_terms(typed, distance, limit=3))
            if near:
                replacements[term] = near
                self.corrections.append((typed, near))
        return _replace_terms(e, replacements) if replacements else e


def _holds(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    """Whether `shorter` occurs as a run of words inside `longer`."""
    n = len(shorter)
    return n < len(longer) and any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _name_run(nodes: list[Node], i: int) -> int:
    """Length of the run of capitalised plain words (or one capitalised phrase) at i."""
    first = nodes[i]
    if isinstance(first, Phrase):
        return 1 if _CAPITALISED.search(first.text) or _NON_LATIN_NAME.search(first.text) else 0
    n = 0
    while i + n < len(nodes) and n < 4:
        node = nodes[i + n]
        if not isinstance(node, Word) or node.prefix:
            break
        if not (_CAPITALISED.match(node.text) or _NON_LATIN_NAME.search(node.text)):
            break
        n += 1
    return n


def _text(node: Node) -> str:
    return node.text if isinstance(node, Word | Phrase) else ""


def _term_matches(e: IndexExpression) -> Iterable[TermMatch]:
    if isinstance(e, TermMatch):
        yield e
    elif isinstance(e, AllOf | AnyOf):
        for p in e.parts:
            yield from _term_matches(p)
    elif isinstance(e, Excluding):
        yield from _term_matches(e.part)


def _replace_terms(e: IndexExpression, near: dict[str, tuple[str, ...]]) -> IndexExpression:
    if isinstance(e, TermMatch):
        if len(e.words) == 1 and not e.prefix and e.words[0] in near:
            others = tuple(TermMatch((w,), False, e.fields) for w in near[e.words[0]])
            return AnyOf((e, *others))
        return e
    if isinstance(e, AllOf):
        return AllOf(tuple(_replace_terms(p, near) for p in e.parts))
    if isinstance(e, AnyOf):
        return AnyOf(tuple(_replace_terms(p, near) for p in e.parts))
    if isinstance(e, Excluding):
        return Excluding(_replace_terms(e.part, near))
    return e
