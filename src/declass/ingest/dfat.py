"""Documents on Australian Foreign Policy (DFAT's historical documents series): one Markdown
file a document, with YAML front matter, in a folder a volume (`_volumes/<volume>/<n>-<slug>.md`).

The front matter comes in two styles: the web edition's `doc_date`/`doc_num`/`doc_order`/
`naa_refs`/`vol_id`/`vol_title`/`vol_full_title`, and the 2016 harvest's `doc_id`/`volume`/
`vol_id`/`doc_date` (or `date`)/`barcode`, whose titles open with the printed number. Bodies
are read with markdown-it; the editors' numbered notes, the archival citations and "Document
N" cross-references are found in the text that markdown-it gives back.
"""

from __future__ import annotations

import re
import tarfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from declass.countries import country_named
from declass.ingest import packed
from declass.ingest.archival import naa_citation, naa_reference
from declass.ingest.dates import date_in_text
from declass.ingest.doctype import infer_doc_type, refine_doc_type
from declass.ingest.source import Source, sha256
from declass.model import (
    ArchivalReference,
    Block,
    BlockKind,
    Collection,
    CountryRef,
    DatePrecision,
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
    Reference,
    Rejection,
    Text,
    TextRole,
)

SERIES_ID = "dfat"
SERIES_TITLE = "Documents on Australian Foreign Policy"
SERIES_DESCRIPTION = (
    "The Department of Foreign Affairs and Trade's series of historical documents,"
    " in Tim Sherratt's Markdown conversion of the DFAT web edition. CC BY,"
    " Commonwealth of Australia (DFAT)."
)

_VOLUME_FOLDER = re.compile(r"^volume-(\d+)\b")
_UNREADABLE = (tarfile.TarError, EOFError, OSError, zlib.error)

# Footnote markers as the conversions write them: "[1]", "[^3]", and links "[2](#f2)".
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_MARK = re.compile(f"{_MARK_OPEN}([^{_MARK_CLOSE}]*){_MARK_CLOSE}")
_BRACKET_MARK = re.compile(r"\[\^?(\d{1,3})\]")
_NOTE_HREF = re.compile(r"^#(?:fn?|\d+_f)[-_%\w]*$")
_MONTH_NAMES = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
# A note opens with its number: "1 Copies of…", "[1] Material…", "[^1]: Clement Attlee…".
_NOTE_START = re.compile(
    rf"^[_*\s]*(?:{_MARK_OPEN}(\d{{1,3}}){_MARK_CLOSE}:?|(\d{{1,3}})(?=\s))\s*(?!(?:{_MONTH_NAMES})\b)(?=\S)"
)
# Editors' notes may run on over a few paragraphs before the next number.
_MAX_NOTE_CONTINUATION = 4
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_TIME = re.compile(
    r"^,?\s*(?:\d{1,2}(?:[.:]\d{2})?\s*[ap]\.\s?m\.?|12 noon|midnight)",
    re.I,
)
_YEAR = re.compile(r"\b\d{4}\b")
_TERMINAL = ".:;?!\"'’”)]" + _MARK_CLOSE

# "Document 87", "Documents 137 and 144", "Documents 78-80", "Document 505 in Volume XIII",
# and "vol. 1, Documents 134".
_NUMBER = r"\d{1,4}"
_DOC_REF = re.compile(
    rf"(?:\b(?:Volume|Vol\.|vol\.)\s+(?P<pvol>[IVXLC]+|\d+),\s+)?"
    rf"\bDocuments?\s+(?P<nums>{_NUMBER}(?:\s*(?:,\s*(?:and\s+)?|\band\b|\bor\b|–|-|\bto\b)\s*"
    rf"(?:Documents?\s+)?{_NUMBER}\b)*)"
    rf"(?:,?\s+(?:in\s+)?(?:Volume|Vol\.|vol\.)\s+(?P<vol>[IVXLC]+|\d+)\b)?"
)
_REF_NUMBER = re.compile(rf"({_NUMBER})(?:\s*(?:–|-|\bto\b)\s*({_NUMBER}))?")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_MAX_RANGE = 30

# DAFP's genre words, as the body's first line or the title opens with them.
_GENRES: tuple[tuple[re.Pattern[str], DocumentType], ...] = tuple(
    (re.compile(pattern, re.I), doc_type)
    for pattern, doc_type in (
        (
            r"^(?:record|notes?|summary|memorandum)(?: by [\w.' ]+?)? of (?:a |the )?(?:\w+ )?"
            r"conversations?\b",
            DocumentType.MEMORANDUM_OF_CONVERSATION,
        ),
        (
            r"^(?:(?:war |full |federal )?cabinet (?:minute|decision|conclusions?|agendum)"
            r"|minutes? of (?:the |an? )?\w*\s*(?:meeting|committee)"
            r"|(?:record|notes?|summary) of (?:the |an? )?(?:\w+ ){0,4}"
            r"(?:meeting|talks|discussions?))",
            DocumentType.MINUTES,
        ),
        (
            r"^(?:circular |personal |inward |outward )?(?:cablegrams?|telegrams?|savingrams?"
            r"|teleprinter messages?|cables?)\b",
            DocumentType.TELEGRAM,
        ),
        (
            r"^(?:letters?|dispatch|despatch|(?:personal |telegraph )?messages?|note to"
            r"|aide[- ]m[eé]moire)\b",
            DocumentType.LETTER,
        ),
        (
            r"^(?:(?:circular |departmental |file )?(?:minute|memorandum|memo|note|notes|brief)"
            r"|(?:(?:war |full )?cabinet |ministerial |draft )?submission|briefing|agendum"
            r"|(?:\w+ )?committee agendum|(?:joint intelligence committee )?appreciation"
            r"|(?:policy |background |cabinet |draft )?paper|draft)\b",
            DocumentType.MEMORANDUM,
        ),
        (r"^(?:(?:draft |interim |final )?report)\b", DocumentType.REPORT),
        (
            r"^(?:(?:draft )?agreement|treaty|exchange of notes|(?:joint )?communiqu[eé])\b",
            DocumentType.TREATY,
        ),
        (
            r"^(?:(?:press |joint )?statement|speech|address|(?:[\w ]+ )?(?:news|press) release)\b",
            DocumentType.SPEECH,
        ),
    )
)
# Genre words a title may open with before its correspondents ("Cablegram from A to B").
_TITLE_GENRE = re.compile(
    r"^(?:extract(?: from)?\s+)?(?:(?:circular |personal )?cablegrams?|telegrams?|savingrams?"
    r"|letters?|(?:cabinet |ministerial |draft )?submissions?|minutes?|memorandum|memo|notes?"
    r"(?: for (?:the )?file)?|record of (?:a )?conversation|records? of (?:a )?meeting"
    r"|reports?|briefs?"
    r"|dispatch|despatch|(?:personal )?messages?|(?:press )?statements?|papers?)\b[,:]?\s*",
    re.I,
)
_ROLE_WORD = re.compile(r"^(from|to|by|between)\s+(.+)$", re.I)
_TRAILING_GENRE = re.compile(r"\s+(?:cablegram|telegram|letter|savingram)\b.*$", re.I)
# Posts and capitals that stand for a mission in "Cablegram to London": places, not people.
_POSTS = frozenset(
    (
        "canberra", "london", "washington", "new york", "jakarta", "djakarta", "batavia",
        "lisbon", "kuala lumpur", "singapore", "wellington", "tokyo", "paris", "peking",
        "beijing", "moscow", "geneva", "hong kong", "manila", "port moresby", "dili",
        "ottawa", "bangkok", "saigon", "taipei", "delhi", "new delhi", "karachi", "colombo",
        "the hague", "bonn", "rome", "pretoria", "rangoon", "melbourne", "sydney", "posts",
        "all posts", "selected posts", "certain posts", "missions",
    )
)  # fmt: skip
_DEMONYMS = {
    "british": "United Kingdom",
    "japanese": "Japan",
    "dutch": "Netherlands",
    "indonesian": "Indonesia",
    "chinese": "China",
    "portuguese": "Portugal",
    "french": "France",
    "american": "United States",
    "soviet": "Soviet Union",
    "canadian": "Canada",
    "south african": "South Africa",
    "indian": "India",
    "malaysian": "Malaysia",
    "pakistani": "Pakistan",
    "philippine": "Philippines",
    "german": "Germany",
    "italian": "Italy",
    "belgian": "Belgium",
    "irish": "Ireland",
    "thai": "Thailand",
}
_COUNTRY_WORDS = re.compile(r"[A-Z][\w.’'-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w.’'-]*)*")
_MONTHS = {name.lower(): i for i, name in enumerate(_MONTH_NAMES.split("|"), start=1)}
_COVERAGE = re.compile(
    rf"(?:(?P<m1>{_MONTH_NAMES})\s*)?(?P<y1>\d{{4}})?\s*[–-]\s*(?:(?P<m2>{_MONTH_NAMES})\s+)?(?P<y2>\d{{4}})\s*$"
)


class FrontMatterError(ValueError):
    """Front matter that cannot be read, with the line of the file where it fails."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class FrontMatter:
    """What either style of front matter says about a document, in one shape."""

    volume: int
    number: int  # as printed; 0 where the volume prints none
    order: int | None  # place in the volume
    title: str
    volume_title: str
    date: str  # ISO as written ("1937-01-26", "1947-06", "1947"), or ""
    citations: tuple[tuple[str, str, str, str], ...]  # reference, series, control, barcode


@dataclass
class VolumeIndex:
    """The documents of one volume: each file's id key, and the printed numbers that name
    exactly one document (a number printed twice, or none, names no link target)."""

    keys: dict[str, str] = field(default_factory=dict)  # file name → id key
    numbers: frozenset[int] = frozenset()


CorpusIndex = dict[int, VolumeIndex]


def index_volumes(entries: Iterable[tuple[int, str, int]]) -> CorpusIndex:
    """The id keys of a corpus from (volume, file name, printed number) triples."""
    by_volume: dict[int, list[tuple[str, int]]] = {}
    for volume, name, number in entries:
        by_volume.setdefault(volume, []).append((name, number))
    index: CorpusIndex = {}
    for volume, docs in by_volume.items():
        counts = Counter(number for _, number in docs)
        unique = frozenset(n for n, c in counts.items() if n > 0 and c == 1)
        keys = {name: str(n) if n in unique else PurePosixPath(name).stem for name, n in docs}
        index[volume] = VolumeIndex(keys, unique)
    return index


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The front matter as a mapping, and the Markdown body after it."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError(1, "no YAML front matter (the file does not open with ---)")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise FrontMatterError(len(lines), "YAML front matter is not closed with ---")
    try:
        # The C loader: the whole corpus is 10,883 of these.
        data = yaml.load("\n".join(lines[1:end]), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(line, f"malformed YAML front matter: {problem}") from exc
    if not isinstance(data, dict):
        raise FrontMatterError(2, "YAML front matter is not a mapping of keys to values")
    return data, "\n".join(lines[end + 1 :])


def front_matter(data: dict[str, Any], member: str) -> FrontMatter:
    """Either style of front matter in one shape; the volume falls back to the folder name."""
    # A note marker the editors put in the title ("…with Evatt [1]") is not part of it.
    title = " ".join(_BRACKET_MARK.sub("", str(data.get("title") or "")).split())
    number = _int(data.get("doc_num"))
    if number is None:
        # The 2016 harvest prints the number at the head of the title: "1. Sir George Pearce…".
        m = re.match(r"^(\d+)[.\s]\s*(.+)$", title)
        number, title = (int(m.group(1)), m.group(2)) if m else (0, title)
    volume = _int(data.get("vol_id"))
    if volume is None:
        folder = PurePosixPath(member).parent.name
        m = _VOLUME_FOLDER.match(folder)
        if not m:
            raise FrontMatterError(2, "front matter names no volume (vol_id)")
        volume = int(m.group(1))
    volume_title = next(
        (str(data[k]) for k in ("vol_full_title", "vol_title", "volume") if data.get(k)),
        f"Volume {volume}",
    )
    citations: list[tuple[str, str, str, str]] = []
    for ref in data.get("naa_refs") or ():
        if isinstance(ref, dict):
            citations.append(
                (
                    str(ref.get("reference") or ""),
                    str(ref.get("naa_series") or ""),
                    str(ref.get("naa_control_symbol") or ""),
                    str(ref.get("naa_barcode") or ""),
                )
            )
    if data.get("barcode"):
        citations.append(("", "", "", str(data["barcode"])))
    return FrontMatter(
        volume=volume,
        number=number,
        order=_int(data.get("doc_order")),
        title=title,
        volume_title=" ".join(volume_title.split()),
        date=_iso(data.get("doc_date", data.get("date"))),
        citations=tuple(citations),
    )


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return str(value or "").strip()


class DfatReader:
    """One DAFP document a Markdown file, from a folder or a tarball streamed member by member."""

    name = "dfat"

    def __init__(self) -> None:
        # One parser a reader: building a MarkdownIt costs more than parsing a short document.
        # Link reference definitions are off: "[1]: Ibid." is an editor's note, not a link.
        self._markdown = MarkdownIt("commonmark").enable("table").disable("reference")
        self._indexes: dict[tuple[str, int, int], CorpusIndex] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Readers travel to worker processes pickled; the parser is rebuilt there, and each
        # worker indexes the corpus once for itself.
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def sidecars(self, folder: Path) -> dict[Path, str]:
        """The harvest's metadata table (`documents*.csv`) beside a DAFP tarball: it repeats
        what each document's own front matter says, so it is skipped, saying so."""
        tables = sorted(folder.glob("documents*.csv"))
        if not tables or not any(self._holds_documents(p) for p in folder.glob("*.t*gz")):
            return {}
        reason = (
            "the harvest's table of these documents' metadata, which their own front matter holds"
        )
        return dict.fromkeys(tables, reason)

    def _holds_documents(self, tarball: Path) -> bool:
        """True if the first Markdown member of `tarball` is a DAFP document."""
        for found in packed.members(tarball, packed.Limits(member_bytes=4 * 1024 * 1024)):
            if isinstance(found, packed.Damage):
                return False
            if isinstance(found, packed.Member) and found.name.endswith(".md"):
                return self.detect(Source(tarball, found.name, found.data))
        return False

    def detect(self, source: Source) -> bool:
        """A `.md` file whose YAML front matter names a DAFP volume and document."""
        if source.is_dir or not source.name.lower().endswith(".md"):
            return False
        head = source.head(8192)
        if not head.startswith(b"---"):
            return False
        end = head.find(b"\n---", 3)
        matter = head[: end if end > 0 else len(head)]
        return b"\nvol_id:" in matter and (b"\ndoc_num:" in matter or b"\ndoc_id:" in matter)

    def read(self, source: Source) -> Iterator[Item]:
        """The volume's collections and the document, or a Rejection saying why not."""
        data = source.read_bytes()
        try:
            text = data.decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError as exc:
            yield Rejection(source.label, f"byte {exc.start}", "not UTF-8 text")
            return
        try:
            fields, body = split_front_matter(text)
            matter = front_matter(fields, source.member or source.path.name)
        except FrontMatterError as exc:
            yield Rejection(source.label, f"line {exc.line}", exc.reason)
            return
        yield series_collection()
        yield volume_collection(matter.volume, matter.volume_title)
        index = self._index(source)
        yield self._document(source, data, matter, body, index)

    def _document(
        self, source: Source, data: bytes, matter: FrontMatter, body: str, index: CorpusIndex
    ) -> Document:
        """The document one file holds, its links resolved against `index`."""
        file_name = PurePosixPath(source.member or source.path.name).name
        volume = index.get(matter.volume)
        key = volume.keys.get(file_name) if volume else None
        if key is None:
            key = str(matter.number) if matter.number > 0 else PurePosixPath(file_name).stem
        parsed = _Body(self._markdown.parse(body), matter.title)
        date = _document_date(matter.date, parsed.dateline)
        participants = title_participants(matter.title)
        when = date.earliest if date else None
        citations = _citations(matter, parsed.citations)
        blocks = tuple(parsed.blocks)
        references = tuple(
            _references(blocks, parsed.notes, matter.volume, index)
            if index
            else ()  # without the volume's list no link can be checked
        )
        doc_type = _genre(parsed.opening, matter.title)
        if doc_type is DocumentType.OTHER:
            doc_type = refine_doc_type(infer_doc_type(matter.title), "", participants)
        if doc_type is DocumentType.OTHER and re.search(r"\bletters\b", matter.volume_title, re.I):
            doc_type = DocumentType.LETTER  # vols 17 and 18 are the Bruce letters
        return Document(
            id=f"{SERIES_ID}:{matter.volume}:{key}",
            title=matter.title or PurePosixPath(file_name).stem,
            doc_type=doc_type,
            texts=(Text("en", TextRole.ORIGINAL, blocks),) if blocks else (),
            date=date,
            place=parsed.place,
            participants=tuple(participants),
            countries=title_countries(matter.title, participants, when),
            archival_reference=citations[0] if citations else None,
            source_note="; ".join(dict.fromkeys(c.text for c in citations if c.text)),
            notes=tuple(parsed.notes),
            collections=(SERIES_ID, f"{SERIES_ID}:{matter.volume}"),
            series=f"{SERIES_ID}:{matter.volume}",
            sequence=matter.order if matter.order is not None else matter.number or None,
            number=str(matter.number) if matter.number > 0 else "",
            references=references,
            provenance=Provenance(str(source.path), source.member or "", sha256(data), self.name),
        )

    # --- the volume's list of documents, for ids and links ---------------------------

    def _index(self, source: Source) -> CorpusIndex:
        """The corpus the document came with: every file of the tarball, or of the folder
        above its volume folder; read once a reader and kept while the input is unchanged."""
        where = source.path if source.member is not None else source.path.parent.parent
        try:
            stat = where.stat()
        except OSError:
            return {}
        key = (str(where), stat.st_size, stat.st_mtime_ns)
        if key not in self._indexes:
            entries = _tar_entries(where) if source.member is not None else _folder_entries(where)
            self._indexes[key] = index_volumes(entries)
        return self._indexes[key]


def _tar_entries(path: Path) -> list[tuple[int, str, int]]:
    """(volume, file name, number) of each document in a tarball; damage ends the list."""
    entries: list[tuple[int, str, int]] = []
    try:
        with path.open("rb") as raw, tarfile.open(fileobj=raw, mode="r|*") as tar:
            for member in tar:
                if member.isfile() and member.name.lower().endswith(".md"):
                    handle = tar.extractfile(member)
                    entry = _entry(member.name, handle.read() if handle else b"")
                    if entry:
                        entries.append(entry)
    except _UNREADABLE:
        pass  # the pipeline reports the damage; what came before still indexes
    return entries


def _folder_entries(root: Path) -> list[tuple[int, str, int]]:
    entries: list[tuple[int, str, int]] = []
    for path in sorted(root.glob("*/*.md")):
        try:
            entry = _entry(path.relative_to(root).as_posix(), path.read_bytes())
        except OSError:
            continue
        if entry:
            entries.append(entry)
    return entries


def _entry(name: str, data: bytes) -> tuple[int, str, int] | None:
    try:
        matter = front_matter(split_front_matter(data.decode("utf-8-sig"))[0], name)
    except (FrontMatterError, UnicodeDecodeError):
        return None  # read() rejects it with the reason
    return matter.volume, PurePosixPath(name).name, matter.number


# --- collections ---------------------------------------------------------------------


def series_collection() -> Collection:
    """The whole series."""
    return Collection(SERIES_ID, SERIES_TITLE, SERIES_DESCRIPTION, kind="series")


def volume_collection(volume: int, title: str) -> Collection:
    """One volume, with the span its title gives ("July 1940 – June 1941")."""
    return Collection(
        f"{SERIES_ID}:{volume}",
        title,
        parent=SERIES_ID,
        kind="volume",
        coverage=volume_coverage(title),
    )


def volume_coverage(title: str) -> HistoricalDate | None:
    """The span of a volume title: "1937–1938", "July–December 1946", "…, 1951"."""
    m = _COVERAGE.search(title)
    if m:
        y2 = int(m.group("y2"))
        y1 = int(m.group("y1")) if m.group("y1") else y2
        m1 = _MONTHS[m.group("m1").lower()] if m.group("m1") else 1
        m2 = _MONTHS[m.group("m2").lower()] if m.group("m2") else 12
        lo = HistoricalDate.parse(f"{y1:04d}-{m1:02d}").earliest
        hi = HistoricalDate.parse(f"{y2:04d}-{m2:02d}").latest
        if lo and hi and lo <= hi:
            return HistoricalDate(lo, hi, DatePrecision.RANGE, title.split(":", 1)[-1].strip())
    years = _YEAR.findall(title.split(":", 1)[-1])
    if years:
        return HistoricalDate.parse(years[-1])
    return None


# --- the body ------------------------------------------------------------------------


@dataclass
class _Draft:
    """A block while its note markers are still open: each marker is kept in the text as
    OPEN label CLOSE, with the form it was printed in."""

    kind: BlockKind
    text: str
    level: int = 0
    printed: list[str] = field(default_factory=list)


class _Body:
    """A document body: blocks, notes anchored where their markers were, citations, and
    the dateline's date and place."""

    def __init__(self, tokens: list[Token], title: str) -> None:
        drafts = _split_glued_notes(_merge_broken_paragraphs(_drafts(tokens)))
        if drafts and drafts[0].kind is BlockKind.HEADING:
            heading = re.sub(r"^\d+[.\s]\s*", "", drafts[0].text)
            if _same(heading, title):
                drafts = drafts[1:]  # the 2016 harvest repeats the title as a heading
        self.citations: list[str] = []
        kept: list[_Draft] = []
        for draft in drafts:
            printed = _restore(draft.text, draft.printed)
            if printed.startswith("[") and naa_citation(printed):
                self.citations.append(printed)
            elif printed.strip("_*—- "):
                kept.append(draft)  # a lone "_" or "****" is markup the conversion left
        self.dateline: tuple[HistoricalDate, str, bool] | None = None
        self.place = ""
        self.opening = ""
        if kept:
            self._read_dateline(kept[0])
        self.notes: list[Note] = []
        self.blocks: list[Block] = []
        self._anchor(kept)

    def _read_dateline(self, first: _Draft) -> None:
        # Note links go; the editors' brackets ("[LONDON]", "[23] March") are read through.
        text = _restore(first.text, first.printed, links=False)
        text = " ".join(_ORDINAL.sub(r"\1", text.replace("[", " ").replace("]", " ")).split())
        text = re.sub(r"\s+([,.])", r"\1", text)
        self.opening = text
        found = date_in_text(text) if len(text) < 300 else None
        if found is None:
            if text.lower().strip(" .") in ("n.d", "undated"):
                first.kind = BlockKind.DATELINE
            return
        when, start = found
        first.kind = BlockKind.DATELINE
        self.dateline = (when, *_date_label(text, start))
        self.place = _dateline_place(text[:start])
        self.opening = text[:start]

    def _anchor(self, drafts: list[_Draft]) -> None:
        """Find the runs of numbered notes, tie each to its marker in the text before the
        run, and write the blocks with the markers taken out."""
        starts = {i: _note_label(d.text) for i, d in enumerate(drafts) if i > 0}
        runs = _note_runs([starts.get(i) for i in range(len(drafts))])
        note_of: dict[int, int] = {}  # draft index → note index, for note heads and their runs
        confirmed: dict[tuple[int, int], int] = {}  # (draft, marker ordinal) → note index
        segment_start = 0
        pending: list[tuple[str, list[int]]] = []
        for run in runs:
            markers = [
                (i, k, label)
                for i in range(segment_start, run[0][0])
                for k, label in enumerate(_MARK.findall(drafts[i].text))
                if i not in note_of
            ]
            for head, continuation in run:
                label = starts[head] or ""
                note_index = len(pending)
                note_of[head] = note_index
                for i in continuation:
                    note_of[i] = note_index
                hit = next(
                    (m for m in markers if m[2] == label and (m[0], m[1]) not in confirmed), None
                )
                if hit is not None:
                    confirmed[(hit[0], hit[1])] = note_index
                pending.append((label, [head, *continuation]))
            segment_start = run[-1][1][-1] + 1 if run[-1][1] else run[-1][0] + 1
        anchors: dict[int, NoteAnchor] = {}
        for i, draft in enumerate(drafts):
            if i in note_of:
                continue
            text, found = _take_markers(draft, i, confirmed)
            block_index = len(self.blocks)
            for note_index, offset in found:
                anchors[note_index] = NoteAnchor(0, block_index, offset)
            self.blocks.append(Block(draft.kind, text, draft.level))
        for note_index, (label, members) in enumerate(pending):
            opening = drafts[members[0]]
            parts = [_strip_note_head(_restore(opening.text, opening.printed)).strip(" _*")] + [
                _restore(drafts[i].text, drafts[i].printed).strip(" _*") for i in members[1:]
            ]
            text = "\n\n".join(p for p in parts if p)
            self.notes.append(Note(NoteKind.FOOTNOTE, text, label, anchors.get(note_index)))


def _drafts(tokens: list[Token]) -> list[_Draft]:
    """Walk markdown-it's token stream into blocks: headings, paragraphs, list items (with
    their printed numbers), quotes and table rows."""
    drafts: list[_Draft] = []
    quotes = 0
    lists = 0
    heading = 0
    item_number = ""
    row: list[tuple[str, list[str]]] | None = None
    for token in tokens:
        kind = token.type
        if kind == "blockquote_open":
            quotes += 1
        elif kind == "blockquote_close":
            quotes -= 1
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif kind == "list_item_open":
            item_number = f"{token.info}{token.markup} " if token.info else ""
        elif kind == "heading_open":
            heading = int(token.tag[1:])
        elif kind == "heading_close":
            heading = 0
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            cells = [text for text, _ in row]
            drafts.append(
                _Draft(BlockKind.TABLE_ROW, " | ".join(cells), 0, [p for _, ps in row for p in ps])
            )
            row = None
        elif kind == "inline":
            text, printed = _inline(token.children or [])
            if row is not None:
                row.append((text, printed))
                continue
            if heading:
                drafts.append(_Draft(BlockKind.HEADING, text, heading, printed))
            elif lists:
                drafts.append(_Draft(BlockKind.LIST_ITEM, item_number + text, lists - 1, printed))
                item_number = ""
            else:
                block = BlockKind.QUOTE if quotes else BlockKind.PARAGRAPH
                drafts.append(_Draft(block, text, 0, printed))
        elif kind in ("code_block", "fence", "html_block"):
            # Indented OCR text comes back as code; it is prose all the same.
            for chunk in re.split(r"\n\s*\n", token.content):
                text, printed = _marked(chunk)
                text = " ".join(text.split())
                if text:
                    drafts.append(_Draft(BlockKind.PARAGRAPH, text, 0, printed))
    return [d for d in drafts if d.text]


def _inline(children: list[Token]) -> tuple[str, list[str]]:
    """An inline run as plain text, footnote markers kept as OPEN label CLOSE."""
    parts: list[str] = []
    printed: list[str] = []
    link: list[str] | None = None
    for child in children:
        kind = child.type
        if kind == "link_open" and _NOTE_HREF.match(str(child.attrs.get("href", ""))):
            link = []
        elif kind == "link_close" and link is not None:
            label = "".join(link).strip()
            if label.isdigit():
                printed.append(label)
                parts.append(f"{_MARK_OPEN}{label}{_MARK_CLOSE}")
            else:
                parts.append("".join(link))
            link = None
        elif kind in ("text", "code_inline"):
            if link is not None:
                link.append(child.content)
            else:
                text, found = _marked(child.content)
                parts.append(text)
                printed.extend(found)
        elif kind in ("softbreak", "hardbreak") or (
            kind == "html_inline" and "br" in child.content
        ):
            parts.append(" ")
        elif kind == "image":
            parts.append(child.content)
    return " ".join("".join(parts).split()), printed


def _marked(text: str) -> tuple[str, list[str]]:
    """Bracketed numbers ("[1]", "[^3]") as candidate markers: a note may claim them."""
    printed: list[str] = []

    def mark(m: re.Match[str]) -> str:
        printed.append(m.group(0))
        return f"{_MARK_OPEN}{m.group(1)}{_MARK_CLOSE}"

    return _BRACKET_MARK.sub(mark, text), printed


def _restore(text: str, printed: list[str], links: bool = True) -> str:
    """The text with every marker back as printed; note links dropped with links=False."""
    forms = iter(printed)

    def put(m: re.Match[str]) -> str:
        form = next(forms, m.group(1))
        return form if links or not form.isdigit() else ""

    return _MARK.sub(put, text)


def _take_markers(
    draft: _Draft, index: int, confirmed: dict[tuple[int, int], int]
) -> tuple[str, list[tuple[int, int]]]:
    """The block's text with its confirmed markers removed, and where each stood."""
    out: list[str] = []
    found: list[tuple[int, int]] = []
    pos = 0
    for ordinal, m in enumerate(_MARK.finditer(draft.text)):
        out.append(draft.text[pos : m.start()])
        pos = m.end()
        note = confirmed.get((index, ordinal))
        if note is None:
            out.append(draft.printed[ordinal] if ordinal < len(draft.printed) else m.group(1))
            continue
        so_far = "".join(out)
        following = draft.text[pos : pos + 1]
        if so_far.endswith(" ") and (not following or following in " ,.;:)"):
            so_far = so_far[:-1]  # "Forbes [2], Mr Coates" reads "Forbes, Mr Coates"
            out = [so_far]
        found.append((note, len(so_far)))
    out.append(draft.text[pos:])
    return "".join(out), found


def _note_label(text: str) -> str | None:
    m = _NOTE_START.match(text)
    return (m.group(1) or m.group(2)) if m else None


def _strip_note_head(text: str) -> str:
    """A note's text without its number."""
    return re.sub(r"^[_*\s]*(?:\[\^?\d{1,3}\]:?|\d{1,3}(?=\s))\s*", "", text)


def _note_runs(labels: list[str | None]) -> list[list[tuple[int, list[int]]]]:
    """Runs of notes numbered 1, 2, 3…: each note's block and the blocks it runs on into.

    A run starts at a block numbered 1 (never the first block); a block without a number
    belongs to the note before it only when the next number follows it closely, so an
    enclosure after a letter's notes stays text, and its own notes start again at 1.
    """
    runs: list[list[tuple[int, list[int]]]] = []
    i = 1
    while i < len(labels):
        if labels[i] != "1":
            i += 1
            continue
        run: list[tuple[int, list[int]]] = [(i, [])]
        j = i + 1
        while j < len(labels):
            expected = str(len(run) + 1)
            if labels[j] == expected:
                run.append((j, []))
                j += 1
                continue
            if labels[j] is not None:
                break
            k = j
            while k < len(labels) and labels[k] is None and k - j < _MAX_NOTE_CONTINUATION:
                k += 1
            if k < len(labels) and labels[k] == expected:
                run[-1][1].extend(range(j, k))
                j = k
                continue
            break
        runs.append(run)
        i = j
    return runs


def _merge_broken_paragraphs(drafts: list[_Draft]) -> list[_Draft]:
    """Join paragraphs the conversion broke mid-sentence (vols 3–7 wrap every few lines):
    one that does not end a sentence, followed by one that opens in lower case."""
    merged: list[_Draft] = []
    for draft in drafts:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.kind is BlockKind.PARAGRAPH
            and draft.kind is BlockKind.PARAGRAPH
            and draft.text[:1].islower()
            and not last.text.endswith(tuple(_TERMINAL))
        ):
            last.text = f"{last.text} {draft.text}"
            last.printed.extend(draft.printed)
            continue
        merged.append(draft)
    return merged


def _split_glued_notes(drafts: list[_Draft]) -> list[_Draft]:
    """Part notes the conversion ran together: "…Cab. 24/178 6 Stanley Baldwin, Prime
    Minister." holds note 5's end and note 6, in the note itself or a paragraph it runs on to."""
    out: list[_Draft] = []
    last: str | None = None  # the number of the note being read, while one may run on
    since = 0
    for i, draft in enumerate(drafts):
        label = _note_label(draft.text) if i > 0 else None
        if label is not None:
            last, since = label, 0
        elif last is not None:
            since += 1
            if since > _MAX_NOTE_CONTINUATION:
                last = None
        while last is not None:
            following = str(int(last) + 1)
            glued = re.search(
                rf"(?:\s|(?<=[.’'\")]))((?:{following}|{_MARK_OPEN}{following}{_MARK_CLOSE})\s*"
                rf"(?!(?:{_MONTH_NAMES})\b)(?=[A-Z‘'\"(]))",
                draft.text,
            )
            if glued is None:
                break
            head = draft.text[: glued.start(1)].rstrip()
            taken = len(_MARK.findall(head))
            out.append(_Draft(draft.kind, head, draft.level, draft.printed[:taken]))
            draft = _Draft(
                draft.kind, draft.text[glued.start(1) :], draft.level, draft.printed[taken:]
            )
            last, since = following, 0
        out.append(draft)
    return out


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# --- date and place --------------------------------------------------------------------


def _date_label(text: str, start: int) -> tuple[str, bool]:
    """The dateline's date as written, with its time when one follows the year."""
    rest = text[start:]
    year = _YEAR.search(rest)
    if not year:
        return rest.strip(), False
    label = rest[: year.end()]
    time = _TIME.match(rest[year.end() :])
    if time:
        label += rest[year.end() : year.end() + time.end()]
    return label.strip().rstrip(","), time is not None


def _document_date(
    written: str, dateline: tuple[HistoricalDate, str, bool] | None
) -> HistoricalDate | None:
    """The front matter's date at its precision, in the dateline's words when they agree;
    without one, the dateline's date, marked inferred."""
    stated: HistoricalDate | None = None
    if written:
        try:
            stated = HistoricalDate.parse(written)
        except ValueError:
            stated = None
    if stated is None:
        return replace(dateline[0], label=dateline[1], inferred=True) if dateline else None
    if dateline is None:
        return stated
    seen, label, timed = dateline
    lo, hi = stated.earliest, stated.latest
    if seen.earliest and lo and hi and lo <= seen.earliest <= hi:
        if stated.precision is DatePrecision.DAY and timed:
            return HistoricalDate(lo, hi, DatePrecision.MINUTE, label)
        return replace(stated, label=label)
    return stated


def _dateline_place(before: str) -> str:
    """The place a dateline names before its date: "Cablegram 13 CANBERRA," → Canberra,
    "Canberra," → Canberra, "Extract [LONDON]," → London."""
    for part in reversed(before.split(",")):
        words = part.split()
        if not words:
            continue
        caps: list[str] = []
        for word in reversed(words):
            bare = word.strip("[]().")
            if bare.isalpha() and bare.isupper() and len(bare) > 1:
                caps.insert(0, bare)
            else:
                break
        if caps and _genre(" ".join(caps), "") is DocumentType.OTHER:
            return _titlecase(" ".join(caps))
        bare_words = [w.strip("[]().") for w in words]
        if (
            len(bare_words) <= 4
            and all(w[:1].isupper() and w.replace("-", "").isalpha() for w in bare_words)
            and _genre(" ".join(bare_words), "") is DocumentType.OTHER
        ):
            return " ".join(bare_words)
        return ""
    return ""


# --- genre, people, countries --------------------------------------------------------


def _genre(opening: str, title: str) -> DocumentType:
    """The genre the first line or the title opens with ("Cablegram 13 CANBERRA…",
    "Record of Conversation Between…"); OTHER when neither does."""
    for text in (opening, title):
        text = re.sub(r"^(?:extract(?: from)?|\[[^\]]*\])[,\s]*", "", text.strip(), flags=re.I)
        for pattern, doc_type in _GENRES:
            if pattern.search(text):
                return doc_type
    return DocumentType.OTHER


def title_participants(title: str) -> list[Participant]:
    """Author and recipients as DAFP titles name them: "A, post, to B, post" (vols 1–16),
    "Cablegram from A to B", "Minute, A to B", "Record of Conversation Between A and B"."""
    text = " ".join(title.split())
    text = _TITLE_GENRE.sub("", text, count=1) if _TITLE_GENRE.match(text) else text
    m = _ROLE_WORD.match(text)
    word, rest = (m.group(1).lower(), m.group(2)) if m else ("", text)
    if word == "between":
        return _people(re.split(r",\s*|\s+and\s+", rest), ParticipantRole.PARTICIPANT, False)
    if word == "by":
        # "Note by A, post, of Conversation with B, post"
        author, *others = re.split(
            r",?\s+(?:of\s+conversations?\s+)?with\s+", rest, maxsplit=1, flags=re.I
        )
        found = _people([author], ParticipantRole.AUTHOR, True)
        return found + _people(others, ParticipantRole.PARTICIPANT, True)
    if word == "to":
        return _people(_recipients(rest, ", to " in text), ParticipantRole.RECIPIENT, False)
    # Posts hold " to " ("Minister to the United States"): ", to " parts sender and
    # recipient where the title writes posts after names.
    with_posts = bool(re.search(r",\s+to\s+", rest, re.I))
    pieces = re.split(r",\s+to\s+" if with_posts else r"\s+to\s+", rest, maxsplit=1, flags=re.I)
    if len(pieces) < 2:
        return []
    sender, recipients = pieces
    if word != "from" and not with_posts and len(sender.split()) > 6:
        return []  # a phrase, not a name
    found = _people([sender], ParticipantRole.AUTHOR, with_posts)
    return found + _people(
        _recipients(recipients, with_posts), ParticipantRole.RECIPIENT, with_posts
    )


def _recipients(text: str, with_posts: bool) -> list[str]:
    text = _TRAILING_GENRE.sub("", text)
    if with_posts:
        return re.split(r",?\s+and\s+to\s+", text, flags=re.I)
    return re.split(r",\s*(?:and\s+)?|\s+and\s+", text)


def _people(parts: list[str], role: ParticipantRole, with_posts: bool) -> list[Participant]:
    found: list[Participant] = []
    for part in parts:
        part = part.strip(" ,.")
        name, _, post = part.partition(",") if with_posts else (part, "", "")
        name, post = name.strip(), post.strip(" ,")
        if not name or len(name) > 120 or not name[0].isupper():
            continue
        if name.casefold() in _POSTS or _country(name, None):
            continue  # "Cablegram to London": a mission, not a person
        if name.isupper():
            name = _titlecase(name)
        found.append(Participant(name, role, None, post))
    return found


def _titlecase(text: str) -> str:
    """ "MCMAHON" → "McMahon", "NEW YORK" → "New York"; initials stay as printed."""
    words = []
    for word in text.split():
        if re.fullmatch(r"(?:[A-Z]\.)+", word):
            words.append(word)
            continue
        word = word.capitalize()
        if word.startswith("Mc") and len(word) > 2:
            word = "Mc" + word[2:].capitalize()
        words.append(word)
    return " ".join(words)


def _country(name: str, when: date | None) -> CountryRef | None:
    """The country a name or demonym means; never a bare code ("AND", "Lie", "Col")."""
    key = _DEMONYMS.get(name.casefold().strip(" .,"), name)
    letters = re.sub(r"[^A-Za-z]", "", key)
    if len(letters) <= 3 and not re.fullmatch(r"(?:[A-Z]\.)+[A-Z]\.?", key):
        return None  # "U.K." and "U.S.A." name countries; "Mr T." and "Col" do not
    return country_named(key, when)


def title_countries(
    title: str, people: list[Participant], when: date | None
) -> tuple[CountryRef, ...]:
    """Countries the title names ("U.K. Secretary of State", "Note to Portuguese
    Government"), people's names left out; Australia, the sender, is taken as read."""
    names = {p.name.casefold() for p in people}
    found: dict[str, CountryRef] = {}
    for m in _COUNTRY_WORDS.finditer(title):
        words = m.group(0).split()
        i = 0
        while i < len(words):
            for j in range(len(words), i, -1):
                phrase = " ".join(words[i:j]).strip(" ,.’'")
                if phrase.casefold() in names:
                    i = j - 1
                    break
                ref = _country(phrase, when)
                if ref is not None:
                    if ref.code != "AUS":
                        found.setdefault(ref.code, ref)
                    i = j - 1
                    break
            i += 1
    return tuple(found.values())


# --- archival references and links ---------------------------------------------------


def _citations(matter: FrontMatter, printed: list[str]) -> list[ArchivalReference]:
    """The front matter's matched NAA items first, then citations only printed in the body."""
    refs = [
        naa_reference(text, series, control, barcode)
        for text, series, control, barcode in matter.citations
    ]
    known = {" ".join(r.text.split()) for r in refs}
    refs += [naa_reference(p) for p in printed if " ".join(p.split()) not in known]
    return refs


def _references(
    blocks: tuple[Block, ...], notes: list[Note], volume: int, index: CorpusIndex
) -> Iterator[Reference]:
    """Each "Document N" that names a document of the corpus: in this volume unless a
    volume is named ("Document 505 in Volume XIII")."""
    places = [(block.text, i, False) for i, block in enumerate(blocks)]
    places += [(note.text, i, True) for i, note in enumerate(notes)]
    for text, where, in_note in places:
        if "Document" not in text:
            continue
        for m in _DOC_REF.finditer(text):
            named = m.group("vol") or m.group("pvol")
            target_volume = _volume_number(named) if named else volume
            target = index.get(target_volume) if target_volume else None
            if target is None:
                continue
            first = True
            for n in _REF_NUMBER.finditer(m.group("nums")):
                start = m.start("nums") + n.start()
                lo = int(n.group(1))
                hi = int(n.group(2)) if n.group(2) else lo
                numbers = range(lo, hi + 1) if 0 <= hi - lo <= _MAX_RANGE else range(lo, lo + 1)
                label_start = m.start() if first else start
                label = text[label_start : m.start("nums") + n.end()]
                first = False
                for number in numbers:
                    if number in target.numbers:
                        yield Reference(
                            f"{SERIES_ID}:{target_volume}:{number}",
                            label,
                            NoteAnchor(0, where, label_start),
                            in_note,
                        )


def _volume_number(named: str) -> int | None:
    if named.isdigit():
        return int(named)
    total = 0
    values = [_ROMAN.get(c, 0) for c in named.upper()]
    for i, v in enumerate(values):
        total += -v if i + 1 < len(values) and values[i + 1] > v else v
    return total or None
