"""Manifests: CSV, XLSX and JSON/JSONL files that describe documents, one row each.

A row gives metadata columns plus a `path` to the document's file (relative to the
manifest) or its `text` inline. A row whose `translation_of` names another row's `id`
adds a translation to that document instead of making a new one. Column names map to
fields through a TOML mapping file (`--mapping`, or `NAME.mapping.toml` beside
`NAME.csv`); without one, columns are named as the fields. A bad row is rejected with
its row number and the others import.

    [columns]            # field = "column header in the manifest"
    id = "Reference"
    title = "Document title"
    path = "File"

    [collection]         # optional: the collection every row belongs to
    id = "mfa-1969"
    title = "Soviet Foreign Ministry records, 1969"
    description = "An introductory essay..."
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from declass.errors import IngestError
from declass.ingest.bodies import Body, paragraphs, read_body
from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source, sha256
from declass.language import identify
from declass.model import (
    AccessLevel,
    ArchivalReference,
    Collection,
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
    TextRole,
)

SUFFIXES = (".csv", ".xlsx", ".json", ".jsonl")
MAPPING_SUFFIX = ".mapping.toml"
FIELDS = (
    "id", "title", "date", "doc_type", "place", "author", "recipient", "language", "path",
    "text", "translation_of", "translator", "source_edition", "collection", "subjects",
    "series", "sequence", "repository", "fond", "opis", "delo", "folio", "box", "folder",
    "citation", "source_note", "access", "commentary", "commentary_author", "commentary_date",
)  # fmt: skip
_LIST_SEPARATOR = re.compile(r"\s*;\s*")
_SLUG = re.compile(r"[^\w.-]+")


@dataclass(frozen=True)
class Mapping:
    """Which manifest column holds each field, and the collection the rows belong to."""

    columns: dict[str, str] = field(default_factory=dict)
    collection: Collection | None = None

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


def load_mapping(path: Path) -> Mapping:
    """Read a TOML mapping file; unknown fields are an error, so typos do not pass silently."""
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(str(path), "", f"cannot read mapping: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise IngestError(str(path), "", f"not valid TOML: {exc}") from exc
    columns = spec.get("columns", {})
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown or not all(isinstance(v, str) for v in columns.values()):
        raise IngestError(str(path), "[columns]", f"unknown fields {unknown}; known: {FIELDS}")
    found = spec.get("collection")
    collection = None
    if found:
        if "id" not in found:
            raise IngestError(str(path), "[collection]", "a collection needs an id")
        collection = Collection(
            id=str(found["id"]),
            title=str(found.get("title", found["id"])),
            description=str(found.get("description", "")),
            parent=found.get("parent"),
        )
    return Mapping(dict(columns), collection)


class ManifestReader:
    """A finding aid or edition list as Documents, with translations joined to originals."""

    name = "manifest"

    def __init__(self, settings: ReaderSettings | None = None) -> None:
        self.settings = settings or ReaderSettings()

    def detect(self, source: Source) -> bool:
        return (
            source.member is None and not source.is_dir and source.name.lower().endswith(SUFFIXES)
        )

    def mapping_for(self, manifest: Path) -> Mapping:
        """The mapping given in the settings, else NAME.mapping.toml beside it, else names."""
        if self.settings.mapping is not None:
            return load_mapping(self.settings.mapping)
        beside = manifest.with_name(manifest.name.rsplit(".", 1)[0] + MAPPING_SUFFIX)
        return load_mapping(beside) if beside.is_file() else Mapping()

    def sidecars(self, folder: Path) -> set[Path]:
        """Mapping files, and the files manifests here or one level up point at."""
        found = set(folder.glob(f"*{MAPPING_SUFFIX}"))
        for place in {folder, folder.parent}:
            for manifest in place.glob("*"):
                if not (manifest.is_file() and manifest.name.lower().endswith(SUFFIXES)):
                    continue
                try:
                    path_column = self.mapping_for(manifest).column("path")
                    for _, row in read_rows(manifest.read_bytes(), str(manifest), manifest.name):
                        if row.get(path_column):
                            found.add((manifest.parent / row[path_column]).resolve())
                            found.add(manifest.parent / row[path_column])
                except (IngestError, OSError):
                    continue
        return found

    def read(self, source: Source) -> Iterator[Item]:
        label = source.label
        mapping = self.mapping_for(source.path)
        data = source.read_bytes()
        rows = list(read_rows(data, label, source.name))
        if not rows:
            raise IngestError(label, "", "manifest has no rows")
        has = set().union(*(r.keys() for _, r in rows))
        if mapping.column("path") not in has and mapping.column("text") not in has:
            raise IngestError(
                label,
                "header",
                f"no column {mapping.column('path')!r} or {mapping.column('text')!r}",
            )
        if mapping.collection:
            yield mapping.collection
        prefix = _SLUG.sub("-", source.path.name.rsplit(".", 1)[0]).lower()
        documents: dict[str, Document] = {}
        translations: list[tuple[str, str, dict[str, str]]] = []
        for where, raw in rows:
            row = {f: str(raw.get(mapping.column(f), "") or "").strip() for f in FIELDS}
            if row["translation_of"]:
                translations.append((where, _qualified(prefix, row["translation_of"]), row))
                continue
            try:
                doc = self._document(row, where, source, prefix, mapping)
            except IngestError as exc:
                yield Rejection(exc.path, exc.position, exc.reason)
                continue
            if doc.id in documents:
                yield Rejection(label, where, f"id {doc.id!r} appears twice; the first row wins")
                continue
            documents[doc.id] = doc
        for where, original_id, row in translations:
            original = documents.get(original_id)
            if original is None:
                yield Rejection(label, where, f"translation_of {original_id!r}: no such row")
                continue
            try:
                body = self._body(row, where, source)
                commentary = _commentary(row, label, where)
            except IngestError as exc:
                yield Rejection(exc.path, exc.position, exc.reason)
                continue
            index = len(original.texts)
            text = body.text(
                TextRole.TRANSLATION,
                translator=row["translator"],
                source_edition=row["source_edition"],
            )
            documents[original_id] = replace(
                original,
                texts=(*original.texts, text),
                notes=(
                    *original.notes,
                    *body.notes_for_text(index),
                    *commentary,
                ),
            )
        yield from documents.values()

    def _body(self, row: dict[str, str], where: str, source: Source) -> Body:
        label = source.label
        if row["path"]:
            path = source.path.parent / row["path"]
            if not path.is_file():
                raise IngestError(label, where, f"file not found: {row['path']}")
            try:
                return read_body(
                    path.name, path.read_bytes(), f"{path}", self.settings, row["language"]
                )
            except IngestError as exc:
                raise IngestError(label, where, f"{row['path']}: {exc.reason}") from exc
        if row["text"]:
            blocks = paragraphs(row["text"])
            return Body(blocks, row["language"] or identify(row["text"]))
        raise IngestError(label, where, "row has neither a path nor a text")

    def _document(
        self, row: dict[str, str], where: str, source: Source, prefix: str, mapping: Mapping
    ) -> Document:
        label = source.label
        body = self._body(row, where, source)
        try:
            date = HistoricalDate.parse(row["date"], row["date"]) if row["date"] else body.date
        except ValueError as exc:
            raise IngestError(label, where, f"date: {exc}") from exc
        try:
            doc_type = (
                DocumentType(row["doc_type"].lower()) if row["doc_type"] else DocumentType.OTHER
            )
            access = AccessLevel(row["access"].lower()) if row["access"] else AccessLevel.PUBLIC
            sequence = int(row["sequence"]) if row["sequence"] else None
        except ValueError as exc:
            raise IngestError(label, where, str(exc)) from exc
        people = [
            Participant(n, ParticipantRole.AUTHOR) for n in _list(row["author"] or body.author)
        ]
        people += [Participant(n, ParticipantRole.RECIPIENT) for n in _list(row["recipient"])]
        levels = ("repository", "fond", "opis", "delo", "folio", "box", "folder")
        reference = None
        if any(row[k] for k in (*levels, "citation")):
            reference = ArchivalReference(**{k: row[k] for k in levels}, text=row["citation"])
        collections = _list(row["collection"])
        if mapping.collection and mapping.collection.id not in collections:
            collections.append(mapping.collection.id)
        number = where.rsplit(" ", 1)[-1]
        return Document(
            id=_qualified(prefix, row["id"] or f"row-{number}"),
            title=row["title"] or body.title or row["id"] or f"{source.name}, {where}",
            doc_type=doc_type,
            texts=(body.text(translator=row["translator"], source_edition=row["source_edition"]),),
            date=date,
            place=row["place"],
            participants=tuple(people),
            archival_reference=reference,
            source_note=row["source_note"],
            notes=(*body.notes_for_text(0), *_commentary(row, label, where)),
            collections=tuple(collections),
            series=row["series"],
            sequence=sequence,
            subjects=tuple(_list(row["subjects"])),
            access=access,
            provenance=Provenance(
                source=label,
                position=where,
                content_hash=sha256(json.dumps(row, sort_keys=True).encode()),
                reader=self.name,
            ),
        )


def read_rows(data: bytes, label: str, name: str) -> Iterator[tuple[str, dict[str, object]]]:
    """(where, row) for each row: "row N" as a spreadsheet numbers it, "line N" for JSONL."""
    suffix = name.lower().rsplit(".", 1)[-1]
    if suffix == "xlsx":
        yield from _xlsx_rows(data, label)
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise IngestError(label, f"line {line}", "not UTF-8 text") from exc
    if suffix == "csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            for row in reader:
                yield f"row {reader.line_num}", {k: v for k, v in row.items() if k is not None}
        except csv.Error as exc:
            raise IngestError(label, f"row {reader.line_num}", f"bad CSV: {exc}") from exc
    elif suffix == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield f"line {number}", _json_object(line, label, f"line {number}")
    else:
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IngestError(label, f"line {exc.lineno}", f"bad JSON: {exc.msg}") from exc
        if isinstance(items, dict):
            items = items.get("documents", [])
        if not isinstance(items, list):
            raise IngestError(label, "", "JSON manifest must be a list of objects")
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise IngestError(label, f"item {number}", "not a JSON object")
            yield f"item {number}", item


def _json_object(line: str, label: str, where: str) -> dict[str, object]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise IngestError(label, where, f"bad JSON: {exc.msg}") from exc
    if not isinstance(item, dict):
        raise IngestError(label, where, "not a JSON object")
    return item


def _xlsx_rows(data: bytes, label: str) -> Iterator[tuple[str, dict[str, object]]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise IngestError(label, "", f"not a readable .xlsx workbook: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        for number, values in enumerate(rows, start=2):
            if all(v is None for v in values):
                continue
            row = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
            yield f"{sheet.title} row {number}", row
    finally:
        workbook.close()


def _cell(value: object) -> object:
    # Spreadsheets store dates as datetimes: keep the day as ISO text.
    isoformat = getattr(value, "isoformat", None)
    return isoformat()[:10] if isoformat and hasattr(value, "year") else value


def _commentary(row: dict[str, str], label: str, where: str) -> tuple[Note, ...]:
    if not row["commentary"]:
        return ()
    try:
        date = HistoricalDate.parse(row["commentary_date"]) if row["commentary_date"] else None
    except ValueError as exc:
        raise IngestError(label, where, f"commentary_date: {exc}") from exc
    return (
        Note(NoteKind.COMMENTARY, row["commentary"], author=row["commentary_author"], date=date),
    )


def _list(value: str) -> list[str]:
    return [v for v in _LIST_SEPARATOR.split(value) if v] if value else []


def _qualified(prefix: str, value: str) -> str:
    """Manifest ids carry the manifest's name as corpus prefix unless they have one."""
    return value if ":" in value else f"{prefix}:{value}"
