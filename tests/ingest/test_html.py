"""Saved web pages reduced to the article: a SYNTHETIC news page with the usual clutter."""

from __future__ import annotations

from pathlib import Path

import pytest

from declass.errors import IngestError
from declass.ingest.html import HtmlReader
from declass.ingest.source import Source
from declass.model import BlockKind, Document, DocumentType, NoteKind

# SYNTHETIC: written for this test, not a real article.
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Envoy recalls 1969 talks | The Daily Synthetic</title>
<meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2021-03-04">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/subscribe">Subscribe</a></nav>
<article>
<h1>Envoy recalls 1969 talks</h1>
<p>SYNTHETIC test article. The former envoy said the talks in Geneva in the autumn of 1969
began with a long silence, and that the <a href="https://example.org/archive/memo-12">memorandum
of conversation</a> kept in the archive records the first proposal word for word.</p>
<img src="/images/geneva-1969.jpg" alt="The delegations at Geneva">
<p>He added that both delegations had agreed to keep the minutes confidential for thirty
years, and that the records were opened to researchers only after that period ended.</p>
</article>
<div class="subscribe">Subscribe now for unlimited access to our journalism!</div>
<section id="comments"><h3>Comments</h3><p>Great article, thanks!</p><p>First!</p></section>
<footer>© The Daily Synthetic. All rights reserved.</footer>
</body></html>
"""


def test_saved_news_page_is_reduced_to_the_article(tmp_path: Path) -> None:
    page = tmp_path / "envoy.html"
    page.write_text(PAGE, encoding="utf-8")
    (doc,) = HtmlReader().read(Source(page))
    assert isinstance(doc, Document)
    assert doc.doc_type is DocumentType.ARTICLE
    assert doc.title == "Envoy recalls 1969 talks"
    assert [p.name for p in doc.participants] == ["Jane Roe"]
    assert doc.date is not None and doc.date.sort_key() == "2021-03-04"
    assert doc.language == "en"
    blocks = doc.texts[0].blocks
    assert blocks[0].kind is BlockKind.HEADING
    assert "long silence" in doc.body and "opened to researchers" in doc.body
    for clutter in ("Subscribe", "Great article", "First!", "All rights reserved", "Home"):
        assert clutter not in doc.body
    references = {n.label: n for n in doc.notes if n.kind is NoteKind.SOURCE}
    assert references["link"].text == (
        "link: https://example.org/archive/memo-12 (memorandum of conversation)"
    )
    assert references["image"].text.startswith("image: /images/geneva-1969.jpg")
    assert references["link"].anchor is not None and references["link"].anchor.block_index == 1


def test_page_in_a_declared_legacy_charset_is_decoded(tmp_path: Path) -> None:
    russian = "Министерство иностранных дел сообщило о переговорах в Женеве. " * 4
    page = tmp_path / "mid.html"
    text = PAGE.replace('charset="utf-8"', 'charset="windows-1251"').replace('lang="en"', "")
    text = text.replace("He added that", russian + " He added that")
    page.write_bytes(text.encode("windows-1251", errors="replace"))
    (doc,) = HtmlReader().read(Source(page))
    assert isinstance(doc, Document)
    assert "Министерство иностранных дел" in doc.body


def test_page_with_broken_encoding_is_refused_naming_line_and_byte(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_bytes(PAGE.encode("utf-8").replace(b"long silence", b"long \xff\xfe silence"))
    with pytest.raises(IngestError) as caught:
        list(HtmlReader().read(Source(page)))
    assert caught.value.path == str(page)
    line = PAGE[: PAGE.index("long silence")].count("\n") + 1
    assert caught.value.position.startswith(f"line {line}, byte ")
    assert "utf-8" in caught.value.reason
