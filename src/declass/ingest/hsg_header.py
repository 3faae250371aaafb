"""The header of an Office of the Historian publication: what it is called and when it
appeared, read both from a file's first bytes (to claim it) and from its parsed tree.

The publications readers (archive guides, timeline, biographies, Serial Set, monographs)
each claim their files by the title the header gives, before the general TEI reader.
"""

from __future__ import annotations

import re

from lxml import etree

from declass.ingest.source import Source
from declass.ingest.tei_text import inline_text
from declass.ingest.tei_xml import NS, SNIFF_BYTES, is_frus_volume, is_tei
from declass.model import HistoricalDate

_FIRST_TITLE = re.compile(rb"<titleStmt>\s*<title\b[^>]*>(.*?)</title>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)\b")


def sniffed_title(source: Source) -> str:
    """The first `titleStmt/title` of a TEI file (markup dropped, spaces collapsed);
    "" when the file is not TEI, is a whole FRUS volume, or has no title up front."""
    if source.is_dir or not source.name.lower().endswith(".xml"):
        return ""
    head = source.head(SNIFF_BYTES)
    if not is_tei(head) or is_frus_volume(head):
        return ""
    found = _FIRST_TITLE.search(head)
    if found is None:
        return ""
    text = _TAG.sub("", found.group(1).decode("utf-8", "replace"))
    return " ".join(text.split())


def file_title(root: etree._Element, kind: str = "complete") -> str:
    """The header's title of `type=kind`, else (for "complete") its first title."""
    titles = root.findall("t:teiHeader/t:fileDesc/t:titleStmt/t:title", NS)
    for title in titles:
        if title.get("type") == kind:
            return inline_text(title)
    return inline_text(titles[0]) if titles and kind == "complete" else ""


def publication_year(root: etree._Element) -> HistoricalDate | None:
    """The year `publicationStmt` states ("Department of State, 2008"), as a whole year."""
    stmt = root.find("t:teiHeader/t:fileDesc/t:publicationStmt", NS)
    if stmt is None:
        return None
    words = inline_text(stmt)
    found = _YEAR.search(words)
    return HistoricalDate.parse(found.group(1), words) if found else None
