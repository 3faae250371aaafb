"""Facet values and codes in words: "Bulgaria" for BGR, "Memorandum of conversation"
for memorandum-of-conversation, "FRUS 1964–68, vol. XXX, China" for frus:frus1964-68v30.

The search index keeps codes (they are what filters match); a reader sees words, and the
code stays in the link so that a facet click filters exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pycountry

from declass.citations import FRUS_SERIES, edition_of
from declass.countries import country_at
from declass.model import Collection, DocumentType

DOCUMENT_TYPES = {
    DocumentType.MEMORANDUM_OF_CONVERSATION.value: "Memorandum of conversation",
    DocumentType.MEMORANDUM.value: "Memorandum",
    DocumentType.TELEGRAM.value: "Telegram",
    DocumentType.LETTER.value: "Letter",
    DocumentType.MINUTES.value: "Minutes",
    DocumentType.SPEECH.value: "Speech",
    DocumentType.ESSAY.value: "Essay",
    DocumentType.REPORT.value: "Report",
    DocumentType.TREATY.value: "Treaty",
    DocumentType.TRANSCRIPT.value: "Transcript",
    DocumentType.EDITORIAL_NOTE.value: "Editorial note",
    DocumentType.ARTICLE.value: "Article",
    DocumentType.OTHER.value: "Other",
}
# The corpus prefix of a document id (the `source` facet), as a reader knows the corpus.
SOURCES = {
    "frus": "Foreign Relations of the United States",
    "frus-nyr": "Foreign Relations (older volumes)",
    "frus-history": "History of the Foreign Relations series",
    "ungdc": "UN General Debate speeches",
    "rdcr": "Relations by country (essays)",
    "milestones": "Milestones in diplomatic history",
    "dfat": "Documents on Australian Foreign Policy",
    "wilson": "Wilson Center Digital Archive",
    "wilson-center": "Wilson Center Digital Archive",
    "nara": "Declassified cables (scans)",
    "prc": "PRC political reports",
    "treaties": "Treaties and charters",
    "edition": "Editions with translations",
    "hsg": "Office of the Historian",
}
ROLES = {
    "author": "author",
    "recipient": "recipient",
    "speaker": "speaker",
    "participant": "took part",
    "mentioned": "mentioned",
}


def document_type(value: str) -> str:
    return DOCUMENT_TYPES.get(value, value.replace("-", " ").capitalize())


def country(code: str) -> str:
    """A country code in words, as the state is known today (its history in its pages)."""
    try:
        name = country_at(code).name
    except (KeyError, ValueError, LookupError):
        return code
    return name


def language(code: str) -> str:
    if code in ("", "und"):
        return "Undetermined"
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    found = found or pycountry.languages.get(alpha_3=code)
    return str(found.name) if found is not None else code


def short_years(years: str) -> str:
    """ "1964–1968" → "1964–68", as FRUS readers write a subseries."""
    m = re.fullmatch(r"(\d{4})\s*[–-]\s*(\d{4})", years.strip())
    if m and m.group(1)[:2] == m.group(2)[:2]:
        return f"{m.group(1)}–{m.group(2)[2:]}"
    return years.strip()


def collection_title(collection: Collection) -> str:
    """A collection's short title: "FRUS 1964–68, vol. XXX, China" for a FRUS volume,
    its own title otherwise."""
    edition = edition_of(collection)
    if edition is None or not edition.series.startswith(FRUS_SERIES):
        return collection.title
    years = edition.series.removeprefix(FRUS_SERIES).strip(" ,")
    return f"FRUS {short_years(years)}, vol. {edition.volume}, {edition.title}"


_SUFFIX = re.compile(r"^(Jr\.?|Sr\.?|I{2,3}|IV)$")


def natural_name(name: str) -> str:
    """ "Haig, Jr., Alexander Meigs" or "Haig, Alexander Meigs, Jr." → "Alexander Meigs
    Haig, Jr."; a name already in natural order is kept."""
    parts = [p.strip() for p in name.split(",") if p.strip()]
    if len(parts) < 2:
        return name
    suffixes = [p for p in parts[1:] if _SUFFIX.match(p)]
    given = [p for p in parts[1:] if not _SUFFIX.match(p)]
    if not given:
        return name
    natural = f"{' '.join(given)} {parts[0]}"
    return natural + "".join(f", {x}" for x in suffixes)


class FacetLabels:
    """Words for the values of each facet, given the archive's collections."""

    def __init__(self, collections: Iterable[Collection]) -> None:
        self.collections = {c.id: collection_title(c) for c in collections}

    def label(self, facet: str, value: str) -> str:
        if facet == "type":
            return document_type(value)
        if facet == "country":
            return country(value)
        if facet == "collection":
            return self.collections.get(value, value)
        if facet == "language":
            return language(value)
        if facet == "source":
            return SOURCES.get(value) or self.collections.get(value) or value
        if facet == "person":
            return natural_name(value)
        return value

    def chip(self, selected: str) -> str:
        """A chosen filter "country:BGR" in words: "Country: Bulgaria"."""
        facet, _, value = selected.partition(":")
        return f"{FACET_NAMES.get(facet, facet.capitalize())}: {self.label(facet, value)}"


FACET_NAMES = {
    "type": "Kind of record",
    "country": "Country",
    "person": "Person",
    "decade": "Decade",
    "year": "Year",
    "collection": "Collection",
    "language": "Language",
    "source": "Corpus",
}
