"""Originals beside their translations, paired by a file-name convention.

Files named `NAME.LANG.EXT` in one folder (`memo-12.ru.pdf`, `memo-12.en.txt`) are one
document `NAME` with a text per file. The original is the one file whose language is
not the translation language (English unless configured); the others are translations.
Where that does not decide it (two non-English files), a manifest must say which is which.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import Path

from declass.errors import IngestError
from declass.ingest import html, ocr, pdf
from declass.ingest.bodies import TEXT_SUFFIXES, Body, file_document_id, read_body
from declass.ingest.settings import ReaderSettings
from declass.ingest.source import Source, sha256
from declass.model import Block, BlockKind, Document, DocumentType, Item, Provenance, Text, TextRole

_SUFFIXES = (*pdf.SUFFIXES, *html.SUFFIXES, *ocr.IMAGE_SUFFIXES, *TEXT_SUFFIXES)
_NAME = re.compile(
    r"^(?P<name>[^.]+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z]{2,4})?)(?P<ext>\.[A-Za-z]+)$"
)


def language_tag(path: Path) -> tuple[str, str] | None:
    """(NAME, LANG) when `path` follows the convention, else None."""
    match = _NAME.match(path.name)
    if match is None or match.group("ext").lower() not in _SUFFIXES:
        return None
    return match.group("name"), match.group("lang").lower()


class TranslationSetReader:
    """An original and its translations, from files named NAME.LANG.EXT in one folder."""

    name = "edition"

    def __init__(self, settings: ReaderSettings | None = None) -> None:
        self.settings = settings or ReaderSettings()

    def _set(self, path: Path) -> list[Path]:
        """The files of `path`'s set, original first; fewer than two: not a set."""
        tag = language_tag(path)
        if tag is None or not path.parent.is_dir():
            return []
        members = sorted(
            p
            for p in path.parent.glob(f"{tag[0]}.*")
            if p.is_file() and (language_tag(p) or ("",))[0] == tag[0]
        )
        if len({language_tag(p) for p in members}) < 2:
            return []
        originals = [p for p in members if self._is_original(p)]
        first = originals[0] if len(originals) == 1 else members[0]
        return [first, *(p for p in members if p != first)]

    def _is_original(self, path: Path) -> bool:
        tag = language_tag(path)
        return tag is not None and tag[1] != self.settings.translation_language

    def detect(self, source: Source) -> bool:
        if source.member is not None or source.is_dir:
            return False
        members = self._set(source.path)
        return bool(members) and members[0] == source.path

    def sidecars(self, folder: Path) -> set[Path]:
        """Every member of a set but the one the walk hands to this reader."""
        found: set[Path] = set()
        for path in folder.iterdir():
            members = self._set(path)
            found |= set(members[1:])
        return found

    def read(self, source: Source) -> Iterator[Item]:
        members = self._set(source.path)
        originals = [p for p in members if self._is_original(p)]
        if len(originals) != 1:
            names = ", ".join(p.name for p in members)
            raise IngestError(
                source.label, "", f"cannot tell the original among {names}: name it in a manifest"
            )
        texts: list[Text] = []
        bodies: list[Body] = []
        digest = []
        for index, path in enumerate(members):
            data = path.read_bytes()
            digest.append(sha256(data))
            lang = (language_tag(path) or ("", ""))[1]
            body = read_body(path.name, data, str(path), self.settings, lang)
            bodies.append(body)
            role = TextRole.ORIGINAL if index == 0 else TextRole.TRANSLATION
            texts.append(body.text(role))
        original = bodies[0]
        yield Document(
            id=file_document_id(self.name, source.name),
            title=original.title
            or next((b.title for b in bodies if b.title), "")
            or source.name.split(".")[0],
            doc_type=DocumentType.OTHER,
            texts=tuple(texts),
            date=original.date,
            notes=tuple(n for i, b in enumerate(bodies) for n in b.notes_for_text(i)),
            provenance=Provenance(
                source=source.label,
                position=", ".join(p.name for p in members),
                content_hash=sha256("".join(digest).encode()),
                reader=self.name,
            ),
        )


def align(original: Text, translation: Text) -> list[tuple[tuple[Block, ...], tuple[Block, ...]]]:
    """Pairs of passages to show side by side, paragraph by paragraph where structure allows.

    Equal block counts: block i beside block i. Otherwise, both texts carry page numbers:
    page beside page. Otherwise numbered headings ("Article 12", "Статья 12", "第十二条")
    that both texts share: section beside section. Otherwise the whole texts side by side.
    """
    a, b = original.blocks, translation.blocks
    if len(a) == len(b):
        return [((x,), (y,)) for x, y in zip(a, b, strict=True)]
    if all(x.page for x in a) and all(y.page for y in b):
        pages = list(dict.fromkeys([x.page for x in a] + [y.page for y in b]))
        return [
            (tuple(x for x in a if x.page == p), tuple(y for y in b if y.page == p)) for p in pages
        ]
    sections = _by_numbered_headings(a, b)
    if sections:
        return sections
    return [(a, b)] if a or b else []


def _by_numbered_headings(
    a: tuple[Block, ...], b: tuple[Block, ...]
) -> list[tuple[tuple[Block, ...], tuple[Block, ...]]]:
    """Both texts cut at the numbered headings they share (same level, same number), in
    order; what lies between two shared headings stays together. Empty when they share
    too few for the cut to help."""
    keys_a, keys_b = _heading_keys(a), _heading_keys(b)
    matcher = difflib.SequenceMatcher(
        a=[k for _, k in keys_a], b=[k for _, k in keys_b], autojunk=False
    )
    cuts = [
        (keys_a[block.a + i][0], keys_b[block.b + i][0])
        for block in matcher.get_matching_blocks()
        for i in range(block.size)
    ]
    if len(cuts) < 3:
        return []
    if cuts[0] != (0, 0):
        cuts.insert(0, (0, 0))
    ends = [*cuts[1:], (len(a), len(b))]
    return [(a[i:j], b[k:m]) for (i, k), (j, m) in zip(cuts, ends, strict=True)]


_CHINESE_DIGITS = dict(
    zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)
)
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def _heading_keys(blocks: tuple[Block, ...]) -> list[tuple[int, tuple[int, int]]]:
    """(block index, (level, number)) of each heading that carries a number."""
    found = []
    for i, block in enumerate(blocks):
        if block.kind is BlockKind.HEADING:
            number = heading_number(block.text)
            if number is not None:
                found.append((i, (block.level, number)))
    return found


def heading_number(text: str) -> int | None:
    """The number a heading gives itself: "Article 12", "Статья 12", "المادة 12",
    "Chapter XII", "第十二条"."""
    digits = re.search(r"\d+", text)
    if digits:
        return int(digits.group())
    roman = re.search(r"\b([IVXLCDM]+)\b", text)
    if roman:
        total, previous = 0, 0
        for ch in reversed(roman.group(1)):
            value = _ROMAN[ch]
            total += -value if value < previous else value
            previous = max(previous, value)
        return total
    chinese = re.search(r"第([零〇一二两三四五六七八九十百千]+)[章条節节款]", text)
    if chinese:
        total, current = 0, 0
        for ch in chinese.group(1):
            if ch in _CHINESE_DIGITS:
                current = _CHINESE_DIGITS[ch]
            else:
                total += (current or 1) * _CHINESE_UNITS[ch]
                current = 0
        return total + current
    return None
