"""Language identification at ingest: offline, for the archive's languages."""

from __future__ import annotations

from pathlib import Path

from declass.language import identify, tesseract_languages
from tests.ingest.renders import first_speech, russian_country_names


def test_general_debate_speech_is_english(corpora: Path) -> None:
    assert identify(" ".join(first_speech(corpora))) == "en"


def test_russian_country_names_are_russian() -> None:
    assert identify(" ".join(russian_country_names())) == "ru"


def test_chinese_and_short_texts_go_by_script() -> None:
    assert identify("中华人民共和国外交部") == "zh"
    assert identify("Москва") == "ru"
    assert identify("Geneva") == "en"


def test_text_without_letters_is_undetermined() -> None:
    assert identify("") == "und"
    assert identify("1969 — 12/3") == "und"


def test_french_is_not_mistaken_for_english() -> None:
    assert identify("Le Conseil de sécurité des Nations Unies a adopté la résolution") == "fr"


def test_tesseract_model_names() -> None:
    assert (tesseract_languages("ru"), tesseract_languages("zh"), tesseract_languages("xx")) == (
        "rus",
        "chi_sim",
        None,
    )
