"""The actors an article names, each resolved to the one authority it means.

Names are runs of capitalised words (or Cyrillic or Chinese), tried longest first;
a run is an actor when it names a country (or its demonym), an authority record, or
a romanised Chinese name the archive holds. A person's authority is chosen by
evidence, not by the first record one of whose variants matches: a one-word name
("Stalin") must occur in the record's own name (so a record that lists "Stalin"
among its variants by a merging error is passed over), a longer one in its name or
a recorded spelling; among several people who share the surname, a full name
elsewhere in the article decides, then the article's years; when nothing decides,
the actor keeps its spellings and no authority rather than a guessed one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from declass import countries
from declass.model import Authority, AuthorityKind
from declass.search import analysis, variants
from declass.store.base import Store

# Adjectives that name a country (the resolver knows names, not demonyms).
DEMONYMS = {
    "soviet": "Soviet Union",
    "sino": "China",
    "chinese": "China",
    "russian": "Russia",
    "american": "United States",
    "british": "United Kingdom",
    "french": "France",
    "german": "Germany",
    "japanese": "Japan",
    "korean": "Korea",
    "indian": "India",
    "vietnamese": "Viet Nam",
    "ukrainian": "Ukraine",
    "taiwanese": "Taiwan",
    "mongolian": "Mongolia",
    "australian": "Australia",
    "cuban": "Cuba",
    "polish": "Poland",
}
# Capitals and other words that stand for a country in diplomatic prose, with the
# spellings of other scripts the archive uses for them.
COUNTRY_WORDS = {
    "Soviet Union": "RUS",
    "USSR": "RUS",
    "Soviet": "RUS",
    "Soviets": "RUS",
    "Russia": "RUS",
    "Moscow": "RUS",
    "Kremlin": "RUS",
    "СССР": "RUS",
    "Советский Союз": "RUS",
    "Москва": "RUS",
    "苏联": "RUS",
    "China": "CHN",
    "Chinese": "CHN",
    "Peking": "CHN",
    "Beijing": "CHN",
    "PRC": "CHN",
    "People's Republic of China": "CHN",
    "Китай": "CHN",
    "КНР": "CHN",
    "中国": "CHN",
    "United States": "USA",
    "Washington": "USA",
    "США": "USA",
    "美国": "USA",
    "Australia": "AUS",
    "Canberra": "AUS",
    "Taiwan": "TWN",
    "Taipei": "TWN",
    "Formosa": "TWN",
}
_STOPWORD_TEXT = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each
few for from further had has have having he her here hers herself him himself his how
i if in into is it its itself just me more most my myself no nor not now of off on
once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too
under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves one two new said says say may might must
shall upon us mr mrs ms dr yet still even though although however today
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_NAME_RUN = re.compile(
    r"(?<![\w’'])(?:[A-Z][\w’'\-]*|[\u0400-\u042f][\w\-]*|[\u3400-\u9fff]+)"
    r"(?:[ \t]+(?:(?:of|the|de|von|van|al|bin)[ \t]+)?"
    r"(?:[A-Z][\w’'\-.]*|[\u0400-\u042f][\w\-]*))*"
)
_CONNECTORS = {"of", "the", "de", "von", "van", "al", "bin"}
# Words before a name that are not part of it: titles and months ("President
# Eisenhower", "In March Dulles said").
_LEADING_TEXT = """president secretary premier chairman ambassador general minister prime
foreign senator marshal comrade vice deputy assistant under sir lord king queen emperor
prince governor admiral colonel captain chancellor leader mr mrs ms dr professor january
february march april may june july august september october november december"""
_LEADING = frozenset(_LEADING_TEXT.split())
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“]\s*|\n\s*)$")
_FOLD = re.compile(r"[^\w]+")
_FRUS_YEARS = re.compile(r"^frus:frus(\d{4})(?:-(\d{2,4}))?")
MAX_RUNS = 400  # distinct name runs looked up in one article (a 2 MB paste has many)


@dataclass(frozen=True)
class Mention:
    """Someone or something the article names, with every spelling the archive knows."""

    text: str  # as the article writes it
    kind: str  # person, organisation, place, country, term, name
    spellings: tuple[str, ...]
    authority_id: str = ""
    authority_name: str = ""
    country_code: str = ""
    count: int = 1

    @property
    def key(self) -> str:
        """One key per actor: its authority, its country, or its own words."""
        return (
            self.authority_id
            or (self.country_code and f"country:{self.country_code}")
            or (f"name:{self.text.casefold()}")
        )


def find_mentions(store: Store, text: str, years: Sequence[tuple[int, int]] = ()) -> list[Mention]:
    """The actors `text` names, most mentioned first, each with its spellings."""
    runs: dict[str, int] = {}
    order: list[str] = []
    for m in _NAME_RUN.finditer(text):
        run = re.sub(r"[’']s$", "", m.group().strip(" -’'.")).strip()
        words = run.split()
        at_start = bool(_SENTENCE_START.search(text[max(0, m.start() - 3) : m.start()]))
        if at_start and words and words[0].casefold() in STOPWORDS:
            words = words[1:]
        while len(words) > 1 and words[0].casefold().strip(".") in _LEADING:
            words = words[1:]
        run = " ".join(words)
        if not run or run.casefold() in _LEADING:
            continue
        if run not in runs:
            if len(runs) >= MAX_RUNS:
                continue
            order.append(run)
        runs[run] = runs.get(run, 0) + 1
    full_names = [r for r in order if len(r.split()) > 1]
    found: dict[str, Mention] = {}
    cache: dict[str, Mention | None] = {}
    for run in order:
        for name in _candidates(run):
            folded = name.casefold()
            if folded in STOPWORDS:
                continue
            if folded not in cache:
                cache[folded] = _resolve(store, name, full_names, years)
            resolved = cache[folded]
            if resolved is None:
                continue
            kept = found.get(resolved.key)
            if kept is None:
                found[resolved.key] = replace(resolved, count=runs[run])
            else:
                found[resolved.key] = _merge(kept, resolved, runs[run])
            break
    for key, m in list(found.items()):
        if m.authority_id or m.country_code or len(m.text.split()) != 1:
            continue
        fuller = [
            k
            for k, o in found.items()
            if k != key
            and not o.country_code
            and len(o.text.split()) > 1
            and _words(m.text) <= _words(o.text)
        ]
        if len(fuller) == 1:
            found[fuller[0]] = _merge(found[fuller[0]], found.pop(key), m.count)
    return sorted(found.values(), key=lambda x: (-x.count, x.text))


def _merge(kept: Mention, other: Mention, count: int) -> Mention:
    spellings = tuple(dict.fromkeys((*kept.spellings, *other.spellings)))
    # The article's fuller form names the actor ("Mao Zedong" rather than "Mao"); a
    # country is named by its name rather than a demonym or a capital.
    text = kept.text
    if kept.kind == "country":
        if kept.text.casefold() in DEMONYMS or kept.text in COUNTRY_WORDS:
            text = other.text if other.text.casefold() not in DEMONYMS else kept.text
    elif len(other.text) > len(kept.text):
        text = other.text
    return replace(kept, text=text, spellings=spellings, count=kept.count + count)


def _candidates(run: str) -> Iterable[str]:
    """The run, then shorter runs inside it (longest first), then hyphenated halves."""
    words = run.split()
    for size in range(min(len(words), 4), 0, -1):
        for i in range(len(words) - size + 1):
            piece = words[i : i + size]
            if {piece[0].casefold(), piece[-1].casefold()} & _CONNECTORS:
                continue
            yield " ".join(piece).strip(".")
    for part in re.split(r"[-–]", run):
        if part != run and part:
            yield part


def _resolve(
    store: Store, name: str, full_names: Sequence[str], years: Sequence[tuple[int, int]]
) -> Mention | None:
    if len(name) < 2:
        return None
    country = _country(name)
    if country is not None:
        return country
    authority = resolve_authority(store, name, full_names, years)
    if authority is not None:
        spellings = dict.fromkeys([name])
        if authority.kind in (AuthorityKind.PERSON, AuthorityKind.PLACE):
            surname = _surname_words(authority.name)
            for n in authority.all_names:
                if _words(n) & surname:  # a recorded spelling of this person's name
                    spellings.setdefault(n, None)
            for generated in attested(store, variants.name_forms(name)):
                spellings.setdefault(generated, None)
        else:
            for n in authority.all_names:
                spellings.setdefault(n, None)
        return Mention(
            name,
            authority.kind.value,
            tuple(spellings),
            authority_id=authority.id,
            authority_name=authority.name,
        )
    if len(name) < 3 or name.casefold() in STOPWORDS or not attested(store, {name}):
        return None
    # Without an authority record only romanisations of Chinese are trusted (reading
    # an English word back as Russian makes nonsense); a Cyrillic name gets its Latin.
    generated = variants.chinese_forms(name) | (
        variants.latin_forms(name) if re.search(r"[\u0400-\u04ff]", name) else set()
    )
    forms = attested(store, generated | variants.name_forms(name))
    # One capitalised word is a name when the archive also holds it in another script
    # ("Stalin" as "Сталин"); longer runs of two or three capitalised words are kept.
    other_script = any(_OTHER_SCRIPT.search(f) for f in forms)
    several = 1 < len(name.split()) <= 3 and all(w[:1].isupper() for w in name.split())
    if generated or other_script or several:
        return Mention(name, "name", (name, *sorted(forms)))
    return None


_OTHER_SCRIPT = re.compile(r"[\u0400-\u04ff\u3400-\u9fff]")


def _country(name: str) -> Mention | None:
    demonym = DEMONYMS.get(name.casefold())
    code = COUNTRY_WORDS.get(name)
    country = countries.country_named(demonym or name) if code is None else None
    if code is None and country is None:
        return None
    code = code or (country.code if country else "")
    label = country.name if country is not None else name
    spellings = {name, label, *((demonym and [demonym]) or [])}
    spellings |= {n for n, c in COUNTRY_WORDS.items() if c == code}
    return Mention(name, "country", tuple(sorted(spellings)), country_code=code)


def resolve_authority(
    store: Store, name: str, full_names: Sequence[str] = (), years: Sequence[tuple[int, int]] = ()
) -> Authority | None:
    """The one authority `name` means in this article, or None when the evidence does
    not single one out."""
    candidates = list(store.authorities_named(name))
    if "," not in name and len(name.split()) == 2:
        # The people authority files "Stalin, Joseph": try the inverted form too.
        first, last = name.split()
        candidates += store.authorities_named(f"{last}, {first}")
    words = _words(name)
    if not words:
        return None
    fitting = [
        a
        for a in dict((a.id, a) for a in candidates).values()
        if _fits(a, words) and not (a.kind is AuthorityKind.TERM and len(words) < 2)
    ]
    if not fitting:
        return None
    people = [a for a in fitting if a.kind is AuthorityKind.PERSON]
    if not people:
        return fitting[0]
    if len(words) == 1:
        # A bare surname: the full name the article gives elsewhere decides.
        fuller = [f for f in full_names if words <= _words(f) and len(_words(f)) > 1]
        for full in fuller:
            chosen = resolve_authority(store, full, (), years)
            if chosen is not None and words <= _words(chosen.name):
                return chosen
    identities = _identities(people)
    if years:
        # A record from another period is another person until shown otherwise; the
        # people authority's record spans a life, so without life dates it stays in.
        identities = [
            g
            for g in identities
            if any(_overlaps(a, years) for a in g)
            or not any(_dated(a) for a in g)
            or any(a.id.startswith("person:") and not a.birth_year for a in g)
        ]
    if len(identities) != 1:
        return None  # several people of that name (or none of the article's time)
    return _canonical(store, identities[0])


def _canonical(store: Store, group: list[Authority]) -> Authority:
    """The people authority's record for the person when there is one (FRUS lists
    are per volume), else the fullest of the group's records."""
    best = min(group, key=lambda a: (not a.id.startswith("person:"), -len(a.all_names), a.id))
    if best.id.startswith("person:"):
        return best
    mine = _full_names(best)
    for name in (best.name, _inverted(best.name)):
        for a in store.authorities_named(name) if name else ():
            person = a.id.startswith("person:") and a.kind is AuthorityKind.PERSON
            if person and any(x <= y or y <= x for x in _full_names(a) for y in mine):
                return a
    return best


def _inverted(name: str) -> str:
    words = [w for w in name.split("(")[0].split() if w]
    return f"{words[-1]}, {' '.join(words[:-1])}" if len(words) > 1 else ""


def _dated(authority: Authority) -> bool:
    return bool(_FRUS_YEARS.match(authority.id) or authority.birth_year)


def _fits(authority: Authority, words: frozenset[str]) -> bool:
    if words <= _words(authority.name):
        return True
    if len(words) < 2:
        return False
    return any(words == _words(v) or words <= _words(v) for v in authority.all_names)


def _identities(people: list[Authority]) -> list[list[Authority]]:
    """Records grouped by the person they describe: two records are one person when
    a full name (two words or more) of one, or its romanisation, is a full name of the
    other ("Mao Tse-tung (Mao Zedong)" and "Mao Zedong")."""
    names = [_full_names(a) for a in people]
    parent = list(range(len(people)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(people)):
        for j in range(i + 1, len(people)):
            if any(x <= y or y <= x for x in names[i] for y in names[j]):
                parent[root(i)] = root(j)
    # A record that gives a surname only ("Stalin") joins the one group it fits.
    for i, a in enumerate(people):
        if not names[i]:
            words = _words(a.name)
            fits = {
                root(j)
                for j in range(len(people))
                if names[j] and any(words <= n for n in names[j])
            }
            if len(fits) == 1:
                parent[root(i)] = fits.pop()
    groups: dict[int, list[Authority]] = {}
    for i, a in enumerate(people):
        groups.setdefault(root(i), []).append(a)
    return list(groups.values())


def _full_names(authority: Authority) -> set[frozenset[str]]:
    """The record's own name (each part of "A (B)") and its romanisations, as word
    sets; initials dropped. Variants are left out: a merging error elsewhere must not
    join two people."""
    out: set[frozenset[str]] = set()
    for part in re.split(r"[()]", authority.name):
        part = part.strip(" ,")
        if "," in part:
            last, _, first = part.partition(",")
            part = f"{first.strip()} {last.strip()}"
        for form in {part, *variants.name_forms(part)} if part else ():
            words = frozenset(w for w in _words(form) if len(w) > 1)
            if len(words) > 1:
                out.add(words)
    return out


def _overlaps(authority: Authority, years: Sequence[tuple[int, int]]) -> bool:
    m = _FRUS_YEARS.match(authority.id)
    if m:
        lo = int(m.group(1))
        hi = int(m.group(1)[:2] + m.group(2)[-2:]) if m.group(2) else lo
    elif authority.birth_year:
        lo, hi = authority.birth_year + 20, (authority.death_year or authority.birth_year + 90)
    else:
        return False
    return any(a <= hi + 1 and lo - 1 <= b for a, b in years)


def fold(text: str) -> str:
    """Case and accents dropped: "Khrushchëv" and "khrushchev" are one spelling."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(name: str) -> frozenset[str]:
    return frozenset(w for w in _FOLD.split(fold(name)) if w)


def _surname_words(name: str) -> frozenset[str]:
    head = name.split("(")[0]
    if "," in head:
        return _words(head.split(",")[0])
    parts = [w for w in _FOLD.split(fold(head)) if len(w) > 1]
    if not parts:
        return frozenset()
    # Chinese names put the surname first ("Mao Zedong"), Western ones last.
    return frozenset({parts[0], parts[-1]} if variants.is_chinese_name(head) else {parts[-1]})


def attested(store: Store, names: Iterable[str]) -> set[str]:
    """The spellings all of whose words occur somewhere in the archive."""
    names = [n for n in names if analysis.terms(n)]
    if not names:
        return set()
    counts = store.term_counts(sorted({w for n in names for w in analysis.terms(n)}))
    return {n for n in names if all(counts.get(w, 0) for w in analysis.terms(n))}
