"""`declass backup` and `declass restore`: the whole archive (records, history,
accounts, annotations, audit log) into a folder and back.

SQLite is copied online with SQLite's backup API, page by page under its own locks,
so a reading room and even an ingest may go on meanwhile; the copy is one consistent
moment. The search index (derived from the catalogue) is copied first, as one
committed state of it: the files its `meta.json` names, which Tantivy never changes,
taken again if a commit came in between. Restored beside the catalogue, it is level
with it or a little behind and catches up when first opened, so search answers as it
did, scores included (an index rebuilt from scratch would count no deleted
documents, and rank a little differently); without a copy it is rebuilt.
PostgreSQL is dumped with pg_dump's custom format and restored with pg_restore; its
search vectors live in its tables, so they come back with them.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from declass.errors import Conflict, DeclassError
from declass.store import open_store
from declass.store.base import MatchAll, SearchRequest

FORMAT = "declass-backup"
MANIFEST = "declass-backup.json"
SQLITE_FILE = "archive.sqlite3"
PG_FILE = "archive.pgdump"
INDEX_FOLDER = "archive.sqlite3.search"
_INDEX_FILES = ("meta.json", "state.json", "people.json")


@dataclass(frozen=True)
class BackupReport:
    folder: Path
    kind: str  # "sqlite" or "postgresql"
    documents: int
    versions: int
    created_at: str


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def _sqlite_path(db: str) -> Path:
    return Path(db.removeprefix("sqlite:///").removeprefix("sqlite://"))


def backup(db: str, folder: Path) -> BackupReport:
    """Copy the archive at `db` into `folder` (created; it must not hold a backup)."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / MANIFEST).exists():
        raise Conflict(f"{folder} already holds a backup")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if is_postgres(db):
        store = open_store(db)
        try:
            stats = store.stats()
        finally:
            store.close()
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / PG_FILE), db])
        report = BackupReport(folder, "postgresql", stats.documents, stats.versions, now)
    else:
        source = _sqlite_path(db)
        if not source.exists():
            raise DeclassError(f"no archive at {source}")
        # The index before the catalogue: restored, it is never ahead of it.
        copy_index(_index_folder(source), folder / INDEX_FOLDER)
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src:
            target = sqlite3.connect(folder / SQLITE_FILE)
            try:
                src.backup(target)
                documents = int(target.execute("SELECT count(*) FROM documents").fetchone()[0])
                versions = int(
                    target.execute("SELECT count(*) FROM document_versions").fetchone()[0]
                )
            finally:
                target.close()
        report = BackupReport(folder, "sqlite", documents, versions, now)
    manifest = {
        "format": FORMAT,
        "version": 1,
        "kind": report.kind,
        "created_at": now,
        "documents": report.documents,
        "versions": report.versions,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return report


def read_manifest(folder: Path) -> dict[str, object]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DeclassError(f"{folder}: not a declass backup ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DeclassError(f"{folder}: not a declass backup")
    return manifest


def restore(folder: Path, db: str, force: bool = False) -> BackupReport:
    """Put the backup in `folder` back as the archive at `db`; an archive already there
    is replaced only with `force`. The search index is rebuilt before returning."""
    manifest = read_manifest(folder)
    kind = str(manifest["kind"])
    if kind != ("postgresql" if is_postgres(db) else "sqlite"):
        raise DeclassError(f"a {kind} backup cannot be restored into {db}")
    if kind == "postgresql":
        store = open_store(db, migrate=False)
        try:
            present = store.schema_version() > 0
        finally:
            store.close()
        if present and not force:
            raise Conflict(f"{db} already holds an archive: restore with --force to replace it")
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                db,
                str(folder / PG_FILE),
            ]
        )
    else:
        target = _sqlite_path(db)
        if target.exists() and not force:
            raise Conflict(f"{target} exists: restore with --force to replace it")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".restoring")
        shutil.copyfile(folder / SQLITE_FILE, partial)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        index = _index_folder(target)
        shutil.rmtree(index, ignore_errors=True)
        if (folder / INDEX_FOLDER / "meta.json").exists():
            shutil.copytree(folder / INDEX_FOLDER, index)
        os.replace(partial, target)
    store = open_store(db)
    try:
        store.search(SearchRequest(MatchAll(), limit=0, facets=()))  # the index, rebuilt
        stats = store.stats()
    finally:
        store.close()
    return BackupReport(folder, kind, stats.documents, stats.versions, str(manifest["created_at"]))


def _index_folder(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".search")


def copy_index(source: Path, target: Path, attempts: int = 5) -> bool:
    """Copy one committed state of the Tantivy index at `source` (False, and nothing
    copied, when there is none or it kept changing)."""
    for _ in range(attempts):
        shutil.rmtree(target, ignore_errors=True)
        try:
            before = {n: (source / n).read_bytes() for n in _INDEX_FILES if (source / n).exists()}
            if "meta.json" not in before:
                return False
            segments = {
                s["segment_id"].replace("-", "")
                for s in json.loads(before["meta.json"])["segments"]
            }
            target.mkdir(parents=True)
            for path in source.iterdir():
                if path.name.split(".")[0] in segments:
                    shutil.copyfile(path, target / path.name)
            after = {n: (source / n).read_bytes() for n in _INDEX_FILES if (source / n).exists()}
        except (OSError, ValueError, KeyError):
            continue  # a segment merged away meanwhile: take the new state
        if after == before:
            for name, data in before.items():
                (target / name).write_bytes(data)
            return True
    shutil.rmtree(target, ignore_errors=True)
    return False


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise DeclassError(f"{command[0]} is not installed (Debian: postgresql-client)") from exc
    if done.returncode != 0:
        raise DeclassError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")
