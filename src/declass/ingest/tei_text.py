"""TEI markup flattened into Blocks, with each note anchored where it occurs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from declass.ingest.tei_xml import clean, is_tei_element, local
from declass.model import (
    Block,
    BlockKind,
    Note,
    NoteAnchor,
    NoteKind,
)

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
    text = _WHITESPACE.sub(" ", raw)
    if _MARK not in text:
        return text.strip(" "), []
    # The marks go, and a space meeting another across one is kept once.
    pieces: list[str] = []
    offsets: list[int] = []
    length, after_space = 0, True  # nothing yet: a leading space goes
    for i, piece in enumerate(text.split(_MARK)):
        if i:
            offsets.append(length)
        if after_space and piece.startswith(" "):
            piece = piece[1:]
        if piece:
            pieces.append(piece)
            length += len(piece)
            after_space = piece.endswith(" ")
    out = "".join(pieces).rstrip(" ")
    return out, [min(o, len(out)) for o in offsets]


_WHITESPACE = re.compile(r"\s+")


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
