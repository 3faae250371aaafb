"""Originals beside translations: one Document, several Texts, found in either language.

Parallel text: official country names in English (ISO 3166) and their Russian translation
from Debian's iso-codes, both shipped in the pycountry wheel.
"""

from __future__ import annotations

import csv
import gettext
import sqlite3
from pathlib import Path

import pycountry
import pytest

from declass.archive import Archive, Config
from declass.ingest.source import Source
from declass.ingest.translations import TranslationSetReader, align
from declass.model import Document, NoteKind, TextRole
from tests.ingest.renders import render_pdf


def parallel_names(count: int = 12) -> tuple[list[str], list[str]]:
    """(English, Russian) paragraphs of official country names, three names each."""
    ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    pairs = []
    for country in pycountry.countries:
        official = getattr(country, "official_name", "")
        if official and ru.gettext(official) != official:
            pairs.append((official, ru.gettext(official)))
        if len(pairs) == count:
            break
    en = [", ".join(e for e, _ in pairs[i : i + 3]) + "." for i in range(0, count, 3)]
    rus = [", ".join(r for _, r in pairs[i : i + 3]) + "." for i in range(0, count, 3)]
    return en, rus


def archive_at(tmp_path: Path) -> Archive:
    return Archive(Config(home=tmp_path, db=str(tmp_path / "archive.sqlite3")))


def texts_matching(db: Path, words: str) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT doc_id, language, role FROM document_texts WHERE plain LIKE ?",
            (f"%{words}%",),
        ).fetchall()


def test_name_convention_pairs_a_russian_pdf_with_its_english_translation(tmp_path: Path) -> None:
    en, ru = parallel_names()
    folder = tmp_path / "edition"
    folder.mkdir()
    render_pdf(ru, folder / "names.ru.pdf")
    (folder / "names.en.txt").write_text("\n\n".join(en), encoding="utf-8")
    with archive_at(tmp_path) as archive:
        result = archive.ingest([folder])
        assert result.ok, result.rejections
        assert archive.store.document_ids() == ["edition:names"]
        doc = archive.document("edition:names")
    original, translation = doc.texts
    assert (original.language, original.role) == ("ru", TextRole.ORIGINAL)
    assert (translation.language, translation.role) == ("en", TextRole.TRANSLATION)
    assert [b.page for b in original.blocks] == ["1"] * len(ru)
    pairs = align(original, translation)
    assert len(pairs) == len(en)
    assert pairs[0][0][0].text == ru[0] and pairs[0][1][0].text == en[0]
    db = tmp_path / "archive.sqlite3"
    russian_words, english_words = ru[1].split(",")[0], en[1].split(",")[0]
    assert texts_matching(db, russian_words) == [("edition:names", "ru", "original")]
    assert texts_matching(db, english_words) == [("edition:names", "en", "translation")]


def test_a_lone_language_tagged_file_is_not_a_set(tmp_path: Path) -> None:
    (tmp_path / "memo.en.txt").write_text("SYNTHETIC text.", encoding="utf-8")
    assert not TranslationSetReader().detect(Source(tmp_path / "memo.en.txt"))


def test_manifest_links_translations_with_translator_and_edition(tmp_path: Path) -> None:
    en, ru = parallel_names()
    folder = tmp_path / "aid"
    folder.mkdir()
    (folder / "orig.txt").write_text("\n\n".join(ru), encoding="utf-8")
    (folder / "trans.txt").write_text("\n\n".join(en), encoding="utf-8")
    rows = [
        [
            "id",
            "title",
            "path",
            "language",
            "translation_of",
            "translator",
            "source_edition",
            "commentary",
            "commentary_author",
            "commentary_date",
        ],
        [
            "d1",
            "Country names",
            "orig.txt",
            "",
            "",
            "",
            "",
            "SYNTHETIC commentary on the names.",
            "E. Editor",
            "2024-05-01",
        ],
        [
            "d1-en",
            "",
            "trans.txt",
            "en",
            "d1",
            "iso-codes translators",
            "ISO 3166-1",
            "",
            "",
            "",
        ],
        ["d9-en", "", "trans.txt", "en", "d9", "", "", "", "", ""],
    ]
    with (folder / "aid.csv").open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    with archive_at(tmp_path) as archive:
        result = archive.ingest([folder])
        doc = archive.document("aid:d1")
    assert [(r.position, r.reason) for r in result.rejections] == [
        ("row 4", "translation_of 'aid:d9': no such row")
    ]
    assert isinstance(doc, Document)
    original, translation = doc.texts
    assert original.language == "ru"  # detected: the manifest left it blank
    assert (translation.translator, translation.source_edition) == (
        "iso-codes translators",
        "ISO 3166-1",
    )
    (note,) = doc.notes
    assert (note.kind, note.author, note.date and note.date.sort_key()) == (
        NoteKind.COMMENTARY,
        "E. Editor",
        "2024-05-01",
    )


def test_search_finds_the_document_in_either_language(tmp_path: Path) -> None:
    search = pytest.importorskip("declass.search.engine").search
    en, ru = parallel_names()
    folder = tmp_path / "edition"
    folder.mkdir()
    (folder / "names.ru.txt").write_text("\n\n".join(ru), encoding="utf-8")
    (folder / "names.en.txt").write_text("\n\n".join(en), encoding="utf-8")
    with archive_at(tmp_path) as archive:
        assert archive.ingest([folder]).ok
        for words in (ru[0].split()[0], en[0].split()[0]):
            found = search(archive.store, words)
            hits = getattr(found, "hits", None) or getattr(found, "results", None) or found
            assert "edition:names" in str(hits), words
