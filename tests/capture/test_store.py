"""The capture store, the same suite on both backends (``store_url``: a SQLite file, then a fresh
PostgreSQL schema): idempotency, group commit, threads and processes, read-back, export, copy."""

from __future__ import annotations

import hashlib
import multiprocessing
import threading
from pathlib import Path

import orjson
import pytest

from sesops.capture.store import copy_store, export_jsonl, open_store, prepare
from sesops.cli import main
from sesops.load.reader import read_events
from sesops.load.sources import store_records
from tests.capture.store_workers import write_many
from tests.capture_samples import TOPIC, ses_bounce, unsigned_envelope


def test_add_is_idempotent_by_message_id(store_url: str) -> None:
    with open_store(store_url) as store:
        body = unsigned_envelope(ses_bounce(), message_id="id-1")
        assert store.add(body, channel="http", verified=True) is True
        assert store.add(body, channel="http", verified=True) is False
        assert store.add(body.encode(), channel="sqs", verified=False) is False
        [row] = list(store.iter_messages())
        assert (row.message_id, row.channel, row.verified, row.topic_arn) == ("id-1", "http", True, TOPIC)
        assert row.body == body
        assert row.received_at.endswith("Z")
        assert store.counts().as_dict() == {
            "messages": 1,
            "verified": 1,
            "rejects": 0,
            "by_channel": {"http": 1},
        }
        assert store.contains("id-1") and not store.contains("id-2")


def test_keys_content_hash_eventbridge_and_explicit(store_url: str) -> None:
    with open_store(store_url) as store:
        body = orjson.dumps(ses_bounce()).decode()
        assert store.add(body, channel="sqs", verified=False)
        assert not store.add(body, channel="sqs", verified=False)
        assert store.add(body + " ", channel="sqs", verified=False)  # other bytes, other key
        event = {
            "version": "0",
            "id": "ev-1",
            "detail-type": "Email Bounced",
            "source": "aws.ses",
            "detail": {},
        }
        assert store.add(orjson.dumps(event), channel="sqs", verified=False)
        store.add("{}", channel="import", verified=False, message_id="mine", topic_arn="arn:x")
        rows = list(store.iter_messages())
    assert rows[0].message_id == "sha256:" + hashlib.sha256(body.encode()).hexdigest()
    assert rows[0].topic_arn is None
    assert rows[2].message_id == "eventbridge:ev-1"
    assert (rows[3].message_id, rows[3].topic_arn) == ("mine", "arn:x")


def test_rows_and_rejects_survive_reopen_and_a_reject_key_is_kept_once(store_url: str) -> None:
    with open_store(store_url) as store:
        store.add(unsigned_envelope(ses_bounce()), channel="http", verified=True)
        assert store.add_reject("junk", reason="not JSON", channel="sqs", key="sqs:m-1") is True
        assert store.add_reject("junk again", reason="not JSON", channel="sqs", key="sqs:m-1") is False
        assert store.add_reject("other", reason="not JSON", channel="sqs") is True
        assert store.add_reject("other", reason="not JSON", channel="sqs") is False  # same body hash
    with open_store(store_url, create=False) as reopened:
        assert reopened.counts().messages == 1
        rejects = list(reopened.iter_rejects())
    assert [(r["reason"], r["channel"], r["body"], r["key"]) for r in rejects] == [
        ("not JSON", "sqs", "junk", "sqs:m-1"),
        ("not JSON", "sqs", "other", "sha256:" + hashlib.sha256(b"other").hexdigest()),
    ]


def test_group_commit_from_many_threads(store_url: str) -> None:
    store = open_store(store_url)
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
        t.join(60)
    assert results.count(True) == 8 * 25
    assert store.counts().messages == 8 * 25
    store.close()


def test_add_many_reports_each_even_a_repeat_within_the_batch(store_url: str) -> None:
    with open_store(store_url) as store:
        items = [
            prepare(unsigned_envelope(ses_bounce(), message_id=m), channel="sqs", verified=False)
            for m in "aba"
        ]
        assert store.add_many(items) == [True, True, False]
        assert store.add_many(items[:1]) == [False]
        assert store.add_many([]) == []
        assert [m.message_id for m in store.iter_messages()] == ["a", "b"]


def test_concurrent_writer_processes_on_a_store_they_create(store_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=write_many, args=(store_url, w, 40)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    with open_store(store_url, create=False) as store:
        ids = [m.message_id for m in store.iter_messages()]
        assert sorted(ids) == sorted(
            {f"w{w}-{i}" for w in range(3) for i in range(40)} | {f"shared-{i}" for i in range(40)}
        )
        assert store.counts().rejects == 3 * 4


def _fill(location: str) -> list[str]:
    emails = [f"user{i}@example.com" for i in range(5)]
    with open_store(location) as store:
        for email in emails[:3]:
            store.add(unsigned_envelope(ses_bounce(email)), channel="http", verified=True)
        for email in emails[3:]:
            store.add(orjson.dumps(ses_bounce(email)), channel="sqs", verified=False)
        store.add(unsigned_envelope(ses_bounce(emails[0]), message_id="dup"), channel="http", verified=True)
        store.add_reject("junk", reason="not JSON", channel="sqs", key="sqs:j")
    return emails


def test_read_events_and_iter_messages(store_url: str) -> None:
    emails = _fill(store_url)
    with open_store(store_url, create=False) as store:
        messages = list(store.iter_messages())
        location = store.location
    assert [m.id for m in messages] == [1, 2, 3, 4, 5, 6]
    assert [m.channel for m in messages] == ["http"] * 3 + ["sqs"] * 2 + ["http"]
    assert messages[-1].message_id == "dup" and messages[-1].verified
    records = list(store_records(store_url))
    assert [r.line for r in records] == [1, 2, 3, 4, 5, 6] and {r.source for r in records} == {location}
    df = read_events(store_url)
    assert sorted(set(df["email"])) == emails
    assert df.attrs["rejected"] == 0


def test_sqlite_url_names_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    emails = _fill(str(path))
    with open_store(f"sqlite:///{path}") as store:
        assert store.path == path and store.counts().messages == 6
    assert sorted(set(read_events(f"sqlite:///{path}")["email"])) == emails


def test_export_round_trips_through_read_events(store_url: str, tmp_path: Path) -> None:
    _fill(store_url)
    out = tmp_path / "out.jsonl"
    assert export_jsonl(store_url, out) == 6
    lines = out.read_bytes().splitlines()
    assert len(lines) == 6 and all(orjson.loads(line) for line in lines)
    from_store, from_export = read_events(store_url), read_events(out, engine="python")
    assert from_store.equals(from_export)


def test_export_cli(store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(store_url)
    out = tmp_path / "out.jsonl"
    assert main(["export", "--db", store_url, "--out", str(out)]) == 0
    assert "6 messages" in capsys.readouterr().out
    assert len(read_events(out, engine="python")) == len(read_events(store_url))


def test_copy_is_idempotent_both_ways(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite -> store_url (PostgreSQL too) -> another SQLite file: every key, time and flag kept."""
    source = str(tmp_path / "source.sqlite")
    _fill(source)
    first = copy_store(source, store_url, batch=4)
    assert (first.messages, first.new_messages, first.rejects, first.new_rejects) == (6, 6, 1, 1)
    assert main(["store", "copy", source, store_url, "--quiet"]) == 0
    assert "copied 0 new of 6 messages and 0 new of 1 rejects" in capsys.readouterr().out
    back = str(tmp_path / "back.sqlite")
    assert copy_store(store_url, back).new_messages == 6
    with open_store(source) as a, open_store(store_url) as b, open_store(back) as c:
        rows = [
            [
                (m.message_id, m.received_at, m.channel, m.verified, m.topic_arn, m.body)
                for m in s.iter_messages()
            ]
            for s in (a, b, c)
        ]
        rejects = [[{k: v for k, v in r.items() if k != "id"} for r in s.iter_rejects()] for s in (a, b, c)]
    assert rows[0] == rows[1] == rows[2] and rejects[0] == rejects[1] == rejects[2]


def test_migrate_creates_then_has_nothing_to_do(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["store", "migrate", store_url]) == 0
    assert "created capture store schema 2" in capsys.readouterr().out
    assert main(["store", "migrate", store_url]) == 0
    assert "is at schema 2: nothing to do" in capsys.readouterr().out
    with open_store(store_url, create=False) as store:
        assert store.counts().messages == 0
