"""Which spellings a name typed in a query is searched under, and the evidence for each.

Right before broad. A full name ("Chou En-lai", "毛泽东", "Мао Цзэдун") is resolved to
the persons who have it as a recorded spelling (directly, as a transliteration, or as
the pinyin of the characters typed), and searched under every full spelling recorded
for them (declass.persons), their transliterations (variants.py) and their names in
characters (hanzi.py). Each of these is evidence that the variant is the same person;
nothing else is searched. So every spelling of one person gives the same variants.

Never searched for a full name: a bare surname, a bare given name, initials alone
("Chou", "Henry", "K"), or a spelling another person also has ("A. A. Gromyko" when
two Gromykos are A. A.). A name typed as one word ("Khrushchev", "Хрущёв") is a bare
name by itself: it is searched with its own transliterations, canonicalised through
the surnames the archive records ("Chruschtschow" → "Khrushchev" → all its forms),
so that every script gives the same answer. Asked with `person:Gromyko`, a bare name
also brings in the full spellings of every recorded person of that name.
"""

from __future__ import annotations

from dataclasses import dataclass

from declass.names import PersonName, alternatives, compatible, has_han
from declass.persons.spellings import parse_spelling
from declass.search import hanzi, variants
from declass.store.base import PersonSpelling, Store

TYPED = "typed"
RECORDED = "recorded"  # a spelling the authority or a persons list records
TRANSLITERATION = "transliteration"  # generated from a recorded (or the typed) spelling
CHARACTERS = "characters"  # a Chinese name in characters, read as a recorded spelling


@dataclass(frozen=True)
class Variant:
    name: str
    evidence: str
    person: str = ""  # the person it is a spelling of ("" for the typed name itself)


@dataclass(frozen=True)
class NameExpansion:
    """A typed name, the persons it was resolved to, and every candidate spelling
    (the engine keeps those the archive holds)."""

    name: str
    persons: tuple[str, ...]
    variants: tuple[Variant, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variants)


def expand_name(store: Store, name: str, explicit: bool = False) -> NameExpansion:
    """The spellings `name` is searched under (see the module's doc); `explicit` when
    the reader asked for a person (`person:`), which lets a bare name reach the full
    names of everyone recorded under it."""
    typed = name.strip()
    found: dict[str, Variant] = {typed: Variant(typed, TYPED)}
    parsed = parse_spelling(typed)
    single = len(typed.split()) == 1 and not has_han(typed)
    if single or (parsed.bare and not has_han(typed)):
        surnames = _recorded_surnames(store, typed)
        for surname in surnames or [typed]:
            for form in [surname, *sorted(variants.name_forms(surname))]:
                found.setdefault(form, Variant(form, TRANSLITERATION))
        persons: tuple[str, ...] = ()
        if explicit:
            rows = store.person_spellings(surnames=[_key(s) for s in surnames or [typed]])
            persons = tuple(sorted({r.person_id for r in rows}))
            _add_persons(store, persons, found)
        return NameExpansion(typed, persons, tuple(found.values()))

    persons = _resolve(store, typed, parsed)
    if not persons:
        readings = hanzi.readings(typed)[:1] if has_han(typed) else []
        for form in [*readings, *sorted(variants.name_forms(typed))]:
            found.setdefault(form, Variant(form, TRANSLITERATION))
        return NameExpansion(typed, (), tuple(found.values()))
    _add_persons(store, persons, found)
    return NameExpansion(typed, persons, tuple(found.values()))


def _key(name: str) -> str:
    return parse_spelling(name).surname_key


def _resolve(store: Store, typed: str, parsed: PersonName) -> tuple[str, ...]:
    """The persons a full name can mean: exact recorded spellings of it or of its
    transliterations or pinyin readings; failing those, compatible ones ("William
    Bundy" for "William P. Bundy")."""
    candidates = [
        *alternatives(typed),
        *hanzi.readings(typed),
        *sorted(variants.name_forms(typed)),
    ]
    forms = [parse_spelling(c) for c in candidates]
    forms = [f for f in forms if f.key and not f.bare]
    rows = store.person_spellings(keys=[f.key for f in forms])
    if not rows and forms:
        nearby = store.person_spellings(surnames=sorted({f.surname_key for f in forms}))
        rows = [r for r in nearby if any(compatible(f, parse_spelling(r.name)) for f in forms)]
    return tuple(sorted({r.person_id for r in rows}))


def _add_persons(store: Store, persons: tuple[str, ...], found: dict[str, Variant]) -> None:
    """Every full spelling of `persons` no other person shares, with its
    transliterations and its characters."""
    own = store.person_spellings(person_ids=list(persons))
    parsed = {s.name: parse_spelling(s.name) for s in own}
    mononym = {p for p in persons if all(parsed[s.name].bare for s in own if s.person_id == p)}
    surnames = sorted({parsed[s.name].surname_key for s in own if parsed[s.name].surname_key})
    others = [s for s in store.person_spellings(surnames=surnames) if s.person_id not in persons]
    other_parsed = [parse_spelling(s.name) for s in others]
    other_keys = {s.key for s in others}
    for s in own:
        form = parsed[s.name]
        if has_han(s.name):  # recorded in characters: a whole name in one word
            found.setdefault(s.name, Variant(s.name, RECORDED, s.person_id))
            continue
        if form.bare and s.person_id not in mononym:
            continue
        if s.key in other_keys:
            continue  # another person is written so too
        if form.initials_only and any(compatible(form, o) for o in other_parsed):
            continue  # "A. A. Gromyko" could be either Gromyko
        found.setdefault(form.text, Variant(form.text, RECORDED, s.person_id))
    for v in [v for v in found.values() if v.evidence == RECORDED]:
        for form in sorted(variants.name_forms(v.name)):
            if not has_han(form):
                found.setdefault(form, Variant(form, TRANSLITERATION, v.person))
        for syllables in variants.pinyin_syllables(v.name):
            for word in sorted(hanzi.characters(syllables)):
                found.setdefault(word, Variant(word, CHARACTERS, v.person))


def _recorded_surnames(store: Store, typed: str) -> list[str]:
    """The surnames the archive records that `typed` is, or is a transliteration of:
    "Хрущёв" and "Chruschtschow" → ["Khrushchev"]."""
    forms = [typed, *sorted(variants.name_forms(typed))]
    keys = {_key(f): f for f in forms if _key(f)}
    rows: list[PersonSpelling] = store.person_spellings(surnames=sorted(keys))
    seen: dict[str, str] = {}
    for r in rows:
        parsed = parse_spelling(r.name)
        if parsed.surname_key in keys:
            seen.setdefault(parsed.surname_key, parsed.surname)
    return [seen[k] for k in sorted(seen)]
