"""The World Wide Diplomatic Archives Index: guides to 140 countries' diplomatic archives.

Each file (`wwdai/articles/<slug>.xml`) describes one country's foreign-ministry
archives: the access legislation, where the archives are, how to get in, websites and
published documents. Each becomes an essay linked to its country, in collection `wwdai`.
The country is today's: the guides describe archives as they are now ("Russia" is the
Russian Federation), so the slug is resolved without a date.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator

from lxml import etree

from declass.countries import country_named
from declass.errors import IngestError
from declass.ingest.hsg_header import file_title, publication_year, sniffed_title
from declass.ingest.source import Source, sha256
from declass.ingest.tei_text import BlockWriter, collect_notes, inline_text
from declass.ingest.tei_xml import NS, TEI_NS, language_of, parse_tei
from declass.model import (
    Collection,
    Document,
    DocumentType,
    HistoricalDate,
    Item,
    Note,
    NoteKind,
    Provenance,
    Text,
    TextRole,
)

COLLECTION = Collection(
    id="wwdai",
    title="World Wide Diplomatic Archives Index",
    description=(
        "Guides to the diplomatic archives of 140 countries: access legislation, location, "
        "procedures, websites and published documents (Office of the Historian)."
    ),
    kind="corpus",
)

_TITLE = re.compile(r"^World Wide Diplomatic Archives Index\b", re.I)
_SUBJECT = "diplomatic archives"


class ArchiveGuideReader:
    """One World Wide Diplomatic Archives Index article: a Document and its Collection."""

    name = "wwdai"

    def detect(self, source: Source) -> bool:
        return _TITLE.match(sniffed_title(source)) is not None

    def read(self, source: Source) -> Iterator[Item]:
        data = source.read_bytes()
        root = parse_tei(data, source.label)
        body = root.find("t:text/t:body", NS)
        if body is None:
            raise IngestError(source.label, "text/body", "the guide has no body")
        stem = source.name[:-4] if source.name.lower().endswith(".xml") else source.name
        short = file_title(root, "short")
        country = country_named(stem) or (country_named(short) if short else None)
        if country is None:
            raise IngestError(source.label, "titleStmt", f"no country is named {stem!r}")
        writer = BlockWriter()
        writer.write(_with_addresses(body), depth=0)
        if not writer.blocks:
            raise IngestError(source.label, "text/body", "the guide has no text")
        source_note, notes = collect_notes(writer.notes)
        notes += _revisions(root)
        yield COLLECTION
        yield Document(
            id=f"wwdai:{stem}",
            title=file_title(root) or f"World Wide Diplomatic Archives Index: {short or stem}",
            doc_type=DocumentType.ESSAY,
            texts=(Text(language_of(body), TextRole.ORIGINAL, tuple(writer.blocks)),),
            date=publication_year(root),
            countries=(country,),
            source_note=source_note,
            notes=tuple(notes),
            collections=(COLLECTION.id,),
            subjects=(short or country.name, _SUBJECT),
            provenance=Provenance(source.label, "/TEI", sha256(data), self.name),
        )


def _revisions(root: etree._Element) -> list[Note]:
    """`revisionDesc/change` entries: who revised the guide and when (France, 2011)."""
    found = []
    for change in root.iterfind("t:teiHeader/t:revisionDesc/t:change", NS):
        words = inline_text(change)
        if not words:
            continue
        try:
            when = HistoricalDate.parse(change.get("when", "")) if change.get("when") else None
        except ValueError:
            when = None
        found.append(Note(NoteKind.EDITORIAL, words, date=when))
    return found


def _with_addresses(body: etree._Element) -> etree._Element:
    """A copy of `body` in which each web link shows its address after its words: the
    Website section is a list of links, and the words alone ("Digital Archive") lose it."""
    body = copy.deepcopy(body)
    for ref in body.iter(f"{{{TEI_NS}}}ref"):
        target = ref.get("target", "").strip()
        if target.startswith(("http://", "https://")):
            ref.tail = f" <{target}>{ref.tail or ''}"
    return body
