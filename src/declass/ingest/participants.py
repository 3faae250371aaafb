"""Who wrote, received, took part in, spoke in, or is only named by a record."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from declass.ingest.doctype import infer_doc_type
from declass.ingest.tei_text import inline_text
from declass.ingest.tei_xml import TEI_NS, clean, local
from declass.model import (
    Block,
    BlockKind,
    DocumentType,
    Participant,
    ParticipantRole,
)

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
        head = next((a for a in el.iterancestors() if local(a) == "head"), None)
        return explicit, head_role(head, el)[1] if head is not None else ""
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


def split_outside_parentheses(text: str, separator: re.Pattern[str]) -> list[str]:
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


LIST_SEPARATOR = re.compile(r",\s*(?:and\s+)?|\s+and\s+", re.I)
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
    pieces = split_outside_parentheses(rest, _TO)
    if len(pieces) < 2:
        return []
    senders, recipients = " to ".join(pieces[:1]), " to ".join(pieces[1:])
    via = split_outside_parentheses(senders, _THROUGH)
    found: list[Participant | None] = []
    found += [
        _named(p, ParticipantRole.AUTHOR) for p in split_outside_parentheses(via[0], LIST_SEPARATOR)
    ]
    for middle in via[1:]:
        found += [
            _named(p, ParticipantRole.RECIPIENT)
            for p in split_outside_parentheses(middle, LIST_SEPARATOR)
        ]
    found += [
        _named(p, ParticipantRole.RECIPIENT)
        for p in split_outside_parentheses(recipients, LIST_SEPARATOR)
    ]
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
