"""Running text of TEI blocks: whitespace collapsed and note marks placed, whatever the
input (a property test against the plain definition, one character at a time)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from declass.ingest import tei_text
from declass.ingest.tei_text import finish_text

MARK = tei_text._MARK


def by_character(raw: str) -> tuple[str, list[int]]:
    """The definition: whitespace runs as one space, none at either end, marks dropped
    where they stand (a space on each side of one kept once), each mark's offset in
    the result."""
    out: list[str] = []
    offsets: list[int] = []
    for ch in raw:
        if ch == MARK:
            offsets.append(len(out))
            continue
        if ch.isspace():
            ch = " "
        if ch == " " and (not out or out[-1] == " "):
            continue
        out.append(ch)
    while out and out[-1] == " ":
        out.pop()
    return "".join(out), [min(o, len(out)) for o in offsets]


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "Bé", " ", "  ", "\n", "\t", "\u00a0", "\u2003", MARK]), max_size=25
    )
)
def test_text_and_mark_offsets_are_those_of_the_definition(pieces: list[str]) -> None:
    raw = "".join(pieces)
    assert finish_text(raw) == by_character(raw)


def test_a_note_mark_between_spaces_leaves_one_space_and_its_place() -> None:
    # As in a FRUS source note: "telegram" then a footnote, then the next words.
    assert finish_text(f"  the telegram {MARK} was sent\n  today {MARK}") == (
        "the telegram was sent today",
        [13, 27],
    )
