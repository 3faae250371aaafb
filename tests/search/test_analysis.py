"""The snippet's fast word finder agrees with the full analysis."""

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
