"""Parallels for a present-day article, against real UNGDC speeches and HSG essays."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from declass.article import read_article
from declass.cli import cli
from declass.embeddings import Embedder
from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.model import AccessLevel
from declass.parallels import ParallelFinder, readable, understand
from declass.store import open_store
from declass.store.base import Store

HISTORIC_SPEECHES = {
    "ungdc:RUS_05_1950",
    "ungdc:CHN_05_1950",
    "ungdc:USA_05_1950",
    "ungdc:RUS_15_1960",
    "ungdc:CHN_15_1960",
    "ungdc:USA_15_1960",
}


def test_article_is_understood_against_the_archive(
    parallels_archive: Store, summit_article: bytes
) -> None:
    profile = understand(parallels_archive, read_article(summit_article, "summit.txt"))
    countries = {m.country_code for m in profile.mentions if m.kind == "country"}
    assert {"RUS", "CHN", "USA"} <= countries
    mao = next(m for m in profile.mentions if m.text == "Mao Zedong")
    assert "Mao Tse-Tung" in mao.spellings or "Mao Tse-tung" in mao.spellings
    labels = {p.label for p in profile.periods}
    assert {"1949", "1950", "the 1950s", "sino-soviet split"} <= labels
    assert "friendship" in profile.themes


def test_top_ten_parallels_hold_speeches_and_essays_of_the_alliance_years(
    finder: ParallelFinder, summit_article: bytes
) -> None:
    result = finder.find(read_article(summit_article, "summit.txt"), top=10)
    assert len(result.parallels) == 10
    docs = [d.doc_id for p in result.parallels for d in p.documents]
    assert len(HISTORIC_SPEECHES & set(docs)) >= 3
    assert any(d.startswith("milestones:") for d in docs)
    assert not any(d.endswith("_2022") for d in docs), "a parallel lies in the past"
    for p in result.parallels:
        assert p.label and p.earliest
        e = p.explanation
        assert e.actors, p.label
        assert e.gap_years is not None and e.gap_years >= 10
        assert 2 <= len(e.passages) <= 3
        for pair in e.passages:
            assert pair.article.text and pair.record.text
            assert pair.record.text in finder.store.document(pair.doc_id).body
    # Actors are matched in the record's own spelling.
    variants = {(a.name, a.variant) for p in result.parallels for a in p.explanation.actors}
    assert any(name != variant for name, variant in variants)
    # No one episode fills the list: at most four parallels from one decade and country.
    assert len({p.label for p in result.parallels}) == 10


def test_only_public_documents_past_their_embargo_are_readable(
    parallels_archive: Store,
) -> None:
    from dataclasses import replace
    from datetime import date

    doc = parallels_archive.document("ungdc:RUS_05_1950")
    assert readable(doc)
    assert not readable(replace(doc, access=AccessLevel.RESTRICTED))
    assert not readable(replace(doc, embargo_until=date(2999, 1, 1)))


def test_cli_prints_parallels_as_json(
    parallels_archive: Store, finder: ParallelFinder, summit_article: bytes, tmp_path: Path
) -> None:
    article = tmp_path / "summit.txt"
    article.write_bytes(summit_article)
    db = str(parallels_archive.path)  # type: ignore[attr-defined]
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["parallels", str(article), "--json", "--top", "5", "--db", db, "--home", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["article"]["title"] == "Moscow Summit Revives the Ghost of 1950"
    assert len(data["parallels"]) == 5
    assert data["parallels"][0]["explanation"]["passages"]
    text = runner.invoke(cli, ["parallels", str(article), "--db", db, "--home", str(tmp_path)])
    assert text.exit_code == 0, text.output
    assert "General Debate" in text.output


def test_an_archive_not_yet_embedded_gets_meaning_for_what_the_words_find(
    parallels_sources: list[Path], embedder: Embedder, summit_article: bytes, tmp_path: Path
) -> None:
    db = tmp_path / "fresh.sqlite3"
    store = open_store(db)
    try:
        ingest(store, parallels_sources, default_registry())
        total = len(store.document_ids())
        assert not store.embedded_documents(embedder.name)
        finder = ParallelFinder(store, tmp_path / "ann", embedder)
        profile = understand(store, read_article(summit_article, "summit.txt"))
        ranked, found_by, *_ = finder.rank(profile)
        assert ranked
        by_meaning = {d for d, modes in found_by.items() if "semantic" in modes}
        by_words = {d for d, modes in found_by.items() if "fulltext" in modes}
        assert by_meaning and by_meaning <= by_words  # nothing else is embedded yet
        embedded = store.embedded_documents(embedder.name)
        assert by_words <= set(embedded) and 0 < len(embedded) <= total
    finally:
        store.close()
    runner = CliRunner()
    first = runner.invoke(cli, ["embed", "--db", str(db), "--home", str(tmp_path), "-q"])
    assert first.exit_code == 0, first.output
    assert f"{len(embedded):,} were current already" in first.stdout
    again = runner.invoke(cli, ["embed", "--db", str(db), "--home", str(tmp_path), "-q"])
    assert again.stdout.startswith("Embedded 0 documents")
    assert f"{total:,} were current already" in again.stdout
