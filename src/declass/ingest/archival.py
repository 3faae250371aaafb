"""Where the original lies, read from a record's source note."""

from __future__ import annotations

import re

from declass.model import (
    ArchivalReference,
)

# --- archival references -------------------------------------------------------------


def archival_reference(source_note: str) -> ArchivalReference | None:
    """The repository, record group, lot and box a source note cites, with the note as text."""
    if not source_note:
        return None
    first = source_note.split(",", 1)[0].strip()
    repository = first if re.search(r"Archives|Department|Library|Agency|Office", first) else ""
    rg = re.search(r"\b(?:Record Group|RG)\s+(\d+)", source_note)
    lot = re.search(r"\bLot(?: File)?\s+(\d+\s?D\s?\d+)|\((\d+\s?D\s?\d+)\)", source_note)
    box = re.search(r"\bBox\s+([\w-]+)", source_note)
    folder = re.search(r"\bFolder\s+[“\"]?([^,”\"]+)", source_note)
    return ArchivalReference(
        repository=repository,
        collection=f"RG {rg.group(1)}" if rg else "",
        lot=(lot.group(1) or lot.group(2)) if lot else "",
        box=box.group(1) if box else "",
        folder=folder.group(1).strip() if folder else "",
        text=source_note,
    )


# --- National Archives of Australia ---------------------------------------------------

NAA = "National Archives of Australia"

# Who held the file when the citation was printed. "AA" (Australian Archives) is the NAA
# under its former name; the departments' own files have since gone to the NAA too, which
# is why a barcode, when the item was found there, overrides the prefix.
_HOLDERS = {
    "AA": NAA,
    "NAA": NAA,
    "FA": "Department of Foreign Affairs",
    "DEFENCE": "Department of Defence",
    "PM&C": "Department of the Prime Minister and Cabinet",
}
# "[AA : CP 290/6, BUNDLE 1, ITEM 28]", "[NAA: A1838, TS3107/33/1/1, i]", "[PM &C : …]",
# and the editors' "[On file NAA: A1838, 3038/10/1/2, i.]".
_CITATION = re.compile(
    r"^\[+\s*(?:[^\[\]:]*?\bon\s+[ft]ile\s+)?"
    r"(?P<holder>N\s?AA|AA\d?|FA|DEFENCE|PM\s?&\s?C|A)\s*:\s*"
    r"(?P<rest>(?:[^\[\]]|\[[^\]]*\])+?)\s*\.?\s*\]\.?$",
    re.I,
)
# NAA series numbers are letters then digits ("A1838", "CP290/6"); OCR reads 1 as l or I.
_SERIES = re.compile(r"^([A-Z]{1,4})([0-9lIO]+)((?:/[0-9lIO]+)*)$")


def naa_citation(text: str) -> tuple[str, str, str] | None:
    """Holder, series and item of a printed citation like "[AA : A981, JAPAN 185B, i]"."""
    m = _CITATION.match(text.strip())
    if not m:
        return None
    holder = re.sub(r"\s+", "", m.group("holder").upper())
    holder = "AA" if holder in ("A", "AA4") or holder.startswith("AA") else holder
    series, _, item = m.group("rest").partition(",")
    return _HOLDERS.get(holder, holder), naa_series(series), item.strip()


def naa_series(printed: str) -> str:
    """A series number as the NAA writes it: "CP 290/6" → "CP290/6", OCR's "Al838" → "A1838"."""
    series = re.sub(r"\s+", "", printed)
    m = _SERIES.match(series)
    if not m:
        return printed.strip()
    digits = (m.group(2) + m.group(3)).translate(str.maketrans("lIO", "110"))
    return m.group(1) + digits


def naa_reference(
    citation: str, series: str = "", control_symbol: str = "", barcode: int | str = 0
) -> ArchivalReference:
    """An archival reference from a printed citation and, when the item was matched in
    the NAA's catalogue, its series, control symbol and barcode (which win)."""
    parsed = naa_citation(citation)
    holder, printed_series, printed_item = parsed if parsed else ("", "", "")
    barcode = str(barcode or "").strip()
    if barcode == "0":
        barcode = ""
    return ArchivalReference(
        repository=NAA if barcode else holder,
        series=naa_series(series) if series else printed_series,
        item=control_symbol.strip() or printed_item,
        barcode=barcode,
        text=citation.strip(),
    )
