"""What only the SQLite store has: its file. Versioned schema and its upgrade, foreign files, and a
file removed, replaced, made read-only or locked under a running writer: never a silent success."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from sesops.capture.store import CaptureStore, export_jsonl, open_store
from sesops.cli import main
from sesops.errors import InputError, StoreError, StoreUnavailable
from sesops.load.reader import read_events
from sesops.load.sources import store_records
from tests.capture_samples import ses_bounce, unsigned_envelope

V1_SCHEMA = """
CREATE TABLE messages (id INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, received_at TEXT NOT NULL,
    channel TEXT NOT NULL, verified INTEGER NOT NULL, topic_arn TEXT, body TEXT NOT NULL);
CREATE TABLE rejects (id INTEGER PRIMARY KEY, received_at TEXT NOT NULL, channel TEXT NOT NULL,
    reason TEXT NOT NULL, body TEXT NOT NULL);
PRAGMA application_id = 1397052227;  -- 0x53455343
PRAGMA user_version = 1;
"""


def body(message_id: str) -> str:
    return unsigned_envelope(ses_bounce(), message_id=message_id)


def test_schema_is_versioned_in_a_wal_file(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with CaptureStore(path) as store:
        store.add(body("a"), channel="http", verified=True)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x53455343
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_migrate_upgrades_a_version_1_store_keeping_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.execute(
        "INSERT INTO messages (message_id, received_at, channel, verified, topic_arn, body) VALUES (?,?,?,?,?,?)",
        ("m-1", "2024-05-01T12:00:00.000Z", "http", 1, None, body("m-1")),
    )
    for _ in range(2):  # what the old drain did: the same junk recorded on every run
        conn.execute(
            "INSERT INTO rejects (received_at, channel, reason, body) VALUES ('t', 'sqs', 'not JSON', 'junk')"
        )
    conn.commit()
    conn.close()
    with CaptureStore(path, create=False) as reader:  # a reader reads it as it is, and changes nothing
        assert reader.found_version == 1 and len(list(reader.iter_rejects())) == 2
    assert main(["store", "migrate", str(path)]) == 0
    assert f"upgraded capture store {path} from schema 1 to 2" in capsys.readouterr().out
    with CaptureStore(path) as store:
        assert [m.message_id for m in store.iter_messages()] == ["m-1"]
        assert [r["key"] for r in store.iter_rejects()] == ["legacy:1", "legacy:2"]
        assert store.add_reject("junk", reason="not JSON", channel="sqs", key="sqs:x")
        assert not store.add_reject("junk", reason="not JSON", channel="sqs", key="sqs:x")
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    CaptureStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 9")
    conn.close()
    with pytest.raises(StoreError, match="schema 9 is newer than this sesops"):
        CaptureStore(path)


def test_a_reader_never_creates_nor_converts_a_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite"
    with pytest.raises(InputError, match="no such capture store"):
        CaptureStore(missing, create=False)
    assert not missing.exists()
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    with pytest.raises(StoreError, match="empty SQLite file, not a sesops capture store"):
        CaptureStore(empty, create=False)
    assert empty.stat().st_size == 0


def test_missing_and_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such"):
        read_events(tmp_path / "missing.sqlite")
    with pytest.raises(InputError, match="no such capture store"):
        export_jsonl(tmp_path / "missing.sqlite", tmp_path / "o.jsonl")
    text = tmp_path / "notes.db"
    text.write_text("hello, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a sesops capture store"):
        list(store_records(text))
    with pytest.raises(StoreError, match="not a sesops capture store"):
        CaptureStore(text)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="SQLite database but not a sesops capture store"):
        read_events(other)
    with pytest.raises(InputError, match="directory"):
        CaptureStore(tmp_path)
    with pytest.raises(InputError, match="sqlite:///path"):
        CaptureStore("sqlite://relative.sqlite")


@pytest.mark.parametrize(
    ("db", "message"),
    [
        (
            "/nonexistent/dir/x.sqlite",
            "/nonexistent/dir: no such directory for the capture store; create it first",
        ),
        ("{tmp}", "is a directory; give a file path such as"),
        ("{tmp}/notes.db", "is not a sesops capture store (not an SQLite database)"),
        ("postgresql://nobody@127.0.0.1:1/none", "cannot connect to PostgreSQL"),
        ("postgresql://u:secret@[bad/x", "not a PostgreSQL URL"),
    ],
)
def test_unopenable_stores_are_one_line_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], db: str, message: str
) -> None:
    (tmp_path / "notes.db").write_text("hello, not a database\n" * 100)
    db = db.format(tmp=tmp_path)
    for argv in (
        ["serve", "--db", db, "--allow-topic", "arn:aws:sns:us-east-1:123456789012:t"],
        ["store", "migrate", db],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
        assert "secret" not in err


# -- the store never lies ---------------------------------------------------------------------


def test_a_removed_file_refuses_every_write(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with CaptureStore(path) as store:
        assert store.add(body("a"), channel="http", verified=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        with pytest.raises(StoreUnavailable, match="was removed; nothing stored"):
            store.add(body("b"), channel="http", verified=True)
        with pytest.raises(StoreUnavailable, match="was removed"):
            store.add_reject("junk", reason="x", channel="sqs")
        with pytest.raises(StoreUnavailable):
            store.check()
    assert not path.exists()  # nothing re-created it


def test_every_writer_of_a_refused_group_commit_hears_of_it(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    outcomes: list[str] = []
    with CaptureStore(path) as store:
        path.unlink()

        def writer(n: int) -> None:
            for i in range(10):
                try:
                    store.add(body(f"{n}-{i}"), channel="http", verified=True)
                    outcomes.append("stored")
                except StoreUnavailable:
                    outcomes.append("refused")

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert outcomes == ["refused"] * 60


def test_a_replaced_file_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with CaptureStore(path) as store:
        store.add(body("a"), channel="http", verified=True)
        with CaptureStore(tmp_path / "other.sqlite") as other:
            other.add(body("z"), channel="http", verified=True)
        os.replace(tmp_path / "other.sqlite", path)  # a restore from backup under a running writer
        with pytest.raises(StoreUnavailable, match="was replaced by another one"):
            store.add(body("b"), channel="http", verified=True)
        with pytest.raises(StoreUnavailable, match="was replaced"):
            store.add_reject("junk", reason="x", channel="sqs")


def test_a_read_only_file_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with CaptureStore(path) as store:
        store.add(body("a"), channel="http", verified=True)
        path.chmod(0o444)
        with pytest.raises(StoreUnavailable, match="read-only"):
            store.add(body("b"), channel="http", verified=True)
        path.chmod(0o644)
        assert store.add(body("b"), channel="http", verified=True)


def test_a_lock_held_by_another_writer_times_out_quickly(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    store = CaptureStore(path, timeout=0.5)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match=r"locked by another writer for over 0\.5 s"):
        store.add(body("a"), channel="http", verified=True)
    assert time.monotonic() - started < 3
    holder.execute("ROLLBACK")
    assert store.add(body("a"), channel="http", verified=True)
    store.close()
    holder.close()


def test_open_store_reports_the_location(tmp_path: Path) -> None:
    with open_store(tmp_path / "c.sqlite") as store:
        assert store.location == str(tmp_path / "c.sqlite") and repr(store).endswith("c.sqlite>")
