"""The Archive: configuration plus the store and readers built from it.

The CLI and (later) the web app each build one Archive and call it; nothing
in declass reads settings at import time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from declass.ingest.access_rules import AccessRule, with_rules
from declass.ingest.packed import Limits
from declass.ingest.pipeline import IngestResult, Listener, ingest, write_quarantine_report
from declass.ingest.registry import Registry, default_registry
from declass.ingest.settings import ReaderSettings
from declass.model import Document
from declass.store import open_store
from declass.store.base import ArchiveStats, Store, Version


@dataclass(frozen=True)
class Config:
    """Where the archive lives: its data folder and its database URL or path."""

    home: Path
    db: str
    readers: ReaderSettings = field(default_factory=ReaderSettings)

    @classmethod
    def from_env(cls, db: str | None = None, home: str | Path | None = None) -> Config:
        """Options given win; then DECLASS_DB / DECLASS_HOME; then ./declass-data."""
        folder = Path(home or os.environ.get("DECLASS_HOME") or "declass-data")
        url = db or os.environ.get("DECLASS_DB") or str(folder / "archive.sqlite3")
        return cls(home=folder, db=url)

    @property
    def quarantine_report(self) -> Path:
        return self.home / "quarantine.jsonl"

    @property
    def reader_settings(self) -> ReaderSettings:
        """The readers' settings, with the OCR cache in the data folder unless set."""
        if self.readers.ocr_cache is not None:
            return self.readers
        return replace(self.readers, ocr_cache=self.home / "ocr-cache")


class Archive:
    """One archive: its store, its readers, and the operations on both."""

    def __init__(self, config: Config, registry: Registry | None = None) -> None:
        self.config = config
        self.registry = registry or default_registry(config.reader_settings)
        self.store: Store = open_store(config.db)

    def ingest(
        self,
        paths: list[Path],
        on_progress: Listener | None = None,
        workers: int | None = None,
        limits: Limits | None = None,
        rules: Sequence[AccessRule] = (),
    ) -> IngestResult:
        """Read `paths` into the catalogue; rejections also go to the quarantine report.

        `workers`: reading processes (default one per core); `limits`: how far packed
        input may expand; `rules`: access set by rule on what is read (see
        declass.ingest.access_rules)."""
        registry = with_rules(self.registry, rules)
        result = ingest(self.store, paths, registry, on_progress, workers, limits)
        if result.rejections:
            write_quarantine_report(result.rejections, self.config.quarantine_report, result.run_id)
        return result

    def document(self, doc_id: str, version: int | None = None) -> Document:
        return self.store.document(doc_id, version)

    def versions(self, doc_id: str) -> list[Version]:
        return self.store.versions(doc_id)

    def stats(self) -> ArchiveStats:
        return self.store.stats()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
