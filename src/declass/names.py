"""Name forms: folding for comparison, so that spellings differing only in case,
accents or punctuation meet; and the parts of a personal name (surname, given names,
suffix), so that two spellings can be judged compatible and a bare surname, given name
or initial told from a full name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_PUNCT = re.compile(r"[\s\-‐‑‒–—'’`.,]+")
_HYPHENS = re.compile(r"[-‐‑‒–—]")
_PARENTHESISED = re.compile(r"\(([^()]*)\)")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v"}
# Words printed before a name that are not part of it ("Premier Khrushchev", "Mao
# Tse-Tung, Chairman"); dropped only when a name of two words or more remains. "Mrs."
# and "Madame" stay: "Mrs. Winston Churchill" is not Winston Churchill.
_TITLES = {
    "mr", "dr", "sir", "lord", "dame",
    "chairman", "premier", "president", "vice", "prime", "minister", "foreign", "secretary",
    "general", "gen", "marshal", "admiral", "adm", "colonel", "col", "captain", "capt",
    "ambassador", "amb", "senator", "sen", "governor", "gov", "judge", "justice", "father",
    "his", "her", "excellency", "the", "honorable", "hon", "comrade", "professor", "prof",
    "chancellor", "emperor", "king", "queen", "prince", "princess", "shah", "sheikh",
}  # fmt: skip
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def fold(name: str) -> str:
    """A comparison key for a name: case-folded, accents and punctuation removed.

    "Chou En-lai", "chou enlai" and "Chou En‑lai" fold alike; scripts other than
    Latin are kept as they are (Громыко stays Cyrillic).
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _PUNCT.sub(" ", stripped.casefold()).strip()


def _word_key(word: str) -> str:
    """One word folded, its hyphenated parts joined: "En-lai" and "Enlai" meet."""
    return fold(_HYPHENS.sub("", word)).replace(" ", "")


@dataclass(frozen=True)
class PersonName:
    """A personal name in natural order, split into its parts (folded keys alongside).

    `surname_first`: the order of Chinese, Korean and other East Asian names as FRUS
    prints them ("Mao Tse-tung"); the caller says so, as only it can tell.
    """

    text: str  # natural order, titles dropped: "Nikita S. Khrushchev", "Mao Tse-tung"
    given: tuple[str, ...]
    surname: str
    suffix: str = ""

    @property
    def key(self) -> str:
        """Folded, hyphen-blind: the form two spellings must share to be the same."""
        return " ".join(_word_key(w) for w in self.text.split() if _word_key(w))

    @property
    def surname_key(self) -> str:
        return _word_key(self.surname)

    @property
    def given_keys(self) -> tuple[str, ...]:
        keys: list[str] = []
        for word in self.given:
            if _is_initial(word) and len(fold(word).split()) > 1:
                keys += fold(word).split()  # "N.S." is two initials
            elif _word_key(word):
                keys.append(_word_key(word))
        return tuple(keys)

    @property
    def bare(self) -> bool:
        """A surname, a given name or initials alone: no name of one person."""
        return not self.given_keys or len(self.surname_key) < 2

    @property
    def initials_only(self) -> bool:
        """Given names written as initials only ("A. A. Gromyko", "N.S. Khrushchev")."""
        return bool(self.given) and all(_is_initial(g) for g in self.given)


def _is_initial(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) <= 2 and (word.endswith(".") or len(letters) == 1)


_NICKNAME = re.compile(r"[“\"‘][^”\"’]{1,20}[”\"’]")


def alternatives(listed: str) -> list[str]:
    """The spellings one listed name holds: "Chou En-lai (Zhou Enlai)" is two;
    "Bohlen, Charles Eustis (“Chip”)" is one, its nickname set aside."""
    listed = _NICKNAME.sub(" ", listed)
    inner = [m.strip() for m in _PARENTHESISED.findall(listed) if m.strip()]
    outer = _PARENTHESISED.sub(" ", listed).strip(" ,;")
    outer = re.sub(r"\s+", " ", outer).replace(" ,", ",")
    if re.search(r"\w{3,}\.$", outer):  # "Chou En-lai." : a full stop, not an initial's
        outer = outer[:-1]
    # A parenthesis holding a whole name is another spelling; one word ("née Smith",
    # "Mrs.") is a remark.
    return [n for n in [outer, *(i for i in inner if len(i.split()) > 1)] if n]


def natural_order(listed: str) -> tuple[str, str]:
    """ "Khrushchev, Nikita S." → ("Nikita S. Khrushchev", "Khrushchev"); a name
    without a comma is returned as it is, with no surname told."""
    parts = [p.strip() for p in listed.split(",") if p.strip()]
    while len(parts) > 1 and all(w in _TITLES for w in fold(parts[-1]).split()):
        parts.pop()  # "Mao Tse-Tung, Chairman"
    if len(parts) == 2 and fold(parts[1]) in _SUFFIXES:  # "Herbert Hoover, Jr."
        return f"{parts[0]}, {parts[1]}", ""
    if len(parts) >= 2:
        suffix = parts[2] if len(parts) > 2 and fold(parts[2]) in _SUFFIXES else ""
        rest = parts[1] if suffix or len(parts) == 2 else " ".join(parts[1:])
        if fold(parts[1]) in _SUFFIXES and len(parts) > 2:  # "Hoover, Jr., Herbert"
            suffix, rest = parts[1], " ".join(parts[2:])
        text = f"{rest} {parts[0]}" + (f", {suffix}" if suffix else "")
        return text, parts[0]
    return (parts[0] if parts else listed.strip()), ""


def parse_person(listed: str, surname_first: bool = False) -> PersonName:
    """The parts of one spelling, as listed ("Gromyko, Andrei A.") or as written
    ("Andrei A. Gromyko", "Premier Khrushchev"; "Mao Tse-tung" with `surname_first`)."""
    text, inverted_surname = natural_order(listed)
    suffix = ""
    words = text.replace(",", " ").split()
    while len(words) > 1 and fold(words[-1]) in _SUFFIXES:
        suffix = words.pop()
    while len(words) > 2 and fold(words[0]) in _TITLES:
        words.pop(0)
    if len(words) == 2 and fold(words[0]) in _TITLES and not inverted_surname:
        # "Premier Khrushchev": a title and a surname, no given name.
        words = words[1:]
    if not words:
        return PersonName(text, (), "", suffix)
    if inverted_surname:
        surname_words = inverted_surname.split()
        given = tuple(w for w in words[: len(words) - len(surname_words)])
        surname = inverted_surname
    elif (surname_first or (_is_initial(words[-1]) and not _is_initial(words[0]))) and len(
        words
    ) > 1:
        # "Aldrich George H.": a listed name whose comma was lost ends in an initial.
        surname, given = words[0], tuple(words[1:])
    else:
        surname, given = words[-1], tuple(words[:-1])
    if surname_first and not inverted_surname:
        shown = " ".join([surname, *given])
    else:
        shown = " ".join([*given, surname])
    return PersonName(shown + (f", {suffix}" if suffix else ""), given, surname, suffix)


def compatible(typed: PersonName, recorded: PersonName) -> bool:
    """Whether `typed` can be a way of writing `recorded`: the same surname and suffix,
    and given names that agree in order, each the same word or its initial ("William
    Bundy" and "W. P. Bundy" can be "William P. Bundy"; "Anatoly Gromyko" cannot be
    "Andrei A. Gromyko")."""
    if typed.surname_key != recorded.surname_key or not typed.surname_key:
        return False
    if typed.suffix and fold(typed.suffix) != fold(recorded.suffix):
        return False
    mine, theirs = typed.given_keys, recorded.given_keys
    if not mine or not theirs:
        return False
    if "".join(mine) == "".join(theirs):  # "En Lai" and "En-lai"
        return True
    if _agree(mine[0], theirs[0]) is False:
        return False
    at = 1
    for word in mine[1:]:
        while at < len(theirs) and not _agree(word, theirs[at]):
            at += 1
        if at == len(theirs):
            return False
        at += 1
    return True


def _agree(a: str, b: str) -> bool:
    if a == b:
        return True
    # An initial stands for any name it begins ("W." for "William").
    return (len(a) == 1 or len(b) == 1) and a[0] == b[0]


def has_han(text: str) -> bool:
    """Whether `text` holds Chinese characters."""
    return bool(_HAN.search(text))
