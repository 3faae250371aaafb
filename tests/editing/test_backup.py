"""`declass backup`, wipe, `declass restore`: the same archive and the same search
results, on both backends.

The archive: real FRUS-history documents and relations essays, one of them edited,
annotated and withdrawn, an account, a closed document, the audit log. Compared
before and after: the whole export (every version, run, record, edit, annotation),
the accounts and audit log, and the answers to searches (ids in order, totals,
facet counts, corrections; documents of equal score may come in another order, as
the engine leaves ties unordered).
"""

from __future__ import annotations

import gzip
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from declass.accounts.records import Role
from declass.accounts.users import add_user
from declass.annotations.records import Annotation
from declass.cli import cli
from declass.editing import history
from declass.ingest.pipeline import ingest
from declass.ingest.registry import default_registry
from declass.model import AccessLevel, Document, DocumentType
from declass.search.engine import search
from declass.store import open_store
from declass.store.base import Store
from declass.store.transfer import export_archive

FILES = ("1958-11-03-noble-to-osborne.xml", "1963-11-01-hac-meeting-minutes.xml")
QUERIES = ("advisory committee", "Noble", "treaty", "histroy", "", "Soviet Union")


def _fill(store: Store, corpora: Path, folder: Path) -> None:
    hsg = corpora / "hsg"
    (folder / "fh").mkdir(parents=True)
    for name in FILES:
        shutil.copy(hsg / "frus-history" / "documents" / name, folder / "fh")
    result = ingest(
        store, [folder / "fh", hsg / "rdcr" / "articles" / "russia.xml"], default_registry()
    )
    assert result.added >= 3 and not result.rejections
    add_user(store, "eddie", "corrects-the-text-1", Role.EDITOR)
    doc_id = "frus-history:1958-11-03-noble-to-osborne"
    doc = store.document(doc_id)
    history.save_document(store, replace(doc, place="Washington"), 1, "eddie", "the place")
    store.add_annotation(Annotation(0, doc_id, 0, 0, 0, 4, "Memo", "A remark.", "eddie"))
    # SYNTHETIC: a closed memorandum that must come back closed.
    store.put(
        Document(
            "synthetic:closed",
            "SYNTHETIC closed",
            DocumentType.MEMORANDUM,
            access=AccessLevel.RESTRICTED,
        )
    )
    history.withdraw_document(store, "rdcr:russia", 1, "eddie", "under review")


def _export(store: Store, path: Path) -> list[str]:
    export_archive(store, path)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return sorted(f.read().splitlines())


def _state(store: Store, tmp: Path, name: str) -> dict[str, Any]:
    answers = []
    for q in QUERIES:
        for staff in (False, True):
            found = search(store, q, sort="relevance", page_size=50, include_restricted=staff)
            answers.append(
                (
                    q,
                    staff,
                    found.total,
                    # Ranked by score; documents of equal score (a tie) in id order,
                    # since the engine does not order ties.
                    sorted((-round(r.score, 4), r.doc_id) for r in found.results),
                    {k: [(f.value, f.count) for f in v] for k, v in found.facets.items()},
                    found.corrections,
                )
            )
    return {
        "export": _export(store, tmp / f"{name}.jsonl.gz"),
        "accounts": store.accounts(),
        "audit": store.audit_log(limit=1000),
        "annotations": store.annotations(),
        "edits": store.edits(limit=1000),
        "search": answers,
    }


def test_sqlite_backup_wipe_restore_gives_the_same_archive(corpora: Path, tmp_path: Path) -> None:
    db = tmp_path / "home" / "archive.sqlite3"
    store = open_store(db)
    _fill(store, corpora, tmp_path / "corpus")
    before = _state(store, tmp_path, "before")
    # Online: the store stays open while the backup is made.
    result = CliRunner().invoke(cli, ["backup", str(tmp_path / "backup"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    store.close()
    shutil.rmtree(tmp_path / "home")  # the archive, its index, its WAL: gone
    result = CliRunner().invoke(cli, ["restore", str(tmp_path / "backup"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "home" / "archive.sqlite3.search" / "meta.json").exists()  # copied
    again = open_store(db)
    try:
        assert _state(again, tmp_path, "after") == before
        refused = CliRunner().invoke(cli, ["restore", str(tmp_path / "backup"), "--db", str(db)])
        assert refused.exit_code != 0 and "--force" in str(refused.exception or refused.output)
    finally:
        again.close()


def test_postgres_backup_wipe_restore_gives_the_same_archive(
    corpora: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed (Debian: postgresql-client)")
    databases = request.getfixturevalue("pg_databases")
    url = databases.create()
    store = open_store(url)
    try:
        _fill(store, corpora, tmp_path / "corpus")
        before = _state(store, tmp_path, "before")
    finally:
        store.close()
    result = CliRunner().invoke(cli, ["backup", str(tmp_path / "backup"), "--db", url])
    assert result.exit_code == 0, result.output
    databases.drop(url)  # wiped
    name = urlsplit(url).path.lstrip("/")
    databases.admin.execute(f"CREATE DATABASE {name}")
    result = CliRunner().invoke(cli, ["restore", str(tmp_path / "backup"), "--db", url])
    assert result.exit_code == 0, result.output
    again = open_store(url)
    try:
        assert _state(again, tmp_path, "after") == before
    finally:
        again.close()
        databases.drop(url)
