"""Language identification for every text at ingest, offline.

py3langid ships its model (a few MB) inside the wheel, so nothing is fetched at run
time. The archive's languages decide the candidates; the script settles short texts
where n-gram statistics have too little to go on.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import Any

UNDETERMINED = "und"
# The archive's own languages first; the rest keep a French note from reading as English.
CANDIDATES = ("en", "ru", "zh", "fr", "de", "es", "it", "pt", "uk", "ja", "ko", "ar")
_SHORT = 20  # below this many letters, trust the script rather than the model

# Tesseract's names for the languages whose data declass installs.
TESSERACT = {"en": "eng", "ru": "rus", "zh": "chi_sim"}


def identify(text: str, candidates: Sequence[str] = CANDIDATES) -> str:
    """The ISO 639-1 code of `text`'s main language, or "und" when there is no text."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return UNDETERMINED
    script = dominant_script(letters)
    if script == "CJK":
        return "zh"
    if len(letters) < _SHORT:
        return {"CYRILLIC": "ru", "LATIN": "en"}.get(script, UNDETERMINED)
    language, _ = _identifier(tuple(candidates)).classify(text)
    return str(language)


def dominant_script(letters: Sequence[str]) -> str:
    """LATIN, CYRILLIC, CJK (Han, kana, hangul) or the first word of the Unicode name."""
    counts: Counter[str] = Counter()
    for c in letters:
        name = unicodedata.name(c, "")
        word = name.split(" ", 1)[0]
        counts["CJK" if word in {"CJK", "HIRAGANA", "KATAKANA", "HANGUL"} else word] += 1
    return counts.most_common(1)[0][0] if counts else ""


def tesseract_languages(language: str) -> str | None:
    """Tesseract's model name for an ISO 639-1 code ("ru" -> "rus"), None if not installed."""
    return TESSERACT.get(language.split("-")[0].lower())


@cache
def _identifier(candidates: tuple[str, ...]) -> Any:
    # Imported here: loading the model takes most of a second, and only ingest needs it.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    identifier.set_languages(list(candidates))
    return identifier
