"""Snippets: the passage of each hit that best shows why it matched, its words marked.

A page's snippets are read from the documents' plain texts (one read for the page,
`Store.document_texts`), never from their whole records, which cost far more to
decode than the search itself. A text is read a paragraph at a time, and a paragraph
is searched, folded, for the starts of the query's words (an analysed word keeps its
surface word's start, all but perhaps its last letter: "happi" for "happy"); only
those candidates are analysed, each surface word once a process. A phrase's words
are marked only where they stand in a row, as the query asks (the syllables of a
romanised name variant, "ti to" for Tito, are not marked wherever "to" stands). The
passage is the window of a paragraph that holds the most different matched words,
then the most; a document is read until a window shows the query answered, each
word about twice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from declass.search import analysis
from declass.search.analysis import fold_word
from declass.store.base import AllOf, AnyOf, IndexExpression, IndexHit, Store, TermMatch

SNIPPET_CHARS = 240
_BLOCKS = re.compile(r"\n\n")
_APOSTROPHE = "['’ʼ`]"
# Where a word's start says nothing, every word of a text is analysed: Han (segmented),
# Arabic (its article stripped), combining marks (folded away inside a word).
_ANALYSE_ALL = re.compile(
    r"[\u0300-\u036f\u0600-\u06ff\u0750-\u077f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe20-\ufe2f]"
)
_ACCENTED = re.compile(r"[\u00c0-\u04ff]")
_APOSTROPHES = "'’ʼ`"


def _single_letter_folds() -> dict[int, str]:
    """Accented Latin and Cyrillic letters as the one letter folding leaves of them
    ("é" → "e", "й" → "и"), so that a text is searched folded at the same offsets."""
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x0500):
        base = "".join(
            c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c)
        )
        if len(base) == 1 and base != chr(code):
            table[code] = base
    return table


_FOLDS = _single_letter_folds()
_WORD_AT = re.compile(rf"[^\W_]*(?:{_APOSTROPHE}[^\W_]+)*")


@dataclass(frozen=True)
class Snippet:
    """A passage of the document with the spans of matched words."""

    text: str
    highlights: tuple[tuple[int, int], ...]

    def marked(self, start: str = "[", end: str = "]") -> str:
        out, last = [], 0
        for s, e in self.highlights:
            out += [self.text[last:s], start, self.text[s:e], end]
            last = e
        out.append(self.text[last:])
        return "".join(out)


@dataclass(frozen=True)
class Wanted:
    """The analysed words a snippet marks: whole words, word starts (prefixes), and
    phrases (words marked only where they stand in a row, as the query asks)."""

    whole: frozenset[str]
    starts: tuple[str, ...]
    phrases: frozenset[tuple[str, ...]] = frozenset()
    # How many different words show the query answered (its alternatives' fewest):
    # a passage with that many, each about twice, ends the reading of a document.
    goal: int = 0

    def __bool__(self) -> bool:
        return bool(self.whole or self.starts or self.phrases)

    def accepts(self, term: str) -> bool:
        """Whether `term` is marked wherever it stands."""
        return term in self.whole or (bool(self.starts) and term.startswith(self.starts))

    @cached_property
    def keys(self) -> frozenset[str]:
        """The word of each phrase that finds it: its longest, likely its rarest."""
        return frozenset(max(p, key=len) for p in self.phrases)

    @cached_property
    def phrase_words(self) -> frozenset[str]:
        return frozenset(w for p in self.phrases for w in p)

    @cached_property
    def probes(self) -> tuple[str, ...]:
        """The start every surface form of a wanted word (or a phrase's key) has: all
        of a stem but its last letter, at least three; a prefix's first three."""
        return _probes(self.whole | self.keys, self.starts)

    @cached_property
    def phrase_probes(self) -> tuple[str, ...]:
        return _probes(self.phrase_words - self.whole - self.keys, ())


def _probes(whole: Iterable[str], starts: Iterable[str]) -> tuple[str, ...]:
    found = {w[: max(3, len(w) - 1)] for w in whole} | {s[:3] for s in starts}
    return tuple(sorted(p for p in found if p))


def wanted_words(e: IndexExpression) -> Wanted:
    """Words, word starts and phrases to mark: those the query asks for, not those it
    excludes."""
    whole: set[str] = set()
    starts: list[str] = []
    phrases: set[tuple[str, ...]] = set()

    def walk(x: IndexExpression) -> int:
        if isinstance(x, TermMatch):
            words = tuple(str(w) for w in x.words if w)
            if x.prefix and words:
                whole.update(words[:-1])
                starts.append(words[-1])
            elif len(words) > 1:
                phrases.add(words)
            else:
                whole.update(words)
            return len(set(words))
        if isinstance(x, AllOf):
            return sum(walk(p) for p in x.parts)
        if isinstance(x, AnyOf):
            return min((g for g in [walk(p) for p in x.parts] if g), default=0)
        return 0

    goal = walk(e)
    return Wanted(frozenset(whole), tuple(starts), frozenset(phrases), goal)


def page_snippets(store: Store, hits: Sequence[IndexHit], wanted: Wanted) -> list[Snippet | None]:
    """The snippet of each hit of a page, from one read of their texts."""
    if not hits:
        return []
    texts = store.document_texts([h.doc_id for h in hits])
    return [best_passage(texts.get(h.doc_id, []), wanted) for h in hits]


def best_passage(texts: Iterable[str], wanted: Wanted, size: int = SNIPPET_CHARS) -> Snippet | None:
    """The window of about `size` characters holding the most different wanted words;
    with none of them in the text (the match is in the title, the speaker, the
    country), how the text opens."""
    if not wanted:
        return None
    texts = [t for t in texts if t.strip()]
    best: tuple[int, int, str, list[tuple[int, int]]] | None = None
    goal = wanted.goal
    for text in texts:
        for block, found in _matched_blocks(text, wanted):
            different, count, marks = _best_window(found, size)
            if best is None or (different, count) > best[:2]:
                best = (different, count, block, marks)
            # A window with every word of the query, each about twice, will not be
            # beaten by much: stop reading a long document there.
            if best[0] >= goal and best[1] >= 2 * goal:
                break
        else:
            continue
        break
    if best is None:
        first = next((b for t in texts for b in _BLOCKS.split(t) if b.strip()), "")
        if len(first) > size:
            cut = first.rfind(" ", 0, size)
            first = first[: cut if cut > size // 2 else size] + "…"
        return Snippet(first, ()) if first else None
    _, _, block, spans = best
    return _cut(block, spans, size)


def _matches(text: str, wanted: Wanted) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word of `text` to mark, in order: a wanted word
    wherever it stands, a phrase's words where they stand in a row."""
    found = _words(text, wanted.probes, lambda t: wanted.accepts(t) or t in wanted.keys)
    if not wanted.phrases:
        return found
    if not any(t in wanted.keys for _, _, t in found):  # no phrase here: its key is not
        return [f for f in found if wanted.accepts(f[2])]
    more = _words(text, wanted.phrase_probes, wanted.phrase_words.__contains__)
    merged = {(s, e): t for s, e, t in (*found, *more)}
    spans = [(s, e, t) for (s, e), t in sorted(merged.items())]
    keep = [wanted.accepts(t) for _, _, t in spans]
    for phrase in wanted.phrases:
        n = len(phrase)
        for i in range(len(spans) - n + 1):
            if all(
                spans[i + k][2] == phrase[k]
                and (k == 0 or not _WORDLIKE.search(text, spans[i + k - 1][1], spans[i + k][0]))
                for k in range(n)
            ):
                keep[i : i + n] = [True] * n
    return [m for m, k in zip(spans, keep, strict=True) if k]


_WORDLIKE = re.compile(r"[^\W_]")


def _words(
    text: str, probes: tuple[str, ...], accepts: Callable[[str], bool]
) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word of `text` whose analysed term `accepts`, in
    order, where every such word begins with one of `probes`."""
    if text.isascii():
        low = text.lower()
    else:
        low = text.casefold()
        if _ANALYSE_ALL.search(text) or len(low) != len(text):
            found = analysis.tokens(text)  # rare: every word analysed
            return [(t.start, t.end, t.term) for t in found if accepts(t.term)]
        low = _ACCENTED.sub(_fold_letter, low)  # letter for letter: the offsets hold
    out = []
    for start, end in _candidates(low, probes):
        term = _term(text[start:end])
        if accepts(term):
            out.append((start, end, term))
    return out


def _candidates(low: str, probes: tuple[str, ...]) -> list[tuple[int, int]]:
    """Spans of the words of `low` (a text folded letter for letter) that begin with
    a probe, found by plain substring search."""
    found: set[tuple[int, int]] = set()
    for form in _forms(probes, tuple(a for a in _APOSTROPHES if a in low)):
        i = low.find(form)
        while i >= 0:
            if _starts_word(low, i):
                found.add((i, _WORD_AT.match(low, i).end()))  # type: ignore[union-attr]
            i = low.find(form, i + 1)
    return sorted(found)


@lru_cache(maxsize=1024)
def _forms(probes: tuple[str, ...], marks: tuple[str, ...]) -> tuple[str, ...]:
    """What the probes look like in a text holding `marks`: an apostrophe inside a
    word's first letters ("p'eng", "ch'en") is folded away."""
    forms: list[str] = []
    for probe in probes:
        forms.append(probe)
        if len(probe) > 1:
            forms += (probe[:i] + a + probe[i:] for a in marks for i in (1, 2))
    return tuple(forms)


def _starts_word(text: str, i: int) -> bool:
    """Whether a word begins at `i`: not after a letter or digit, nor after an
    apostrophe inside a word ("nation's")."""
    if i == 0 or not (text[i - 1].isalnum() or text[i - 1] in _APOSTROPHES):
        return True
    return text[i - 1] in _APOSTROPHES and (i < 2 or not text[i - 2].isalnum())


@lru_cache(maxsize=100_000)
def _term(word: str) -> str:
    """The analysed form of one surface word (words repeat: kept)."""
    return analysis.stem(fold_word(word))


def _fold_letter(m: re.Match[str]) -> str:
    return _FOLDS.get(ord(m.group()), m.group())


def _matched_blocks(text: str, wanted: Wanted) -> Iterator[tuple[str, list[tuple[int, int, str]]]]:
    """Each paragraph (block) of `text` holding words to mark, in order, with their
    matches: a block is folded and searched only when the one before it has been
    used, so that a reader who stops at a good passage reads no further."""
    start = 0
    while start <= len(text):
        stop = text.find("\n\n", start)
        stop = len(text) if stop < 0 else stop
        if stop > start:
            block = text[start:stop]
            found = _matches(block, wanted)
            if found:
                yield block, found
        start = stop + 2


def _best_window(
    found: list[tuple[int, int, str]], size: int
) -> tuple[int, int, list[tuple[int, int]]]:
    """The run of matches within `size` characters with the most different words,
    then the most words: (different, all, spans)."""
    best: tuple[int, int, int, int] = (0, 0, 0, 0)  # different, all, first, past-last
    end = 0
    for i, (s, _, _) in enumerate(found):
        end = max(end, i)  # only moves forward: the windows slide along the block
        while end < len(found) and found[end][1] <= s + size:
            end += 1
        score = (len({f[2] for f in found[i:end]}), end - i)
        if score > best[:2]:
            best = (*score, i, end)
    different, count, first, last = best
    return different, count, [(f[0], f[1]) for f in found[first:last]]


def _cut(block: str, spans: list[tuple[int, int]], size: int) -> Snippet:
    """About `size` characters of `block` around `spans`, cut at spaces."""
    begin = max(0, spans[0][0] - size // 4)
    if begin:
        space = block.find(" ", begin)
        begin = space + 1 if 0 <= space < spans[0][0] else begin
    end = min(len(block), begin + size + size // 4)
    if end < len(block):
        space = block.rfind(" ", spans[-1][1], end)
        end = space if space > spans[-1][1] else end
    text = ("…" if begin else "") + block[begin:end] + ("…" if end < len(block) else "")
    shift = begin - (1 if begin else 0)
    return Snippet(text, tuple((s - shift, e - shift) for s, e in spans if e <= end))
