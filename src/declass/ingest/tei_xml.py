"""Parsing TEI safely, and naming its elements: the ground every TEI reader stands on."""

from __future__ import annotations

import re

from lxml import etree

from declass.errors import IngestError

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NS = {"t": TEI_NS}
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"

_TEI_ROOT = re.compile(rb"<(?:[\w.-]+:)?TEI\b[^>]*http://www\.tei-c\.org/ns/1\.0")
# A whole FRUS volume names itself in its header; a single hsg record never does.
_FRUS_VOLUME = re.compile(
    rb'<idno\s+type="frus"|<TEI\b[^>]*xml:id="frus[^"]*"'
    rb'|<title\s+type="complete">\s*Foreign\s+Relations\s+of\s+the\s+United\s+States,'
)
SNIFF_BYTES = 16384


# --- parsing ---------------------------------------------------------------------


def hardened_parser(recover: bool = False) -> etree.XMLParser:
    """An lxml parser that expands no entities, reads no DTD and fetches nothing."""
    return etree.XMLParser(
        recover=recover,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=False,
    )


def parse_tei(data: bytes, label: str) -> etree._Element:
    """Parse `data` safely and return its TEI root; IngestError names the line on failure."""
    return parse_tei_reporting(data, label)[0]


def parse_tei_reporting(data: bytes, label: str) -> tuple[etree._Element, list[tuple[int, str]]]:
    """Like `parse_tei`, but a file whose only fault is an `xml:id` used twice is read
    anyway: such a slip must not cost a volume of records. Returns the root and the
    faults passed over, each with its line."""
    try:
        root = etree.fromstring(data, hardened_parser())
        faults: list[tuple[int, str]] = []
    except etree.XMLSyntaxError as e:
        root, faults = _parse_despite_duplicate_ids(data, e)
        if root is None:
            line = e.lineno or (e.position[0] if e.position else 0)
            raise IngestError(label, f"line {line}", f"malformed XML: {e.msg}") from e
    _refuse_entities(root, data, label)
    if (
        root is None
        or etree.QName(root).localname != "TEI"
        or etree.QName(root).namespace != TEI_NS
    ):
        raise IngestError(
            label, f"line {root.sourceline if root is not None else 1}", "not a TEI document"
        )
    return root, faults


def _parse_despite_duplicate_ids(
    data: bytes, error: etree.XMLSyntaxError
) -> tuple[etree._Element | None, list[tuple[int, str]]]:
    """Parse again in recovery mode, accepting the result only if every fault libxml2
    reports is a redefined ID (the tree is then whole)."""
    if "already defined" not in str(error.msg):
        return None, []
    parser = hardened_parser(recover=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None, []
    faults = [(e.line, e.message.strip()) for e in parser.error_log]
    if root is None or not all(m.startswith("ID ") and "already defined" in m for _, m in faults):
        return None, []
    return root, faults


def _refuse_entities(root: etree._Element | None, data: bytes, label: str) -> None:
    """Refuse a file that declares entities: no hsg or FRUS file does, and an entity is
    how XXE and billion-laughs attacks arrive; left unexpanded it would silently drop text."""
    dtd = root.getroottree().docinfo.internalDTD if root is not None else None
    if dtd is None or not any(True for _ in dtd.iterentities()):  # type: ignore[attr-defined]
        return
    at = data.find(b"<!ENTITY")
    line = data.count(b"\n", 0, at) + 1 if at >= 0 else 1
    raise IngestError(label, f"line {line}", "the file declares XML entities; refused as unsafe")


def is_tei(head: bytes) -> bool:
    """True if the first bytes open a TEI P5 root element."""
    return _TEI_ROOT.search(head) is not None


def is_frus_volume(head: bytes) -> bool:
    """True if the first bytes are the header of a whole FRUS volume."""
    return is_tei(head) and _FRUS_VOLUME.search(head) is not None


def local(el: etree._Element) -> str:
    """The element's name without namespace ("" for comments, PIs and entities)."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def is_tei_element(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and etree.QName(el).namespace == TEI_NS


def clean(text: str) -> str:
    return " ".join(text.split())


def element_path(el: etree._Element) -> str:
    """A readable XPath to `el`: by xml:id where it has one, else by position."""
    if el.get(XML_ID):
        return f"//{local(el)}[@xml:id='{el.get(XML_ID)}']"
    steps = []
    node: etree._Element | None = el
    while node is not None:
        parent = node.getparent()
        name = local(node)
        if parent is None:
            steps.append(f"/{name}")
        else:
            same = [c for c in parent if isinstance(c.tag, str) and c.tag == node.tag]
            steps.append(f"/{name}[{same.index(node) + 1}]")
        node = parent
    return "".join(reversed(steps))


def language_of(el: etree._Element) -> str:
    """The ISO 639-1 language an element (or its nearest ancestor) declares; English if none."""
    for node in (el, *el.iterancestors()):
        lang = node.get(XML_LANG)
        if lang:
            return lang.split("-")[0].lower()
    return "en"
