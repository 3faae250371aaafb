"""What the markup of a history.state.gov page points at, as archive identifiers.

Pages link people (`/departmenthistory/people/<slug>`, the `person:<slug>` authority),
countries (`/countries/<slug>`, the rdcr article and the country itself) and other
pages (Milestones essays, the Short History, FRUS documents); `persName` and
`placeName` name people and places without a link. Readers of the Office of the
Historian's publications turn these into Participants, CountryRefs and References.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lxml import etree

from declass.countries import country_named
from declass.ingest.tei_text import inline_text
from declass.ingest.tei_xml import TEI_NS, local
from declass.model import CountryRef, Participant, ParticipantRole, Reference

_SITE = re.compile(r"^(?:https?://history\.state\.gov)?(/[^?#]*)")
_PERSON = re.compile(r"^/departmenthistory/people/([a-z0-9][a-z0-9-]*)$")
_COUNTRY = re.compile(r"^/countries/([a-z0-9][a-z0-9-]*)$")
# Site paths whose page the archive keeps as a record or collection of its own.
_PAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/milestones/([0-9-]+)/([\w-]+)$"), "milestones:{0}/{1}"),
    (re.compile(r"^/departmenthistory/short-history/([\w-]+)$"), "short-history:{0}"),
    (re.compile(r"^/departmenthistory/buildings/([\w-]+)$"), "buildings:{0}"),
    (re.compile(r"^/countries/([a-z0-9][a-z0-9-]*)$"), "rdcr:{0}"),
    (re.compile(r"^/historicaldocuments/(frus[\w-]+)/(d\w+)$"), "frus:{0}:{1}"),
    (re.compile(r"^/historicaldocuments/(frus[\w-]+)$"), "frus:{0}"),
)


def site_path(target: str) -> str | None:
    """The path of a history.state.gov link ("/countries/china"); None for other sites."""
    if not target.startswith(("/", "http://history.state.gov", "https://history.state.gov")):
        return None
    found = _SITE.match(target.strip())
    return found.group(1).rstrip("/") if found else None


def person_id(target: str) -> str | None:
    """`person:<slug>` for a link to a person's page, the id people.tgz and pocom use."""
    path = site_path(target)
    found = _PERSON.match(path) if path else None
    return f"person:{found.group(1)}" if found else None


def linked_record(target: str) -> str | None:
    """The archive id of the page a link points at, when the archive keeps that page."""
    path = site_path(target)
    if path is None:
        return None
    for pattern, template in _PAGES:
        found = pattern.match(path)
        if found:
            return template.format(*found.groups())
    return None


@dataclass(frozen=True)
class Links:
    """People, countries and pages one stretch of markup names or links."""

    people: tuple[Participant, ...]
    countries: tuple[CountryRef, ...]
    references: tuple[Reference, ...]


def links_in(el: etree._Element, when: date | None = None) -> Links:
    """Everything `el` links or names: linked people first (with their authority id),
    then `persName` mentions not already linked; countries resolved at `when`."""
    linked: dict[str, Participant] = {}
    named: dict[str, Participant] = {}
    countries: dict[str, CountryRef] = {}
    references: dict[str, Reference] = {}
    for node in el.iter(f"{{{TEI_NS}}}ref", f"{{{TEI_NS}}}persName", f"{{{TEI_NS}}}placeName"):
        if any(local(a) == "teiHeader" for a in node.iterancestors()):
            continue
        words = inline_text(node).strip(" ,;:")
        if local(node) == "persName":
            if words:
                named.setdefault(words.casefold(), Participant(words, ParticipantRole.MENTIONED))
            continue
        if local(node) == "placeName":
            _add_country(countries, country_named(_unbracketed(words), when) if words else None)
            continue
        target = node.get("target", "")
        person = person_id(target)
        if person is not None:
            mention = Participant(words or person, ParticipantRole.MENTIONED, person)
            linked.setdefault(person, mention)
            continue
        path = site_path(target)
        country = _COUNTRY.match(path) if path else None
        if country is not None:
            _add_country(countries, country_named(country.group(1), when))
        record = linked_record(target)
        if record is not None:
            references.setdefault(record, Reference(record, words))
    names = {p.name.casefold() for p in linked.values()}
    people = [*linked.values(), *(p for k, p in named.items() if k not in names)]
    return Links(tuple(people), tuple(countries.values()), tuple(references.values()))


def _add_country(found: dict[str, CountryRef], ref: CountryRef | None) -> None:
    # These are the United States' own publications: naming the US says nothing.
    if ref is not None and ref.code != "USA":
        found.setdefault(ref.code, ref)


def _unbracketed(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)", "", name).strip()
