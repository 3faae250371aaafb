"""TEI P5 from the Office of the Historian: transcribed records and scholarly essays.

Reads the hsg corpora (frus-history documents and articles, Milestones chapters, the
recognition-and-relations articles) and any other TEI file. Whole FRUS volumes go to
`frus.py`, which reuses the text machinery here: `parse_tei`, `BlockWriter`, the date
and participant helpers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from lxml import etree

from declass.errors import IngestError
from declass.ingest.source import Source, sha256
from declass.model import (
    ArchivalReference,
    Block,
    BlockKind,
    Collection,
    CountryRef,
    Document,
    DocumentType,
    HistoricalDate,
    Item,
    Note,
    NoteAnchor,
    NoteKind,
    Participant,
    ParticipantRole,
    Provenance,
    Text,
    TextRole,
)

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


def hardened_parser() -> etree.XMLParser:
    """An lxml parser that expands no entities, reads no DTD and fetches nothing."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=False,
    )


def parse_tei(data: bytes, label: str) -> etree._Element:
    """Parse `data` safely and return its TEI root; IngestError names the line on failure."""
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as e:
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
    return root


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


# --- text: blocks, inline text, anchored notes --------------------------------------

_MARK = "\x00"
_SKIP = {"figure", "graphic", "fw", "milestone", "teiHeader", "figDesc", "gap"}
_BLOCK_INSIDE_INLINE = {"list", "table", "p", "div", "lg", "floatingText", "listBibl", "sp"}
_CONTAINERS = {
    "body",
    "front",
    "back",
    "text",
    "group",
    "div",
    "list",
    "listBibl",
    "table",
    "opener",
    "attachment",
    "postscript",
    "floatingText",
    "argument",
    "epigraph",
    "lg",
    "sp",
    "titlePage",
    "docImprint",
}
_SIMPLE_BLOCKS = {
    "p": BlockKind.PARAGRAPH,
    "ab": BlockKind.PARAGRAPH,
    "salute": BlockKind.PARAGRAPH,
    "trailer": BlockKind.PARAGRAPH,
    "byline": BlockKind.PARAGRAPH,
    "l": BlockKind.PARAGRAPH,
    "speaker": BlockKind.PARAGRAPH,
    "docTitle": BlockKind.HEADING,
    "item": BlockKind.LIST_ITEM,
    "bibl": BlockKind.LIST_ITEM,
    "label": BlockKind.LIST_ITEM,
    "dateline": BlockKind.DATELINE,
    "signed": BlockKind.SIGNATURE,
    "row": BlockKind.TABLE_ROW,
}


def finish_text(raw: str) -> tuple[str, list[int]]:
    """Collapse whitespace in `raw` and return it with the offsets of its note marks."""
    out: list[str] = []
    offsets: list[int] = []
    for ch in re.sub(r"\s+", " ", raw):
        if ch == _MARK:
            offsets.append(len(out))
            continue
        if ch == " " and (not out or out[-1] == " "):
            continue
        out.append(ch)
    while out and out[-1] == " ":
        out.pop()
    return "".join(out), [min(o, len(out)) for o in offsets]


def inline_text(el: etree._Element, with_tail: bool = False) -> str:
    """The text of `el` as a reader sees it: notes, figures and scripts left out."""
    parts: list[str] = []
    _Inline(parts, notes=None, deferred=None).run(el)
    text, _ = finish_text("".join(parts).replace(_MARK, ""))
    if with_tail and el.tail:
        text = clean(f"{text} {el.tail}")
    return text


@dataclass
class _Inline:
    """Collects the running text of one block, marking where notes sit."""

    parts: list[str]
    notes: list[etree._Element] | None
    deferred: list[etree._Element] | None
    pages: list[str] = field(default_factory=list)

    def run(self, el: etree._Element) -> None:
        if el.text:
            self.parts.append(el.text)
        for child in el:
            self.child(child)

    def child(self, child: etree._Element) -> None:
        name = local(child)
        if not is_tei_element(child) and name != "attachment":
            pass  # comments, entities left unexpanded, xhtml script/object: no text
        elif name == "note":
            self.parts.append(_MARK)
            if self.notes is not None:
                self.notes.append(child)
        elif name == "pb":
            if child.get("n"):
                self.pages.append(child.get("n", ""))
        elif name == "lb":
            self.parts.append(" ")
        elif name in _SKIP:
            pass
        elif self.deferred is not None and (
            name in _BLOCK_INSIDE_INLINE or (name == "quote" and _has_blocks(child))
        ):
            self.deferred.append(child)
        elif name == "cell":
            self.parts.append(" ")
            self.run(child)
            self.parts.append(" |")
        else:
            self.run(child)
            if name == "label":
                self.parts.append(" ")
        if child.tail:
            self.parts.append(child.tail)


def _has_blocks(el: etree._Element) -> bool:
    return any(local(c) in {"p", "div", "lg", "list", "table"} for c in el)


@dataclass
class BlockWriter:
    """Flattens a TEI subtree into Blocks, remembering where each note was anchored."""

    text_index: int = 0
    blocks: list[Block] = field(default_factory=list)
    notes: list[tuple[etree._Element, NoteAnchor]] = field(default_factory=list)
    page: str = ""

    def write(self, el: etree._Element, depth: int = 1, list_depth: int = 0) -> None:
        """Add the blocks of `el`; `depth` counts div levels for heading depth."""
        name = local(el)
        if not is_tei_element(el) and name != "attachment":
            return
        if name in _SKIP:
            return
        if name == "pb":
            self.page = el.get("n", self.page)
        elif name == "note":
            # A note standing between blocks belongs to the start of the next one.
            self.notes.append((el, NoteAnchor(self.text_index, len(self.blocks), 0)))
        elif name == "head":
            parent = el.getparent()
            in_list = parent is not None and local(parent) == "list"
            level = list_depth + depth + 1 if in_list else depth
            self._block(el, BlockKind.HEADING, max(level, 1), depth, list_depth)
        elif name == "quote":
            if _has_blocks(el):
                for child in el:
                    if local(child) == "p":
                        self._block(child, BlockKind.QUOTE, 0, depth, list_depth)
                    else:
                        self.write(child, depth, list_depth)
            else:
                self._block(el, BlockKind.QUOTE, 0, depth, list_depth)
        elif name == "closer":
            if clean(el.text or "") or any(clean(c.tail or "") for c in el):
                self._block(el, BlockKind.SIGNATURE, 0, depth, list_depth)
            else:
                for child in el:
                    self.write(child, depth, list_depth)
        elif name in _SIMPLE_BLOCKS:
            level = list_depth - 1 if name == "item" else 0
            self._block(el, _SIMPLE_BLOCKS[name], max(level, 0), depth, list_depth)
        elif name in _CONTAINERS:
            inner = depth + 1 if name == "div" else depth
            nested = list_depth + 1 if name in {"list", "listBibl"} else list_depth
            for child in el:
                self.write(child, inner, nested)
        elif inline_text(el):
            self._block(el, BlockKind.PARAGRAPH, 0, depth, list_depth)

    def _block(
        self, el: etree._Element, kind: BlockKind, level: int, depth: int, list_depth: int
    ) -> None:
        parts: list[str] = []
        notes: list[etree._Element] = []
        deferred: list[etree._Element] = []
        inline = _Inline(parts, notes, deferred)
        inline.run(el)
        text, offsets = finish_text("".join(parts))
        page = self.page
        if text:
            self.blocks.append(Block(kind, text, level, page))
            index = len(self.blocks) - 1
            for note, offset in zip(notes, offsets, strict=True):
                self.notes.append((note, NoteAnchor(self.text_index, index, offset)))
        else:
            for note in notes:
                self.notes.append((note, self._anchor_here()))
        if inline.pages:
            self.page = inline.pages[-1]
        for child in deferred:
            self.write(child, depth, list_depth)

    def _anchor_here(self) -> NoteAnchor:
        if not self.blocks:
            return NoteAnchor(self.text_index, 0, 0)
        return NoteAnchor(self.text_index, len(self.blocks) - 1, len(self.blocks[-1].text))


def note_text(note: etree._Element) -> str:
    parts: list[str] = []
    _Inline(parts, notes=None, deferred=None).run(note)
    text, _ = finish_text("".join(parts).replace(_MARK, ""))
    return text


_SOURCE_PREFIX = re.compile(r"^\s*Source\s*:\s*", re.I)


def is_source_note(note: etree._Element) -> bool:
    """FRUS marks the source note `type="source"`; hsg essays print it as a head's first note."""
    if note.get("type") == "source":
        return True
    parent = note.getparent()
    return (
        parent is not None
        and local(parent) == "head"
        and _SOURCE_PREFIX.match(note_text(note)) is not None
    )


def strip_source_label(text: str) -> str:
    return _SOURCE_PREFIX.sub("", text).strip()


def collect_notes(
    anchored: Iterable[tuple[etree._Element, NoteAnchor]],
) -> tuple[str, list[Note]]:
    """Split anchored notes into the source note's text and the Note records."""
    source = ""
    notes: list[Note] = []
    for el, anchor in anchored:
        text = note_text(el)
        if not text:
            continue
        if not source and is_source_note(el):
            source = strip_source_label(text)
            notes.append(Note(NoteKind.SOURCE, source, el.get("n", ""), anchor))
        else:
            notes.append(Note(NoteKind.FOOTNOTE, text, el.get("n", ""), anchor))
    return source, notes


# --- dates ------------------------------------------------------------------------

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DASH = r"\s*[-–—]\s*"
_DATE_PATTERNS = [
    # June 20-August 31, 1961
    re.compile(
        rf"(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}){_DASH}(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}),?\s+(?P<y>\d{{4}})"
    ),
    # November 7-8, 1958
    re.compile(rf"(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}){_DASH}(?P<d2>\d{{1,2}}),?\s+(?P<y>\d{{4}})"),
    # August 19, 2002, 1425Z / November 4, 1960 9:08 a.m.
    re.compile(
        rf"(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}),?\s+(?P<y>\d{{4}})"
        r"(?:,?\s+(?:(?P<zh>\d{2})(?P<zm>\d{2})\s?Z\b|(?P<h>\d{1,2}):(?P<mi>\d{2})\s*(?P<ap>[ap])\.?m\.?))?"
    ),
    # 3 February 1957
    re.compile(rf"(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH}),?\s+(?P<y>\d{{4}})"),
    # July 1984
    re.compile(rf"(?P<m1>{_MONTH}),?\s+(?P<y>\d{{4}})"),
]


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")]


def date_in_text(text: str) -> tuple[HistoricalDate, int] | None:
    """Find a date written out in prose ("Athens, August 19, 2002, 1425Z").

    Returns the date (label: the wording from the date on) and where it starts.
    """
    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        g = m.groupdict()
        label = text[m.start() :].strip().rstrip(".").strip()
        y, m1 = int(g["y"]), _month(g["m1"])
        try:
            if g.get("d2"):
                m2 = _month(g["m2"]) if g.get("m2") else m1
                lo = f"{y:04d}-{m1:02d}-{int(g['d1']):02d}"
                hi = f"{y:04d}-{m2:02d}-{int(g['d2']):02d}"
                return HistoricalDate.between(lo, hi, label), m.start()
            if g.get("d1"):
                iso = f"{y:04d}-{m1:02d}-{int(g['d1']):02d}"
                if g.get("zh"):
                    iso += f"T{g['zh']}:{g['zm']}"
                elif g.get("h"):
                    hour = int(g["h"]) % 12 + (12 if g["ap"].lower() == "p" else 0)
                    iso += f"T{hour:02d}:{g['mi']}"
                return HistoricalDate.parse(iso, label), m.start()
            return HistoricalDate.parse(f"{y:04d}-{m1:02d}", label), m.start()
        except ValueError:
            continue  # "February 30" is not a date; try a looser reading
    return None


def date_of_element(el: etree._Element) -> HistoricalDate | None:
    """A TEI `date`'s attributes (when, from/to, notBefore/notAfter), else its wording."""
    label = inline_text(el)
    when = el.get("when")
    if when:
        return HistoricalDate.parse(when, label)
    lo = el.get("from") or el.get("notBefore")
    hi = el.get("to") or el.get("notAfter")
    if lo or hi:
        return HistoricalDate.between(lo, hi, label)
    found = date_in_text(label)
    return found[0] if found else None


def dateline_of(div: etree._Element) -> etree._Element | None:
    """The record's own dateline (not one inside a nested record or attachment)."""
    for dl in div.iter(f"{{{TEI_NS}}}dateline"):
        if _owner(dl) is div:
            return dl
    return None


def _owner(el: etree._Element) -> etree._Element | None:
    node = el.getparent()
    while node is not None:
        if local(node) == "attachment" or (local(node) == "div" and node.get("type") == "document"):
            return node
        node = node.getparent()
    return None


def date_and_place(dateline: etree._Element | None) -> tuple[HistoricalDate | None, str]:
    """The date and place a dateline states: `date`/`placeName` markup first, then prose."""
    if dateline is None:
        return None, ""
    place_el = dateline.find(".//t:placeName", NS)
    place = inline_text(place_el) if place_el is not None else ""
    text = inline_text(dateline)
    date: HistoricalDate | None = None
    date_el = dateline.find(".//t:date", NS)
    if date_el is not None:
        try:
            date = date_of_element(date_el)
        except ValueError:
            date = None
    found = date_in_text(text)
    if date is None and found:
        date = found[0]
    if not place and found and found[1] > 0:
        before = text[: found[1]].strip().rstrip(",").strip()
        if before and not re.search(r"\d", before):
            place = before
    return date, place


# --- document type ----------------------------------------------------------------

_TYPE_WORDS: list[tuple[re.Pattern[str], DocumentType]] = [
    (re.compile(r"\beditorial note\b", re.I), DocumentType.EDITORIAL_NOTE),
    (
        re.compile(r"\b(memorandum|record|summary) of (a )?conversation\b|\bmemcon\b", re.I),
        DocumentType.MEMORANDUM_OF_CONVERSATION,
    ),
    (
        re.compile(r"\btranscript\b|\btelcon\b|\btelephone conversation\b", re.I),
        DocumentType.TRANSCRIPT,
    ),
    (
        re.compile(r"\bminutes\b|\b(record|summary|notes) of (the |an? )?.*\bmeeting\b", re.I),
        DocumentType.MINUTES,
    ),
    (
        re.compile(r"\b(telegram|airgram|cable|backchannel message|circular telegram)\b", re.I),
        DocumentType.TELEGRAM,
    ),
    (
        re.compile(r"\b(letter|correspondence|instruction|despatch|dispatch|note verbale)\b", re.I),
        DocumentType.LETTER,
    ),
    (
        re.compile(r"\b(memorandum|memo|paper|study|intelligence estimate)\b", re.I),
        DocumentType.MEMORANDUM,
    ),
    (re.compile(r"\breport\b", re.I), DocumentType.REPORT),
    (
        re.compile(r"^(treaty|agreement|convention|protocol|communiqu[eé])\b", re.I),
        DocumentType.TREATY,
    ),
    (re.compile(r"^(speech|address|remarks|statement by)\b", re.I), DocumentType.SPEECH),
]
_FROM_SPLIT = re.compile(r"\s(?:from|by)\s", re.I)


def infer_doc_type(*titles: str) -> DocumentType:
    """The genre a heading names ("Memorandum From…", "Minutes of…"), or OTHER.

    Only the words before "From"/"by" count, so a memorandum *about* a letter stays a memorandum.
    """
    for title in titles:
        genre = _FROM_SPLIT.split(title, maxsplit=1)[0]
        for pattern, doc_type in _TYPE_WORDS:
            if pattern.search(genre):
                return doc_type
    return DocumentType.OTHER


def refine_doc_type(
    doc_type: DocumentType, source_note: str, people: Iterable[Participant]
) -> DocumentType:
    """When the heading names no genre: FRUS source notes end "…: Telegram"; a record
    from someone to someone is correspondence."""
    if doc_type is not DocumentType.OTHER:
        return doc_type
    if re.search(r"\btelegram\b", source_note, re.I):
        return DocumentType.TELEGRAM
    roles = {p.role for p in people}
    if ParticipantRole.AUTHOR in roles and ParticipantRole.RECIPIENT in roles:
        return DocumentType.LETTER
    return doc_type


def title_starts_with_genre(title: str) -> DocumentType:
    """Like `infer_doc_type`, but only for a title that *opens* with the genre word."""
    first = " ".join(title.split()[:4])
    found = infer_doc_type(first)
    if found is DocumentType.OTHER:
        return found
    word = re.match(r"\W*(\w+)", title)
    genre_first = word is not None and infer_doc_type(word.group(1)) is found
    return found if genre_first else DocumentType.OTHER


# --- participants -----------------------------------------------------------------

# A participant of a conversation who also speaks stays a participant.
_ROLE_RANK = {
    ParticipantRole.AUTHOR: 0,
    ParticipantRole.RECIPIENT: 1,
    ParticipantRole.PARTICIPANT: 2,
    ParticipantRole.SPEAKER: 3,
    ParticipantRole.MENTIONED: 4,
}
_HEAD_KEYWORD = re.compile(
    r"\b(from|by|through|to|between|among|with)\b|\bmemorandum for\b(?!\s+the\s+record)", re.I
)
_KEYWORD_ROLE = {
    "from": ParticipantRole.AUTHOR,
    "by": ParticipantRole.AUTHOR,
    "through": ParticipantRole.RECIPIENT,
    "to": ParticipantRole.RECIPIENT,
    "between": ParticipantRole.PARTICIPANT,
    "among": ParticipantRole.PARTICIPANT,
    "with": ParticipantRole.PARTICIPANT,
}


def merge_participants(found: Iterable[Participant]) -> tuple[Participant, ...]:
    """One entry per person (authority id, else name), keeping their strongest role."""
    best: dict[str, Participant] = {}
    for p in found:
        key = p.authority_id or p.name.casefold()
        old = best.get(key)
        if old is None:
            best[key] = p
        elif _ROLE_RANK[p.role] < _ROLE_RANK[old.role]:
            best[key] = Participant(old.name, p.role, old.authority_id, p.post or old.post)
        elif not old.post and p.post:
            best[key] = Participant(old.name, old.role, old.authority_id, p.post)
    return tuple(best.values())


def _text_before(root: etree._Element, target: etree._Element) -> str:
    """The text of `root` that comes before `target`, notes left out."""
    parts: list[str] = []

    def walk(el: etree._Element) -> bool:
        if el is target:
            return True
        if el is not root and (local(el) == "note" or not isinstance(el.tag, str)):
            parts.append(el.tail or "")
            return False
        parts.append(el.text or "")
        for child in el:
            if walk(child):
                return True
        if el is not root:
            parts.append(el.tail or "")
        return False

    walk(root)
    return "".join(parts)


def head_role(head: etree._Element, person: etree._Element) -> tuple[ParticipantRole, str]:
    """Role and post of a person named in a heading, from the words that govern the name.

    In "Memorandum From the Special Assistant to the President (Bundy) to President Johnson"
    the first keyword after the previous name governs: "From" for Bundy, "to" for Johnson;
    the words between keyword and "(" are the post.
    """
    before = _text_before(head, person)
    start = 0
    for prior in head.iter():
        if prior is person:
            break
        if local(prior) == "persName" and prior is not head:
            start = len(_text_before(head, prior)) + len(inline_text(prior))
    segment = before[start:]
    m = _HEAD_KEYWORD.search(segment)
    if m:
        word = m.group(1).lower() if m.group(1) else "to"
        role = _KEYWORD_ROLE[word]
    elif start == 0:
        role = ParticipantRole.AUTHOR
    else:
        role = _previous_head_role(head, person)
    post = ""
    if segment.rstrip().endswith("("):
        post = segment[m.end() if m else 0 :].rstrip().rstrip("(").strip()
        post = clean(re.sub(r"^the\s+", "", post, flags=re.I))
    return role, post


def _previous_head_role(head: etree._Element, person: etree._Element) -> ParticipantRole:
    previous = None
    for el in head.iter(f"{{{TEI_NS}}}persName"):
        if el is person:
            break
        previous = el
    return head_role(head, previous)[0] if previous is not None else ParticipantRole.AUTHOR


def persname_role(el: etree._Element) -> tuple[ParticipantRole, str]:
    """A persName's role in its record, from where the markup puts it; and the post if stated."""
    explicit = {"from": ParticipantRole.AUTHOR, "to": ParticipantRole.RECIPIENT}.get(
        el.get("type", "")
    )
    if explicit:
        return explicit, ""
    for ancestor in el.iterancestors():
        if local(ancestor) == "attachment":
            return ParticipantRole.MENTIONED, ""  # an enclosure's names are not the record's
        if local(ancestor) == "div":
            break
    node = el.getparent()
    while node is not None:
        name = local(node)
        if name == "note" or name == "attachment" or name == "div":
            break
        if name == "head":
            return head_role(node, el)
        if name in {"signed", "closer"}:
            return ParticipantRole.AUTHOR, ""
        if name in {"salute", "opener"}:
            return ParticipantRole.RECIPIENT, ""
        if name == "list" and node.get("type") in {"participants", "from", "to"}:
            role = {
                "participants": ParticipantRole.PARTICIPANT,
                "from": ParticipantRole.AUTHOR,
                "to": ParticipantRole.RECIPIENT,
            }[node.get("type", "")]
            item = next((a for a in el.iterancestors(f"{{{TEI_NS}}}item")), None)
            post = ""
            if item is not None:
                post = clean(inline_text(item).split(inline_text(el), 1)[-1]).lstrip(",;: ").strip()
            return role, post
        if name == "p" and _speaks(node, el):
            return ParticipantRole.SPEAKER, ""
        node = node.getparent()
    return ParticipantRole.MENTIONED, ""


def _speaks(p: etree._Element, el: etree._Element) -> bool:
    """True for "<p><persName>Kissinger</persName>: …": the name opens the paragraph."""
    return (
        el.getparent() is p and not clean(p.text or "") and (el.tail or "").lstrip().startswith(":")
    )


def _split_top(text: str, separator: re.Pattern[str]) -> list[str]:
    """Split at `separator` outside parentheses."""
    parts, depth, last = [], 0, 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            m = separator.match(text, i)
            if m and m.end() > i:
                parts.append(text[last:i])
                last = i = m.end()
                continue
        i += 1
    parts.append(text[last:])
    return [p.strip() for p in parts if p.strip()]


_LIST_SEP = re.compile(r",\s*(?:and\s+)?|\s+and\s+", re.I)
_THROUGH = re.compile(r"\s+through\s+", re.I)
_TO = re.compile(r"\s+to\s+", re.I)
_FROM = re.compile(r"(?:^|\s)from\s+", re.I)


def _named(part: str, role: ParticipantRole) -> Participant | None:
    part = part.strip().rstrip(".,;")
    m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", part)
    if m:
        outside, inside = m.group(1).strip(), m.group(2).strip()
        if re.match(r"^the\b", outside, re.I) or not outside:
            name, post = inside, outside
        else:
            name, post = outside, inside
    else:
        name, post = part, ""
    name = re.sub(r"^the\s+", "", name, flags=re.I).strip()
    post = re.sub(r"^the\s+", "", post, flags=re.I).strip()
    if not name or len(name) > 120:
        return None
    return Participant(name, role, None, post)


def correspondents(head: str) -> list[Participant]:
    """Authors and recipients from an unmarked heading.

    "Memorandum From A (post) Through B to C" and "Letter From A to B"; a bare "A to B"
    only when the heading does not open with a genre word ("Report by … to Congress").
    """
    head = clean(head)
    m = None
    for m in _FROM.finditer(head):
        if head[: m.start()].count("(") == head[: m.start()].count(")"):
            break
    else:
        m = None
    if m is not None:
        rest = head[m.end() :]
    elif infer_doc_type(head) is DocumentType.OTHER and len(head) < 160:
        rest = head
    else:
        return []
    pieces = _split_top(rest, _TO)
    if len(pieces) < 2:
        return []
    senders, recipients = " to ".join(pieces[:1]), " to ".join(pieces[1:])
    via = _split_top(senders, _THROUGH)
    found: list[Participant | None] = []
    found += [_named(p, ParticipantRole.AUTHOR) for p in _split_top(via[0], _LIST_SEP)]
    for middle in via[1:]:
        found += [_named(p, ParticipantRole.RECIPIENT) for p in _split_top(middle, _LIST_SEP)]
    found += [_named(p, ParticipantRole.RECIPIENT) for p in _split_top(recipients, _LIST_SEP)]
    return [p for p in found if p is not None]


_SPEAKER = re.compile(r"^([A-Z][A-Z.’'\- ]{1,40}[A-Z.]):\s")
_NOT_SPEAKERS = {
    "SUBJECT",
    "SOURCE",
    "NOTE",
    "TO",
    "FROM",
    "RE",
    "REF",
    "CC",
    "PRESENT",
    "PARTICIPANTS",
    "ACTION",
    "SUMMARY",
    "BACKGROUND",
    "DISCUSSION",
    "RECOMMENDATION",
    "DECISION",
    "ATTACHMENT",
    "ATTACHMENTS",
    "TABLE OF CONTENTS",
    "AGENDA",
    "ISSUE",
    "ISSUES",
    "DATE",
    "TIME",
    "PLACE",
    "GUEST SPEAKERS",
    "CONFIDENTIAL",
    "SECRET",
    "TOP SECRET",
    "LIMITED OFFICIAL USE",
    "UNCLASSIFIED",
}


def speakers(blocks: Iterable[Block]) -> list[Participant]:
    """Speakers of a transcript: "MR. NOBLE: …" opening two or more paragraphs."""
    counts: dict[str, int] = {}
    for block in blocks:
        if block.kind is not BlockKind.PARAGRAPH:
            continue
        m = _SPEAKER.match(block.text)
        if m and m.group(1).strip() not in _NOT_SPEAKERS:
            label = m.group(1).strip()
            counts[label] = counts.get(label, 0) + 1
    return [
        Participant(_titlecase(label), ParticipantRole.SPEAKER)
        for label, n in counts.items()
        if n >= 2
    ]


def _titlecase(label: str) -> str:
    """ "MR. E.R. PERKINS" → "Mr. E.R. Perkins": initials stay as printed."""
    return " ".join(
        w if re.fullmatch(r"(?:[A-Z]\.)+", w) else w.capitalize() for w in label.split()
    )


# --- archival references -------------------------------------------------------------


def archival_reference(source_note: str) -> ArchivalReference | None:
    """The repository, record group, lot and box a source note cites, with the note as text."""
    if not source_note:
        return None
    first = source_note.split(",", 1)[0].strip()
    repository = first if re.search(r"Archives|Department|Library|Agency|Office", first) else ""
    rg = re.search(r"\b(?:Record Group|RG)\s+(\d+)", source_note)
    lot = re.search(r"\bLot(?: File)?\s+(\d+\s?D\s?\d+)|\((\d+\s?D\s?\d+)\)", source_note)
    box = re.search(r"\bBox\s+([\w-]+)", source_note)
    folder = re.search(r"\bFolder\s+[“\"]?([^,”\"]+)", source_note)
    return ArchivalReference(
        repository=repository,
        collection=f"RG {rg.group(1)}" if rg else "",
        lot=(lot.group(1) or lot.group(2)) if lot else "",
        box=box.group(1) if box else "",
        folder=folder.group(1).strip() if folder else "",
        text=source_note,
    )


# --- the reader -------------------------------------------------------------------

_COUNTRY_GUIDE = "A Guide to the United States’ History of Recognition"


@dataclass(frozen=True)
class _Corpus:
    """Which hsg publication a file belongs to, and how its ids are formed."""

    kind: str  # "records", "articles", "milestones", "rdcr", "tei"
    prefix: str  # id prefix: "frus-history:", "frus-history:articles/", "rdcr:"...
    collection: Collection | None

    @property
    def collection_ids(self) -> tuple[str, ...]:
        return (self.collection.id,) if self.collection else ()


_CORPORA = {
    "records": _Corpus(
        "records",
        "frus-history:",
        Collection(
            "frus-history-documents",
            "History of the Foreign Relations Series: Documents",
            "Transcribed records on the making of FRUS, 1957–2002 (Office of the Historian).",
        ),
    ),
    "articles": _Corpus(
        "articles",
        "frus-history:articles/",
        Collection(
            "frus-history-articles",
            "History of the Foreign Relations Series: Articles",
            "Scholarly essays on the history of FRUS, and documents released with them.",
        ),
    ),
    "milestones": _Corpus(
        "milestones",
        "milestones:",
        Collection(
            "milestones",
            "Milestones in the History of U.S. Foreign Relations",
            "Short scholarly essays by period (Office of the Historian).",
        ),
    ),
    "rdcr": _Corpus(
        "rdcr",
        "rdcr:",
        Collection(
            "rdcr",
            "A Guide to the United States’ History of Recognition, Diplomatic, and Consular "
            "Relations, by Country, since 1776",
            "One article per country (Office of the Historian).",
        ),
    ),
    # Other TEI: no collection is invented for it.
    "tei": _Corpus("tei", "tei:", None),
}


def _corpus_of(source: Source, root: etree._Element) -> _Corpus:
    """The file's own header first, so a copied file keeps its ids; then the folder names."""
    parts = [p.lower() for p in source.path.parts]
    if source.member:
        parts += [p.lower() for p in PurePosixPath(source.member).parts]
    title = _file_title(root)
    if title.startswith(_COUNTRY_GUIDE) or "rdcr" in parts:
        return _CORPORA["rdcr"]
    if title.startswith("Milestones:") or "milestones" in parts:
        return _CORPORA["milestones"]
    # Only the transcribed frus-history records carry a `date type="created"`.
    if (
        root.find("t:teiHeader/t:fileDesc/t:publicationStmt/t:date[@type='created']", NS)
        is not None
    ):
        return _CORPORA["records"]
    if "frus-history" in parts:
        return _CORPORA["articles" if "articles" in parts else "records"]
    return _CORPORA["tei"]


def _file_title(root: etree._Element, kind: str = "complete") -> str:
    for title in root.iterfind("t:teiHeader/t:fileDesc/t:titleStmt/t:title", NS):
        if title.get("type") == kind:
            return inline_text(title)
    first = root.find("t:teiHeader/t:fileDesc/t:titleStmt/t:title", NS)
    return inline_text(first) if first is not None and kind == "complete" else ""


def language_of(el: etree._Element) -> str:
    for node in (el, *el.iterancestors()):
        lang = node.get(XML_LANG)
        if lang:
            return lang.split("-")[0].lower()
    return "en"


def _stem(source: Source) -> str:
    name = source.name
    return name[:-4] if name.lower().endswith(".xml") else name


@dataclass(frozen=True)
class _File:
    """What every record read from one file shares."""

    source: Source
    root: etree._Element
    corpus: _Corpus
    stem: str
    file_hash: str


class TeiReader:
    """Office of the Historian TEI: one Document per record or essay, with its Collection."""

    name = "tei"

    def detect(self, source: Source) -> bool:
        if source.is_dir or not source.name.lower().endswith(".xml"):
            return False
        head = source.head(SNIFF_BYTES)
        return is_tei(head) and not is_frus_volume(head)

    def read(self, source: Source) -> Iterator[Item]:
        data = source.read_bytes()
        root = parse_tei(data, source.label)
        corpus = _corpus_of(source, root)
        file = _File(source, root, corpus, _stem(source), sha256(data))
        if corpus.kind == "milestones":
            documents = list(_milestones(file))
            chapter = _milestone_chapter(file)
            collections = [_CORPORA["milestones"].collection, chapter]
        else:
            divs = root.findall(".//t:text//t:div[@type='document']", NS)
            documents = [_record(file, d, i, len(divs)) for i, d in enumerate(divs, 1)]
            if not divs:
                documents = [d for d in [_whole_file(file)] if d is not None]
            collections = [corpus.collection] if corpus.collection else []
        if not documents:
            raise IngestError(source.label, "", "TEI file has no document text to read")
        yield from (c for c in collections if c is not None)
        yield from documents


def _provenance(file: _File, el: etree._Element, whole_file: bool) -> Provenance:
    digest = file.file_hash if whole_file else sha256(etree.tostring(el, with_tail=False))
    return Provenance(file.source.label, element_path(el), digest, TeiReader.name)


def _created(root: etree._Element) -> HistoricalDate | None:
    el = root.find("t:teiHeader/t:fileDesc/t:publicationStmt/t:date[@type='created']", NS)
    try:
        return date_of_element(el) if el is not None else None
    except ValueError:
        return None


def _front_matter(root: etree._Element) -> tuple[str, list[Note]]:
    """The source and citation paragraphs printed before a file's records."""
    body = root.find("t:text/t:body", NS)
    source, notes = "", list[Note]()
    if body is None:
        return source, notes
    for p in body.findall("t:p", NS):
        text = inline_text(p)
        if not text:
            continue
        if not source and not text.lower().startswith("cited"):
            source = strip_source_label(text)
            notes.append(Note(NoteKind.SOURCE, source))
        else:
            notes.append(Note(NoteKind.EDITORIAL, text))
    return source, notes


def _record(file: _File, div: etree._Element, index: int, count: int) -> Document:
    """One historical record: a `div type="document"` of an hsg file."""
    writer = BlockWriter()
    writer.write(div, depth=0)
    blocks = writer.blocks
    source_note, notes = collect_notes(writer.notes)
    file_source, file_notes = _front_matter(file.root)
    if not source_note and file_source:
        source_note = file_source
        notes = [n for n in file_notes if n.kind is NoteKind.SOURCE] + notes
    notes += [n for n in file_notes if n.kind is NoteKind.EDITORIAL]

    head_el = div.find("t:head", NS)
    head = inline_text(head_el) if head_el is not None else ""
    file_title = _file_title(file.root)
    title = head or (file_title if count == 1 else f"{file_title} ({div.get(XML_ID) or index})")

    date, place = date_and_place(dateline_of(div))
    if date is None and count == 1:
        date = _created(file.root)

    people = [
        Participant(inline_text(p), *persname_role(p))
        for p in div.iter(f"{{{TEI_NS}}}persName")
        if inline_text(p)
    ]
    if not any(p.role in (ParticipantRole.AUTHOR, ParticipantRole.RECIPIENT) for p in people):
        people = correspondents(head) + people
    spoken = speakers(blocks)
    people += spoken

    if div.get("subtype") == "editorial-note":
        doc_type = DocumentType.EDITORIAL_NOTE
    else:
        doc_type = infer_doc_type(head, file_title if count == 1 else "")
    if doc_type is DocumentType.OTHER and spoken:
        doc_type = DocumentType.TRANSCRIPT
    doc_type = refine_doc_type(doc_type, source_note, people)

    if count == 1:
        doc_id = f"{file.corpus.prefix}{file.stem}"
    else:
        doc_id = f"{file.corpus.prefix}{file.stem}/{div.get(XML_ID) or f'd{index}'}"
    n = div.get("n", "")
    return Document(
        id=doc_id,
        title=title,
        doc_type=doc_type,
        texts=(Text(language_of(div), TextRole.ORIGINAL, tuple(blocks)),),
        date=date,
        place=place,
        participants=merge_participants(people),
        archival_reference=archival_reference(source_note),
        source_note=source_note,
        notes=tuple(notes),
        collections=file.corpus.collection_ids,
        series=f"{file.corpus.prefix}{file.stem}" if count > 1 else "",
        sequence=int(n) if n.isdigit() else (index if count > 1 else None),
        provenance=_provenance(file, div, whole_file=count == 1),
    )


def _mentions(el: etree._Element) -> list[Participant]:
    return [
        Participant(inline_text(p), ParticipantRole.MENTIONED)
        for p in el.iter(f"{{{TEI_NS}}}persName")
        if inline_text(p) and _owner_is_text(p)
    ]


def _owner_is_text(el: etree._Element) -> bool:
    return not any(local(a) == "teiHeader" for a in el.iterancestors())


def _countries_named(el: etree._Element) -> tuple[CountryRef, ...]:
    from declass.countries import country_named

    found: dict[str, CountryRef] = {}
    for place in el.iter(f"{{{TEI_NS}}}placeName"):
        ref = country_named(re.sub(r"\s*\([^)]*\)", "", inline_text(place)))
        # Every record here is about US foreign relations: the US itself says nothing.
        if ref is not None and ref.code != "USA":
            found.setdefault(ref.code, ref)
    return tuple(found.values())


_WRITTEN_BY = re.compile(
    r"(?:Researched and )?written by\s+(?P<who>.+?)"
    r"(?:,\s*(?P<when>[A-Z][a-z]+\.?\s+\d{4}|\d{4}))?\s*\.?$",
    re.I,
)


def _essay_authors(root: etree._Element) -> tuple[list[Participant], HistoricalDate | None]:
    """Authors from `titleStmt/author`, or from "Researched and written by X, Month YYYY"."""
    header = root.find("t:teiHeader", NS)
    if header is None:
        return [], None
    authors = [
        Participant(inline_text(a), ParticipantRole.AUTHOR)
        for a in header.iterfind("t:fileDesc/t:titleStmt/t:author", NS)
        if inline_text(a)
    ]
    written: HistoricalDate | None = None
    for p in header.iterfind("t:fileDesc/t:sourceDesc/t:p", NS):
        m = _WRITTEN_BY.search(inline_text(p))
        if m:
            for name in _split_top(m.group("who"), _LIST_SEP):
                authors.append(Participant(name, ParticipantRole.AUTHOR))
            if m.group("when"):
                found = date_in_text(m.group("when"))
                written = found[0] if found else _year(m.group("when"))
    return authors, written


def _year(text: str) -> HistoricalDate | None:
    m = re.search(r"\b(\d{4})\b", text)
    return HistoricalDate.parse(m.group(1), text) if m else None


def _published(root: etree._Element) -> HistoricalDate | None:
    stmt = root.find("t:teiHeader/t:fileDesc/t:publicationStmt", NS)
    if stmt is None:
        return None
    date = stmt.find("t:date", NS)
    try:
        if date is not None and (date.get("when") or inline_text(date)):
            return date_of_element(date) or _year(inline_text(date))
    except ValueError:
        pass
    return _year(inline_text(stmt))


def _whole_file(file: _File) -> Document | None:
    """An essay (or an unsectioned record) that is the whole file."""
    root = file.root
    text_el = root.find("t:text", NS)
    if text_el is None:
        return None
    writer = BlockWriter()
    for child in text_el:
        writer.write(child, depth=0)
    if not writer.blocks:
        return None
    source_note, notes = collect_notes(writer.notes)
    title = _file_title(root) or file.stem
    authors, written = _essay_authors(root)
    countries: tuple[CountryRef, ...] = ()
    subjects: tuple[str, ...] = ()
    doc_type = DocumentType.ESSAY
    date = written or _published(root)
    if file.corpus.kind == "rdcr":
        from declass.countries import country_named

        # hsg marks states that no longer exist with "*"; the file name is hsg's country slug.
        short = _file_title(root, "short") or title.rsplit(":", 1)[-1]
        country_name = short.rstrip("*").strip()
        ref = country_named(file.stem) or country_named(country_name)
        countries = (ref,) if ref else ()
        subjects = (country_name, "recognition and diplomatic relations")
    elif file.corpus.kind == "articles":
        genre = title_starts_with_genre(title)
        if genre is not DocumentType.OTHER:
            doc_type, date = genre, None  # a released record, not an essay about one
        countries = _countries_named(text_el)
    else:
        doc_type = title_starts_with_genre(title)
        if doc_type is DocumentType.OTHER:
            doc_type = DocumentType.ESSAY if authors else DocumentType.OTHER
    people = authors + _mentions(text_el)
    if doc_type is not DocumentType.ESSAY:
        people += speakers(writer.blocks)
    return Document(
        id=f"{file.corpus.prefix}{file.stem}",
        title=title,
        doc_type=doc_type,
        texts=(Text(language_of(text_el), TextRole.ORIGINAL, tuple(writer.blocks)),),
        date=date,
        participants=merge_participants(people),
        countries=countries,
        source_note=source_note,
        notes=tuple(notes),
        collections=file.corpus.collection_ids,
        subjects=subjects,
        provenance=_provenance(file, root, whole_file=True),
    )


def _milestone_period(root: etree._Element) -> HistoricalDate | None:
    """A chapter's period: the foreword's `date from/to`, else the short title "1945–1952"."""
    for date in root.iterfind("t:text/t:front//t:head/t:date", NS):
        try:
            found = date_of_element(date)
        except ValueError:
            continue
        if found is not None:
            return found
    short = _file_title(root, "short")
    years = re.findall(r"\d{4}", short)
    if len(years) >= 2:
        return HistoricalDate.between(years[0], years[-1], short)
    return _year(short) if years else None


def _milestone_chapter(file: _File) -> Collection:
    title = _file_title(file.root) or file.stem
    return Collection(f"milestones:{file.stem}", title, "", parent="milestones")


def _milestones(file: _File) -> Iterator[Document]:
    """Each top-level section of a Milestones chapter is its own essay."""
    root = file.root
    period = _milestone_period(root)
    chapter = _milestone_chapter(file)
    foreword_head = root.find("t:text/t:front/t:div/t:head", NS)
    theme = inline_text(foreword_head) if foreword_head is not None else chapter.title
    sections = root.findall("t:text/t:front/t:div", NS) + root.findall("t:text/t:body/t:div", NS)
    for index, div in enumerate(sections, 1):
        writer = BlockWriter()
        writer.write(div, depth=0)
        if not writer.blocks:
            continue
        source_note, notes = collect_notes(writer.notes)
        head = div.find("t:head", NS)
        title = inline_text(head) if head is not None else f"{chapter.title} ({index})"
        yield Document(
            id=f"milestones:{file.stem}/{div.get(XML_ID) or f's{index}'}",
            title=title,
            doc_type=DocumentType.ESSAY,
            texts=(Text(language_of(div), TextRole.ORIGINAL, tuple(writer.blocks)),),
            # An essay's date is the period it discusses; the chapter states it.
            date=period,
            participants=merge_participants(_mentions(div)),
            countries=_countries_named(div),
            source_note=source_note,
            notes=tuple(notes),
            collections=(*file.corpus.collection_ids, chapter.id),
            series=chapter.id,
            sequence=index,
            subjects=tuple(dict.fromkeys(s for s in (period.label if period else "", theme) if s)),
            provenance=_provenance(file, div, whole_file=False),
        )
