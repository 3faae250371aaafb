"""The feed as Atom (RFC 4287), for feed readers: they send no cookie, so the feed's
address carries the account's feed key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote

from lxml import etree

from declass.follows.feed import FeedItem

ATOM = "http://www.w3.org/2005/Atom"
WORDS = {"added": "Added", "opened": "Opened (embargo lifted)", "corrected": "Corrected"}


def _stamp(at: str) -> str:
    """An RFC 3339 time from a stored ISO time or day."""
    return at if "T" in at else f"{at}T00:00:00+00:00"


def atom_feed(items: Sequence[FeedItem], title: str, self_url: str, base_url: str) -> bytes:
    """The feed document: one entry a change, newest first."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    etree.SubElement(feed, f"{{{ATOM}}}title").text = title
    etree.SubElement(feed, f"{{{ATOM}}}id").text = self_url
    etree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    updated = max(
        (_stamp(i.at) for i in items), default=datetime.now(UTC).isoformat(timespec="seconds")
    )
    etree.SubElement(feed, f"{{{ATOM}}}updated").text = updated
    author = etree.SubElement(feed, f"{{{ATOM}}}author")
    etree.SubElement(author, f"{{{ATOM}}}name").text = "declass reading room"
    for item in items:
        href = base_url.rstrip("/") + "/documents/" + quote(item.doc_id, safe=":/")
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        etree.SubElement(
            entry, f"{{{ATOM}}}title"
        ).text = f"{WORDS.get(item.change, item.change)}: {item.title}"
        etree.SubElement(entry, f"{{{ATOM}}}id").text = f"{href}#{item.change}-{_stamp(item.at)}"
        etree.SubElement(entry, f"{{{ATOM}}}link", href=href)
        etree.SubElement(entry, f"{{{ATOM}}}updated").text = _stamp(item.at)
        summary = f"In {item.follow.label}." + (f" {item.detail}" if item.detail else "")
        etree.SubElement(entry, f"{{{ATOM}}}summary").text = summary
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)
