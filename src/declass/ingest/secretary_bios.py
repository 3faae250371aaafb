"""Biographies of the Secretaries of State (history.state.gov): one essay per Secretary.

Each file is named by the Secretary's history.state.gov slug (`acheson-dean-gooderham.xml`,
also the root's `xml:id`), the slug of `/departmenthistory/people/<slug>` that people.tgz
and pocom file as `person:<slug>`. The biography names its Secretary as a participant
with that authority id, and yields a provisional Authority for it, so that the link
holds even where people.tgz lacks the person; a full record replaces it in the store.
The header's `keywords scheme="https://history.state.gov/tags"` are subject-taxonomy
ids: they become `subjects` as `subject:<id>`, the taxonomy authority's id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from declass.errors import IngestError
from declass.ingest.hsg_header import file_title, sniffed_title
from declass.ingest.hsg_links import links_in
from declass.ingest.hsg_publications import PUBLICATIONS
from declass.ingest.source import Source, sha256
from declass.ingest.taxonomy import PREFIX as SUBJECT_PREFIX
from declass.ingest.tei_text import BlockWriter, collect_notes, inline_text
from declass.ingest.tei_xml import NS, XML_ID, language_of, parse_tei
from declass.model import (
    Authority,
    AuthorityKind,
    Collection,
    Document,
    DocumentType,
    Item,
    NameVariant,
    Participant,
    ParticipantRole,
    Provenance,
    Text,
    TextRole,
    VariantKind,
)

COLLECTION = Collection(
    id="secretary-bios",
    title="Biographies of the Secretaries of State",
    description=(
        "Short biographies of every Secretary of State, with their tenure, influence on "
        "American diplomacy, and a bibliography (Office of the Historian)."
    ),
    parent=PUBLICATIONS.id,
    kind="corpus",
)

_TITLE = re.compile(r"^Biographies of the Secretaries of State\b", re.I)
_TAGS_SCHEME = "https://history.state.gov/tags"
_POST = "Secretary of State"


class SecretaryBioReader:
    """One Secretary's biography: the Collection, a provisional person, the essay."""

    name = "hsg-secretary-bios"

    def detect(self, source: Source) -> bool:
        return _TITLE.match(sniffed_title(source)) is not None

    def read(self, source: Source) -> Iterator[Item]:
        data = source.read_bytes()
        root = parse_tei(data, source.label)
        text_el = root.find("t:text", NS)
        if text_el is None:
            raise IngestError(source.label, "text", "the biography has no text")
        stem = source.name[:-4] if source.name.lower().endswith(".xml") else source.name
        slug = root.get(XML_ID) or stem
        writer = BlockWriter()
        for part in text_el:
            writer.write(part, depth=0)
        if not writer.blocks:
            raise IngestError(source.label, "text", "the biography has no text")
        source_note, notes = collect_notes(writer.notes)
        complete = file_title(root)
        name = file_title(root, "short") or complete.rsplit(":", 1)[-1].strip()
        person_id = f"person:{slug}"
        secretary = Participant(name, ParticipantRole.MENTIONED, person_id, _POST)
        links = links_in(text_el)
        others = [
            p
            for p in links.people
            if p.authority_id != person_id and p.name.casefold() != name.casefold()
        ]
        provenance = Provenance(source.label, "/TEI", sha256(data), self.name)
        yield PUBLICATIONS
        yield COLLECTION
        yield Authority(
            id=person_id,
            kind=AuthorityKind.PERSON,
            name=name,
            variants=(NameVariant(name, VariantKind.PREFERRED, source=source.name),),
            identifiers=(("pocom-person", slug),),
            description=_POST,
            provenance=provenance,
            provisional=True,
        )
        yield Document(
            id=f"{COLLECTION.id}:{slug}",
            title=complete or f"Biographies of the Secretaries of State: {name}",
            doc_type=DocumentType.ESSAY,
            texts=(Text(language_of(text_el), TextRole.ORIGINAL, tuple(writer.blocks)),),
            participants=(secretary, *others),
            countries=links.countries,
            source_note=source_note,
            notes=tuple(notes),
            collections=(PUBLICATIONS.id, COLLECTION.id),
            subjects=_tags(root),
            references=links.references,
            provenance=provenance,
        )


def _tags(root: etree._Element) -> tuple[str, ...]:
    """The taxonomy ids the header tags the biography with, as `subject:<id>`."""
    found: dict[str, None] = {}
    for keywords in root.iterfind("t:teiHeader/t:profileDesc/t:textClass/t:keywords", NS):
        if keywords.get("scheme") != _TAGS_SCHEME:
            continue
        for term in keywords.iterfind("t:term", NS):
            value = inline_text(term)
            if value:
                found[f"{SUBJECT_PREFIX}{value}"] = None
    return tuple(found)
