"""Every spelling of a name: romanisations of Chinese and transliterations of Russian.

Chinese: Wade–Giles ⇄ pinyin syllable tables are built from pypinyin's readings of
every character (its WADEGILES style), so "Mao Tse-tung" ⇄ "Mao Zedong" and
"Teng Hsiao-p'ing" ⇄ "Deng Xiaoping" follow from the syllables; place names in the
Chinese Postal Map Romanization ("Peking", "Nanking"), which follows no syllable
rule, come from that system's table below. Chinese names in Russian texts follow the
Palladius system ("Мао Цзэдун" ⇄ "Mao Zedong"), read syllable by syllable from
pypinyin's CYRILLIC style. Russian: Cyrillic → Latin with every
scheme in iuliia (GOST, ISO 9, BGN/PCGN, ALA-LC, Wikipedia, French MVD…) plus the
German (Duden) and Spanish conventions; Latin → Cyrillic by reading a Latin spelling
back through the schemes' letter tables. Generated forms are candidates: the engine
keeps the ones that occur in the archive.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from declass.search.analysis import fold_word

_MAX_FORMS = 64
_HYPHENS = re.compile(r"[-‐‑‒–—]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_SCHEME_MARKS = re.compile(r"[·`ʹʺ]")
_LATIN_WORD = re.compile(r"^[A-Za-z'’ʼ`\-‐‑]+$")

# Chinese Postal Map Romanization (1906): place names as Western atlases, treaties and
# UN records wrote them until 1979, with the pinyin of the same place.
POSTAL_ROMANIZATION = {
    "peking": "beijing",
    "peiping": "beiping",
    "nanking": "nanjing",
    "tientsin": "tianjin",
    "sinkiang": "xinjiang",
    "canton": "guangzhou",
    "kwangtung": "guangdong",
    "kwangsi": "guangxi",
    "szechwan": "sichuan",
    "tsingtao": "qingdao",
    "amoy": "xiamen",
    "chungking": "chongqing",
    "sian": "xian",
    "kiangsu": "jiangsu",
    "kiangsi": "jiangxi",
    "chekiang": "zhejiang",
    "fukien": "fujian",
    "hopeh": "hebei",
    "hopei": "hebei",
    "shantung": "shandong",
    "shansi": "shanxi",
    "shensi": "shaanxi",
    "honan": "henan",
    "hupeh": "hubei",
    "anhwei": "anhui",
    "kweichow": "guizhou",
    "kansu": "gansu",
    "tsinghai": "qinghai",
    "hankow": "hankou",
    "soochow": "suzhou",
    "hangchow": "hangzhou",
    "foochow": "fuzhou",
    "tsinan": "jinan",
    "kwangchow": "guangzhou",
}
_POSTAL_BACK = {v: k for k, v in POSTAL_ROMANIZATION.items()}

# Letter tables beside iuliia's schemes: German (Duden) and Spanish press conventions
# ("Chruschtschow", "Gorbatschow"; "Gorbachov", "Jruschov").
_GERMAN = {
    "mapping": dict(
        zip(
            "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
            [
                "a",
                "b",
                "w",
                "g",
                "d",
                "e",
                "jo",
                "sch",
                "s",
                "i",
                "i",
                "k",
                "l",
                "m",
                "n",
                "o",
                "p",
                "r",
                "s",
                "t",
                "u",
                "f",
                "ch",
                "z",
                "tsch",
                "sch",
                "schtsch",
                "",
                "y",
                "",
                "e",
                "ju",
                "ja",
            ],
            strict=True,
        )
    ),
    "prev_mapping": {"жё": "o", "чё": "o", "шё": "o", "щё": "o"},
    "ending_mapping": {"ий": "i", "ый": "y"},
}
_SPANISH = {
    "mapping": dict(
        zip(
            "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
            [
                "a",
                "b",
                "v",
                "g",
                "d",
                "e",
                "io",
                "zh",
                "z",
                "i",
                "i",
                "k",
                "l",
                "m",
                "n",
                "o",
                "p",
                "r",
                "s",
                "t",
                "u",
                "f",
                "j",
                "ts",
                "ch",
                "sh",
                "sch",
                "",
                "y",
                "",
                "e",
                "iu",
                "ia",
            ],
            strict=True,
        )
    ),
    "prev_mapping": {"жё": "o", "чё": "o", "шё": "o", "щё": "o"},
    "ending_mapping": {"ий": "i", "ый": "i"},
}


# -- Chinese ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _syllable_tables() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """pinyin → Wade–Giles and Wade–Giles → pinyin, toneless and folded."""
    # pypinyin's WADEGILES style is driven by this syllable table; reading the table
    # itself avoids the style's fallback, which mangles syllables spelt alike in both
    # systems ("lai" comes out "lei").
    from pypinyin.style.wadegiles import _convert_table

    to_wg: dict[str, set[str]] = {}
    to_py: dict[str, set[str]] = {}
    for py_raw, wg_raw in _convert_table:
        py, wg = fold_word(py_raw.replace("v", "ü")), fold_word(wg_raw)
        if not py.isalpha() or not wg.isalpha():
            continue
        to_wg.setdefault(py, set()).add(wg)
        to_py.setdefault(wg, set()).add(py)
    return (
        {k: frozenset(v) for k, v in to_wg.items()},
        {k: frozenset(v) for k, v in to_py.items()},
    )


def _segmentations(word: str, syllables: dict[str, frozenset[str]]) -> list[list[str]]:
    """Ways to read `word` as a run of syllables (at most 6 syllables, 8 readings)."""
    found: list[list[str]] = []

    def walk(at: int, path: list[str]) -> None:
        if len(found) >= 32 or len(path) > 6:
            return
        if at == len(word):
            found.append(list(path))
            return
        for end in range(min(len(word), at + 6), at, -1):
            if word[at:end] in syllables:
                path.append(word[at:end])
                walk(end, path)
                path.pop()

    walk(0, [])
    # The fewest syllables is the reading meant: "Xiaoping" is xiao-ping, not xi-a-o-ping.
    fewest = min((len(f) for f in found), default=0)
    return [f for f in found if len(f) == fewest]


def _word_forms(word: str, source: dict[str, frozenset[str]]) -> set[str]:
    """One romanised word in the other system: joined ("Zedong") and hyphenated."""
    chunks = [fold_word(c) for c in _HYPHENS.split(word) if c]
    per_chunk: list[list[list[str]]] = []
    for chunk in chunks:
        segs = _segmentations(chunk, source)
        if not segs:
            return set()
        per_chunk.append(segs)
    forms: set[str] = set()
    for choice in itertools.product(*per_chunk):
        syllables = [s for seg in choice for s in seg]
        options = [sorted(source[s]) for s in syllables]
        for converted in itertools.product(*options):
            forms.add("".join(converted))
            if len(converted) > 1:
                forms.add("-".join(converted))
            if len(forms) > _MAX_FORMS:
                return forms
    return forms


def chinese_forms(name: str) -> set[str]:
    """`name` (romanised Chinese) in pinyin and Wade–Giles, and postal place names."""
    words = [w for w in name.split() if w]
    if not words or not all(_LATIN_WORD.match(w) for w in words):
        return set()
    out: set[str] = set()
    if len(words) == 1:
        key = fold_word(words[0])
        for table in (POSTAL_ROMANIZATION, _POSTAL_BACK):
            if key in table:
                out.add(table[key].title())
    to_wg, to_py = _syllable_tables()
    for table in (to_wg, to_py, _same_system()):
        per_word = [_word_forms(w, table) for w in words]
        if all(per_word):
            for combo in itertools.islice(itertools.product(*per_word), _MAX_FORMS):
                out.add(" ".join(_title(w) for w in combo))
    return out


@lru_cache(maxsize=16384)
def is_chinese_name(name: str) -> bool:
    """Whether every word of `name` reads as Chinese syllables, in pinyin or in
    Wade–Giles ("Mao Tse-tung", "Zhou Enlai"; not "Nikita Khrushchev"): such a name
    is written surname first and is transliterated by the Chinese systems only."""
    words = [w for w in name.replace(",", " ").split() if w]
    if len(words) < 2 or not all(_LATIN_WORD.match(w) for w in words):
        return False
    to_wg, to_py = _syllable_tables()
    return any(
        all(all(_segmentations(fold_word(c), table) for c in _HYPHENS.split(w) if c) for w in words)
        for table in (to_wg, to_py)
    )


@lru_cache(maxsize=16384)
def surname_first(name: str) -> bool:
    """Whether `name` is a Chinese name written surname first: all of it in Chinese
    syllables, or a Chinese surname before a hyphenated given name in an older
    romanisation ("Chiang Kai-shek", "Sun Yat-sen")."""
    if is_chinese_name(name):
        return True
    words = [w for w in name.split() if w]
    if len(words) != 2 or "," in name or not _HYPHENS.search(words[1]):
        return False
    parts = [p for p in _HYPHENS.split(words[1]) if p]
    to_wg, to_py = _syllable_tables()
    first = fold_word(words[0])
    return (
        (first in to_wg or first in to_py) and len(parts) == 2 and all(len(p) <= 5 for p in parts)
    )


def pinyin_syllables(name: str) -> list[tuple[str, ...]]:
    """The pinyin syllables a Chinese name can be read as, whichever system it is in:
    "Mao Tse-tung" → [("mao", "ze", "dong")]."""
    if not is_chinese_name(name):
        return []
    to_wg = _syllable_tables()[0]  # keyed by pinyin syllables
    found: dict[tuple[str, ...], None] = {}
    for form in [name, *chinese_forms(name)]:
        words = [fold_word(c) for w in form.split() for c in _HYPHENS.split(w) if c]
        readings = [_segmentations(w, to_wg) for w in words]
        if all(readings):
            for choice in itertools.islice(itertools.product(*readings), 8):
                found.setdefault(tuple(s for seg in choice for s in seg), None)
    return list(found)


@lru_cache(maxsize=1)
def _same_system() -> dict[str, frozenset[str]]:
    """Every syllable as itself: joined ⇄ hyphenated spellings within one system."""
    to_wg, to_py = _syllable_tables()
    return {k: frozenset({k}) for k in (*to_wg, *to_py)}


def _title(word: str) -> str:
    return "-".join(part.capitalize() for part in word.split("-"))


@lru_cache(maxsize=1)
def _palladius_tables() -> tuple[dict[str, frozenset[str]], list[dict[str, frozenset[str]]]]:
    """Romanised syllable (pinyin or Wade–Giles, folded) → its Palladius Cyrillic; and
    folded Palladius Cyrillic → its pinyin, and → its Wade–Giles."""
    from pypinyin.style.cyrillic import CyrillicfoConverter
    from pypinyin.style.wadegiles import _convert_table

    to_cyrillic = CyrillicfoConverter().to_cyrillic
    latin: dict[str, set[str]] = {}
    back: list[dict[str, set[str]]] = [{}, {}]
    for py_raw, wg_raw in _convert_table:
        py, wg = fold_word(py_raw.replace("v", "ü")), fold_word(wg_raw)
        if not py.isalpha() or not wg.isalpha():
            continue
        cyrillic = to_cyrillic(py_raw.replace("ü", "v"))
        latin.setdefault(py, set()).add(cyrillic)
        latin.setdefault(wg, set()).add(cyrillic)
        back[0].setdefault(fold_word(cyrillic), set()).add(py)
        back[1].setdefault(fold_word(cyrillic), set()).add(wg)
    return (
        {k: frozenset(v) for k, v in latin.items()},
        [{k: frozenset(v) for k, v in t.items()} for t in back],
    )


def palladius_forms(name: str) -> set[str]:
    """A Chinese name between Latin romanisations and Russian Palladius Cyrillic:
    "Mao Zedong" or "Mao Tse-tung" → "Мао Цзэдун"; "Мао Цзэдун" → "Mao Zedong", "Mao
    Tse-tung"."""
    words = [w for w in name.split() if w]
    if not words or len(words) > 4:
        return set()
    latin, back = _palladius_tables()
    if all(_CYRILLIC.search(w) for w in words):
        tables = back
    elif all(_LATIN_WORD.match(w) for w in words):
        tables = [latin]
    else:
        return set()
    out: set[str] = set()
    for table in tables:
        per_word = [_word_forms(w, table) for w in words]
        if table is latin:
            per_word = [{f for f in forms if "-" not in f} for forms in per_word]
        if all(per_word):
            for combo in itertools.islice(itertools.product(*per_word), _MAX_FORMS):
                out.add(" ".join(_title(w) for w in combo))
    return out


# -- Russian ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _schemes() -> list[object]:
    import iuliia
    from iuliia.schema import TranslitSchema

    schemes: list[object] = [
        getattr(iuliia, name)
        for name in dir(iuliia)
        if name.isupper() and name not in ("UZ", "TELEGRAM")
    ]
    schemes.append(TranslitSchema(name="german-duden", **_GERMAN))  # type: ignore[arg-type]
    schemes.append(TranslitSchema(name="spanish", **_SPANISH))  # type: ignore[arg-type]
    return schemes


@lru_cache(maxsize=1)
def _reverse_patterns() -> list[tuple[dict[str, str], re.Pattern[str]]]:
    """Each reverse table as one regex of named alternatives, longest first."""
    compiled = []
    for table in _reverse_tables():
        names: dict[str, str] = {}
        alternatives = []
        for i, (lat, cyr) in enumerate(table):
            name = f"g{i}"
            names[name] = cyr
            if lat.endswith("$"):
                alternatives.append(f"(?P<{name}>{re.escape(lat[:-1])}$)")
            else:
                alternatives.append(f"(?P<{name}>{re.escape(lat)})")
        compiled.append((names, re.compile("|".join(alternatives))))
    return compiled


@lru_cache(maxsize=1)
def _reverse_tables() -> list[list[tuple[str, str]]]:
    """For each scheme, (latin, cyrillic) pairs longest first, to read Latin back."""
    import iuliia

    folder = Path(iuliia.__file__).parent / "schemas"
    tables: list[list[tuple[str, str]]] = []
    definitions = [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]
    for defn in [*definitions, _GERMAN, _SPANISH]:
        pairs = {
            fold_word(lat): cyr for cyr, lat in defn.get("mapping", {}).items() if fold_word(lat)
        }
        for key, lat in (defn.get("ending_mapping") or {}).items():
            if fold_word(lat):
                pairs.setdefault(fold_word(lat) + "$", key)
        if any(not lat.isascii() for lat in pairs):
            continue  # schemes with diacritics read back no differently once folded
        tables.append(sorted(pairs.items(), key=lambda kv: -len(kv[0])))
    return tables


def cyrillic_readings(word: str) -> set[str]:
    """Cyrillic spellings a Latin transliteration of a Russian word can come from."""
    latin = fold_word(word)
    if not latin.isascii() or not latin.isalpha():
        return set()
    readings: set[str] = set()
    for table, pattern in _reverse_patterns():
        out, at = [], 0
        while at < len(latin):
            # Longest Latin sequence first, as the table is ordered; an ending only
            # where it ends the word.
            m = pattern.match(latin, at)
            if m is None:
                break
            out.append(table[m.lastgroup or ""])
            at = m.end()
        if at == len(latin):
            readings.add("".join(out))
    # ё is often printed as е, and some schemes write it o after a hushing consonant.
    more = set()
    for r in readings:
        more.add(r.replace("е", "ё", 1))
        more.add(re.sub("(?<=[жчшщ])о", "ё", r))
    return {r.capitalize() for r in readings | more if r}


def latin_forms(cyrillic: str) -> set[str]:
    """`cyrillic` in every Latin transliteration scheme we know."""
    return {f for f in _all_schemes().translate(cyrillic) if f}


@lru_cache(maxsize=1)
def _all_schemes() -> _AllSchemes:
    return _AllSchemes(_schemes())


class _AllSchemes:
    """iuliia's transliteration rules for every scheme, applied to a text at once.

    iuliia translates a letter by its neighbours (a rule for the pair with the letter
    before, else with the letter after, else the letter's own), and a word's last two
    letters by an ending rule when the scheme has one. Applied scheme by scheme, that is
    some 30 passes over the text for every name a reader types; here each letter in its
    context is looked up once for all schemes, and the schemes' words are read off the
    columns. The result is iuliia's, scheme for scheme (tests/search/test_variants.py).
    """

    _SPLITTER = re.compile(r"\b")

    def __init__(self, schemes: Sequence[Any]) -> None:
        loaded = [s._load() if hasattr(s, "_load") else s for s in schemes]
        self.tables = [(s.prev_map, s.next_map, s.map, s.ending_map) for s in loaded]
        self._letters: dict[tuple[str, str, str], tuple[str, ...]] = {}
        self._endings: dict[str, tuple[str | None, ...]] = {}

    def _letter(self, prev: str, curr: str, after: str) -> tuple[str, ...]:
        key = (prev, curr, after)
        found = self._letters.get(key)
        if found is None:
            out = []
            for before_map, after_map, own_map, _ in self.tables:
                letter = before_map.get(prev + curr)
                if letter is None:
                    letter = after_map.get(curr + after)
                if letter is None:
                    letter = own_map.get(curr)
                out.append(curr if letter is None else letter)
            found = self._letters[key] = tuple(out)
        return found

    def _ending(self, ending: str) -> tuple[str | None, ...]:
        found = self._endings.get(ending)
        if found is None:
            found = self._endings[ending] = tuple(t[3].get(ending) for t in self.tables)
        return found

    def translate(self, text: str) -> list[str]:
        """`text` in each scheme, in the order of the schemes."""
        words: list[list[str]] = [[] for _ in self.tables]
        for word in self._SPLITTER.split(text):
            if not word:
                continue
            n = len(word)
            letters = [
                self._letter(word[i - 1] if i else "", word[i], word[i + 1] if i + 1 < n else "")
                for i in range(n)
            ]
            whole = ["".join(column) for column in zip(*letters, strict=True)]
            endings = self._ending(word[-2:]) if n > 2 else ()
            for s, out in enumerate(words):
                ending = endings[s] if endings else None
                if ending:  # as iuliia: an ending rule that yields "" is no rule
                    out.append("".join(c[s] for c in letters[:-2]) + ending)
                else:
                    out.append(whole[s])
        return ["".join(w) for w in words]


def russian_forms(name: str) -> set[str]:
    """Other spellings of a Russian name: Cyrillic and its Latin transliterations."""
    words = name.split()
    if not words or len(words) > 4:
        return set()
    if any(_CYRILLIC.search(w) for w in words):
        return latin_forms(name)
    if not all(_LATIN_WORD.match(w) for w in words):
        return set()
    per_word: list[set[str]] = []
    for w in words:
        cyr = cyrillic_readings(w)
        forms = set(cyr)
        for c in cyr:
            forms |= latin_forms(c.capitalize())
        per_word.append(forms or {w})
    combos = itertools.islice(itertools.product(*per_word), _MAX_FORMS * 4)
    return {" ".join(c) for c in combos}


@lru_cache(maxsize=8192)
def name_forms(name: str) -> frozenset[str]:
    """Generated spellings of `name` besides itself (unfiltered candidates).

    Pure and costly (every romanisation scheme, read both ways): kept per name, as a
    reading room meets the same names again and again."""
    if is_chinese_name(name) or (_CYRILLIC.search(name) and palladius_forms(name)):
        # A Chinese name has no Russian spelling but its Palladius one.
        forms = chinese_forms(name) | palladius_forms(name)
    else:
        forms = chinese_forms(name) | russian_forms(name) | palladius_forms(name)
    original = fold_word(name)
    # Some schemes mark letters with "·" or "`" (Kissing·er): not spellings anyone prints.
    return frozenset(f for f in forms if fold_word(f) != original and not _SCHEME_MARKS.search(f))
