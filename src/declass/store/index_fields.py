"""What a search index holds for one document, whatever the backend.

The text of each field as `declass.search.analysis` makes it (folded, stemmed, Chinese
segmented: the same analysis the engine applies to every query word), and the facts
that filters and facets need. SQLite (Tantivy) and PostgreSQL (tsvector) index these.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from declass.access import indexed_notes, indexed_texts
from declass.errors import QueryError
from declass.model import BlockKind, Document, ParticipantRole
from declass.names import fold
from declass.search.analysis import index_text, terms_and_surface

# People named in a document as its speakers, authors or participants; someone only
# mentioned is found through the text instead.
NAMED_ROLES = tuple(r.value for r in ParticipantRole if r is not ParticipantRole.MENTIONED)

_HONORIFIC = re.compile(
    r"^(?:(?:mr|mrs|ms|mir|dr|sir|h ?e|his excellency|her excellency)\b\.?\s*)+", re.IGNORECASE
)


# A participant no authority resolves whose name is a body or a post: FRUS heads name
# senders and addressees so ("Department of State", "Embassy in Poland", "Secretary of
# State"). Such a name is not a person, and neither is a bare surname.
_BODY = re.compile(
    r"\b(?:department|embassy|legation|consulate|mission|delegation|office|ministry|bureau|"
    r"agency|council|committee|commission|government|secretariat|staff|chiefs|headquarters|"
    r"command|station|section|division|board|administration|service|corps|group|conference|"
    r"house|post|posts|missions|embassies|consulates|diplomatic|general|secretary|minister|"
    r"ambassador|president|chairman|director|representative|consul|attach[eé]|chargé|"
    r"charge|officer|all|certain|various|et al)\b",
    re.IGNORECASE,
)
_ABBREVIATION = re.compile(r"^[A-Z.&/ -]{2,}$")


def is_person_name(name: str, authority_id: str | None, organisation: bool = False) -> bool:
    """Whether a participant names a person: any that an authority resolves; otherwise a
    name of two words or more that is not a body (as the reader marked it, or by its
    words), a post or an abbreviation ("CIA")."""
    if authority_id:
        return True
    if organisation:
        return False
    bare = _HONORIFIC.sub("", name.strip())
    if len(bare.split()) < 2 or _ABBREVIATION.match(bare):
        return False
    return not _BODY.search(bare)


def person_key(name: str) -> str:
    """A participant's name as facets group it: case, accents and "Mr." set aside."""
    return fold(_HONORIFIC.sub("", name.strip())) or fold(name)


def index_columns(doc: Document) -> tuple[str, str, str, str, str]:
    """The analysed text of each field of `doc`, in TEXT_FIELDS order."""
    return index_columns_and_surface(doc)[0]


def index_columns_and_surface(doc: Document) -> tuple[tuple[str, str, str, str, str], str]:
    """The analysed text of each field of `doc` (in TEXT_FIELDS order), and every word
    of its title and texts folded but not stemmed (for exact forms): each text analysed
    once for both."""
    columns, surface, _ = _analysed(doc)
    return columns, surface


def _analysed(doc: Document) -> tuple[tuple[str, str, str, str, str], str, list[str]]:
    """`index_columns_and_surface`, and the body's analysed words as a list."""
    title_terms, surface = terms_and_surface(doc.title)
    headings, body = list(doc.subjects), []
    # A text or note closed apart from its document is never indexed (declass.access).
    for text in indexed_texts(doc):
        for block in text.blocks:
            stems, words = terms_and_surface(block.text)
            surface += words
            if block.kind is BlockKind.HEADING:
                headings.append(block.text)
            else:
                body += stems
    notes = [n.text for n in indexed_notes(doc)]
    if doc.source_note:
        notes.append(doc.source_note)
    # The text field keeps a bare surname (a speaker found by it); not a body or post.
    people = [
        p.name
        for p in doc.participants
        if p.role.value in NAMED_ROLES and (p.authority_id or not _BODY.search(p.name))
    ]
    columns = (
        " ".join(title_terms),
        index_text("\n".join(headings)),
        " ".join(body),
        index_text("\n".join(notes)),
        index_text("\n".join(people)),
    )
    return columns, " ".join(surface), body


@dataclass(frozen=True)
class IndexEntry:
    """Everything a search index takes from one document, worked out once (in a reading
    process at ingest): analysed text per field, the exact forms, neighbouring body
    words as pairs (for phrases), and the facts."""

    columns: tuple[str, str, str, str, str]
    surface: str
    pairs: str
    facts: IndexFacts


def index_entry(doc: Document) -> IndexEntry:
    """The analysed text and facts of `doc`, for either backend's index."""
    columns, surface, body = _analysed(doc)
    return IndexEntry(columns, surface, _pairs(body), index_facts(doc))


def _pairs(words: list[str]) -> str:
    """Each word joined by "_" to the next, the pairs separated by spaces: laid out in
    one list by slices and joined once (a string a pair costs a third more)."""
    n = len(words)
    if n < 2:
        return ""
    parts = [" "] * (4 * n - 5)
    parts[0::4] = words[:-1]
    parts[1::4] = ["_"] * (n - 1)
    parts[2::4] = words[1:]
    return "".join(parts)


@dataclass(frozen=True)
class IndexFacts:
    """A document's metadata as filters and facets see it."""

    title: str
    sort_date: str  # ISO day, "" when undated
    date_start: str  # "" when the date has no lower bound (or none at all)
    date_end: str  # 9999-12-31 when open
    doc_type: str
    language: str
    source: str  # the corpus prefix of the id
    year: str
    decade: str
    country_codes: tuple[str, ...]
    country_keys: tuple[str, ...]  # codes and folded names, case-blind
    people: tuple[str, ...]  # person_key of each named participant
    people_names: tuple[str, ...]
    collections: tuple[str, ...]
    collection_keys: tuple[str, ...]
    access: str
    embargo_until: str  # ISO day or ""

    @property
    def dated(self) -> bool:
        return bool(self.sort_date)


def index_facts(doc: Document) -> IndexFacts:
    """The facts of `doc` that filters and facets read."""
    d = doc.date
    start = d.earliest.isoformat() if d and d.earliest else ""
    end = d.latest.isoformat() if d and d.latest else ""
    year = (start or end)[:4]
    named = [
        p.name
        for p in doc.participants
        if p.role.value in NAMED_ROLES and is_person_name(p.name, p.authority_id, p.organisation)
    ]
    keys = {c.code.casefold() for c in doc.countries} | {fold(c.name) for c in doc.countries}
    return IndexFacts(
        title=doc.title,
        sort_date=d.sort_key() if d else "",
        date_start=start,
        date_end=end or "9999-12-31",
        doc_type=doc.doc_type.value,
        language=_indexed_language(doc),
        source=doc.id.split(":", 1)[0],
        year=year,
        decade=f"{year[:3]}0s" if year else "",
        country_codes=tuple(dict.fromkeys(c.code for c in doc.countries)),
        country_keys=tuple(sorted(keys)),
        people=tuple(person_key(n) for n in named),
        people_names=tuple(named),
        collections=tuple(dict.fromkeys(doc.collections)),
        collection_keys=tuple(sorted({c.casefold() for c in doc.collections})),
        access=doc.access.value,
        embargo_until=doc.embargo_until.isoformat() if doc.embargo_until else "",
    )


def _indexed_language(doc: Document) -> str:
    """The language of what is indexed: a closed original must not show as one."""
    shown = indexed_texts(doc)
    return doc.language if len(shown) == len(doc.texts) else replace(doc, texts=shown).language


def filter_keys(field: str, values: Sequence[str]) -> list[str]:
    """The values of a filter on `field` as the index keeps them: case-blind, a country
    by code or folded name, a person by `person_key`, a type as its hyphenated name, a
    decade with its "s". Raises QueryError for a field nothing can be filtered on."""
    lowered = {v.casefold() for v in values}
    if field == "country":
        keys = lowered | {fold(v) for v in values}
    elif field == "person":
        keys = {person_key(v) for v in values}
    elif field == "type":
        keys = {fold(v).replace(" ", "-") for v in values}
    elif field == "decade":
        keys = {v if v.endswith("s") else v + "s" for v in lowered}
    elif field in ("collection", "year", "language", "source"):
        keys = lowered
    else:
        raise QueryError(0, f"cannot filter on {field!r}")
    return sorted(keys)


def preferred_spellings(rows: Iterable[tuple[str, str, int]]) -> dict[str, str]:
    """Each person key's spelling from (key, spelling, documents) rows: the one most
    documents use, mixed case before capitals ("Gromyko" before "GROMYKO")."""
    shown: dict[str, Counter[str]] = {}
    for key, name, n in rows:
        shown.setdefault(key, Counter())[name] += n
    return {
        key: max(forms.items(), key=lambda kv: (kv[0] != kv[0].upper(), kv[1], kv[0]))[0]
        for key, forms in shown.items()
    }
