"""The archive's domain model: pure values, no I/O.

Everything a reader produces and a store keeps is one of the frozen dataclasses
below. Identifiers are strings with a corpus prefix ("ungdc:RUS_24_1969",
"frus:frus1969-76v17:d12", "person:acheson-dean-gooderham") so that records
from different sources never collide and re-ingest finds the same record again.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from enum import Enum


class DocumentType(str, Enum):
    MEMORANDUM_OF_CONVERSATION = "memorandum-of-conversation"
    MEMORANDUM = "memorandum"
    TELEGRAM = "telegram"
    LETTER = "letter"
    MINUTES = "minutes"
    SPEECH = "speech"
    ESSAY = "essay"
    REPORT = "report"
    TREATY = "treaty"
    TRANSCRIPT = "transcript"
    EDITORIAL_NOTE = "editorial-note"
    ARTICLE = "article"
    OTHER = "other"


class DatePrecision(str, Enum):
    """How much of a date the source actually states."""

    MINUTE = "minute"
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    DECADE = "decade"
    RANGE = "range"  # two stated ends, e.g. FRUS doc-dateTime-min/max on different days
    UNKNOWN = "unknown"


# Alias for fields of classes that also have a field called `date`.
CalendarDate = date

_ISO_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class HistoricalDate:
    """A date as the record states it: the earliest and latest days it can mean.

    `earliest`/`latest` are inclusive bounds ("not before"/"not after"); either may be
    missing for an open-ended statement. `label` keeps the wording of the source.
    """

    earliest: date | None
    latest: date | None
    precision: DatePrecision
    label: str = ""
    # Read from words (a heading, an opening line) rather than from markup or a field.
    inferred: bool = False
    # Why this date may be wrong, when the source contradicts itself (a year 0201 in a
    # volume of 1901, a day outside the volume's span); `label` keeps what is written.
    doubtful: str = ""

    def __post_init__(self) -> None:
        if self.earliest and self.latest and self.earliest > self.latest:
            raise ValueError(f"date range ends before it starts: {self.earliest}..{self.latest}")

    @property
    def year(self) -> int | None:
        known = self.earliest or self.latest
        return known.year if known else None

    def display(self) -> str:
        """The date at the precision the source gives: "1969", "December 1949",
        "1949-12-16", or "1949-12-16 .. 1950-02-14" for a range."""
        lo, hi = self.earliest, self.latest
        if self.precision is DatePrecision.YEAR and lo:
            return str(lo.year)
        if self.precision is DatePrecision.MONTH and lo:
            return lo.strftime("%B %Y")
        if lo and hi and lo == hi:
            return lo.isoformat()
        return f"{lo.isoformat() if lo else 'not before ?'} .. {hi.isoformat() if hi else '?'}"

    def sort_key(self) -> str:
        d = self.earliest or self.latest
        return d.isoformat() if d else ""

    @classmethod
    def parse(cls, text: str, label: str = "") -> HistoricalDate:
        """Parse an ISO 8601 prefix (YYYY, YYYY-MM, YYYY-MM-DD, with optional time).

        The precision follows what is written: "1949" covers the whole year.
        """
        m = _ISO_DATE.match(text.strip())
        if not m:
            raise ValueError(f"not an ISO date: {text!r}")
        y, mo, d = int(m.group(1)), m.group(2), m.group(3)
        if y <= 0:
            raise ValueError(f"year out of range: {text!r}")
        if mo is None:
            return cls(date(y, 1, 1), date(y, 12, 31), DatePrecision.YEAR, label or text)
        month = int(mo)
        if d is None:
            last = calendar.monthrange(y, month)[1]
            return cls(date(y, month, 1), date(y, month, last), DatePrecision.MONTH, label or text)
        day = date(y, month, int(d))
        timed = "T" in text and len(text.strip()) > 10
        precision = DatePrecision.MINUTE if timed else DatePrecision.DAY
        return cls(day, day, precision, label or text)

    @classmethod
    def from_bounds(cls, earliest: str, latest: str) -> HistoricalDate | None:
        """A date rebuilt from its stored ISO bounds ("" or 9999-12-31 for open), its
        precision read off them: a whole year is "1949", a whole month "December 1949"."""
        lo = date.fromisoformat(earliest) if earliest else None
        hi = date.fromisoformat(latest) if latest and latest < "9999" else None
        if lo is None and hi is None:
            return None
        if lo and hi and lo == hi:
            return cls(lo, hi, DatePrecision.DAY)
        if lo is None or hi is None:
            return cls(lo, hi, DatePrecision.RANGE)
        month_end = calendar.monthrange(hi.year, hi.month)[1]
        if (lo.year, lo.month, lo.day) == (hi.year, hi.month, 1) and hi.day == month_end:
            return cls(lo, hi, DatePrecision.MONTH)
        if lo.year == hi.year and (lo.month, lo.day, hi.month, hi.day) == (1, 1, 12, 31):
            return cls(lo, hi, DatePrecision.YEAR)
        return cls(lo, hi, DatePrecision.RANGE)

    @classmethod
    def between(cls, earliest: str | None, latest: str | None, label: str = "") -> HistoricalDate:
        """A date known only to lie between two stated bounds (either may be absent)."""
        lo = cls.parse(earliest).earliest if earliest else None
        hi = cls.parse(latest).latest if latest else None
        if lo and hi and lo == hi:
            return cls(lo, hi, DatePrecision.DAY, label)
        return cls(lo, hi, DatePrecision.RANGE, label)


class ParticipantRole(str, Enum):
    AUTHOR = "author"
    RECIPIENT = "recipient"
    SPEAKER = "speaker"
    PARTICIPANT = "participant"
    MENTIONED = "mentioned"


@dataclass(frozen=True)
class Participant:
    """A person or organisation as named in one document, with their role in it."""

    name: str
    role: ParticipantRole
    authority_id: str | None = None  # resolved Authority.id, when known
    post: str = ""  # office held at the time ("Minister for Foreign Affairs")
    # A body rather than a person: an embassy, a department, an office that sends or
    # receives ("Telegram From the Embassy in Poland to the Department of State").
    organisation: bool = False


@dataclass(frozen=True)
class CountryRef:
    """A country as it was at the document's date (RUS in 1969 is the USSR)."""

    code: str  # ISO 3166-1 alpha-3 as the source writes it
    name: str
    # How the country was found when the record does not state it ("volume coverage",
    # "dateline", "participant"); empty when the record itself names the country.
    derived: str = ""


@dataclass(frozen=True)
class ArchivalReference:
    """Where the original lies: repository and the levels of its arrangement.

    Western archives use collection/series/box/folder (or lot); Russian archives use
    fond/opis/delo; the National Archives of Australia series/item (control symbol) with
    the item's barcode. Unused levels stay empty; `text` keeps the citation as printed.
    """

    repository: str = ""
    collection: str = ""
    series: str = ""
    lot: str = ""
    box: str = ""
    folder: str = ""
    fond: str = ""
    opis: str = ""
    delo: str = ""
    folio: str = ""
    text: str = ""
    item: str = ""  # the file or item within a series (an NAA control symbol)
    barcode: str = ""  # the archive's own number for that item (an NAA barcode)


class BlockKind(str, Enum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list-item"
    QUOTE = "quote"
    DATELINE = "dateline"
    SIGNATURE = "signature"
    TABLE_ROW = "table-row"


@dataclass(frozen=True)
class Block:
    """One structural unit of a text: a heading, a paragraph, a list item."""

    kind: BlockKind
    text: str
    level: int = 0  # heading depth or list nesting
    page: str = ""  # page of the printed/PDF source where the block begins


class NoteKind(str, Enum):
    FOOTNOTE = "footnote"
    EDITORIAL = "editorial"
    SOURCE = "source"
    COMMENTARY = "commentary"


@dataclass(frozen=True)
class NoteAnchor:
    """Where a note is attached: a block of a text, and a character offset in it."""

    text_index: int = 0
    block_index: int = 0
    offset: int = 0


@dataclass(frozen=True)
class Note:
    kind: NoteKind
    text: str
    label: str = ""  # the printed marker, e.g. "1" or "*"
    anchor: NoteAnchor | None = None  # None: attached to the document as a whole
    author: str = ""
    date: HistoricalDate | None = None
    # Closed apart from its document (None: as open as the document); see declass.access.
    access: AccessLevel | None = None
    embargo_until: CalendarDate | None = None


class TextRole(str, Enum):
    ORIGINAL = "original"
    TRANSLATION = "translation"
    TRANSCRIPTION = "transcription"


@dataclass(frozen=True)
class Text:
    """The body of a document in one language, in one role."""

    language: str  # ISO 639-1 where known ("en", "ru", "zh"), "und" otherwise
    role: TextRole
    blocks: tuple[Block, ...]
    translator: str = ""
    source_edition: str = ""
    # One of several equally authentic texts (a treaty's official languages): none is
    # the original of another.
    authentic: bool = False
    # A text closed apart from its document (an original withheld while its translation
    # is open); None: as open as the document. See declass.access.
    access: AccessLevel | None = None
    embargo_until: CalendarDate | None = None

    @property
    def plain(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)


class AccessLevel(str, Enum):
    PUBLIC = "public"
    REGISTERED = "registered"  # any signed-in reader
    RESTRICTED = "restricted"  # staff and named readers only
    # Taken out of the reading room by an editor (declass.editing.withdrawal): staff
    # only, kept with its history, restorable; never deleted.
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Provenance:
    """Where a record came from: the file, the place in it, and its content hash."""

    source: str  # path of the file (or tarball) as given to ingest
    position: str = ""  # tar member, XPath, sheet row...
    content_hash: str = ""  # sha256 of the bytes the record was read from
    reader: str = ""  # name of the registered reader
    ingest_run: int | None = None


@dataclass(frozen=True)
class Reference:
    """A link a record makes to another record or volume ("see Document 12")."""

    target: str  # Document.id or Collection.id as the archive names it
    label: str = ""  # the words that make the link, as printed
    anchor: NoteAnchor | None = None  # where the link sits; None: in the metadata
    in_note: bool = False  # made in a footnote rather than in the text


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    doc_type: DocumentType
    texts: tuple[Text, ...] = ()
    date: HistoricalDate | None = None
    place: str = ""
    participants: tuple[Participant, ...] = ()
    countries: tuple[CountryRef, ...] = ()
    archival_reference: ArchivalReference | None = None
    source_note: str = ""
    notes: tuple[Note, ...] = ()
    collections: tuple[str, ...] = ()  # Collection.id values
    series: str = ""  # volume or series identifier, for previous/next
    sequence: int | None = None  # position within the series
    subjects: tuple[str, ...] = ()  # periods, themes, terms the record is about
    number: str = ""  # the number printed in its volume ("6", "116a")
    divisions: tuple[str, ...] = ()  # the volume's chapter/compilation headings above it
    references: tuple[Reference, ...] = ()  # links to other records and volumes
    access: AccessLevel = AccessLevel.PUBLIC
    embargo_until: CalendarDate | None = None
    provenance: Provenance | None = None

    @property
    def language(self) -> str:
        original = next((t for t in self.texts if t.role is TextRole.ORIGINAL), None)
        return (original or self.texts[0]).language if self.texts else "und"

    @property
    def body(self) -> str:
        return "\n\n".join(t.plain for t in self.texts)


class AuthorityKind(str, Enum):
    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"
    TERM = "term"


class VariantKind(str, Enum):
    PREFERRED = "preferred"
    ALTERNATE = "alternate"
    ORIGINAL_SCRIPT = "original-script"
    TRANSLITERATION = "transliteration"


@dataclass(frozen=True)
class NameVariant:
    name: str
    kind: VariantKind = VariantKind.ALTERNATE
    language: str = ""  # ISO 639-1 / script hint, when known
    source: str = ""  # where the spelling was found


@dataclass(frozen=True)
class Authority:
    """A person, organisation, place or term with every known form of its name."""

    id: str
    kind: AuthorityKind
    name: str
    variants: tuple[NameVariant, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()  # ("viaf", "12345")
    birth_year: int | None = None
    death_year: int | None = None
    description: str = ""
    provenance: Provenance | None = None
    # A stand-in from a source that only names the person (POCOM): a full record
    # replaces it, and it never replaces a full one, whatever the order of ingest.
    provisional: bool = False
    access: AccessLevel = AccessLevel.PUBLIC
    embargo_until: date | None = None

    @property
    def all_names(self) -> tuple[str, ...]:
        seen: dict[str, None] = {self.name: None}
        for v in self.variants:
            seen.setdefault(v.name, None)
        return tuple(seen)


class EventKind(str, Enum):
    VISIT = "visit"  # a foreign leader's visit to the US
    TRAVEL = "travel"  # a president's or secretary's trip abroad
    APPOINTMENT = "appointment"  # a post held (chief of mission, principal officer)
    ADMINISTRATIVE = "administrative"  # a change in the Department's own organisation


@dataclass(frozen=True)
class Event:
    """Something dated that involves people and countries."""

    id: str
    kind: EventKind
    date: HistoricalDate
    description: str
    people: tuple[Participant, ...] = ()
    countries: tuple[CountryRef, ...] = ()
    place: str = ""
    provenance: Provenance | None = None
    access: AccessLevel = AccessLevel.PUBLIC
    embargo_until: CalendarDate | None = None


@dataclass(frozen=True)
class Section:
    """A part of a collection that is not a record: a volume's preface, its sources,
    its lists of abbreviations and persons."""

    id: str
    title: str
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str = ""
    parent: str | None = None
    kind: str = ""  # "series", "volume", "corpus"…: how the reading room presents it
    editors: tuple[str, ...] = ()
    coverage: HistoricalDate | None = None  # the span of time its records cover
    summary: str = ""
    published: str = ""  # publisher, place and year, as printed
    identifiers: tuple[tuple[str, str], ...] = ()  # ("isbn-13", "978…")
    sections: tuple[Section, ...] = ()  # front matter, in the order printed
    # A collection also disappears for a reader when every document in it is closed
    # to them (declass.store.scoped).
    access: AccessLevel = AccessLevel.PUBLIC
    embargo_until: date | None = None


@dataclass(frozen=True)
class Rejection:
    """Something a reader could not read: the file, where in it, and why."""

    source: str
    position: str
    reason: str


Record = Document | Authority | Event | Collection
Item = Record | Rejection


@dataclass(frozen=True)
class IngestSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: tuple[Rejection, ...] = field(default=())
