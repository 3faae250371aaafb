"""How readable a page's text is: the share of its tokens that are words, numbers or codes.

A scanned PDF's text layer may be good, garbage (specks and stamps read as letters) or
missing; the reader re-OCRs a page only when its layer scores below a threshold. The
score is the share of whitespace-separated tokens that are readable: an English word
from pyspellchecker's word list (160,572 words, its `en.json.gz`), a number or date
("1962", "3-5-1943"), an abbreviation ("U.S.", "N.A.") or an office code joined by
slashes or hyphens ("WH/COPS", "CS-311/01258-65"). Everything else (stray marks, "fad
ped pend", "Ambaesador") counts against the page. bench/ocr.py measures it against
Tesseract's own confidence and against passages typed by hand from the real scans, and
chose the re-OCR threshold (`ReaderSettings.ocr_layer_below`) from that measurement.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

_EDGE = re.compile(r"^[^\w]+|[^\w]+$")
_NUMBER = re.compile(r"^\d+(?:[.,:/-]\d+)*$")
_ABBREVIATION = re.compile(r"^(?:[A-Za-z]\.){1,4}[A-Za-z]?$")
_CODE_PART = re.compile(r"^[A-Z0-9&]{1,8}$")
_POSSESSIVE = re.compile(r"['’]s$", re.I)
_SINGLE_LETTER_WORDS = frozenset({"a", "i"})
_WORD_LISTS = {"en": "en.json.gz"}


@dataclass(frozen=True)
class PageScore:
    """What was measured on one page's text; `score` is the readable share of tokens."""

    score: float  # 0..1; 0 for a page without tokens
    tokens: int
    words: int  # dictionary words among the tokens
    garbage: float  # share of tokens with no letter or digit at all ("|", "—", "*")
    mean_length: float  # characters per token

    @property
    def empty(self) -> bool:
        return self.tokens == 0


@lru_cache(maxsize=2)
def word_list(language: str) -> frozenset[str] | None:
    """pyspellchecker's word list for a language (lower case), or None where none is used.

    Only English is used: its list (160,572 words) ships inside the installed package and
    was measured. The Russian one (19,880 forms) is too small for an inflected language:
    a clean layer of Russian country names scored 0.42 with it.
    """
    code = language.split("-")[0].lower()
    if code not in _WORD_LISTS:
        return None
    resource = files("spellchecker") / "resources" / _WORD_LISTS[code]
    with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        return frozenset(json.load(text))


def score_text(text: str, language: str = "en") -> PageScore:
    """The readability of one page's text (see the module docstring for what counts).

    For a language without a word list (Russian, Chinese), any run of two or more letters
    counts as a word: a weaker test, which still catches stray marks and empty layers.
    """
    tokens = text.split()
    if not tokens:
        return PageScore(0.0, 0, 0, 0.0, 0.0)
    words = word_list(language)
    readable = dictionary = garbage = 0
    for token in tokens:
        core = _EDGE.sub("", token)
        if not core:
            garbage += 1
            continue
        if _is_word(core, words):
            dictionary += 1
            readable += 1
        elif _NUMBER.match(core) or _ABBREVIATION.match(core) or _is_code(core, words):
            readable += 1
    count = len(tokens)
    return PageScore(
        score=round(readable / count, 2),
        tokens=count,
        words=dictionary,
        garbage=round(garbage / count, 4),
        mean_length=round(sum(len(t) for t in tokens) / count, 2),
    )


def _is_word(core: str, words: frozenset[str] | None) -> bool:
    lower = _POSSESSIVE.sub("", core.lower())
    if words is None:
        return len(lower) > 1 and lower.replace("-", "").isalpha()
    if len(lower) == 1:
        return lower in _SINGLE_LETTER_WORDS
    if lower in words:
        return True
    # "land-reform", "sub-lessors": each part a word.
    parts = lower.split("-")
    return len(parts) > 1 and all(p.isalpha() and p in words for p in parts)


def _is_code(core: str, words: frozenset[str] | None) -> bool:
    """An office or routing code: parts joined by "/" or "-", each upper case or a word."""
    parts = re.split(r"[/-]", core)
    if len(parts) < 2 or not any(c.isalpha() for c in core):
        return False
    return all(_CODE_PART.match(p) or (words and p.lower() in words) for p in parts if p)
