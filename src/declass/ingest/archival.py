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
