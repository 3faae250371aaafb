"""A primary and a streaming replica on loopback: writes on one, reads from the other."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest

from declass.store.postgres import PostgresStore
from tests.pgcluster import Cluster, ClusterUnavailable
from tests.store.test_store import memcon


@pytest.fixture(scope="module")
def primary_and_replica() -> Iterator[tuple[Cluster, Cluster]]:
    try:
        primary = Cluster.create("declass-primary")
        primary.start(wal_level="replica", max_wal_senders="4")
    except ClusterUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"cannot start PostgreSQL (required under CI): {exc}")
        pytest.skip(f"cannot start PostgreSQL: {exc}")
    replica = None
    try:
        replica = Cluster.replica_of(primary)
        replica.start(hot_standby="on")
        yield primary, replica
    finally:
        if replica is not None:
            replica.destroy()
        primary.destroy()


def test_a_document_written_on_the_primary_is_read_from_the_replica(
    primary_and_replica: tuple[Cluster, Cluster],
) -> None:
    primary, replica = primary_and_replica
    store = PostgresStore(primary.url(), replica_url=replica.url())
    try:
        store.migrate()
        doc = memcon()
        store.put(doc)
        store.wait_for_replica(timeout=30)
        assert store.document(doc.id) == doc
        assert [v.number for v in store.versions(doc.id)] == [1]
        # The reads really came from the standby, which refuses writes.
        with psycopg.connect(replica.url(), autocommit=True) as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                conn.execute("DELETE FROM documents")
    finally:
        store.close()
