"""Generated spellings: Wade–Giles ⇄ pinyin, postal names, Russian transliterations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from declass.search.variants import _all_schemes, _schemes, name_forms


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mao Zedong", "Mao Tse-Tung"),
        ("Mao Tse-tung", "Mao Zedong"),
        ("Mao Tse-tung", "Mao Tsetung"),
        ("Chou En-lai", "Zhou Enlai"),
        ("Zhou Enlai", "Chou En-Lai"),
        ("Teng Hsiao-p'ing", "Deng Xiaoping"),
        ("Deng Xiaoping", "Teng Hsiao-Ping"),
        ("Kuomintang", "Guomindang"),
        ("Peking", "Beijing"),
        ("Beijing", "Peking"),
        ("Громыко", "Gromyko"),
        ("Gromyko", "Громыко"),
        ("Хрущёв", "Khrushchev"),
        ("Хрущёв", "Chruschtschow"),
        ("Khrushchev", "Khrushchyov"),
        ("Khrushchev", "Chruschtschow"),
        ("Gorbachev", "Gorbachov"),
    ],
)
def test_a_name_has_its_other_spellings(name: str, expected: str) -> None:
    assert expected in name_forms(name)


def test_english_words_are_not_romanised_into_names() -> None:
    assert not {f for f in name_forms("peace") if " " not in f and f.isascii()} & {"Beace"}


CYRILLIC_TEXT = st.text(
    alphabet=st.sampled_from(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ -,."
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(CYRILLIC_TEXT)
def test_all_schemes_at_once_translate_as_iuliia_does_scheme_by_scheme(text: str) -> None:
    expected = [scheme.translate(text) for scheme in _schemes()]  # type: ignore[attr-defined]
    assert _all_schemes().translate(text) == expected


@pytest.mark.parametrize("name", ["Хрущёв", "Громыко", "Горбачёв", "Вышинский", "Цзэдун", "Мао"])
def test_real_names_translate_as_iuliia_does(name: str) -> None:
    expected = [scheme.translate(name) for scheme in _schemes()]  # type: ignore[attr-defined]
    assert _all_schemes().translate(name) == expected
