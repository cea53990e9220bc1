"""The capture store on real SQLite files: idempotency, durability, concurrency, read-back."""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
import threading
from pathlib import Path

import orjson
import pytest

from sesops.capture.store import CaptureStore, export_jsonl, prepare
from sesops.cli import main
from sesops.errors import InputError, StoreError
from sesops.load.reader import read_events
from sesops.load.sources import store_records
from tests.capture_samples import TOPIC, ses_bounce, unsigned_envelope


def test_add_is_idempotent_by_message_id(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path / "c.sqlite")
    body = unsigned_envelope(ses_bounce(), message_id="id-1")
    assert store.add(body, channel="http", verified=True) is True
    assert store.add(body, channel="http", verified=True) is False
    assert store.add(body.encode(), channel="sqs", verified=False) is False
    [row] = list(store.iter_raw())
    assert (row.message_id, row.channel, row.verified, row.topic_arn) == ("id-1", "http", True, TOPIC)
    assert row.body == body
    assert row.received_at.endswith("Z")
    assert store.counts().as_dict() == {"messages": 1, "verified": 1, "rejects": 0, "by_channel": {"http": 1}}


def test_raw_body_is_keyed_by_content_hash(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path / "c.sqlite")
    body = orjson.dumps(ses_bounce()).decode()
    assert store.add(body, channel="sqs", verified=False)
    assert not store.add(body, channel="sqs", verified=False)
    assert store.add(body + " ", channel="sqs", verified=False)  # other bytes, other key
    first = next(store.iter_raw())
    assert first.message_id == "sha256:" + hashlib.sha256(body.encode()).hexdigest()
    assert first.topic_arn is None


def test_explicit_id_and_topic_win(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path / "c.sqlite")
    store.add("{}", channel="import", verified=False, message_id="mine", topic_arn="arn:x")
    row = next(store.iter_raw())
    assert (row.message_id, row.topic_arn) == ("mine", "arn:x")
    with pytest.raises(InputError, match="channel"):
        store.add("{}", channel="smtp", verified=False)


def test_rows_survive_reopen_and_schema_is_versioned(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with CaptureStore(path) as store:
        store.add(unsigned_envelope(ses_bounce()), channel="http", verified=True)
        store.add_reject("junk", reason="not JSON", channel="sqs")
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    reopened = CaptureStore(path)
    assert reopened.counts().messages == 1
    [reject] = list(reopened.iter_rejects())
    assert (reject["reason"], reject["channel"], reject["body"]) == ("not JSON", "sqs", "junk")


def test_group_commit_from_many_threads(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path / "c.sqlite")
    results: list[bool] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for i in range(50):
            new = store.add(
                unsigned_envelope(ses_bounce(), message_id=f"{n}-{i % 25}"), channel="http", verified=True
            )
            with lock:
                results.append(new)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 8 * 25
    assert store.counts().messages == 8 * 25


def test_add_many_reports_each(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path / "c.sqlite")
    items = [
        prepare(unsigned_envelope(ses_bounce(), message_id=m), channel="sqs", verified=False) for m in "aba"
    ]
    assert store.add_many(items) == [True, True, False]
    assert store.add_many([]) == []


def _write_many(path: str, worker: int, count: int) -> None:
    store = CaptureStore(path)
    for i in range(count):
        store.add(unsigned_envelope(ses_bounce(), message_id=f"w{worker}-{i}"), channel="http", verified=True)
        if i % 10 == 0:
            store.add_reject(f"junk {worker} {i}", reason="test", channel="sqs")
    store.close()


def test_concurrent_writer_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "c.sqlite")
    CaptureStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(path, w, 60)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    store = CaptureStore(path)
    ids = {m.message_id for m in store.iter_raw()}
    assert ids == {f"w{w}-{i}" for w in range(4) for i in range(60)}
    assert store.counts().rejects == 4 * 6


def test_concurrent_creation_of_a_new_store(tmp_path: Path) -> None:
    path = str(tmp_path / "fresh.sqlite")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(path, w, 5)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert CaptureStore(path).counts().messages == 15


def _filled_store(path: Path) -> list[str]:
    store = CaptureStore(path)
    emails = [f"user{i}@example.com" for i in range(5)]
    for email in emails[:3]:
        store.add(unsigned_envelope(ses_bounce(email)), channel="http", verified=True)
    for email in emails[3:]:
        store.add(orjson.dumps(ses_bounce(email)), channel="sqs", verified=False)
    store.add(unsigned_envelope(ses_bounce(emails[0]), message_id="dup"), channel="http", verified=True)
    store.close()
    return emails


def test_read_events_from_store(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    emails = _filled_store(path)
    records = list(store_records(path))
    assert [r.line for r in records] == [1, 2, 3, 4, 5, 6]
    assert {r.source for r in records} == {str(path)}
    df = read_events(path)
    assert sorted(set(df["email"])) == emails
    assert df.attrs["rejected"] == 0


def test_iter_messages_yields_each_stored_message_in_order(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    _filled_store(path)
    with CaptureStore(path, create=False) as store:
        messages = list(store.iter_messages())
    assert [m.id for m in messages] == [1, 2, 3, 4, 5, 6]
    assert [m.channel for m in messages] == ["http"] * 3 + ["sqs"] * 2 + ["http"]
    assert messages[-1].message_id == "dup" and messages[-1].verified
    assert all(m.received_at.endswith("Z") and orjson.loads(m.body) for m in messages)


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


def test_export_round_trips_through_read_events(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    _filled_store(path)
    out = tmp_path / "out.jsonl"
    assert export_jsonl(path, out) == 6
    lines = out.read_bytes().splitlines()
    assert len(lines) == 6 and all(orjson.loads(line) for line in lines)
    from_store, from_export = read_events(path), read_events(out, engine="python")
    assert from_store.drop(columns=[]).equals(from_export)


def test_export_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.sqlite"
    _filled_store(path)
    out = tmp_path / "out.jsonl"
    assert main(["export", "--db", str(path), "--out", str(out)]) == 0
    assert "6 messages" in capsys.readouterr().out
    assert len(read_events(out, engine="python")) == len(read_events(path))
    assert main(["export", "--db", str(tmp_path / "missing.sqlite"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no such capture store" in err and "Traceback" not in err


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
    with pytest.raises(StoreError, match="not a sesops capture store"):
        CaptureStore(other)
    with pytest.raises(InputError, match="directory"):
        CaptureStore(tmp_path)
