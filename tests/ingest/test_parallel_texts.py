"""The UN Charter in its six official languages: one Document, six equally authentic Texts.

Counts are checked against the plain files read with regular expressions of their own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from declass.errors import IngestError
from declass.ingest.parallel_texts import ParallelTextsReader
from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.ingest.source import Source
from declass.model import BlockKind, DatePrecision, Document, DocumentType, Text, TextRole
from declass.store import open_store

LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")


@pytest.fixture(scope="module")
def folder(corpora: Path) -> Path:
    return corpora / "un-charter"


@pytest.fixture(scope="module")
def charter(folder: Path) -> Document:
    [doc] = [i for i in ParallelTextsReader().read(Source(folder)) if isinstance(i, Document)]
    return doc


def _text(doc: Document, language: str) -> Text:
    return next(t for t in doc.texts if t.language == language)


def _headings(text: Text, level: int) -> list[str]:
    return [b.text for b in text.blocks if b.kind is BlockKind.HEADING and b.level == level]


def test_the_six_files_are_one_treaty_with_six_authentic_texts(
    folder: Path, charter: Document
) -> None:
    files = sorted(folder.glob("un_charter_*.txt"))
    assert [p.stem.rsplit("_", 1)[1] for p in files] == list(LANGUAGES)
    assert [t.language for t in charter.texts] == list(LANGUAGES)
    assert all(t.role is TextRole.ORIGINAL and t.authentic for t in charter.texts)
    assert charter.id == "parallel-texts:un_charter"
    assert charter.title == "Charter of the United Nations"
    assert charter.doc_type is DocumentType.TREATY
    assert charter.date is not None and charter.date.precision is DatePrecision.DAY
    assert charter.date.display() == "1945-06-26" and charter.place == "San Francisco"
    assert charter.collections == ("treaties",)


def test_every_text_has_its_111_articles_in_order(folder: Path, charter: Document) -> None:
    # Independently: every article number the English text heads ("Article N" + capital).
    english = (folder / "un_charter_en.txt").read_text("utf-8")
    numbers = {int(n) for n in re.findall(r"Article (\d+) [A-Z]", english)}
    assert numbers == set(range(1, 112))
    chinese = (folder / "un_charter_zh.txt").read_text("utf-8")
    assert len(set(re.findall(r"(?:^|\s)(第[一二三四五六七八九十百零]+条)(?=\s)", chinese))) == 111
    markers = {"en": "Article", "fr": "Article", "es": "Artículo", "ru": "Статья", "ar": "المادة"}
    for language, word in markers.items():
        assert _headings(_text(charter, language), 3) == [f"{word} {n}" for n in range(1, 112)]
    zh = _headings(_text(charter, "zh"), 3)
    assert (
        len(zh) == 111
        and zh[0] == "第一条"
        and zh[101] == "第一百零二条"
        and zh[-1] == "第一百一十一条"
    )


def test_chapters_and_sections_are_headings(folder: Path, charter: Document) -> None:
    english = (folder / "un_charter_en.txt").read_text("utf-8")
    expected = re.findall(r"Chapter [IVX]+:", english)
    assert len(expected) == 19
    chapters = _headings(_text(charter, "en"), 1)
    assert [c.split(":")[0] + ":" for c in chapters] == expected
    assert chapters[3] == "Chapter IV: The General Assembly"
    assert _headings(_text(charter, "en"), 2)[:4] == [
        "COMPOSITION",
        "FUNCTIONS AND POWERS",
        "VOTING",
        "PROCEDURE",
    ]
    for language in LANGUAGES:
        # The Russian file writes "ГЛАВА IX" in capitals; the Arabic one has chapter XVI in English.
        assert len(_headings(_text(charter, language), 1)) == 19, language
    assert _headings(_text(charter, "zh"), 2)[:2] == ["组织", "职权"]


def test_no_word_of_any_file_is_lost(folder: Path, charter: Document) -> None:
    for language in LANGUAGES:
        raw = (folder / f"un_charter_{language}.txt").read_text("utf-8")
        kept = " ".join(b.text for b in _text(charter, language).blocks)
        assert kept.split() == raw.split(), language


def test_chinese_paragraphs_follow_the_line_breaks_kept_as_spaces(charter: Document) -> None:
    zh = _text(charter, "zh")
    article_9 = [b.text for b in zh.blocks].index("第九条")
    assert zh.blocks[article_9 + 1].text == "一、大会由联合国所有会员国组织之。"
    assert zh.blocks[article_9 + 1].kind is BlockKind.PARAGRAPH


def test_the_folder_is_claimed_whole_and_a_later_member_alone_is_not(folder: Path) -> None:
    reader = ParallelTextsReader()
    assert reader.detect(Source(folder))
    assert reader.detect(Source(folder / "un_charter_ar.txt"))  # the first of the set
    assert not reader.detect(Source(folder / "un_charter_en.txt"))
    assert reader.sidecars(folder) == {
        folder / f"un_charter_{lang}.txt" for lang in LANGUAGES if lang != "ar"
    }


def test_an_unknown_instrument_is_read_without_invented_metadata(tmp_path: Path) -> None:
    # Synthetic: two short texts of one stem.
    (tmp_path / "accord_en.txt").write_text("Article 1 The parties agree.\n\nArticle 2 Done.")
    (tmp_path / "accord_fr.txt").write_text("Article 1 Les parties conviennent.\n\nArticle 2 Fait.")
    (tmp_path / "notes_xx.txt").write_text("not a language code")
    reader = ParallelTextsReader()
    assert not reader.detect(Source(tmp_path))  # a file outside the set
    [doc] = [i for i in reader.read(Source(tmp_path / "accord_en.txt")) if isinstance(i, Document)]
    assert (doc.id, doc.title, doc.doc_type, doc.date) == (
        "parallel-texts:accord",
        "accord",
        DocumentType.OTHER,
        None,
    )
    assert _headings(_text(doc, "fr"), 3) == ["Article 1", "Article 2"]


def test_a_member_that_is_not_utf8_fails_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "pact_en.txt").write_text("Article 1 Peace.")
    (tmp_path / "pact_ru.txt").write_bytes("Статья 1 Мир.".encode("cp1251"))
    with pytest.raises(IngestError) as failed:
        list(ParallelTextsReader().read(Source(tmp_path)))
    assert failed.value.path.endswith("pact_ru.txt")


def test_reingest_writes_nothing(folder: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "a.sqlite3")
    try:
        first = ingest(store, [folder], default_registry())
        assert (first.added, first.rejections) == (2, ())  # the charter and its collection
        assert store.document_ids() == ["parallel-texts:un_charter"]
        again = ingest(store, [folder], default_registry())
        assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    finally:
        store.close()


@pytest.mark.parametrize("language", ["ar", "es", "fr", "ru", "zh"])
def test_side_by_side_the_same_article_faces_itself(charter: Document, language: str) -> None:
    """English beside each other language, cut at the articles both texts number: every
    passage opens, on both sides, with the same article (or chapter) number, read from
    the files' own words ("Article 12", "Статья 12", "المادة 12", "第十二条")."""
    from declass.ingest.translations import align, heading_number

    english, other = _text(charter, "en"), _text(charter, language)
    pairs = align(english, other)
    articles_faced = 0
    for left, right in pairs:
        left_heads = [b for b in left if b.kind is BlockKind.HEADING and b.level == 3]
        right_heads = [b for b in right if b.kind is BlockKind.HEADING and b.level == 3]
        if left_heads and right_heads:
            assert heading_number(left_heads[0].text) == heading_number(right_heads[0].text)
            articles_faced += 1
    assert articles_faced == 111
    # Independently of the headings: the English "Article 51" passage faces the passage
    # holding the other file's own article 51 text.
    left, right = next((a, b) for a, b in pairs if any(x.text == "Article 51" for x in a))
    assert any(re.search(r"(?<!\d)51(?!\d)|五十一", x.text) for x in right)
