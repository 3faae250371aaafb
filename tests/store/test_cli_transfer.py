"""`declass migrate`, `export` and `import` from the command line, into PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from declass.cli import cli
from declass.store import open_store
from tests.conftest import PgDatabases
from tests.store.test_store import memcon


def test_migrate_export_and_import_from_sqlite_into_postgresql(
    tmp_path: Path, pg_databases: PgDatabases
) -> None:
    source = tmp_path / "a.sqlite3"
    runner = CliRunner()
    first = runner.invoke(cli, ["migrate", "--db", str(source)])
    assert first.exit_code == 0 and "v0 →" in first.output
    assert "already current" in runner.invoke(cli, ["migrate", "--db", str(source)]).output
    store = open_store(source)
    store.put(memcon())
    store.close()
    dumped = tmp_path / "a.jsonl.gz"
    exported = runner.invoke(cli, ["export", str(dumped), "--db", str(source)])
    assert exported.exit_code == 0 and "1 versions" in exported.output
    target = pg_databases.create()
    imported = runner.invoke(cli, ["import", str(dumped), "--db", target])
    assert imported.exit_code == 0, imported.output
    copy = open_store(target)
    try:
        assert copy.document(memcon().id) == memcon()
    finally:
        copy.close()
        pg_databases.drop(target)
