"""The Office of the Historian's subject taxonomy: the vocabulary FRUS records are tagged with.

`taxonomy.xml` nests categories and tags (People › Secretaries of State › Acheson; Places ›
Sovereign Territories › Europe › France; Topics › Human Rights › Refugees), each with an
id, a label and optionally a definition and a usage hint for the staff who tag. Each
becomes an `Authority(TERM)` with id `subject:<id>`, so that a document's `subjects` can
name a tag by that id (or by its label, a preferred name variant).

The broader term is kept as an identifier `("broader", "subject:<parent id>")` rather
than a new model field: identifiers are already stored in an indexed table, so "the tags
under Europe" is one lookup in every backend, with no schema change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy

from lxml import etree

from declass.countries import country_named
from declass.errors import IngestError
from declass.ingest.hsg import element_hash, parse_xml, root_tag, text
from declass.ingest.source import Source
from declass.model import (
    Authority,
    AuthorityKind,
    Collection,
    CountryRef,
    Item,
    NameVariant,
    Provenance,
    Rejection,
    VariantKind,
)

COLLECTION_ID = "hsg-taxonomy"
PREFIX = "subject:"
_ENTRIES = ("category", "tag")
_PLACES = "places"  # the top category whose tags are territories


class TaxonomyReader:
    """Reads `taxonomy.xml`: one Collection describing it, one Authority per category or tag."""

    name = "hsg-taxonomy"

    def detect(self, source: Source) -> bool:
        if source.is_dir or not source.name.lower().endswith(".xml"):
            return False
        return root_tag(source.head()) == "taxonomy"

    def read(self, source: Source) -> Iterator[Item]:
        root = parse_xml(source.read_bytes(), source.label)
        if root.tag != "taxonomy":
            raise IngestError(source.label, "line 1", "not a subject taxonomy")
        where = source.member or source.name
        labels = {text(e, "id"): text(e, "label") for e in root.iter(*_ENTRIES)}
        yield Collection(
            id=COLLECTION_ID,
            title=text(root, "title") or "Subject taxonomy",
            description="\n\n".join(_prose(p, labels) for p in root.iterfind("description/p")),
            kind="vocabulary",
        )
        seen: set[str] = set()
        for entry in root.iter(*_ENTRIES):
            term_id, label = text(entry, "id"), text(entry, "label")
            position = f"{where}#{term_id}" if term_id else f"{where}#line {entry.sourceline}"
            if not term_id or not label:
                missing = "an id" if not term_id else "a label"
                yield Rejection(source.label, position, f"{entry.tag} without {missing}")
                continue
            if term_id in seen:
                yield Rejection(source.label, position, f"id {term_id!r} is used twice")
                continue
            seen.add(term_id)
            yield _authority(entry, term_id, label, labels, source.label, position)


def _authority(
    entry: etree._Element,
    term_id: str,
    label: str,
    labels: dict[str, str],
    label_of_source: str,
    position: str,
) -> Authority:
    identifiers = [("hsg-taxonomy", term_id), ("hsg-taxonomy-kind", entry.tag)]
    parent = entry.getparent()
    if parent is not None and parent.tag in _ENTRIES and text(parent, "id"):
        identifiers.append(("broader", f"{PREFIX}{text(parent, 'id')}"))
    hint = entry.find("usage-hint")
    if hint is not None and _prose(hint, labels):
        identifiers.append(("usage-hint", _prose(hint, labels)))
    country = _territory(entry, term_id, label)
    if country is not None:
        identifiers.append(("iso3166", country.code))
    definition = entry.find("definition")
    return Authority(
        id=f"{PREFIX}{term_id}",
        kind=AuthorityKind.TERM,
        name=label,
        variants=(NameVariant(label, VariantKind.PREFERRED),),
        identifiers=tuple(identifiers),
        description=_prose(definition, labels) if definition is not None else "",
        provenance=Provenance(label_of_source, position, _own_hash(entry), TaxonomyReader.name),
    )


def _territory(entry: etree._Element, term_id: str, label: str) -> CountryRef | None:
    """The country a Places tag names today (regions such as "Near East" name none)."""
    categories = list(entry.iterancestors("category"))
    if entry.tag != "tag" or not categories or text(categories[-1], "id") != _PLACES:
        return None
    plain = re.sub(r"\s*\([^)]*\)", "", label).strip()
    return country_named(term_id) or country_named(label) or country_named(plain)


def _prose(el: etree._Element, labels: dict[str, str]) -> str:
    """An element's words, each `<ptr target="id"/>` read as the label it points at."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == "ptr":
            target = child.get("target", "")
            parts.append(labels.get(target, target))
        elif isinstance(child.tag, str):
            parts.append(_prose(child, labels))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _own_hash(entry: etree._Element) -> str:
    """The hash of an entry without the entries nested in it, so a new narrower tag
    leaves its broader term's provenance alone."""
    shallow = etree.Element(str(entry.tag))
    for child in entry:
        if child.tag not in _ENTRIES:
            shallow.append(deepcopy(child))
    return element_hash(shallow)
