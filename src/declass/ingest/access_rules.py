"""Access set at ingest by rule: "everything in this folder is restricted until 2030".

A rule file (YAML) lists rules; each names what it covers (a folder or file glob, a
record id glob, a collection) and the access it gives (a level, an embargo day, or
both):

    rules:
      - path: closed/            # a folder (relative to the rule file) or a glob
        access: restricted
      - path: "cables/*.pdf"
        embargo_until: 2030-01-01   # closed to everyone but staff until that day
      - id: "frus:frus1969-76v17:*"
        access: registered
      - collection: wilson-center
        embargo_until: 2031-06-30

Rules only ever close: a record keeps its own access (from a manifest, say) when that
is stricter, and the later of two embargoes holds. A path rule closes the documents,
authorities and events read from what it covers, but not collections: a reader names
a collection in every file of it, and one closed file must not close the others (a
collection whose documents are all closed disappears anyway; an `id` or `collection`
rule closes one itself). The readers are wrapped (`with_rules`), so no reader needs
to know about rules.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from declass.errors import IngestError
from declass.ingest.registry import Reader, Registry
from declass.ingest.source import Source
from declass.model import AccessLevel, Authority, Collection, Document, Event, Item

ORDER = [AccessLevel.PUBLIC, AccessLevel.REGISTERED, AccessLevel.RESTRICTED, AccessLevel.WITHDRAWN]


@dataclass(frozen=True)
class AccessRule:
    """What a rule covers (any of path, id, collection; all given must match) and the
    access it gives."""

    path: str = ""  # absolute folder, file, or glob over absolute paths
    id: str = ""  # glob over record ids
    collection: str = ""
    access: AccessLevel | None = None
    embargo_until: date | None = None

    def covers(self, source: Source, record: Document | Authority | Event | Collection) -> bool:
        if self.path and (isinstance(record, Collection) or not _path_covered(self.path, source)):
            return False
        if self.id and not fnmatch.fnmatchcase(record.id, self.id):
            return False
        if self.collection:
            if isinstance(record, Document):
                return self.collection in record.collections
            if isinstance(record, Collection):
                return record.id == self.collection or record.parent == self.collection
            return False
        return True


def _path_covered(pattern: str, source: Source) -> bool:
    where = str(source.path.resolve())
    label = f"{where}!{source.member}" if source.member else where
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(label, pattern) or fnmatch.fnmatchcase(where, pattern)
    folder = pattern.rstrip("/")
    return where == folder or where.startswith(folder + "/")


def stricter(a: AccessLevel, b: AccessLevel | None) -> AccessLevel:
    if b is None:
        return a
    return a if ORDER.index(a) >= ORDER.index(b) else b


def later(a: date | None, b: date | None) -> date | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def apply_rules(rules: Sequence[AccessRule], source: Source, item: Item) -> Item:
    """`item` with every rule covering it applied (never opened by one)."""
    if not isinstance(item, Document | Authority | Event | Collection):
        return item
    for rule in rules:
        if rule.covers(source, item):
            item = replace(
                item,
                access=stricter(item.access, rule.access),
                embargo_until=later(item.embargo_until, rule.embargo_until),
            )
    return item


@dataclass
class RuledReader:
    """A reader whose records get the access rules' treatment (see the module doc)."""

    reader: Reader
    rules: tuple[AccessRule, ...]

    @property
    def name(self) -> str:
        return self.reader.name

    def detect(self, source: Source) -> bool:
        return self.reader.detect(source)

    def read(self, source: Source) -> Iterator[Item]:
        for item in self.reader.read(source):
            yield apply_rules(self.rules, source, item)

    def sidecars(self, folder: Path) -> Any:
        hook = getattr(self.reader, "sidecars", None)
        return hook(folder) if hook is not None else {}


def with_rules(registry: Registry, rules: Sequence[AccessRule]) -> Registry:
    """`registry` with every reader wrapped to apply `rules` (itself when none)."""
    if not rules:
        return registry
    return Registry(readers=[RuledReader(r, tuple(rules)) for r in registry.readers])


def _level(value: Any, where: str) -> AccessLevel | None:
    if value is None:
        return None
    try:
        return AccessLevel(str(value))
    except ValueError:
        levels = ", ".join(level.value for level in AccessLevel)
        raise IngestError(where, "", f"access must be one of {levels}, not {value!r}") from None


def _day(value: Any, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        wanted = "embargo_until must be a day (YYYY-MM-DD)"
        raise IngestError(where, "", f"{wanted}: {value!r}") from None


def load_rules(path: Path) -> list[AccessRule]:
    """The rules of a rule file; paths in it are relative to the file's folder."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise IngestError(str(path), "", f"cannot read the access rules: {exc}") from exc
    entries = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise IngestError(str(path), "", "an access rule file has a list under 'rules'")
    rules = []
    for i, entry in enumerate(entries, 1):
        where = f"{path}, rule {i}"
        if not isinstance(entry, dict):
            raise IngestError(where, "", "a rule is a mapping")
        unknown = set(entry) - {"path", "id", "collection", "access", "embargo_until"}
        if unknown:
            raise IngestError(where, "", f"unknown keys {sorted(unknown)}")
        rule = rule_for(
            path=_resolved(str(entry["path"]), path.parent) if entry.get("path") else "",
            id=str(entry.get("id") or ""),
            collection=str(entry.get("collection") or ""),
            access=_level(entry.get("access"), where),
            embargo_until=_day(entry.get("embargo_until"), where),
            where=where,
        )
        rules.append(rule)
    return rules


def _resolved(pattern: str, base: Path) -> str:
    if Path(pattern).is_absolute():
        return pattern
    if any(ch in pattern for ch in "*?["):
        return str(base.resolve() / pattern)
    return str((base / pattern).resolve())


def rule_for(
    *,
    path: str = "",
    id: str = "",
    collection: str = "",
    access: AccessLevel | None = None,
    embargo_until: date | None = None,
    where: str = "access rule",
) -> AccessRule:
    """A checked rule: it must say what it gives."""
    if access is None and embargo_until is None:
        raise IngestError(where, "", "a rule gives an access level, an embargo, or both")
    return AccessRule(path, id, collection, access, embargo_until)


def rules_for_paths(
    paths: Sequence[Path], access: AccessLevel | None, embargo_until: date | None
) -> list[AccessRule]:
    """Rules from `declass ingest --access/--embargo-until`: everything read from
    `paths` in this run."""
    if access is None and embargo_until is None:
        return []
    return [
        rule_for(path=str(p.resolve()), access=access, embargo_until=embargo_until) for p in paths
    ]
