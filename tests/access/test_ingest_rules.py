"""Access set at ingest by rule: "everything in this folder is restricted until 2030",
on real FRUS-history files; rules from a file or from `declass ingest` options."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from declass.cli import cli
from declass.errors import IngestError
from declass.ingest.access_rules import apply_rules, load_rules, rule_for
from declass.ingest.source import Source
from declass.model import AccessLevel, Collection, Document, DocumentType
from declass.store import open_store

TEI = {"t": "http://www.tei-c.org/ns/1.0"}
CLOSED = "1957-03-21-kennan-to-leopold.xml"
OPEN = "1958-11-03-noble-to-osborne.xml"


def _documents_in(path: Path) -> int:
    """Documents in a FRUS-history file, counted independently of the reader."""
    tree = etree.parse(str(path))
    return len(tree.xpath("//t:div[@type='document']", namespaces=TEI)) or 1


def test_everything_in_a_folder_is_restricted_until_its_day(corpora: Path, tmp_path: Path) -> None:
    source = corpora / "hsg" / "frus-history" / "documents"
    (tmp_path / "closed").mkdir()
    (tmp_path / "open").mkdir()
    shutil.copy(source / CLOSED, tmp_path / "closed")
    shutil.copy(source / OPEN, tmp_path / "open")
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - path: closed/\n    access: restricted\n    embargo_until: 2030-01-01\n"
    )
    db = str(tmp_path / "archive.sqlite3")
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            str(tmp_path / "closed"),
            str(tmp_path / "open"),
            "--access-rules",
            str(rules),
            "--db",
            db,
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    store = open_store(db)
    try:
        access = store.document_access(store.document_ids())
        closed = {
            d
            for d, (level, until, _) in access.items()
            if level == "restricted" and until == "2030-01-01"
        }
        assert len(closed) == _documents_in(source / CLOSED)
        assert all("kennan-to-leopold" in d for d in closed)
        assert access["frus-history:1958-11-03-noble-to-osborne"][:2] == ("public", None)
        # The collection both files name stays open: one closed file does not close it.
        assert store.closed_records("collection") == {}
    finally:
        store.close()


def test_ingest_options_close_a_whole_run(corpora: Path, tmp_path: Path) -> None:
    shutil.copy(corpora / "hsg" / "frus-history" / "documents" / OPEN, tmp_path)
    db = str(tmp_path / "archive.sqlite3")
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            str(tmp_path / OPEN),
            "--access",
            "registered",
            "--embargo-until",
            "2031-06-30",
            "--db",
            db,
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    store = open_store(db)
    try:
        assert list(store.document_access(store.document_ids()).values()) == [
            ("registered", "2031-06-30", 1)
        ]
    finally:
        store.close()


def test_rules_only_ever_close() -> None:
    source = Source(Path("/archive/closed/a.xml"))
    stricter = Document(
        "d",
        "D",
        DocumentType.MEMORANDUM,
        access=AccessLevel.RESTRICTED,
        embargo_until=date(2040, 1, 1),
    )
    rules = [
        rule_for(
            path="/archive/closed", access=AccessLevel.REGISTERED, embargo_until=date(2030, 1, 1)
        )
    ]
    kept = apply_rules(rules, source, stricter)
    assert isinstance(kept, Document)
    assert (kept.access, kept.embargo_until) == (AccessLevel.RESTRICTED, date(2040, 1, 1))
    collection = apply_rules(rules, source, Collection("c", "C"))
    assert isinstance(collection, Collection) and collection.access is AccessLevel.PUBLIC
    by_id = [rule_for(id="frus:*", access=AccessLevel.RESTRICTED)]
    assert apply_rules(by_id, source, Collection("frus:v1", "V")).access is AccessLevel.RESTRICTED  # type: ignore[union-attr]
    outside = apply_rules(
        rules, Source(Path("/archive/open/b.xml")), Document("e", "E", DocumentType.MEMORANDUM)
    )
    assert outside.access is AccessLevel.PUBLIC  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    [
        "rules: nothing",
        "rules:\n  - path: x\n",
        "rules:\n  - path: x\n    access: secret\n",
        "rules:\n  - path: x\n    embargo_until: soon\n",
        "rules:\n  - path: x\n    access: restricted\n    colour: red\n",
        "rules: [",
    ],
)
def test_a_bad_rule_file_is_named_with_the_rule_and_why(tmp_path: Path, text: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(IngestError) as bad:
        load_rules(path)
    assert str(path) in str(bad.value)
