"""The Wilson Center Digital Archive: its API's records and a scrape of its pages.

Two shapes, one archive:
- API records as JSON: an asset (a transcript or translation, its text as HTML) or a
  collection. A transcript is the text of a record in its original language, so it
  becomes a Text in role TRANSCRIPTION; a translation one in role TRANSLATION.
- A scrape of record pages (one row a record: URL, title, date, text, subjects…) as
  CSV or as an SQLite table `documents`. Two scrapes of the same pages beside each other
  (`NAME.csv` and `NAME.db`) are read together, row joined to row by the record's URL,
  so a record met twice is one Document; a field one scrape lacks is taken from the
  other, and where both have it the later scrape wins. The database is opened read-only.

Ids come from the Digital Archive: `wilson:<slug>` from a record's URL,
`wilson:transcript-<id>`, `wilson:collection-<id>`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from lxml import html as lxml_html

from declass.countries import country_named
from declass.errors import IngestError
from declass.ingest.dates import date_in_text
from declass.ingest.doctype import infer_doc_type
from declass.ingest.source import Source, sha256
from declass.language import identify
from declass.model import (
    ArchivalReference,
    Block,
    BlockKind,
    Collection,
    CountryRef,
    DatePrecision,
    Document,
    DocumentType,
    HistoricalDate,
    Item,
    Note,
    NoteKind,
    Participant,
    ParticipantRole,
    Provenance,
    Rejection,
    Text,
    TextRole,
)

SITE = "https://digitalarchive.wilsoncenter.org"
ARCHIVE = Collection(
    id="wilson-center",
    title="Wilson Center Digital Archive",
    description=(
        "Records from archives around the world, with transcriptions and English "
        "translations, published by the History and Public Policy Program of the Wilson "
        "Center. Reuse for research and education is welcome; some documents may be "
        "subject to copyright (the Digital Archive's own terms)."
    ),
    kind="corpus",
)
DB_SUFFIXES = (".db", ".sqlite", ".sqlite3")
# Columns a scrape row carries about the scrape rather than the record.
_SCRAPE_FIELDS = frozenset(
    {"scraped_at", "page_number", "page_number_one_indexed", "page_position"}
)
_SLUG = re.compile(r"/document/([^/?#]+)")
_LANGUAGES = {
    "english": "en", "russian": "ru", "chinese": "zh", "german": "de", "french": "fr",
    "japanese": "ja", "korean": "ko", "spanish": "es", "italian": "it", "polish": "pl",
    "czech": "cs", "hungarian": "hu", "romanian": "ro", "bulgarian": "bg", "arabic": "ar",
    "persian": "fa", "vietnamese": "vi", "mongolian": "mn", "portuguese": "pt",
    "serbian": "sr", "croatian": "hr", "albanian": "sq", "ukrainian": "uk", "hindi": "hi",
}  # fmt: skip
_TRANSLATED_BY = re.compile(r"translated by ([^.;,]+?)(?:\s+and\s+|[.;,]|$)", re.IGNORECASE)
_RUSSIAN_REFERENCE = re.compile(
    r"\bf(?:ond)?\.\s*(?P<fond>[\w-]+),\s*op(?:is)?\.\s*(?P<opis>[\w-]+),\s*d(?:elo)?\.\s*"
    r"(?P<delo>[\w-]+)(?:.*?\bll?\.\s*(?P<folio>[\d\s,-]+\d))?",
    re.IGNORECASE,
)
_RUSSIAN_MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
_RUSSIAN_DATE = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s+({'|'.join(_RUSSIAN_MONTHS)})(?:\s+(\d{{4}})\s*(?:г\.|года)?)?"
)
_YEAR_NAMED = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)\s*(?:г\.|год)")
_INITIALS_NAME = re.compile(r"^(?:[A-ZА-ЯЁ]\.\s*){1,2}[A-ZА-ЯЁ][\w-]+$")
_RIGHT_ALIGNED = re.compile(r"\.(\w+)\s*\{[^}]*text-align\s*:\s*right", re.IGNORECASE)
_INCIPIT_CHARS = 120


class WilsonReader:
    """Digital Archive API records (JSON) and page scrapes (CSV, SQLite) as Documents."""

    name = "wilson"

    def detect(self, source: Source) -> bool:
        if source.is_dir:
            return False
        name = source.name.lower()
        head = source.head(4096)
        if name.endswith(".json"):
            return _is_asset(head) or _is_collection(head)
        if name.endswith(".csv"):
            first = head.split(b"\n", 1)[0]
            return b"document_url" in first and b"text_body" in first
        if name.endswith(DB_SUFFIXES) and source.member is None:
            return head.startswith(b"SQLite format 3\x00") and _has_documents_table(source.path)
        return False

    def sidecars(self, folder: Path) -> set[Path]:
        """A scrape database beside a CSV of the same name: read with the CSV."""
        found: set[Path] = set()
        for csv_path in folder.glob("*.csv"):
            for db in _scrape_pair(csv_path)[1:]:
                found.add(db)
        return found

    def read(self, source: Source) -> Iterator[Item]:
        yield ARCHIVE
        name = source.name.lower()
        if name.endswith(".json"):
            yield from _read_api_record(source, self.name)
        else:
            yield from _read_scrape(source, self.name)


# -- API records ---------------------------------------------------------------------


def _is_asset(head: bytes) -> bool:
    return b'"asset_id"' in head and b'"content_type"' in head and b'"filename"' in head


def _is_collection(head: bytes) -> bool:
    return b'"slug"' in head and b'"short_description"' in head and b'"is_inactive"' in head


def _read_api_record(source: Source, reader: str) -> Iterator[Item]:
    data = source.read_bytes()
    try:
        record = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(source.label, "", f"not a JSON record: {exc}") from exc
    if not isinstance(record, dict) or not record.get("id"):
        raise IngestError(source.label, "", "a Digital Archive record is an object with an id")
    provenance = Provenance(source.label, "", sha256(data), reader)
    if "asset_id" in record:
        yield _asset_document(record, source.label, provenance)
    else:
        yield _collection(record)


def _collection(record: dict[str, Any]) -> Collection:
    """A Digital Archive collection; its essay's links stay in the text of its description."""
    description = _html_text(str(record.get("description") or ""))
    slug = str(record.get("slug") or "")
    identifiers = [("wilson-collection", str(record["id"]))]
    if slug:
        identifiers.append(("url", f"{SITE}/collection/{record['id']}/{slug}"))
    return Collection(
        id=f"wilson:collection-{record['id']}",
        title=str(record.get("name") or record.get("value") or record["id"]),
        description=description,
        summary=str(record.get("short_description") or ""),
        parent=ARCHIVE.id,
        kind="collection",
        identifiers=tuple(identifiers),
    )


def _asset_document(record: dict[str, Any], label: str, provenance: Provenance) -> Document:
    """A transcript or translation asset standing alone: its text, and what the text
    says of itself (the signature, the opening words, the day)."""
    markup = record.get("html") or record.get("raw")
    if not isinstance(markup, str) or not markup.strip():
        raise IngestError(label, "html", "the asset has no HTML text (a PDF asset is not read)")
    blocks = _html_blocks(markup, label)
    if not blocks:
        raise IngestError(label, "html", "the asset's HTML holds no text")
    plain = "\n\n".join(b.text for b in blocks)
    url = str(record.get("url") or "")
    kind = "translation" if "/translations/" in url or "language" in record else "transcript"
    # The HTML declares English whatever it holds: the words decide.
    language = _asset_language(record) or identify(plain)
    role = TextRole.TRANSLATION if kind == "translation" else TextRole.TRANSCRIPTION
    author = _signed_by(blocks)
    link = f"{SITE}{url}" if url.startswith("/") else url
    note = f"Wilson Center Digital Archive, {kind} {record['id']}" + (f": {link}" if link else "")
    return Document(
        id=f"wilson:{kind}-{record['id']}",
        title=_incipit(blocks),
        doc_type=DocumentType.OTHER,
        texts=(Text(language, role, blocks),),
        date=_russian_date(blocks) if language == "ru" else _english_date(blocks),
        participants=(author,) if author else (),
        source_note=note,
        collections=(ARCHIVE.id,),
        provenance=provenance,
    )


def _asset_language(record: dict[str, Any]) -> str:
    found = record.get("language")
    name = found.get("name") if isinstance(found, dict) else found
    return _LANGUAGES.get(str(name or "").strip().lower(), "")


def _html_blocks(markup: str, label: str) -> tuple[Block, ...]:
    """Paragraphs of the asset's HTML; right-aligned ones (its signature) as SIGNATURE."""
    try:
        root = lxml_html.fromstring(markup)
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise IngestError(label, "html", f"unreadable HTML: {exc}") from exc
    styles = " ".join(_text_of(s) for s in root.iter("style"))
    right = set(_RIGHT_ALIGNED.findall(styles))
    blocks: list[Block] = []
    for p in root.iter("p"):
        if any(True for _ in p.iterdescendants("p")):
            continue  # a wrapper (holding the style sheet): its paragraphs are read one by one
        text = " ".join(_text_of(p).split())
        if not text:
            continue
        signed = bool(right & set((p.get("class") or "").split()))
        blocks.append(Block(BlockKind.SIGNATURE if signed else BlockKind.PARAGRAPH, text))
    return tuple(blocks)


def _html_text(markup: str) -> str:
    if not markup.strip():
        return ""
    return " ".join(_text_of(lxml_html.fromstring(markup)).split())


def _text_of(element: Any) -> str:
    return str(lxml_html.tostring(element, method="text", encoding="unicode", with_tail=False))


def _signed_by(blocks: tuple[Block, ...]) -> Participant | None:
    """The author of a signed record: the name that signs it, the line above as post."""
    signature = [b.text for b in blocks if b.kind is BlockKind.SIGNATURE]
    for i in range(len(signature) - 1, -1, -1):
        if _INITIALS_NAME.match(signature[i]):
            post = signature[i - 1] if i else ""
            return Participant(signature[i], ParticipantRole.AUTHOR, post=post)
    return None


def _incipit(blocks: tuple[Block, ...]) -> str:
    """An untitled record is named by its opening words, as archivists do."""
    first = next((b.text for b in blocks if b.kind is BlockKind.PARAGRAPH), blocks[0].text)
    if len(first) <= _INCIPIT_CHARS:
        return first
    cut = first.rfind(" ", 0, _INCIPIT_CHARS)
    return first[: cut if cut > 0 else _INCIPIT_CHARS] + "…"


def _russian_date(blocks: tuple[Block, ...]) -> HistoricalDate | None:
    """The day named in the opening paragraph ("1 января"); without its year, the one
    year the text names (marked inferred); several years: the day is left unknown."""
    opening = next((b.text for b in blocks if b.kind is BlockKind.PARAGRAPH), "")
    m = _RUSSIAN_DATE.search(opening)
    if not m:
        return None
    day, month = int(m.group(1)), _RUSSIAN_MONTHS.index(m.group(2)) + 1
    year, inferred = (int(m.group(3)), False) if m.group(3) else (None, True)
    if year is None:
        years = {int(y) for b in blocks for y in _YEAR_NAMED.findall(b.text)}
        if len(years) != 1:
            return None
        year = years.pop()
    try:
        when = date(year, month, day)
    except ValueError:
        return None
    return HistoricalDate(when, when, DatePrecision.DAY, m.group(0), inferred=inferred)


def _english_date(blocks: tuple[Block, ...]) -> HistoricalDate | None:
    for block in blocks[:5]:
        found = date_in_text(block.text)
        if found:
            d = found[0]
            return HistoricalDate(d.earliest, d.latest, d.precision, d.label, inferred=True)
    return None


# -- scrapes -------------------------------------------------------------------------


def _scrape_pair(path: Path) -> list[Path]:
    """`path` and the scrape of the same name in the other form (CSV first)."""
    stem = path.with_suffix("")
    found = [stem.with_suffix(".csv")] + [stem.with_suffix(s) for s in DB_SUFFIXES]
    return [p for p in found if p.is_file()]


def _has_documents_table(path: Path) -> bool:
    try:
        with _read_only(path) as db:
            columns = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
    except sqlite3.Error:
        return False
    return "document_url" in columns


def _read_only(path: Path) -> sqlite3.Connection:
    # mode=ro: the scrape is evidence, never written to (no journal, no WAL file).
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _read_scrape(source: Source, reader: str) -> Iterator[Item]:
    """Rows of the scrape (and of its twin beside it), one Document a record URL."""
    paths = _scrape_pair(source.path) if source.member is None else []
    if source.path not in paths:
        paths.append(source.path)
    merged: dict[str, tuple[dict[str, str], str, str]] = {}  # url → (row, file, where)
    for path in paths:
        label = str(path)
        try:
            rows = list(_db_rows(path) if path.suffix.lower() in DB_SUFFIXES else _csv_rows(path))
        except IngestError as exc:
            yield Rejection(exc.path, exc.position, exc.reason)
            continue
        for where, row in rows:
            url = row.get("document_url", "").strip()
            if not _SLUG.search(url):
                yield Rejection(label, where, f"no Digital Archive record URL: {url!r}")
                continue
            if url in merged:
                earlier, first_label, first_where = merged[url]
                merged[url] = (_merge(earlier, row), first_label, first_where)
            else:
                merged[url] = (row, label, where)
    for url, (row, label, where) in merged.items():
        try:
            yield _scraped_document(url, row, label, where, reader)
        except IngestError as exc:
            yield Rejection(exc.path, exc.position, exc.reason)


def _csv_rows(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(str(path), f"byte {exc.start}", "not UTF-8 text") from exc
    rows = csv.DictReader(io.StringIO(text, newline=""))
    try:
        for row in rows:
            clean = {k: (v or "") for k, v in row.items() if k is not None}
            yield f"row {rows.line_num}", clean
    except csv.Error as exc:
        raise IngestError(str(path), f"row {rows.line_num}", f"bad CSV: {exc}") from exc


def _db_rows(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    try:
        with _read_only(path) as db:
            cursor = db.execute("SELECT rowid, * FROM documents ORDER BY rowid")
            columns = [d[0] for d in cursor.description][1:]
            found = cursor.fetchall()
    except sqlite3.Error as exc:
        raise IngestError(str(path), "table documents", f"unreadable database: {exc}") from exc
    for rowid, *values in found:
        row = {c: "" if v is None else str(v) for c, v in zip(columns, values, strict=True)}
        yield f"documents rowid {rowid}", row


def _merge(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    """Two scrapes of one record: each field from whichever has it; the later scrape's
    where both do."""
    older, newer = (a, b) if a.get("scraped_at", "") <= b.get("scraped_at", "") else (b, a)
    merged = dict(older)
    for key, value in newer.items():
        if value.strip() or not merged.get(key, "").strip():
            merged[key] = value
    return merged


def _scraped_document(
    url: str, row: dict[str, str], label: str, where: str, reader: str
) -> Document:
    slug = _SLUG.search(url).group(1)  # type: ignore[union-attr]  # checked by the caller
    title = row.get("title", "").strip() or _title_from_slug(slug)
    stated = row.get("original_publication_date", "").strip()
    when = _scraped_date(stated, label, where)
    original = _first(_json_list(row.get("language", ""), label, where))
    original_code = _LANGUAGES.get(original.lower(), "") if original else ""
    body = row.get("text_body", "")
    blocks = tuple(
        Block(BlockKind.PARAGRAPH, " ".join(line.split()))
        for line in body.splitlines()
        if line.strip()
    )
    texts: tuple[Text, ...] = ()
    if blocks:
        language = identify(body)
        source_text = row.get("source", "")
        translated = _TRANSLATED_BY.search(source_text)
        is_translation = bool(original_code) and language != original_code
        texts = (
            Text(
                language,
                TextRole.TRANSLATION if is_translation else TextRole.ORIGINAL,
                blocks,
                translator=translated.group(1).strip() if translated and is_translation else "",
            ),
        )
    people = [
        Participant(n, ParticipantRole.AUTHOR)
        for n in _json_list(row.get("authors", ""), label, where)
    ]
    people += [
        Participant(n, ParticipantRole.PARTICIPANT)
        for n in _json_list(row.get("document_contributors", ""), label, where)
    ]
    named = {p.name for p in people}
    people += [
        Participant(n, ParticipantRole.MENTIONED)
        for n in _json_list(row.get("associated_people_orgs", ""), label, where)
        if n not in named
    ]
    countries, regions = _places(_json_list(row.get("associated_places", ""), label, where), when)
    subjects = _json_list(row.get("subjects_discussed", ""), label, where) + regions
    record_id = row.get("record_id", "").strip()
    note = (
        "Wilson Center Digital Archive"
        + (f", record {record_id}" if record_id else "")
        + f": {url}"
    )
    notes = [
        Note(NoteKind.EDITORIAL, text, label=kind)
        for kind, text in (
            ("summary", row.get("summary", "")),
            ("classification", row.get("original_classification", "")),
            ("credits", _credits(row, label, where)),
            ("rights", row.get("rights", "")),
        )
        if text.strip()
    ]
    content = {k: v for k, v in sorted(row.items()) if k not in _SCRAPE_FIELDS}
    return Document(
        id=f"wilson:{slug}",
        title=title,
        doc_type=infer_doc_type(title),
        texts=texts,
        date=when,
        participants=tuple(people),
        countries=tuple(countries),
        archival_reference=_archival_reference(row, label, where),
        source_note=note,
        notes=tuple(Note(n.kind, " ".join(n.text.split()), label=n.label) for n in notes),
        collections=(ARCHIVE.id,),
        subjects=tuple(dict.fromkeys(subjects)),
        provenance=Provenance(label, where, sha256(json.dumps(content).encode()), reader),
    )


def _scraped_date(stated: str, label: str, where: str) -> HistoricalDate | None:
    if not stated:
        return None
    found = date_in_text(stated)
    if found is None:
        raise IngestError(label, where, f"date {stated!r} is not a date")
    return found[0]


def _json_list(value: str, label: str, where: str) -> list[str]:
    """A scrape column holding a JSON list of names ('["India", "China"]')."""
    value = value.strip()
    if not value:
        return []
    try:
        found = json.loads(value)
    except json.JSONDecodeError:
        return [value]  # a plain name written without the list around it
    if isinstance(found, str):
        return [found]
    if not isinstance(found, list):
        raise IngestError(label, where, f"expected a list of names, found {value[:60]!r}")
    return [str(v).strip() for v in found if str(v).strip()]


def _first(values: list[str]) -> str:
    return values[0] if values else ""


def _places(names: list[str], when: HistoricalDate | None) -> tuple[list[CountryRef], list[str]]:
    """Countries as they were at the record's date; regions ("Southeast Asia") go to
    subjects instead."""
    day = when.earliest if when else None
    countries: list[CountryRef] = []
    regions: list[str] = []
    for name in names:
        found = country_named(name, day)
        if found is None:
            regions.append(name)
        elif found.code not in {c.code for c in countries}:
            countries.append(found)
    return countries, regions


def _credits(row: dict[str, str], label: str, where: str) -> str:
    credits = row.get("credits", "").strip()
    donors = [d for d in _json_list(row.get("donors", ""), label, where) if d not in credits]
    if donors:
        credits = (credits + " " if credits else "") + "Donors: " + "; ".join(donors) + "."
    return credits


def _archival_reference(row: dict[str, str], label: str, where: str) -> ArchivalReference | None:
    source = " ".join(row.get("source", "").split())
    repository = _first(_json_list(row.get("original_archive_title", ""), label, where))
    if not source and not repository:
        return None
    russian = _RUSSIAN_REFERENCE.search(source)
    levels = {}
    if russian:
        levels = {k: (v or "").strip() for k, v in russian.groupdict().items()}
    return ArchivalReference(repository=repository, text=source, **levels)


def _title_from_slug(slug: str) -> str:
    """A listing row without a title: its URL's words, which the site makes from the title."""
    words = slug.replace("-", " ").strip()
    return words[:1].upper() + words[1:]
