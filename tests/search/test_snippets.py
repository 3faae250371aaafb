"""Snippets: the fast finder marks exactly the words the full analysis would, in every
script; the passage holds the most different words; a page reads only texts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from declass.search import analysis, snippets
from declass.search.snippets import Wanted, best_passage, wanted_words
from declass.store.base import AllOf, AnyOf, Excluding, TermMatch

WORDS = st.sampled_from(
    [
        "peace",
        "Peaceful",
        "PEACE-keeping",
        "nation's",
        "'peace'",
        "p'ing",
        "P’eng",
        "Hsiao-p'ing",
        "Ch'en",
        "détente",
        "Détente",
        "DÉTENTE",
        "de\u0301tente",
        "Bogotá",
        "Громыко",
        "переговоры",
        "Ёлкин",
        "毛泽东",
        "周恩來",
        "الميثاق",
        "un",
        "United",
        "co-existence",
        "Zhou",
        "1949",
        "straße",
    ]
)
TEXTS = st.lists(st.one_of(WORDS, st.text(max_size=6)), max_size=25).map(" ".join)


def full_analysis(text: str, wanted: Wanted) -> list[tuple[int, int, str]]:
    return [(t.start, t.end, t.term) for t in analysis.tokens(text) if wanted.accepts(t.term)]


@settings(max_examples=500, deadline=None)
@given(TEXTS, st.lists(WORDS, min_size=1, max_size=3))
def test_finder_marks_the_words_the_full_analysis_finds(text: str, asked: list[str]) -> None:
    wanted = Wanted(frozenset(t for w in asked for t in analysis.terms(w)), ())
    assert snippets._matches(text, wanted) == full_analysis(text, wanted)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.sampled_from(["pea", "déte", "p'i", "гро", "uni"]))
def test_finder_marks_every_word_a_prefix_begins(text: str, start: str) -> None:
    wanted = Wanted(frozenset(), tuple(analysis.surface_terms(start)))
    assert snippets._matches(text, wanted) == full_analysis(text, wanted)


def test_passage_is_the_window_with_the_most_different_words() -> None:
    # From Gromyko's 1969 speech (RUS_24_1969), with a paragraph naming one word only.
    texts = [
        "The question of disarmament has long been before the Assembly.\n\n"
        "Nuclear weapons and the arms race: the Soviet Union proposes that nuclear"
        " weapons be banned and that disarmament be general and complete.\n\n"
        "Disarmament again."
    ]
    wanted = wanted_words(AllOf((TermMatch(("nuclear",)), TermMatch(("disarma",)))))
    snippet = best_passage(texts, wanted)
    assert snippet is not None
    assert snippet.text.startswith("Nuclear weapons")
    marked = [snippet.text[s:e].lower() for s, e in snippet.highlights]
    assert marked == ["nuclear", "nuclear", "disarmament"]
    assert snippet.marked().count("[") == 3


def test_excluded_words_are_not_marked_and_a_metadata_match_shows_the_opening() -> None:
    wanted = wanted_words(AllOf((TermMatch(("cuba",)), Excluding(TermMatch(("peac",))))))
    assert wanted == Wanted(frozenset({"cuba"}), (), goal=1)
    snippet = best_passage(["We speak of peace.\n\nAnd of trade."], wanted)
    assert snippet is not None and snippet.highlights == ()
    assert snippet.text == "We speak of peace."


def test_long_passages_are_cut_at_spaces_with_marks_inside() -> None:
    text = ("word " * 200) + "the sovereignty of states " + ("word " * 200)
    wanted = wanted_words(AnyOf((TermMatch(("sovereignti",)), TermMatch(("state",)))))
    snippet = best_passage([text], wanted)
    assert snippet is not None
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    assert len(snippet.text) <= snippets.SNIPPET_CHARS + snippets.SNIPPET_CHARS // 4 + 2
    marked = [snippet.text[s:e] for s, e in snippet.highlights]
    assert marked == ["sovereignty", "states"]


def phrase_oracle(text: str, phrase: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """The tokens of the full analysis that stand in a row spelling `phrase`."""
    tokens = list(analysis.tokens(text))
    marked: set[int] = set()
    for i in range(len(tokens) - len(phrase) + 1):
        if tuple(t.term for t in tokens[i : i + len(phrase)]) == phrase:
            marked.update(range(i, i + len(phrase)))
    return [(tokens[i].start, tokens[i].end, tokens[i].term) for i in sorted(marked)]


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.lists(WORDS, min_size=2, max_size=3))
def test_a_phrase_is_marked_only_where_its_words_stand_in_a_row(
    text: str, asked: list[str]
) -> None:
    phrase = tuple(t for w in asked for t in analysis.terms(w))
    if len(phrase) < 2:
        return
    wanted = wanted_words(TermMatch(phrase))
    assert snippets._matches(text, wanted) == phrase_oracle(text, phrase)
    # A text that holds it, found by the whole passage too.
    spoken = " ".join(asked)
    snippet = best_passage([f"Nothing here.\n\n{text} and {spoken}."], wanted)
    assert snippet is not None
    marked = [(s, e) for s, e, _ in phrase_oracle(snippet.text, phrase)]
    assert marked and set(marked) <= set(snippet.highlights)


def test_syllables_of_a_name_variant_are_not_marked_alone() -> None:
    # The planner's expression for "Tito": the name, or romanised syllables of its
    # Chinese spelling in a row. Text from Yugoslavia's 1972 speech (YUG_27_1972),
    # shortened; "to" stands in it often, "ti to" never.
    wanted = wanted_words(
        AnyOf((TermMatch(("tito",)), TermMatch(("ti", "duo")), TermMatch(("ti", "to"))))
    )
    assert wanted.goal == 1
    text = (
        "We have come to this session to state our views.\n\n"
        "President Tito has said that the non-aligned countries want to contribute to peace."
    )
    snippet = best_passage([text], wanted)
    assert snippet is not None
    assert [snippet.text[s:e] for s, e in snippet.highlights] == ["Tito"]


def test_the_words_of_a_quoted_phrase_are_marked_together_not_alone() -> None:
    wanted = wanted_words(TermMatch(("nuclear", "weapon")))
    text = (
        "Nuclear energy serves development.\n\n"
        "The nuclear-weapon States and all nuclear weapons must go; weapons of war too."
    )
    snippet = best_passage([text], wanted)
    assert snippet is not None
    assert snippet.text.startswith("The nuclear-weapon")
    assert [snippet.text[s:e] for s, e in snippet.highlights] == [
        "nuclear",
        "weapon",
        "nuclear",
        "weapons",
    ]
