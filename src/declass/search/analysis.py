"""Text analysis shared by the index and the query: the same words must meet.

Words are folded (case, accents, apostrophes inside words) and stemmed by script:
Latin with the English Snowball stemmer, Cyrillic with the Russian one, Arabic by a
light stemmer (Larkey's light10: the article and a few affixes, so "ميثاق" meets
"الميثاق"); runs of Chinese characters are folded from Traditional to Simplified
(OpenCC t2s, so "周恩來" meets "周恩来") and segmented into words with jieba. A Latin
word is stemmed the same way whatever the document's language, so a name or a term
typed by a reader meets it in any text.
"""

from __future__ import annotations

import re
import string
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import filterfalse
from typing import Any

import Stemmer

# Marks that sit on a letter without being letters (Latin combining accents, Arabic
# vowel signs and shadda) and the Arabic tatweel: part of the word they are written
# in, dropped by folding.
_MARKS = (
    "\u0300-\u036f\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed"
)
# A word: letters and digits, with apostrophes inside it ("p'ing", "nation's") kept
# together; hyphens and other punctuation split words ("Tse-tung" is two words).
_LETTERS = rf"[^\W_]+(?:[{_MARKS}]+[^\W_]+)*[{_MARKS}]*"
_WORD = re.compile(rf"{_LETTERS}(?:['’ʼ`]{_LETTERS})*")
_PLAIN_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"['’ʼ`]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_COMBINING = re.compile(rf"[{_MARKS}\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_INNER_APOSTROPHE = re.compile(r"(?<=[^\W_])['’ʼ`](?=[^\W_])")
# Arabic letters written two ways: alef maqsura as yeh, teh marbuta as heh (hamza and
# madda on alef, waw and yeh are combining marks once decomposed, and go with them).
_ARABIC_LETTERS = str.maketrans({"ى": "ي", "ة": "ه"})
# Larkey's light10 affixes: one prefix (the article, alone or after a conjunction or
# preposition; else "and"), then each suffix once, longest-standing order first.
_ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال", "و")
_ARABIC_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")

_english = Stemmer.Stemmer("english")
_russian = Stemmer.Stemmer("russian")
_stem_lock = threading.Lock()
_jieba_lock = threading.Lock()
_jieba: Any = None
_opencc_lock = threading.Lock()
_opencc: Any = None


@dataclass(frozen=True)
class Token:
    """One analysed word and where its surface form lies in the text."""

    term: str
    start: int
    end: int


def fold_word(word: str) -> str:
    """Case-folded, without accents or inner apostrophes ("P'ing" → "ping", "Yü" → "yu")."""
    if word.isascii():  # the common case needs no Unicode decomposition
        return word.casefold().replace("'", "").replace("`", "")
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    stripped = _COMBINING.sub("", decomposed)
    folded = unicodedata.normalize("NFC", _APOSTROPHES.sub("", stripped))
    return folded.translate(_ARABIC_LETTERS)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The index term of one folded word: stemmed by its script."""
    if _HAN.search(word):
        return word
    if _ARABIC.search(word):
        return arabic_stem(word)
    stemmer = _russian if _CYRILLIC.search(word) else _english
    with _stem_lock:  # PyStemmer objects are not thread-safe
        return str(stemmer.stemWord(word))


def arabic_stem(word: str) -> str:
    """A folded Arabic word without its article, conjunction and common suffixes
    (light10), keeping at least two letters; a light stemmer, as roots would join
    words of unrelated meaning."""
    for prefix in _ARABIC_PREFIXES:
        # "و" alone is stripped only from words of four letters or more.
        shortest = 4 if len(prefix) == 1 else len(prefix) + 2
        if word.startswith(prefix) and len(word) >= shortest:
            word = word[len(prefix) :]
            break
    for suffix in _ARABIC_SUFFIXES:
        if word.endswith(suffix) and len(word) >= len(suffix) + 2:
            word = word[: -len(suffix)]
    return word


def fold_han(text: str) -> str:
    """`text` with Traditional characters folded to Simplified (OpenCC t2s), character
    for character, so that spans in the folded text are spans in `text`."""
    global _opencc
    with _opencc_lock:
        if _opencc is None:
            import opencc

            _opencc = opencc.OpenCC("t2s")
        folded = str(_opencc.convert(text))
        if len(folded) == len(text):
            return folded
        # A phrase rule that changed the length: fold letter by letter instead.
        singles = (str(_opencc.convert(c)) for c in text)
        return "".join(f if len(f) == 1 else c for f, c in zip(singles, text, strict=True))


def _segment_han(text: str) -> list[tuple[str, int, int]]:
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            _jieba = jieba
        return [(w, s, e) for w, s, e in _jieba.tokenize(text)]


def tokens(text: str) -> Iterator[Token]:
    """The analysed words of `text` with their character spans."""
    return _tokens(fold_han(text) if _HAN.search(text) else text)


def _tokens(text: str) -> Iterator[Token]:
    """`tokens` of a text whose Chinese is already folded to Simplified."""
    for m in _WORD.finditer(text):
        word = m.group()
        if _HAN.search(word):
            yield from _han_tokens(word, m.start())
            continue
        yield Token(stem(fold_word(word)), m.start(), m.end())


def _han_tokens(word: str, offset: int) -> Iterator[Token]:
    # A run may mix Han characters and Latin letters or digits ("WTO协定"): segment
    # the Han runs, analyse the rest as ordinary words.
    last = 0
    for run in _HAN.finditer(word):
        if run.start() > last:
            yield from _tokens_at(word[last : run.start()], offset + last)
        for w, s, e in _segment_han(run.group()):
            if w.strip():
                yield Token(w, offset + run.start() + s, offset + run.start() + e)
        last = run.end()
    if last < len(word):
        yield from _tokens_at(word[last:], offset + last)


def tokens_starting(text: str, heads: frozenset[str]) -> Iterator[Token]:
    """The tokens of `text` whose folded word begins with one of `heads` (each three
    letters long, or the whole of a shorter word): stemming keeps a word's start, so a
    snippet need not analyse the words that cannot match."""
    if _HAN.search(text) or _ARABIC.search(text):
        # Folding changes Chinese characters and the Arabic stemmer drops the article
        # a word starts with: look at every word.
        yield from (t for t in tokens(text) if t.term[:3] in heads)
        return
    if text.isascii():
        # Plain ASCII folds by case alone: let the regex engine find the candidates.
        for m in _heads_pattern(heads).finditer(text):
            # A short head ("un", a whole word) also starts longer words ("united").
            if fold_word(m.group()[:6])[:3] in heads:
                yield Token(stem(fold_word(m.group())), m.start(), m.end())
        return
    for m in _WORD.finditer(text):
        word = m.group()
        if fold_word(word[:6])[:3] in heads:
            yield Token(stem(fold_word(word)), m.start(), m.end())


@lru_cache(maxsize=256)
def _heads_pattern(heads: frozenset[str]) -> re.Pattern[str]:
    # A head may be split by an inner apostrophe in the text ("p'ing" folds to "ping").
    alternatives = "|".join(
        "['’ʼ`]?".join(re.escape(c) for c in h) for h in sorted(heads, key=len, reverse=True)
    )
    return re.compile(
        rf"(?<![^\W_'’ʼ`])(?:{alternatives or '(?!)'})[^\W_]*(?:['’ʼ`][^\W_]+)*", re.IGNORECASE
    )


def tokens_at(text: str, offset: int) -> Iterator[Token]:
    for t in tokens(text):
        yield Token(t.term, t.start + offset, t.end + offset)


def _tokens_at(text: str, offset: int) -> Iterator[Token]:
    for t in _tokens(text):
        yield Token(t.term, t.start + offset, t.end + offset)


def terms(text: str) -> list[str]:
    """The analysed words of `text`, in order (the same as `tokens`, without spans)."""
    if text.isascii():  # no Chinese, Cyrillic or Arabic to look for
        return _english_stems(_folded_words(text))
    if _HAN.search(text):
        return [t.term for t in tokens(text)]
    # The index's fast path: fold the whole text once and stem the words in bulk.
    words = _folded_words(text)
    if not (_CYRILLIC.search(text) or _ARABIC.search(text)):
        return _english_stems(words)
    return [stem(w) for w in words]


def terms_and_surface(text: str) -> tuple[list[str], list[str]]:
    """`terms(text)` and `surface_terms(text)` at once, folding the text once."""
    if text.isascii():  # no Chinese, Cyrillic or Arabic to look for
        words = _folded_words(text)
        return _english_stems(words), words
    if _HAN.search(text):
        # One segmentation for both (jieba is the slowest part of analysis).
        folded = fold_han(text)
        found = list(_tokens(folded))
        return [t.term for t in found], [fold_word(folded[t.start : t.end]) for t in found]
    words = _folded_words(text)
    if not (_CYRILLIC.search(text) or _ARABIC.search(text)):
        return _english_stems(words), words
    return [stem(w) for w in words], words


_ENGLISH_STEMS: dict[str, str] = {}  # words repeat (Zipf): a dict beats the stemmer


def _english_stems(words: list[str]) -> list[str]:
    known = _ENGLISH_STEMS
    new = list(filterfalse(known.__contains__, set(words)))
    if new:
        with _stem_lock:
            stems = _english.stemWords(new)
        if len(known) > 500_000:
            known.clear()
        known.update(zip(new, stems, strict=True))
    return list(map(known.__getitem__, words))


def surface_terms(text: str) -> list[str]:
    """The words of `text` folded but not stemmed (Chinese segmented as for `terms`)."""
    if _HAN.search(text):
        folded = fold_han(text)
        return [fold_word(folded[t.start : t.end]) for t in _tokens(folded)]
    return _folded_words(text)


def _folded_words(text: str) -> list[str]:
    """The words of a text without Han characters, each as `fold_word` makes it, with
    the whole text folded at once."""
    if text.isascii():
        return _ascii_words(text.encode("ascii"))
    raw = text.encode()
    if not _FOLDABLE.search(raw.translate(None, _ASCII_BYTES)):
        # Beyond ASCII only punctuation (’ — “ ” …), which no fold makes a letter: the
        # words are those of the ASCII text with it as spaces, ’ as an apostrophe.
        return _ascii_words(raw.replace(_RIGHT_QUOTE, b"'").translate(_ASCII_ONLY))
    return _unicode_words(text)


def _unicode_words(text: str) -> list[str]:
    """`_folded_words` for any text: folded, decomposed, marks and inner apostrophes
    dropped, then split into runs of letters and digits."""
    folded = text.casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = unicodedata.normalize("NFC", _COMBINING.sub("", decomposed))
    if "'" in folded or "`" in folded or not folded.isascii():
        folded = _INNER_APOSTROPHE.sub("", folded).translate(_ARABIC_LETTERS)
    # With inner apostrophes gone, a word is a plain run of letters and digits.
    if folded.isascii():
        # The same runs, found several times faster: every other byte becomes a space.
        return folded.encode("ascii").translate(_ASCII_SPACES).decode("ascii").split()
    return _PLAIN_WORD.findall(folded)


def _ascii_words(raw: bytes) -> list[str]:
    """The folded words of an ASCII text: runs of letters and digits, lowered, found by
    turning every other byte into a space, an apostrophe inside a word dropped."""
    found = raw.translate(_ASCII_WORDS).decode("ascii").split()
    if b"'" not in raw and b"`" not in raw:
        return found
    words: list[str] = []
    for run in found:
        if "'" in run or "`" in run:
            words += _APOSTROPHE_RUNS.split(_INNER_APOSTROPHE.sub("", run))
        else:
            words.append(run)
    return [w for w in words if w]


# ASCII letters lowered, digits and apostrophes kept, every other byte a space.
_ASCII_WORDS = bytes(
    c + 32
    if 65 <= c <= 90
    else c
    if chr(c) in string.ascii_lowercase + string.digits + "'`"
    else ord(" ")
    for c in range(256)
)
# Every ASCII byte that is not a letter or digit (what `_PLAIN_WORD` stops at) as a space.
_ASCII_SPACES = bytes(
    c if chr(c) in string.ascii_letters + string.digits else ord(" ") for c in range(256)
)
_APOSTROPHE_RUNS = re.compile(r"['`]+")
_ASCII_BYTES = bytes(range(128))
_ASCII_ONLY = bytes(c if c < 128 else ord(" ") for c in range(256))
_RIGHT_QUOTE = "’".encode()
# UTF-8 of a character beyond ASCII that a fold may turn into a letter, or that is one
# (letters, digits, marks, Han, Arabic, ’'s kin): all but Latin-1's punctuation and
# the General Punctuation block (U+2000–U+206F), which folds leave outside words.
_FOLDABLE = re.compile(
    rb"[\xc3-\xdf\xe0\xe1\xe3-\xf4]|\xc2[\xaa\xb2\xb3\xb5\xb9\xba\xbc-\xbe]"
    rb"|\xe2(?:[\x82-\xbf]|\x81[\xb0-\xbf])"
)


def index_text(text: str) -> str:
    """`text` as the index stores it: its analysed words separated by spaces."""
    return " ".join(terms(text))
