"""Parallel official texts of one instrument: files `STEM_LANG.txt` side by side.

A treaty or charter is published in several languages whose texts are equally
authentic: none is a translation of another (UN Charter art. 111). Files named
`STEM_LANG.txt` with one stem and at least two ISO 639-1 codes in one folder
(`un_charter_en.txt`, `un_charter_fr.txt`…) are one Document with a Text per language,
each `authentic`, role ORIGINAL. This differs from `translations.py`, where files
`NAME.LANG.EXT` are one original and its translations.

Each text is divided into chapters and articles where the language's markers are
found ("Chapter IV:", "Article 9", "Статья 9", "第九条", "المادة 9"): articles are
taken in their numbered order, so a cross-reference ("under Article 43") never starts
one; short capitalised lines before an article are section headings ("COMPOSITION").
What lies between two headings is a paragraph; a Chinese text keeps its line breaks as
spaces, and each of its lines is a paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from declass.errors import IngestError
from declass.ingest.bodies import file_document_id, paragraphs
from declass.ingest.source import Source, sha256
from declass.model import (
    Block,
    BlockKind,
    Collection,
    DatePrecision,
    Document,
    DocumentType,
    HistoricalDate,
    Item,
    Provenance,
    Text,
    TextRole,
)

_NAME = re.compile(r"^(?P<stem>.+)_(?P<lang>[a-z]{2})\.txt$")
# ISO 639-1: a file name's last two letters are a language only if they name one.
_ISO_639_1_CODES = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu "
    "cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi "
    "ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks "
    "ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl "
    "nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl "
    "sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve "
    "vi vo wa wo xh yi yo za zh zu"
)
_ISO_639_1 = frozenset(_ISO_639_1_CODES.split())
TREATIES = Collection(
    id="treaties",
    title="Treaties and charters",
    description="Instruments whose texts in several languages are equally authentic.",
    kind="series",
)


@dataclass(frozen=True)
class Instrument:
    """What the texts do not say about themselves: the instrument's name and signing."""

    title: str
    doc_type: DocumentType
    signed: date
    place: str


# Signed at San Francisco on 26 June 1945 (the date and place its final words give).
INSTRUMENTS = {
    "un_charter": Instrument(
        "Charter of the United Nations", DocumentType.TREATY, date(1945, 6, 26), "San Francisco"
    ),
}

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
_ROMAN = r"[IVXLХ]+"  # a Russian text may write ten with the Cyrillic letter
# A chapter opens with its number and a colon, in any of the languages (a text may
# carry a heading left in another language).
_CHAPTER = re.compile(
    rf"(?:\b(?:Chapter|Chapitre|Cap[ií]tulo|Глава)\s+{_ROMAN}\s*:"
    r"|الفصل(?:\s+[^\s:.،]+){1,2}\s*:"
    r"|第[一二三四五六七八九十]+章\s*[：:])",
    re.IGNORECASE,
)
# An article's heading: its marker and number, followed (in cased scripts) by a word
# that starts a sentence, where a cross-reference goes on in lower case.
_CAPITAL = r"(?=\s+[^\s\w]*[^\W\d_a-zà-ÿа-яё])"
_ARTICLES = {
    "en": re.compile(rf"(?<!\w)Article\s+(\d+){_CAPITAL}"),
    "fr": re.compile(rf"(?<!\w)Article\s+(\d+){_CAPITAL}"),
    "es": re.compile(rf"(?<!\w)Art[ií]culo\s+(\d+){_CAPITAL}"),
    "ru": re.compile(rf"(?<!\w)Статья\s+(\d+){_CAPITAL}"),
    "ar": re.compile(r"(?<!\w)المادة\s+(\d+)(?=\s)"),
    "zh": re.compile(r"(?<!\S)第([一二三四五六七八九十百零〇]+)条(?=\s)"),
}
_SENTENCE_END = re.compile(r"[.!?;:»”\"')\]。；：]\s+")
_SECTION_WORDS = 4


class ParallelTextsReader:
    """An instrument's equally authentic texts, one file a language, as one Document."""

    name = "parallel-texts"

    def detect(self, source: Source) -> bool:
        if source.member is not None:
            return False
        if source.is_dir:
            # A folder that holds one set and nothing else to read is the set.
            files = [p for p in source.path.iterdir() if p.is_file() and _readable(p)]
            return len(files) >= 2 and _set(files[0]) == sorted(files)
        members = _set(source.path)
        return bool(members) and members[0] == source.path

    def sidecars(self, folder: Path) -> set[Path]:
        """Every member of a set but the first, which the walk hands to this reader."""
        found: set[Path] = set()
        for path in folder.iterdir():
            found |= set(_set(path)[1:])
        return found

    def read(self, source: Source) -> Iterator[Item]:
        if source.is_dir:
            files = sorted(p for p in source.path.iterdir() if p.is_file() and _readable(p))
            members = _set(files[0]) if files else []
        else:
            members = _set(source.path)
        tags = [_tag(p) for p in members]
        if not members or None in tags:
            raise IngestError(source.label, "", "no STEM_LANG.txt files of one stem here")
        stem = members[0].name.rsplit("_", 1)[0]
        texts: list[Text] = []
        digests: list[str] = []
        for path, tag in zip(members, tags, strict=True):
            data = path.read_bytes()
            digests.append(sha256(data))
            try:
                words = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise IngestError(str(path), f"byte {exc.start}", "not UTF-8 text") from exc
            lang = tag[1] if tag else "und"
            blocks = divide(words, lang)
            if not blocks:
                raise IngestError(str(path), "", "the file holds no text")
            texts.append(Text(lang, TextRole.ORIGINAL, blocks, authentic=True))
        known = INSTRUMENTS.get(stem)
        signed = None
        if known:
            day = known.signed.isoformat()
            signed = HistoricalDate(known.signed, known.signed, DatePrecision.DAY, day)
        yield TREATIES
        yield Document(
            id=file_document_id(self.name, stem),
            title=known.title if known else stem.replace("_", " "),
            doc_type=known.doc_type if known else DocumentType.OTHER,
            texts=tuple(texts),
            date=signed,
            place=known.place if known else "",
            collections=(TREATIES.id,),
            provenance=Provenance(
                source=source.label,
                position=", ".join(p.name for p in members),
                content_hash=sha256("".join(digests).encode()),
                reader=self.name,
            ),
        )


def divide(text: str, language: str) -> tuple[Block, ...]:
    """The text as headings (chapter 1, section 2, article 3) and paragraphs; a text
    without article markers in its language is paragraphs at blank lines."""
    marker = _ARTICLES.get(language)
    starts = _article_headings(text, marker, language) if marker else []
    if not starts:
        return paragraphs(text)
    blocks: list[Block] = []
    last = 0
    for start, end in starts:
        gap = text[last:start]
        chapters = list(_CHAPTER.finditer(gap))
        body, heading = (
            (gap[: chapters[-1].start()], gap[chapters[-1].start() :]) if chapters else (gap, "")
        )
        if heading:
            blocks += _paragraphs(body, language)
            title, section = _section(heading, language, after_chapter=True)
            blocks.append(Block(BlockKind.HEADING, _clean(title), level=1))
        else:
            body, section = _section(body, language, after_chapter=False)
            blocks += _paragraphs(body, language)
        if section:
            blocks.append(Block(BlockKind.HEADING, section, level=2))
        blocks.append(Block(BlockKind.HEADING, _clean(text[start:end]), level=3))
        last = end
    blocks += _paragraphs(text[last:], language)
    return tuple(blocks)


def _article_headings(text: str, marker: re.Pattern[str], language: str) -> list[tuple[int, int]]:
    """(start, end) of each article heading, taking articles 1, 2, 3… in turn."""
    found: list[tuple[int, int]] = []
    at, expected = 0, 1
    while True:
        for m in marker.finditer(text, at):
            number = _chinese_number(m.group(1)) if language == "zh" else int(m.group(1))
            if number == expected:
                found.append((m.start(), m.end()))
                at, expected = m.end(), expected + 1
                break
        else:
            return found


def _section(text: str, language: str, after_chapter: bool) -> tuple[str, str]:
    """`text` without the section heading that ends it ("COMPOSITION", "组织"), and
    that heading ("" when there is none)."""
    stripped = text.rstrip()
    if language == "zh":
        head, _, last = stripped.rpartition(" ")
        if head and last and len(last) <= 8 and not re.search(r"[，。；：、（）]", last):
            return head, last
        return text, ""
    if language not in ("en", "fr", "es", "ru"):
        if after_chapter:
            return text, ""
        # No capitals to go by: a few words after the last full stop head a section.
        ends = list(_SENTENCE_END.finditer(stripped))
        tail = stripped[ends[-1].end() :] if ends else ""
        if tail and len(tail.split()) <= _SECTION_WORDS and not re.search(r"[.,،؛:]", tail):
            return stripped[: len(stripped) - len(tail)], tail
        return text, ""
    words = stripped.split(" ")
    taken = 0
    for word in reversed(words):
        # A capitalised heading may hold a lower-case joining word ("FUNCIONES y PODERES").
        if (word.isupper() and len(word) > 1) or (taken and word.islower() and len(word) <= 3):
            taken += 1
            continue
        break
    while taken and words[len(words) - taken].islower():
        taken -= 1
    rest, heading = words[: len(words) - taken], words[len(words) - taken :]
    # Between two articles a heading follows a finished sentence and carries no stop.
    closed = after_chapter or (rest and rest[-1][-1:] in '.:;!?»”")')
    if not taken or not closed or not re.fullmatch(r"[\w\s-]+", " ".join(heading)):
        return text, ""
    return " ".join(rest), " ".join(heading)


def _paragraphs(text: str, language: str) -> list[Block]:
    text = text.strip()
    if not text:
        return []
    if language == "zh":
        # Chinese is written without spaces: a space is a line break of the source.
        blocks: list[Block] = []
        for line in text.split():
            if blocks and re.fullmatch(r"[（(][^）)]{1,3}[）)]", blocks[-1].text):
                blocks[-1] = Block(BlockKind.PARAGRAPH, f"{blocks[-1].text} {line}")
            else:
                blocks.append(Block(BlockKind.PARAGRAPH, line))
        return blocks
    return [Block(BlockKind.PARAGRAPH, _clean(text))]


def _clean(text: str) -> str:
    return " ".join(text.split())


def _chinese_number(numeral: str) -> int:
    """第一百零二条 → 102: tens and hundreds multiply the digit before them (or 1)."""
    total, digit = 0, 0
    for ch in numeral:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in "十百":
            total += (digit or 1) * (10 if ch == "十" else 100)
            digit = 0
    return total + digit


def _tag(path: Path) -> tuple[str, str] | None:
    """(STEM, LANG) when `path` is named STEM_LANG.txt with LANG an ISO 639-1 code."""
    m = _NAME.match(path.name)
    if m is None or m.group("lang") not in _ISO_639_1:
        return None
    return m.group("stem"), m.group("lang")


def _set(path: Path) -> list[Path]:
    """The files of `path`'s set in name order; fewer than two languages: not a set."""
    tag = _tag(path)
    if tag is None or not path.is_file():
        return []
    pattern = re.sub(r"([*?\[])", r"[\1]", tag[0]) + "_*.txt"
    members = sorted(p for p in path.parent.glob(pattern) if (_tag(p) or ("",))[0] == tag[0])
    return members if len(members) >= 2 else []


def _readable(path: Path) -> bool:
    """A file that holds records rather than describing them (README, SOURCE.md…)."""
    name = path.name
    described = name.upper().startswith(("README", "LICENSE", "SOURCE_COMMIT"))
    return not (name.startswith(".") or name.endswith(".md") or described)
