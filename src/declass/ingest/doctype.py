"""The genre of a record (telegram, memorandum of conversation…) from its heading."""

from __future__ import annotations

import re
from collections.abc import Iterable

from declass.model import (
    DocumentType,
    Participant,
    ParticipantRole,
)

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
