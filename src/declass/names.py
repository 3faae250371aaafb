"""Name forms: folding for comparison, so that spellings differing only in case,
accents or punctuation meet."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[\s\-‐‑‒–—'’`.,]+")


def fold(name: str) -> str:
    """A comparison key for a name: case-folded, accents and punctuation removed.

    "Chou En-lai", "chou enlai" and "Chou En‑lai" fold alike; scripts other than
    Latin are kept as they are (Громыко stays Cyrillic).
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _PUNCT.sub(" ", stripped.casefold()).strip()
