"""Cross-references in FRUS volumes: `ref/@target` made into links the archive can follow.

Targets name a document (`#d12`, `frus1961-63v22#d12`), a footnote (`#d12fn3`: its
document), a printed page (`#pg_409`, `frus1961-63v22#pg_409`: whichever document holds
that page, resolved when the link is followed), or a whole volume (`frus1961-63v22`).
Index entries and links to the volume's own front matter are not references between
records and are left out.
"""

from __future__ import annotations

import re

_VOLUME = re.compile(r"^frus[0-9A-Za-z-]+$")
_DOCUMENT = re.compile(r"^(?P<doc>d\d+[a-z]?)(?:fn\d+\w*)?$")
_PAGE = re.compile(r"^pg_(?P<page>[0-9ivxlcdmIVXLCDM]+)$")


def document_id(volume: str, div_id: str) -> str:
    """The archive's id of a FRUS document: `frus:<volume>:<xml:id>`."""
    return f"frus:{volume}:{div_id}"


def page_target(volume: str, page: str) -> str:
    """A link to a printed page of a volume: `frus:<volume>#pg_<n>`."""
    return f"frus:{volume}#pg_{page}"


def resolve_target(
    target: str, volume: str, owners: dict[str, str], *, in_volume_pages: bool = True
) -> str | None:
    """The archive id a `ref/@target` points at, or None when it is not a record link.

    `owners` maps the xml:ids inside this volume's documents to their document's id,
    so `#d12fn3` and any other anchor inside a document resolve to that document.
    """
    target = target.strip()
    if not target or target.startswith(("http://", "https://")):
        return target or None
    vol, _, fragment = target.partition("#") if not target.startswith("#") else ("", "", target[1:])
    vol = vol or volume
    if not _VOLUME.match(vol):
        return None
    if not fragment:
        return f"frus:{vol}"
    if vol == volume and fragment in owners:
        return document_id(volume, owners[fragment])
    page = _PAGE.match(fragment)
    if page:
        return page_target(vol, page.group("page")) if in_volume_pages or vol != volume else None
    doc = _DOCUMENT.match(fragment)
    if doc:
        return document_id(vol, doc.group("doc"))
    return None
