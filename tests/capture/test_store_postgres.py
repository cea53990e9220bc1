"""What only the PostgreSQL store has: a database shared with others, its schema marker, row locks
held by another host's writer, and passwords in URLs."""

from __future__ import annotations

import time

import psycopg
import pytest

from sesops.capture.store import open_store
from sesops.errors import StoreError, StoreUnavailable
from tests.capture_samples import ses_bounce, unsigned_envelope


def body(message_id: str) -> str:
    return unsigned_envelope(ses_bounce(), message_id=message_id)


def test_a_database_that_is_not_a_store_is_refused_and_left_alone(postgres_url: str) -> None:
    with pytest.raises(
        StoreError, match="no sesops capture store here; create it with `sesops store migrate URL`"
    ):
        open_store(postgres_url, create=False)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE messages (x int)")
    with pytest.raises(StoreError, match="has a messages table but is not a sesops capture store"):
        open_store(postgres_url)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('sesops_meta')").fetchone() == (None,)


def test_a_newer_schema_is_refused(postgres_url: str) -> None:
    open_store(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("UPDATE sesops_meta SET value = '9' WHERE name = 'schema_version'")
    with pytest.raises(StoreError, match="schema 9 is newer than this sesops"):
        open_store(postgres_url)


def test_a_row_lock_held_by_another_writer_times_out_quickly(postgres_url: str) -> None:
    store = open_store(postgres_url, timeout=0.5)
    other = psycopg.connect(postgres_url)  # another host inserting the same message, not yet committed
    other.execute(
        "INSERT INTO messages (message_id, received_at, channel, verified, body) "
        "VALUES ('m-1', 't', 'http', true, '{}')"
    )
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="lock timeout"):
        store.add(body("m-1"), channel="http", verified=True)
    assert time.monotonic() - started < 3
    other.commit()
    assert store.add(body("m-1"), channel="http", verified=True) is False  # the other host's copy stands
    other.close()
    store.close()


def test_passwords_never_show(postgres_url: str) -> None:
    url = postgres_url.replace("postgres@", "postgres:s3cret@")  # trust auth ignores it
    with open_store(url) as store:
        assert "s3cret" not in store.location and "postgres:***@" in store.location
        assert "s3cret" not in repr(store)
