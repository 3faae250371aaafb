"""The registry of readers: format detection picks the reader for each input.

A new format is one module with a reader class and one line in `default_registry`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source
from declass.model import Item


class Reader(Protocol):
    """Turns one input into model records; never touches storage."""

    name: str

    def detect(self, source: Source) -> bool:
        """True if this reader understands `source` (a file, folder or tar member)."""
        ...

    def read(self, source: Source) -> Iterator[Item]:
        """Yield records, and a `Rejection` for each part that cannot be read.

        Raise `IngestError` when the whole input is unreadable.
        """
        ...


@dataclass
class Registry:
    readers: list[Reader]

    def register(self, reader: Reader) -> None:
        self.readers.append(reader)

    def reader_for(self, source: Source) -> Reader | None:
        """The first registered reader that claims `source`, in registration order."""
        return next((r for r in self.readers if r.detect(source)), None)

    def sidecars(self, folder: Path) -> dict[Path, str]:
        """Files in `folder` that a reader consumes alongside another file (a speakers
        list beside its speeches), or passes over knowingly, so the walk does not treat
        them as inputs; each with what the run summary says of it."""
        found: dict[Path, str] = {}
        for reader in self.readers:
            hook = getattr(reader, "sidecars", None)
            if hook is None:
                continue
            given = hook(folder)
            if isinstance(given, dict):
                found.update(given)
            else:
                found.update(
                    dict.fromkeys(given, f"read by the {reader.name} reader with its files")
                )
        return found


def default_registry(settings: ReaderSettings | None = None) -> Registry:
    """All built-in readers, most specific first; `settings` reach those that take options."""
    from declass.ingest import (
        archive_guides,
        dfat,
        frus,
        hsg_people,
        hsg_publications,
        html,
        manifest,
        nara,
        ocr,
        parallel_texts,
        pdf,
        pocom,
        prc_reports,
        secretary_bios,
        serial_set,
        taxonomy,
        tei,
        timeline,
        translations,
        travels,
        ungdc,
        visits,
        wilson,
    )

    settings = settings or ReaderSettings()
    return Registry(
        readers=[
            ungdc.UNGDCReader(),
            hsg_people.PeopleReader(),
            pocom.PocomReader(),
            visits.VisitsReader(),
            travels.TravelsReader(),
            frus.FrusVolumeReader(settings),
            taxonomy.TaxonomyReader(),
            archive_guides.ArchiveGuideReader(),
            timeline.AdministrativeTimelineReader(),
            secretary_bios.SecretaryBioReader(),
            serial_set.SerialSetReader(),
            hsg_publications.PublicationReader(),
            tei.TeiReader(),
            wilson.WilsonReader(),
            dfat.DfatReader(),
            prc_reports.PrcReportsReader(),
            parallel_texts.ParallelTextsReader(),
            manifest.ManifestReader(settings),
            translations.TranslationSetReader(settings),
            html.HtmlReader(),
            nara.NaraRecordReader(settings),
            pdf.PdfReader(settings),
            ocr.ScanReader(settings),
        ]
    )
