"""What the Office of the Historian's XML data files share: safe parsing, sniffing, countries.

The people, pocom, visits and travels readers all read small, flat XML records from
history.state.gov's data repositories; this module holds the parts they have in common.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from lxml import etree

from declass.countries import country_named
from declass.errors import IngestError
from declass.ingest.source import Source
from declass.model import CountryRef, Rejection

_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.\-]*)")
_PROLOG = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", re.DOTALL)
_UNTIL_YEAR = re.compile(r"-\d{4}$")
_SMALL_WORDS = {"and", "of", "the"}


# One parser per thread: building one costs as much as parsing a small record, and lxml
# parsers must not be used by two threads at once.
_local = threading.local()


def parse_xml(data: bytes, label: str) -> etree._Element:
    """Parse `data` with a hardened parser; malformed XML is an IngestError naming the line."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        # Entities stay unexpanded and nothing is fetched: inputs may be hostile (XXE,
        # billion laughs; libxml2 also refuses runaway entity amplification outright).
        parser = _local.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else 0)
        raise IngestError(label, f"line {line}", f"malformed XML: {exc.msg}") from exc
    if root is None:
        raise IngestError(label, "line 1", "malformed XML: no root element")
    return root


def each_root(
    source: Source, files: list[Path]
) -> Iterator[tuple[etree._Element, str] | Rejection]:
    """The parsed root and position of a one-file source, or of each of a folder's `files`.

    A malformed file of a folder becomes a Rejection and the rest are still read; a
    malformed single file raises IngestError.
    """
    if not source.is_dir:
        yield parse_xml(source.read_bytes(), source.label), source.member or source.name
        return
    for path in files:
        try:
            root = parse_xml(path.read_bytes(), str(path))
        except IngestError as exc:
            yield Rejection(exc.path, exc.position, exc.reason)
            continue
        yield root, path.relative_to(source.path).as_posix()


def root_tag(head: bytes) -> str | None:
    """The name of the first element in `head`, skipping the prolog; None if there is none."""
    match = _FIRST_TAG.search(_PROLOG.sub(b"", head.lstrip(b"\xef\xbb\xbf")))
    return match.group(1).decode("ascii", "replace") if match else None


def first_xml_root(folder: Path) -> str | None:
    """The root element name of the first XML file (by name) directly inside `folder`."""
    if not folder.is_dir():
        return None
    first = next(iter(sorted(folder.glob("*.xml"))), None)
    if first is None:
        return None
    with first.open("rb") as f:
        return root_tag(f.read(4096))


def element_hash(element: etree._Element) -> str:
    """sha256 of one record's XML, so an edit elsewhere in its file leaves its hash alone."""
    return hashlib.sha256(etree.tostring(element, with_tail=False)).hexdigest()


def text(element: etree._Element | None, path: str = "") -> str:
    """Whitespace-normalised text of `element` (or of its child at `path`); "" if absent."""
    found = element.find(path) if element is not None and path else element
    if found is None:
        return ""
    # Most record fields are leaves: skip itertext() for them, it dominates a 16,000-file run.
    raw = found.text or "" if len(found) == 0 else _plain(found)
    return " ".join(raw.split())


def _plain(element: etree._Element) -> str:
    """Text of elements only: an entity left unexpanded (hostile input) contributes nothing,
    where itertext() would give "&x;" and XPath string() the entity's replacement text."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(_plain(child))
        parts.append(child.tail or "")
    return "".join(parts)


def slug_words(slug: str) -> str:
    """A readable stand-in for a slug that names nothing we can look up ("two-sicilies")."""
    words = [w for w in slug.split("-") if w]
    return " ".join(w if w in _SMALL_WORDS and i else w.capitalize() for i, w in enumerate(words))


def country_for(slug: str, name: str, when: date | None, *fallbacks: str) -> CountryRef:
    """The country a history.state.gov territory slug names at `when`.

    Tries the slug, the slug without its "-YYYY" end year ("albania-1946"), the
    displayed name, then `fallbacks`; an unknown territory keeps its slug as code.
    """
    candidates = [slug, _UNTIL_YEAR.sub("", slug), name.strip(), *fallbacks]
    for candidate in candidates:
        if candidate:
            found = country_named(candidate, when)
            if found is not None:
                return found
    return CountryRef(code=slug, name=name.strip() or slug_words(_UNTIL_YEAR.sub("", slug)))
