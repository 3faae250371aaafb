"""The Office of the Historian's person authority records (people.tgz): one Authority each.

Identity: a record whose sources include history.state.gov/departmenthistory/people/<slug>
is "person:<slug>", the id pocom's appointments point at; failing that a president's slug
from presidents.xml; failing that "person:hsg-<numeric id>". FRUS volume person ids
become ("frus-person", "<volume>#<pid>") identifiers so volume participants can be linked.
"""

from __future__ import annotations

import re
import tarfile
import unicodedata
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from lxml import etree

from declass.errors import IngestError
from declass.ingest.hsg import parse_xml, root_tag, text
from declass.ingest.source import Source, sha256
from declass.model import (
    Authority,
    AuthorityKind,
    Collection,
    Item,
    NameVariant,
    Provenance,
    Rejection,
    VariantKind,
)

COLLECTION = Collection(
    id="hsg-people",
    title="Office of the Historian: people",
    description=(
        "Person authority records from history.state.gov: preferred names, spellings as "
        "printed in FRUS volumes and other pages, VIAF ids, life dates and remarks."
    ),
)

# The pages a spelling or remark was found on say who the person is elsewhere on the site.
_PAGE = re.compile(
    r"/departmenthistory/people/(?P<pocom>[a-z0-9][a-z0-9-]*)"
    r"|/presidents\.xml#(?P<president>[a-z0-9][a-z0-9-]*)"
    r"|/historicaldocuments/(?P<volume>[^/#]+)/persons#(?P<pid>.+)$"
)
_SCHEMES = (("pocom", "pocom-person"), ("president", "president"), ("frus", "frus-person"))
_YEAR = re.compile(r"^-?\d{1,4}$")
_TARBALL = (".tgz", ".tar.gz", ".tar", ".tar.bz2", ".tar.xz")
_SNIFF_MEMBERS = 20  # a people tarball opens with its folders, then person files


def is_person_record(head: bytes) -> bool:
    """True for a people.tgz record: root <person> with <names> (pocom's has <persName>)."""
    return root_tag(head) == "person" and b"<names" in head and b"<persName" not in head


class PeopleReader:
    """Reads people.tgz whole (one Collection, then every person), or one person file."""

    name = "hsg-people"

    def detect(self, source: Source) -> bool:
        if source.is_dir:
            return False
        if source.member is None and source.name.endswith(_TARBALL):
            return _tarball_holds_people(source.path)
        return source.name.endswith(".xml") and is_person_record(source.head())

    def read(self, source: Source) -> Iterator[Item]:
        yield COLLECTION
        if source.member is None and source.name.endswith(_TARBALL):
            yield from _read_tarball(source)
            return
        data = source.read_bytes()
        root = parse_xml(data, source.label)
        yield _person(root, source.label, source.member or source.name, sha256(data))


def _tarball_holds_people(path: Path) -> bool:
    try:
        with tarfile.open(path, "r:*") as tar:
            for seen, member in enumerate(tar):
                if seen >= _SNIFF_MEMBERS:
                    return False
                if member.isfile() and member.name.endswith(".xml"):
                    handle = tar.extractfile(member)
                    return handle is not None and is_person_record(handle.read(4096))
    except (tarfile.TarError, OSError, EOFError):
        return False
    return False


def _read_tarball(source: Source) -> Iterator[Item]:
    """Every person member; one bad member is a Rejection, not the end of 16,000 records."""
    member_name = ""
    try:
        with tarfile.open(source.path, "r|*") as tar:
            for member in tar:
                member_name = member.name
                if not member.isfile() or not member.name.endswith(".xml"):
                    continue
                handle = tar.extractfile(member)
                data = handle.read() if handle else b""
                label = f"{source.path}!{member.name}"
                try:
                    root = parse_xml(data, label)
                except IngestError as exc:
                    yield Rejection(exc.path, exc.position, exc.reason)
                    continue
                yield _person(root, str(source.path), member.name, sha256(data))
    except (tarfile.TarError, EOFError, OSError) as exc:
        where = f"after member {member_name}" if member_name else "at the start"
        raise IngestError(source.label, where, f"damaged tar archive: {exc}") from exc


def _person(root: etree._Element, label: str, position: str, digest: str) -> Item:
    """One Authority, or a Rejection saying what the record lacks."""
    if root.tag != "person" or root.find("names") is None:
        return Rejection(label, position, f"not a person record (root <{root.tag}>)")
    hsg_id = text(root, "id")
    preferred = text(root, "names/preferred/name")
    if not hsg_id or not preferred:
        return Rejection(label, position, "person record without an id or a preferred name")
    try:
        birth, death = _year(text(root, "birth-year")), _year(text(root, "death-year"))
    except ValueError as exc:
        return Rejection(label, position, str(exc))

    pages = _pages(root)
    return Authority(
        id=_authority_id(hsg_id, pages),
        kind=AuthorityKind.PERSON,
        name=preferred,
        variants=_variants(root, preferred),
        identifiers=_identifiers(root, hsg_id, pages),
        birth_year=birth,
        death_year=death,
        description=_description(root),
        provenance=Provenance(label, position, digest, PeopleReader.name),
    )


def _pages(root: etree._Element) -> dict[str, list[str]]:
    """Slugs and FRUS person ids from every source page, by kind, each once, in order."""
    found: dict[str, dict[str, None]] = {"pocom": {}, "president": {}, "frus": {}}
    urls = chain(
        root.iterfind("names/originals/original/source-url"),
        root.iterfind("remarks/remark/source-url"),
    )
    for url in dict.fromkeys(u.text.strip() for u in urls if u.text):
        m = _PAGE.search(url)
        if m is None:
            continue
        if m["pocom"]:
            found["pocom"].setdefault(m["pocom"], None)
        elif m["president"]:
            found["president"].setdefault(m["president"], None)
        else:
            found["frus"].setdefault(f"{m['volume']}#{m['pid']}", None)
    return {kind: list(values) for kind, values in found.items()}


def _authority_id(hsg_id: str, pages: dict[str, list[str]]) -> str:
    if pages["pocom"]:
        # Two slugs for one person (an old pocom id beside the new): the longer is the full form.
        return f"person:{max(pages['pocom'], key=len)}"
    if pages["president"]:
        # A namespace of its own: presidents.xml's "taft-william-howard" is the President,
        # pocom's is William Howard Taft III.
        return f"person:president-{pages['president'][0]}"
    return f"person:hsg-{hsg_id}"


def _variants(root: etree._Element, preferred: str) -> tuple[NameVariant, ...]:
    """The preferred name, the alternates, and each spelling found in a source page.

    A spelling seen on several pages is one variant whose `source` lists the pages,
    space-separated; the preferred name's `source` lists the pages that print it so.
    """
    sources: dict[str, list[str]] = {}
    for original in root.iterfind("names/originals/original"):
        name = text(original, "name")
        if name:
            pages = sources.setdefault(name, [])
            pages += [text(u) for u in original.iterfind("source-url") if text(u)]
    variants = [
        NameVariant(preferred, VariantKind.PREFERRED, source=" ".join(sources.pop(preferred, [])))
    ]
    for alternate in root.iterfind("names/alternates/name"):
        name = text(alternate)
        if name and name != preferred and name not in sources:
            variants.append(NameVariant(name, _kind(name)))
    for name, pages in sources.items():
        variants.append(NameVariant(name, _kind(name), source=" ".join(pages)))
    return tuple(variants)


def _kind(name: str) -> VariantKind:
    """A spelling in a non-Latin script is the original script; any other is an alternate."""
    for ch in name:
        if ch.isalpha() and not unicodedata.name(ch, "LATIN").startswith(("LATIN", "MODIFIER")):
            return VariantKind.ORIGINAL_SCRIPT
    return VariantKind.ALTERNATE


def _identifiers(
    root: etree._Element, hsg_id: str, pages: dict[str, list[str]]
) -> tuple[tuple[str, str], ...]:
    found: dict[tuple[str, str], None] = {("hsg-person", hsg_id): None}
    for authority in root.iterfind("authorities/authority"):
        value = text(authority)
        if value:
            found.setdefault((authority.get("service") or "authority", value), None)
    for kind, name in (
        ("pocom", "pocom-person"),
        ("president", "president"),
        ("frus", "frus-person"),
    ):
        for value in pages[kind]:
            found.setdefault((name, value), None)
    return tuple(found)


def _description(root: etree._Element) -> str:
    """The remarks, each distinct wording once, in the order the record gives them."""
    remarks: dict[str, None] = {}
    for remark in root.iterfind("remarks/remark"):
        wording = " ".join(filter(None, (text(p) for p in remark.iterfind("p"))))
        if wording:
            remarks.setdefault(wording, None)
    return "\n\n".join(remarks)


def _year(value: str) -> int | None:
    if not value:
        return None
    if not _YEAR.match(value) or int(value) == 0:
        raise ValueError(f"not a year: {value!r}")
    return int(value)
