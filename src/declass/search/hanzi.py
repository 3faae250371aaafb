"""Chinese personal names in characters and in pinyin, both ways.

Characters → pinyin: pypinyin's readings of each character (every reading, so that a
surname read unusually, 曾 zēng, is not lost), written as a name is romanised: the
surname, then the given name joined ("毛泽东" → "Mao Zedong"). Pinyin → characters:
the words of jieba's dictionary (which holds the names of the period's public figures)
whose readings spell the same syllables; two-character words only where jieba marks
them as personal names, as too many common words sound like a short name. Candidates
are kept by the caller only where the archive holds them.
"""

from __future__ import annotations

import itertools
import unicodedata
from functools import lru_cache
from pathlib import Path

from declass.names import has_han

_MAX_READINGS = 8
_TONE_FREE = str.maketrans("", "", "\u0300\u0301\u0304\u030c")


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading)
    # ü keeps its diaeresis out of the way: fold_word spells it u, as romanised names do.
    return unicodedata.normalize("NFC", decomposed.translate(_TONE_FREE)).replace("ü", "u")


@lru_cache(maxsize=1)
def _readings() -> dict[str, frozenset[str]]:
    """Every character's toneless readings ("毛" → {"mao"})."""
    from pypinyin.pinyin_dict import pinyin_dict

    return {
        chr(cp): frozenset(_toneless(r) for r in spelled.split(","))
        for cp, spelled in pinyin_dict.items()
    }


def readings(name: str) -> list[str]:
    """A name in characters as pinyin names: "周恩来" → ["Zhou Enlai"]; a compound
    surname read either way ("欧阳修" → "Ou Yangxiu", "Ouyang Xiu"). Empty unless
    `name` is two to four characters, all Chinese."""
    chars = [c for c in name.strip()]
    table = _readings()
    if not 2 <= len(chars) <= 4 or not all(has_han(c) and c in table for c in chars):
        return []
    from pypinyin import Style, pinyin

    # pypinyin lists a character's commonest reading first: the first combinations
    # are the likeliest names.
    per_char = [
        list(dict.fromkeys(_toneless(r) for r in rs))
        for rs in pinyin(name.strip(), style=Style.NORMAL, heteronym=True)
    ]
    found: dict[str, None] = {}
    for combo in itertools.islice(itertools.product(*per_char), _MAX_READINGS):
        for cut in (1, 2) if len(combo) == 4 else (1,):
            surname = "".join(combo[:cut]).capitalize()
            given = "".join(combo[cut:]).capitalize()
            found.setdefault(f"{surname} {given}", None)
    return list(found)


@lru_cache(maxsize=1)
def _dictionary() -> dict[tuple[int, str], list[tuple[str, bool]]]:
    """jieba's words of two to four characters by (length, first character), each with
    whether jieba tags it a personal name."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    words: dict[tuple[int, str], list[tuple[str, bool]]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if not parts or not 2 <= len(parts[0]) <= 4:
                continue
            word = parts[0]
            words.setdefault((len(word), word[0]), []).append((word, parts[-1] == "nr"))
    return words


@lru_cache(maxsize=4096)
def characters(syllables: tuple[str, ...]) -> frozenset[str]:
    """Words of jieba's dictionary read as these pinyin syllables (toneless, folded):
    ("mao", "ze", "dong") → {"毛泽东"}."""
    if not 2 <= len(syllables) <= 4:
        return frozenset()
    table = _readings()
    firsts = [c for c, r in table.items() if syllables[0] in r]
    found = set()
    dictionary = _dictionary()
    for first in firsts:
        for word, person in dictionary.get((len(syllables), first), ()):
            if len(word) == 2 and not person:
                continue
            if all(s in table.get(c, ()) for c, s in zip(word, syllables, strict=True)):
                found.add(word)
    return frozenset(found)
