"""PRC Government Work Reports and CPC National Congress reports: Wikisource pages as JSONL.

One JSON object a line: `title`, `url` (the zh.wikisource page), `content` (the page's
text: paragraphs at blank lines, link text broken onto lines of its own, Wikisource's
licence notice at the end), and `year` (Government Work Reports) or `congress` (Party
congress reports). The NPC's resolutions approving a report sit among the reports, with
no year. Each line is one Chinese Document; a page that only lists versions of a text
(a disambiguation page) is rejected, not stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from declass.errors import IngestError
from declass.ingest.source import Source, sha256
from declass.model import (
    Block,
    BlockKind,
    Collection,
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
    Rejection,
    Text,
    TextRole,
)

PREFIX = "prc-reports"
PARENT = Collection(
    id=PREFIX,
    title="PRC political reports (Chinese Wikisource)",
    description=(
        "Government Work Reports of the State Council of the People's Republic of China "
        "(1954-2025) with the NPC resolutions approving them, and the political reports to "
        "the National Congresses of the Communist Party of China, in Chinese, as published "
        "on zh.wikisource.org (aldohemsn/chinese-political-corpora)."
    ),
    kind="corpus",
)
# Collections of the files this corpus ships as; another file gets one named after it.
_FILE_COLLECTIONS = {
    "government_work_reports": ("国务院政府工作报告 Government Work Reports, 1954-2025"),
    "cpc_congress_reports": ("中国共产党全国代表大会报告 CPC National Congress reports"),
}
# The year each National Congress of the CPC met: a report's record gives the number only.
CONGRESS_YEARS = {
    1: 1921, 2: 1922, 3: 1923, 4: 1925, 5: 1927, 6: 1928, 7: 1945, 8: 1956, 9: 1969,
    10: 1973, 11: 1977, 12: 1982, 13: 1987, 14: 1992, 15: 1997, 16: 2002, 17: 2007,
    18: 2012, 19: 2017, 20: 2022,
}  # fmt: skip

_BREAK = re.compile(r"\n[ \t\u3000\u00a0]*\n")
# Wikisource's licence template follows a long run of blank lines.
_LICENCE = re.compile(r"\n{8,}\s*(?=本作品|这部作品|這部作品|此作品)")
_LICENCE_TAIL = re.compile(r"(?:\s*(?:Public domain|false))+\s*$")
_INVISIBLE = re.compile(r"[\u200b-\u200d\ufeff]")
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_IN_HAN = re.compile(rf"(?<=[{_HAN}])[ \t\u3000\u00a0]+(?=[{_HAN}])")
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
_NUMERAL = "一二三四五六七八九十"
_NUMBERED = re.compile(rf"^(?:[{_NUMERAL}]+、|[{_NUMERAL}]+$|（[{_NUMERAL}]+）|\([{_NUMERAL}]+\))")
_SENTENCE_MARKS = re.compile(r"[。！？；：，、!?;:,]")
_DELIVERED = re.compile(r"^[—\-–\s]*（?(\d{4})年(\d{1,2})月(\d{1,2})日(?:在(.+?)上)?）?$")
_ADOPTED = re.compile(r"^（(\d{4})年(\d{1,2})月(\d{1,2})日(.+?)通过）$")
_PLAN_YEAR = re.compile(r"报告提出的(\d{4})年")
_PREMIER = re.compile(rf"^(国务院总理)([{_HAN}]{{2,4}})$")
_NAME_ONLY = re.compile(rf"^[{_HAN}]{{2,4}}$")
_SALUTATION = re.compile(r"^(各位代表|同志们)")
_FOOTNOTE_MARK = re.compile(r"\s*\[\s*(\d{1,3})\s*\]")
_DISAMBIGUATION = "的版本包括"
_HEADING_CHARS = 25
_HEADER_BLOCKS = 8
_CLOSING_MARKS = ("。", "；", "：", "！", "？", ";", ":")


@dataclass(frozen=True)
class _Body:
    blocks: tuple[Block, ...]
    notes: tuple[Note, ...]
    rights: str


class PrcReportsReader:
    """Each line of a Wikisource JSONL of PRC reports as one dated Chinese Document."""

    name = "prc-reports"

    def detect(self, source: Source) -> bool:
        if source.is_dir or not source.name.lower().endswith(".jsonl"):
            return False
        head = source.head(2048).lstrip()
        return (
            head.startswith(b"{")
            and b'"title"' in head
            and b'"content"' in head
            and b"wikisource.org/wiki/" in head
        )

    def read(self, source: Source) -> Iterator[Item]:
        try:
            text = source.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise IngestError(source.label, f"byte {exc.start}", "not UTF-8 text") from exc
        stem = source.name.rsplit(".", 1)[0]
        collection = Collection(
            id=f"{PREFIX}:{_slug(stem)}",
            title=_FILE_COLLECTIONS.get(stem, stem),
            parent=PREFIX,
            kind="series",
        )
        yield PARENT
        yield collection
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                yield self._document(line, where, source, collection.id)
            except IngestError as exc:
                yield Rejection(exc.path, exc.position, exc.reason)

    def _document(self, line: str, where: str, source: Source, collection: str) -> Document:
        label = source.label
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(label, where, f"bad JSON: {exc.msg}") from exc
        if not isinstance(record, dict):
            raise IngestError(label, where, "not a JSON object")
        title = str(record.get("title") or "").strip()
        content = record.get("content")
        if not title or not isinstance(content, str) or not content.strip():
            raise IngestError(label, where, "a record needs a title and a content")
        if _DISAMBIGUATION in content[:200] and len(content) < 500:
            raise IngestError(
                label, where, f"{title!r} is a page listing versions of a text, not the text"
            )
        body = _body(content)
        if not body.blocks:
            raise IngestError(label, where, f"{title!r} has no text before its licence notice")
        congress = _int(record.get("congress"))
        resolution = title.endswith("的决议") or title.endswith("的決議")
        date = _date(body.blocks, record.get("year"), congress, label, where)
        notes = body.notes
        if body.rights:
            notes = (*notes, Note(NoteKind.EDITORIAL, body.rights, label="rights"))
        return Document(
            id=f"{PREFIX}:{_page_name(record.get('url'), title)}",
            title=title,
            doc_type=DocumentType.OTHER if resolution else DocumentType.REPORT,
            texts=(Text("zh", TextRole.ORIGINAL, body.blocks),),
            date=date,
            participants=_people(title, body.blocks, resolution),
            notes=notes,
            collections=(collection,),
            series=collection,
            sequence=congress,
            provenance=Provenance(
                source=label,
                position=where,
                content_hash=sha256(line.encode("utf-8")),
                reader=self.name,
            ),
        )


def _body(content: str) -> _Body:
    """Blocks at blank lines (lines inside one are joined), footnotes as notes, and the
    licence notice apart."""
    content = _INVISIBLE.sub("", content.replace("\r\n", "\n"))
    rights = ""
    cut = _LICENCE.search(content)
    if cut:
        rights = _LICENCE_TAIL.sub("", _join_lines(content[cut.end() :]))
        content = content[: cut.start()]
    chunks = [c for c in (_join_lines(c) for c in _BREAK.split(content)) if c]
    # Footnotes close the page, each "↑" (the way back to its mark) before its text.
    footnotes: list[str] = []
    while len(chunks) >= 2 and chunks[-2] == "↑":
        footnotes.insert(0, chunks.pop())
        chunks.pop()
    blocks: list[Block] = []
    notes: list[Note] = []
    greeted = False  # the salutation ("各位代表：") ends the title, dateline and byline
    for chunk in chunks:
        text, marks = _without_marks(chunk)
        if not text:
            continue
        for label, offset in marks:
            index = int(label) - 1
            if 0 <= index < len(footnotes):
                notes.append(
                    Note(
                        NoteKind.FOOTNOTE,
                        footnotes[index],
                        label=label,
                        anchor=NoteAnchor(0, len(blocks), offset),
                    )
                )
        greeted = greeted or bool(_SALUTATION.match(text))
        blocks.append(_block(text, header=not greeted and len(blocks) < _HEADER_BLOCKS))
    return _Body(tuple(blocks), tuple(notes), rights)


def _join_lines(chunk: str) -> str:
    # Wikisource puts link text on lines of its own: a line break inside a paragraph is
    # no space in Chinese, one between Latin words.
    out = ""
    for line in (ln.strip(" \t\u3000\u00a0") for ln in chunk.split("\n")):
        if not line:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and line[0].isascii():
            out += " "
        out += line
    return _SPACES.sub(" ", _SPACE_IN_HAN.sub("", out)).strip()


def _without_marks(text: str) -> tuple[str, list[tuple[str, int]]]:
    """The text without its footnote marks "[1]", and each mark's label and offset."""
    marks: list[tuple[str, int]] = []
    out, last = [], 0
    for m in _FOOTNOTE_MARK.finditer(text):
        out.append(text[last : m.start()])
        marks.append((m.group(1), sum(len(p) for p in out)))
        last = m.end()
    out.append(text[last:])
    return "".join(out).strip(), marks


def _block(text: str, header: bool) -> Block:
    if _DELIVERED.match(text) or _ADOPTED.match(text):
        return Block(BlockKind.DATELINE, text)
    compact = text.replace(" ", "")
    if header and (_PREMIER.match(compact) or _NAME_ONLY.match(compact)):
        return Block(BlockKind.SIGNATURE, compact)
    if _NUMBERED.match(text):
        level = 2 if text[0] in "（(" else 1
        # A numbered sentence is an item of a list; a numbered phrase heads a section.
        if text.endswith(_CLOSING_MARKS) or len(text) > _HEADING_CHARS * 2:
            return Block(BlockKind.LIST_ITEM, text, level=level)
        return Block(BlockKind.HEADING, text, level=level)
    if len(text) <= _HEADING_CHARS and not _SENTENCE_MARKS.search(text):
        return Block(BlockKind.HEADING, text, level=1)
    return Block(BlockKind.PARAGRAPH, text)


def _date(
    blocks: tuple[Block, ...], year: object, congress: int | None, label: str, where: str
) -> HistoricalDate | None:
    """The day the text states it was delivered or adopted; else the record's year (or
    its congress's); else, for a resolution, the year of the plan it approves."""
    for block in blocks[:_HEADER_BLOCKS]:
        m = _DELIVERED.match(block.text) or _ADOPTED.match(block.text)
        if m and block.kind is BlockKind.DATELINE:
            y, mo, d = (int(g) for g in m.groups()[:3])
            try:
                return HistoricalDate.parse(f"{y:04d}-{mo:02d}-{d:02d}", block.text)
            except ValueError as exc:
                raise IngestError(label, where, f"date {block.text!r}: {exc}") from exc
    stated = _int(year)
    if stated:
        return HistoricalDate.parse(f"{stated:04d}", str(year))
    if congress in CONGRESS_YEARS:
        return HistoricalDate.parse(f"{CONGRESS_YEARS[congress]:04d}")
    for block in blocks[:3]:
        plan = _PLAN_YEAR.search(block.text)
        if plan:
            found = HistoricalDate.parse(plan.group(1), plan.group(0))
            return HistoricalDate(
                found.earliest, found.latest, found.precision, found.label, inferred=True
            )
    return None


def _people(title: str, blocks: tuple[Block, ...], resolution: bool) -> tuple[Participant, ...]:
    """Who delivered a report (its byline), or the session that adopted a resolution."""
    if resolution:
        session = title.split("关于", 1)[0].strip()
        return (Participant(session, ParticipantRole.AUTHOR),) if session != title else ()
    for block in blocks[:_HEADER_BLOCKS]:
        if block.kind is not BlockKind.SIGNATURE:
            continue
        premier = _PREMIER.match(block.text)
        if premier:
            return (Participant(premier.group(2), ParticipantRole.SPEAKER, post=premier.group(1)),)
        return (Participant(block.text, ParticipantRole.SPEAKER),)
    return ()


def _page_name(url: object, title: str) -> str:
    """The Wikisource page name from the record's URL (spaces as "_"), else its title."""
    if isinstance(url, str) and "/wiki/" in url:
        name = unquote(urlsplit(url).path.split("/wiki/", 1)[1]).strip()
        if name:
            return name.replace(" ", "_")
    return title.replace(" ", "_")


def _slug(stem: str) -> str:
    return re.sub(r"[^\w]+", "-", stem).replace("_", "-").strip("-").lower()


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
