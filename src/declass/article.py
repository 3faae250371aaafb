"""A present-day article as declass reads it: title, author, date and paragraphs.

Pasted text and text files are taken as they are (a short first line is the title);
a saved web page goes through the HTML reader's trafilatura extraction, which keeps
the article body and leaves navigation, comments and subscription prompts behind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from declass.errors import DeclassError

_HTML_START = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body|<article)", re.IGNORECASE)
_DATE_LINE = re.compile(r"^\s*(?:published|date|updated)?:?\s*(\d{4}-\d{2}-\d{2})\s*$", re.I)


@dataclass(frozen=True)
class Article:
    title: str
    text: str  # the body, paragraphs separated by blank lines
    author: str = ""
    published: date | None = None
    source: str = ""  # file name or "pasted text"

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.text) if p.strip()]


def read_article(data: bytes | str, label: str = "pasted text") -> Article:
    """An Article from pasted text, a text file's bytes, or a saved web page."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if _HTML_START.match(raw[:2048]) or label.lower().endswith((".html", ".htm", ".xhtml")):
        return _from_html(raw, label)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeclassError(f"{label}: not UTF-8 text or an HTML page") from exc
    return _from_text(text, label)


def read_article_file(path: Path) -> Article:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeclassError(f"{path}: cannot read the article ({exc.strerror})") from exc
    return read_article(data, str(path))


def _from_html(raw: bytes, label: str) -> Article:
    from declass.ingest.html import read_html_body

    body = read_html_body(raw, label)
    blocks = [b.text for b in body.blocks]
    title = body.title or (blocks[0] if blocks else "")
    if blocks and blocks[0] == title:
        blocks = blocks[1:]
    published = body.date.earliest if body.date else None
    return Article(title, "\n\n".join(blocks), body.author, published, label)


def _from_text(text: str, label: str) -> Article:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if not paragraphs:
        raise DeclassError(f"{label}: the article has no text")
    title = ""
    first = paragraphs[0]
    if len(paragraphs) > 1 and "\n" not in first and len(first) < 200 and first[-1:] not in ".":
        title = first.lstrip("# ").strip()
        paragraphs = paragraphs[1:]
    published: date | None = None
    author = ""
    while paragraphs and len(paragraphs[0]) < 80 and "\n" not in paragraphs[0]:
        line = paragraphs[0]
        m = _DATE_LINE.match(line)
        if m:
            published = date.fromisoformat(m.group(1))
        elif line.lower().startswith("by "):
            author = line[3:].strip()
        else:
            break
        paragraphs = paragraphs[1:]
    return Article(title, "\n\n".join(paragraphs), author, published, label)
