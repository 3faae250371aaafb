"""Shared fixtures: the real corpora in ../shared, and fresh archives in tmp_path."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from declass.store import open_store
from declass.store.base import Store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _corpora_dir() -> Path:
    return Path(os.environ.get("DECLASS_CORPORA", ROOT.parent / "shared" / "corpora"))


@pytest.fixture(scope="session")
def corpora() -> Path:
    """../shared/corpora; under CI a missing corpus fails the run instead of skipping."""
    path = _corpora_dir()
    if not (path / "README.md").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"corpora not found at {path} (required under CI)")
        pytest.skip(f"corpora not found at {path}")
    return path


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server's URL: DECLASS_TEST_PG_URL, or a throwaway cluster on loopback.

    Under CI a server that cannot be had fails the run instead of skipping.
    """
    given = os.environ.get("DECLASS_TEST_PG_URL")
    if given:
        yield given
        return
    from tests.pgcluster import Cluster, ClusterUnavailable

    try:
        cluster = Cluster.create()
        cluster.start()
    except ClusterUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no PostgreSQL server for the tests (required under CI): {exc}")
        pytest.skip(f"no PostgreSQL server: {exc}")
    try:
        yield cluster.url()
    finally:
        cluster.destroy()


class PgDatabases:
    """Fresh databases on the test server, each a copy of one migrated template."""

    def __init__(self, server_url: str) -> None:
        import psycopg

        self.server_url = server_url
        self.admin = psycopg.connect(server_url, autocommit=True)
        self.template = f"declass_template_{uuid.uuid4().hex[:8]}"
        self.admin.execute(f"CREATE DATABASE {self.template}")
        open_store(self.url(self.template)).close()
        self.made: list[str] = []

    def url(self, name: str) -> str:
        """The server's URL with `name` as its database."""
        parts = urlsplit(self.server_url)
        return urlunsplit(parts._replace(path="/" + name))

    def create(self) -> str:
        name = f"declass_test_{uuid.uuid4().hex[:12]}"
        self.admin.execute(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        self.made.append(name)
        return self.url(name)

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        self.admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        self.admin.execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
        self.admin.close()


@pytest.fixture(scope="session")
def pg_databases(pg_server: str) -> Iterator[PgDatabases]:
    databases = PgDatabases(pg_server)
    yield databases
    databases.close()


def open_backend(
    backend: str, folder: Path, request: pytest.FixtureRequest
) -> tuple[Store, Callable[[], None]]:
    """A fresh, empty archive of `backend` and how to throw it away."""
    if backend == "sqlite":
        s = open_store(folder / "archive.sqlite3")
        return s, s.close
    databases: PgDatabases = request.getfixturevalue("pg_databases")
    url = databases.create()
    s = open_store(url)

    def discard() -> None:
        s.close()
        databases.drop(url)

    return s, discard


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh archive; storage and search tests run once per backend."""
    s, discard = open_backend(request.param, tmp_path, request)
    yield s
    discard()
