"""Parallels for a present-day article, against real UNGDC speeches, HSG essays and
the Wilson Center's records."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from declass.article import Article, read_article
from declass.cli import cli
from declass.embeddings import TextEncoder
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
# SYNTHETIC: an English article written for this test about Mao's winter in Moscow.
MAO_IN_MOSCOW = Article(
    "Mao's winter in Moscow",
    "In December 1949 Mao Zedong travelled to Moscow to negotiate a treaty with Stalin.\n\n"
    "On 1 January 1950 Mao received the Soviet ambassador Roshchin and spoke of the"
    " recognition of the People's Republic by Britain, India and Burma.",
)


def _words(text: str) -> str:
    return text.casefold()


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
    # The situation: the Soviet Union and China, and what passes between them.
    assert set(profile.situation.actors) == {"country:RUS", "country:CHN"}
    assert profile.claims and all(c.actors or c.events or c.years for c in profile.claims)


def test_themes_are_content_phrases_not_narration(
    parallels_archive: Store, summit_article: bytes
) -> None:
    profile = understand(parallels_archive, read_article(summit_article, "summit.txt"))
    assert profile.themes
    narration = {"knew", "late", "months", "year", "sources", "continuing", "week"}
    for theme in profile.themes:
        assert not set(theme.split()) & narration, theme
        assert theme == theme.lower() and not re.search(r"\d", theme)
    assert any(" " in t for t in profile.themes), "phrases, not only single words"


def test_top_ten_parallels_hold_speeches_and_essays_of_the_alliance_years(
    finder: ParallelFinder, summit_article: bytes
) -> None:
    result = finder.find(read_article(summit_article, "summit.txt"), top=10)
    assert len(result.parallels) == 10
    docs = [d.doc_id for p in result.parallels for d in p.documents]
    assert len(HISTORIC_SPEECHES & set(docs)) >= 3
    assert not any(d.endswith("_2022") for d in docs), "a parallel lies in the past"
    for p in result.parallels:
        assert p.label and p.earliest
        e = p.explanation
        assert e.actors, p.label
        assert e.gap_years is not None and e.gap_years >= 10
        assert e.claims, "each parallel bears on at least one of the article's claims"
        for pair in e.passages:
            assert pair.record.text in finder.store.document(pair.doc_id).body
    # The list covers several of the article's claims, not one claim ten times.
    covered = {c for p in result.parallels for c in p.explanation.claims}
    assert len(covered) >= 3
    assert len({p.label for p in result.parallels}) == 10


def test_every_shown_actor_and_theme_occurs_in_both_texts(
    finder: ParallelFinder, summit_article: bytes
) -> None:
    article = read_article(summit_article, "summit.txt")
    article_text = _words(f"{article.title}\n{article.text}")
    result = finder.find(article, top=10)
    shown = 0
    for p in result.parallels:
        records = _words(
            "\n".join(
                f"{d.title}\n{d.body}"
                for d in (finder.store.document(x.doc_id) for x in p.documents)
            )
        )
        for actor in p.explanation.actors:
            assert _words(actor.name) in article_text, actor
            assert _words(actor.variant) in records, actor
            shown += 1
        for theme in p.explanation.themes:
            # Checked here by words and their inflections, not by declass's analysis.
            pattern = r"\W+".join(
                re.escape(w[: max(4, len(w) - 2)]) + r"\w*" for w in theme.split()
            )
            assert re.search(pattern, article_text), theme
            assert re.search(pattern, records), theme
            shown += 1
    assert shown >= 10


def test_an_actor_is_resolved_to_the_authority_the_article_means(
    parallels_archive: Store,
) -> None:
    profile = understand(parallels_archive, MAO_IN_MOSCOW)
    by_text = {m.text: m for m in profile.mentions}
    assert "Stalin" in by_text and "Khrushchev" not in " ".join(by_text["Stalin"].spellings)
    mao = [m for m in profile.mentions if "Mao" in m.text]
    assert len(mao) == 1, "one actor for Mao however the article names him"


def test_an_english_article_finds_the_russian_original(finder: ParallelFinder) -> None:
    result = finder.find(MAO_IN_MOSCOW, top=10)
    found = [d for p in result.parallels for d in p.documents]
    russian = [d for d in found if d.language == "ru"]
    assert russian, [d.doc_id for d in found]
    parallel = next(p for p in result.parallels if russian[0] in p.documents)
    spellings = {a.variant for a in parallel.explanation.actors}
    assert spellings & {"Мао", "Мао Цзэдун", "Мао Цзэ-дун"}, spellings
    assert "scripts" in parallel.explanation.retrieved_by


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
    assert data["situation"]["description"]
    text = runner.invoke(cli, ["parallels", str(article), "--db", db, "--home", str(tmp_path)])
    assert text.exit_code == 0, text.output
    assert "General Debate" in text.output


def test_an_archive_not_yet_embedded_is_searched_by_words_and_embedded_on_request(
    parallels_sources: list[Path], embedder: TextEncoder, summit_article: bytes, tmp_path: Path
) -> None:
    db = tmp_path / "fresh.sqlite3"
    store = open_store(db)
    try:
        ingest(store, parallels_sources[2:], default_registry())  # histories, Wilson
        total = sum(1 for d in store.document_ids() if store.document(d).body.strip())
        finder = ParallelFinder(store, tmp_path / "ann", embedder)
        result = finder.find(read_article(summit_article, "summit.txt"))
        assert result.parallels and result.notes  # found by words, and says so
        assert not store.embedded_documents(embedder.name), "nothing embedded on demand"
    finally:
        store.close()
    runner = CliRunner()
    first = runner.invoke(cli, ["embed", "--db", str(db), "--home", str(tmp_path), "-q"])
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(f"Embedded {total:,} documents")
    again = runner.invoke(cli, ["embed", "--db", str(db), "--home", str(tmp_path), "-q"])
    assert again.stdout.startswith("Embedded 0 documents")
    assert f"{total:,} were current already" in again.stdout


def test_ingest_embeds_when_asked_for_semantic_search(corpora: Path, tmp_path: Path) -> None:
    db = tmp_path / "semantic.sqlite3"
    where = ["--db", str(db), "--home", str(tmp_path)]
    result = CliRunner().invoke(
        cli, ["ingest", str(corpora / "wilson-center"), "--semantic", "-q", *where]
    )
    assert result.exit_code in (0, 3), result.output
    store = open_store(db)
    try:
        with_text = {d for d in store.document_ids() if store.document(d).body.strip()}
        assert with_text and set(store.embedded_documents("all-MiniLM-L6-v2")) == with_text
    finally:
        store.close()
