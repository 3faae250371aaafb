"""The analysis shared by index and query: the snippet's fast word finder agrees with it;
Traditional Chinese meets Simplified; Arabic words keep their marks and lose their article."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from declass.search import analysis

WORDS = st.sampled_from(
    [
        "peace",
        "Peaceful",
        "PEACE-keeping",
        "nation's",
        "p'ing",
        "Teng",
        "Hsiao-p'ing",
        "détente",
        "Détente",
        "Громыко",
        "переговоры",
        "毛泽东",
        "un",
        "United",
        "co-existence",
        "Zhou",
        "1949",
        "周恩來",
        "國務院",
        "الميثاق",
        "الأمم",
        "الجمعيـة",
        "نبيّن",
    ]
)
TEXTS = st.lists(st.one_of(WORDS, st.text(max_size=6)), max_size=25).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.lists(WORDS, min_size=1, max_size=4))
def test_tokens_starting_finds_what_full_analysis_finds(text: str, asked: list[str]) -> None:
    heads = frozenset(t[:3] for w in asked for t in analysis.terms(w))
    expected = [t for t in analysis.tokens(text) if t.term[:3] in heads]
    found = list(analysis.tokens_starting(text, heads))
    assert [(t.term, t.start, t.end) for t in found] == [(t.term, t.start, t.end) for t in expected]


def test_traditional_and_simplified_chinese_analyse_alike() -> None:
    # From the 1954 Government Work Report (Traditional) and the same words in Simplified.
    traditional = "聽了劉少奇同志關於憲法草案的報告並進行了三天的討論"
    simplified = "听了刘少奇同志关于宪法草案的报告并进行了三天的讨论"
    assert analysis.terms(traditional) == analysis.terms(simplified)
    assert "刘少奇" in analysis.terms(traditional)
    assert analysis.surface_terms("周恩來總理") == analysis.surface_terms("周恩来总理")


def test_folded_chinese_tokens_keep_the_spans_of_the_text_as_written() -> None:
    text = "中華人民共和國國務院 WTO協定"
    for token in analysis.tokens(text):
        written = text[token.start : token.end]
        assert analysis.terms(written) == [token.term], (written, token)
    assert analysis.fold_han(text) == "中华人民共和国国务院 WTO协定"


def test_arabic_marks_and_tatweel_stay_inside_the_word_they_are_written_in() -> None:
    # From the Arabic text of the UN Charter: vowel marks (shadda) and the tatweel.
    assert len(list(analysis.tokens("نبيّن الجمعيـة العـامة"))) == 3
    assert analysis.terms("الجمعيـة العـامة") == analysis.terms("الجمعية العامة")
    assert analysis.fold_word("نبيّن") == "نبين"


def test_arabic_words_meet_without_their_article_and_hamza_forms() -> None:
    assert analysis.terms("الميثاق") == analysis.terms("ميثاق") == analysis.terms("للميثاق")
    assert analysis.terms("الأمم") == analysis.terms("الامم") == analysis.terms("أمم")
    assert analysis.terms("المتحدة") == analysis.terms("متحده")
    # A short word keeps its letters: "و" is stripped only from longer words.
    assert analysis.arabic_stem("ولد") == "ولد"


# ASCII with every character beyond it that folds leave outside words (Latin-1's
# punctuation, the General Punctuation block: ’ — “ ” … and spaces), and a few that
# are letters or marks, so that both ways through `_folded_words` are taken.
PUNCTUATED = st.lists(
    st.one_of(
        st.sampled_from(["nation", "Peace", "P", "ing", "1945", "'", "`", "’", "_", " ", "-"]),
        st.sampled_from(
            [
                *map(chr, range(0x80, 0x100)),
                *map(chr, range(0x2000, 0x2070)),
                "ʼ",
                "é",
                "™",
                "\u0301",
            ]
        ),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=2000, deadline=None)
@given(PUNCTUATED)
def test_words_of_a_punctuated_text_are_those_the_full_unicode_fold_finds(text: str) -> None:
    assert analysis._folded_words(text) == analysis._unicode_words(text)


def test_a_speech_with_typographic_punctuation_splits_as_the_full_fold_does() -> None:
    # From the UN General Debate corpus: curly apostrophes and quotes, dashes, an
    # ellipsis and a no-break space, none of them a letter.
    text = "The Organization’s “peace-keeping” role — as the Charter’s drafters hoped… 1945"
    assert analysis._folded_words(text) == analysis._unicode_words(text)
    assert analysis._folded_words(text)[:3] == ["the", "organizations", "peace"]
