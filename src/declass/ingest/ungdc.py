"""The UN General Debate Corpus: one Document per speech, read from the tarball in place.

Members are named `ISO3_SESSION_YEAR.txt`. Speakers come from `Speakers_by_session.xlsx`
beside the tarball; when it is missing the speeches still ingest, without speakers.
"""

from __future__ import annotations

import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from declass.countries import un_member
from declass.errors import IngestError
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
    Participant,
    ParticipantRole,
    Provenance,
    Rejection,
    Text,
    TextRole,
)

SPEAKERS_FILE = "Speakers_by_session.xlsx"
COLLECTION = Collection(
    id="ungdc",
    title="UN General Debate Corpus",
    description=(
        "Every statement in the General Debate of the UN General Assembly, 1946-2022 "
        "(UNGDC v10). Cite: Slava Jankin, Alexander Baturo and Niheer Dasandi, "
        '"Words to Unite Nations: The Complete UN General Debate Corpus, 1946-Present", '
        "OSF working paper, https://osf.io/6kty4; and Alexander Baturo, Niheer Dasandi "
        'and Slava Mikhaylov, "Understanding State Preferences With Text As Data: '
        'Introducing the UN General Debate Corpus", Research & Politics, 2017.'
    ),
)

_MEMBER = re.compile(r"^([A-Z]{2,3})_(\d{1,3})_(\d{4})\.txt$")
_TARBALL_SUFFIXES = (".tgz", ".tar.gz", ".tar")
_SNIFFED_FILES = 3
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\f\v\u00a0]*\n")
_WRAP_WIDTH = 150
# The scans mark a word broken across lines with "¬" (or a soft hyphen): "Aus¬tralian".
_SPLIT_WORD = re.compile(r"(?<=\w)[\u00ac\u00ad][ \t]*\n?[ \t]*(?=\w)")
_NUMBERED_PARAGRAPH = re.compile(r"\n(?=\d{1,3}\.\t)")
_UNREADABLE = (tarfile.TarError, EOFError, OSError, zlib.error)

# The General Assembly met at Flushing Meadows and then Manhattan, except in Paris twice.
_PLACES = {1948: "Paris", 1951: "Paris"}

# Codes the spreadsheet misspells, as the tarball writes them.
_SHEET_CODES = {
    "DKN": "DNK",
    "EC": "EU",
    "PAR": "PRY",
    "PKR": "PRK",
    "POR": "PRT",
    "ZFA": "ZAF",
    "YDYE": "YMD",
}
_BLANK_POSTS = frozenset({"", "missing"})

SpeakerIndex = dict[tuple[str, int], tuple[Participant, ...]]


class UNGDCReader:
    """Reads the UNGDC tarball in one streaming pass, joining speakers from the spreadsheet."""

    name = "ungdc"

    def detect(self, source: Source) -> bool:
        """A tarball whose first files are named like `RUS_24_1969.txt`."""
        if source.member is not None or not source.name.lower().endswith(_TARBALL_SUFFIXES):
            return False
        try:
            names = _first_file_names(source.path, _SNIFFED_FILES)
        except _UNREADABLE:
            return False
        return bool(names) and all(_MEMBER.match(n) for n in names)

    def sidecars(self, folder: Path) -> set[Path]:
        """The speakers spreadsheet, when it lies beside a UNGDC tarball."""
        speakers = folder / SPEAKERS_FILE
        if not speakers.is_file():
            return set()
        tarballs = (p for p in folder.iterdir() if p.name.lower().endswith(_TARBALL_SUFFIXES))
        return {speakers} if any(self.detect(Source(p)) for p in tarballs) else set()

    def read(self, source: Source) -> Iterator[Item]:
        """The collection, then one Document per speech, in tarball order.

        A damaged archive yields what came before the damage, then raises IngestError.
        """
        yield COLLECTION
        speakers_path = source.path.with_name(SPEAKERS_FILE)
        try:
            speakers = read_speakers(speakers_path)
        except (OSError, ValueError) as exc:
            speakers = {}
            yield Rejection(
                str(speakers_path), "", f"speakers not joined: {type(exc).__name__}: {exc}"
            )
        yield from _read_speeches(source, speakers)


def _first_file_names(path: Path, count: int) -> list[str]:
    names: list[str] = []
    with path.open("rb") as raw, tarfile.open(fileobj=raw, mode="r|*") as tar:
        for member in tar:
            base = PurePosixPath(member.name).name
            if member.isfile() and not base.startswith("."):
                names.append(base)
                if len(names) == count:
                    break
    return names


def _read_speeches(source: Source, speakers: SpeakerIndex) -> Iterator[Item]:
    label = source.label
    position = "at the start"
    with source.path.open("rb") as raw:
        try:
            with tarfile.open(fileobj=raw, mode="r|*") as tar:
                for member in tar:
                    if not member.isfile():
                        continue
                    position = f"member {member.name}"
                    handle = tar.extractfile(member)
                    data = handle.read() if handle is not None else b""
                    if len(data) != member.size:
                        raise EOFError(
                            f"{member.name} ends after {len(data)} of {member.size} bytes"
                        )
                    yield _speech(label, member.name, data, speakers)
                    position = f"after member {member.name}"
        except _UNREADABLE as exc:
            reason = f"damaged archive at byte {raw.tell()}: {type(exc).__name__}: {exc}"
            raise IngestError(label, position, reason) from exc


def _speech(label: str, member: str, data: bytes, speakers: SpeakerIndex) -> Item:
    """One member as a Document, or a Rejection saying why it is not one."""
    match = _MEMBER.match(PurePosixPath(member).name)
    if match is None:
        return Rejection(label, member, "not named like a speech (ISO3_SESSION_YEAR.txt)")
    try:
        # utf-8-sig: about a quarter of the files begin with a byte-order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Rejection(label, member, f"not UTF-8: {exc}")
    code, session, year = match.group(1), int(match.group(2)), int(match.group(3))
    if not 1900 < year < 2200:
        return Rejection(label, member, f"year {year} out of range")
    blocks = paragraphs(text)
    if not blocks:
        return Rejection(label, member, "empty speech")
    # The state that held the seat at the debate (late September to October; November
    # in Paris in 1951): RUS in 1991 is still the USSR, CHN in 1971 still the ROC.
    country = un_member(code, date(year, 11, 15) if year == 1951 else date(year, 10, 1))
    people = speakers.get((code, session), ())
    by = f" by {_and_list([p.name for p in people])}" if people else ""
    return Document(
        id=f"ungdc:{PurePosixPath(member).stem}",  # as the file is named: "ARG_01_1946"
        title=(
            f"{country.name}, statement{by} in the General Debate, "
            f"{_ordinal(session)} session ({year})"
        ),
        doc_type=DocumentType.SPEECH,
        texts=(Text("en", TextRole.ORIGINAL, blocks),),
        date=HistoricalDate(date(year, 1, 1), date(year, 12, 31), DatePrecision.YEAR, str(year)),
        place=_PLACES.get(year, "New York"),
        participants=people,
        countries=(country,),
        collections=(COLLECTION.id,),
        # A country's speeches form its series, in session order: previous/next is the
        # same delegation a year apart, and the sequence is the session number.
        series=f"ungdc:{code}",
        sequence=session,
        provenance=Provenance(
            source=label, position=member, content_hash=sha256(data), reader="ungdc"
        ),
    )


def paragraphs(text: str) -> tuple[Block, ...]:
    """Paragraph blocks, with the whitespace inside each collapsed.

    Older speeches are scanned pages hard-wrapped under ~120 characters with blank lines
    between paragraphs; newer ones put each paragraph on one long line, often with no
    blank lines at all: a chunk with a line longer than any wrap is one paragraph a line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u00ac" in text or "\u00ad" in text:
        text = _SPLIT_WORD.sub("", text)
    blocks: list[Block] = []
    for chunk in _PARAGRAPH_BREAK.split(text):
        lines = chunk.split("\n")
        if max(len(line) for line in lines) > _WRAP_WIDTH:
            parts = lines
        else:
            # Some sessions (1982) have no blank lines; a numbered line ("98.<tab>") starts
            # the next paragraph there.
            parts = _NUMBERED_PARAGRAPH.split(chunk)
        for part in parts:
            words = " ".join(part.split())
            if words:
                blocks.append(Block(BlockKind.PARAGRAPH, words))
    return tuple(blocks)


def read_speakers(path: Path) -> SpeakerIndex:
    """Speakers by (ISO3 code, session) from the spreadsheet, duplicates merged.

    Raises OSError when the file cannot be opened, ValueError when its columns are missing.
    """
    # Imported here: only this reader needs openpyxl, and it is slow to import.
    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as exc:
        raise ValueError(f"not a readable .xlsx workbook: {exc}") from exc
    try:
        rows = _speaker_rows(workbook.worksheets)
        index: dict[tuple[str, int], list[Participant]] = {}
        for code, session, name, post in rows:
            people = index.setdefault((code, session), [])
            same = next((i for i, p in enumerate(people) if _same_name(p.name, name)), None)
            if same is None:
                people.append(Participant(name, ParticipantRole.SPEAKER, post=post))
            elif post and not people[same].post:
                people[same] = Participant(people[same].name, ParticipantRole.SPEAKER, post=post)
        return {key: tuple(people) for key, people in index.items() if people}
    finally:
        workbook.close()


def _speaker_rows(worksheets: Iterable[Any]) -> Iterator[tuple[str, int, str, str]]:
    """(code, session, name, post) for each row that names a speaker."""
    wanted = {"session": "session", "iso code": "code", "name of person speaking": "name"}
    for sheet in worksheets:
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            continue
        columns = {_cell(h).lower(): i for i, h in enumerate(header) if _cell(h)}
        if not all(h in columns for h in wanted):
            continue
        at = {field: columns[h] for h, field in wanted.items()}
        post_at = columns.get("post")
        for row in rows:
            name = _cell(_get(row, at["name"]))
            code = _cell(_get(row, at["code"])).upper()
            session = _get(row, at["session"])
            if not name or not code or not isinstance(session, (int, float)):
                continue
            post = _cell(_get(row, post_at)) if post_at is not None else ""
            post = "" if post.lower() in _BLANK_POSTS else post
            yield _SHEET_CODES.get(code, code), int(session), name, post
        return
    raise ValueError("no sheet has the columns 'Session', 'ISO Code', 'Name of Person Speaking'")


def _get(row: tuple[object, ...], index: int | None) -> object:
    return row[index] if index is not None and index < len(row) else None


def _cell(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _same_name(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
