"""Names in queries find the right person in every script, on real FRUS volumes.

Each spelling of a person must give the same documents; a full name never brings in
a bare surname, a given name or another person; person facets are people, one value
a person under the preferred name.
"""

from __future__ import annotations

import re

import pytest

from declass.names import compatible
from declass.persons import person
from declass.persons.spellings import parse_spelling
from declass.search.engine import search
from declass.search.expansion import expand_name
from declass.store.base import Store

ALL = 10_000
SPELLINGS = {
    "Mao": ["毛泽东", "Мао Цзэдун", "Mao Tse-tung", "Mao Zedong"],
    "Zhou": ["周恩来", "Чжоу Эньлай", "Chou En-lai", "Zhou Enlai"],
    "Khrushchev": ["Khrushchev", "Хрущёв", "Chruschtschow"],
}


def _found(store: Store, query: str) -> set[str]:
    return {r.doc_id for r in search(store, query, page_size=ALL, snippets=False).results}


@pytest.mark.parametrize("person", sorted(SPELLINGS))
def test_every_spelling_of_a_person_finds_the_same_documents(
    persons_archive: Store, person: str
) -> None:
    answers = {q: _found(persons_archive, q) for q in SPELLINGS[person]}
    first = next(iter(answers.values()))
    assert first, person
    assert all(found == first for found in answers.values()), {
        q: len(f) for q, f in answers.items()
    }


def test_chou_en_lai_finds_every_document_printing_either_romanisation(
    persons_archive: Store,
) -> None:
    printed = re.compile(r"\bChou En-?lai\b|\bZhou Enlai\b", re.I)
    expected = {d.id for d in persons_archive.documents() if printed.search(d.body)}
    assert expected
    assert expected <= _found(persons_archive, '"Chou En-lai"')


def test_a_full_name_searches_no_bare_name_and_no_other_person(persons_archive: Store) -> None:
    for name in ("Chou En-lai", "Mao Tse-tung", "Nikita Khrushchev", "Andrei Gromyko"):
        found = expand_name(persons_archive, name)
        assert len(found.persons) == 1, (name, found.persons)
        for v in found.variants:
            assert len(v.name.split()) > 1 or re.search(r"[\u4e00-\u9fff]", v.name), (name, v)


def test_khrushchev_expands_to_spellings_of_khrushchev_only(persons_archive: Store) -> None:
    shown = search(persons_archive, "Khrushchev", snippets=False).expansions
    names = [v for e in shown for v in e.variants]
    assert all(re.search(r"(?i)khru|chrusch|хрущ|jrusch|hrušč|khrouch", n) for n in names), names
    for wrong in ("Stalin", "Nikita", "Richard H. Davis", "Knight"):
        assert wrong not in names


@pytest.mark.parametrize("name", ["Andrei A. Gromyko", "Herbert Hoover, Jr.", "J. Edgar Hoover"])
def test_no_spelling_searched_could_be_another_person_of_that_name(
    persons_archive: Store, name: str
) -> None:
    found = expand_name(persons_archive, name)
    assert len(found.persons) == 1, found.persons
    others = [
        parse_spelling(s.name)
        for s in persons_archive.person_spellings(surnames=["hoover", "gromyko"])
        if s.person_id not in found.persons
    ]
    assert others
    for v in found.variants:
        if v.evidence == "recorded":
            mine = parse_spelling(v.name)
            assert not any(compatible(mine, o) for o in others), v
            assert not any(mine.key == o.key for o in others), v


def test_person_facets_are_people_once_each_under_the_preferred_name(
    persons_archive: Store,
) -> None:
    facets = search(persons_archive, "Khrushchev", snippets=False, facet_size=30).facets
    values = [f.value for f in facets["person"]]
    assert "Nikita Sergeyevich Khrushchev" in values
    assert "Nikita S. Khrushchev" not in values
    for body in ("Department of State", "Embassy in the Soviet Union", "Secretary of State"):
        assert body not in values
    assert all(len(v.split()) > 1 for v in values)


def test_a_selected_person_matches_the_documents_of_every_spelling(
    persons_archive: Store,
) -> None:
    links = persons_archive.person_links()
    named: dict[str, set[str]] = {}
    for d in persons_archive.documents():
        for p in d.participants:
            if p.authority_id in links and p.role.value != "mentioned":
                named.setdefault(links[p.authority_id].person_id, set()).add(d.id)
    # The person named in the most volumes: written differently in each.
    chosen = max(named, key=lambda k: (len({d.split(":")[1] for d in named[k]}), k))
    assert len({d.split(":")[1] for d in named[chosen]}) >= 2
    label = person(persons_archive, chosen).name
    narrowed = search(
        persons_archive, "", snippets=False, page_size=ALL, facets=[f"person:{label}"]
    )
    assert {r.doc_id for r in narrowed.results} == named[chosen]
