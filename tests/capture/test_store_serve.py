"""Real `sesops serve` processes over real HTTP on real stores: two receivers on one PostgreSQL store
keep one copy, a receiver killed with -9 loses nothing it acknowledged (both backends), and a store
that cannot take the write answers 503 within seconds, never 200."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest
import urllib3

from sesops.capture.store import CaptureStore, open_store
from sesops.sns.signing import SigningAuthority
from tests.capture_samples import TOPIC, ses_bounce

CLI = [sys.executable, "-c", "import sys; from sesops.cli import main; sys.exit(main())"]
HEADERS = {"x-amz-sns-message-type": "Notification"}


class Serve:
    """`sesops serve --db LOCATION` as a subprocess on a free loopback port."""

    def __init__(self, db: str, cert_dir: Path, *extra: str) -> None:
        args = [
            "serve",
            "--db",
            db,
            "--port",
            "0",
            "--allow-topic",
            TOPIC,
            "--cert-dir",
            str(cert_dir),
            *extra,
        ]
        self.proc = subprocess.Popen(
            [*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        line = self.proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in line, line + self.proc.stderr.read()
        self.url = line.split("listening on ")[1].strip()
        self.stderr = ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        _, self.stderr = self.proc.communicate(timeout=30)


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    pool = urllib3.PoolManager(retries=False, timeout=15)
    yield pool
    pool.clear()


def signed(authority: SigningAuthority, n: int) -> list[bytes]:
    return [
        orjson.dumps(authority.notification(TOPIC, orjson.dumps(ses_bounce(f"u{i}@example.com")).decode()))
        for i in range(n)
    ]


def post(http: urllib3.PoolManager, url: str, body: bytes) -> urllib3.BaseHTTPResponse:
    return http.request("POST", url, body=body, headers=HEADERS)


def stored_ids(location: str) -> list[str]:
    with open_store(location, create=False) as store:
        return [m.message_id for m in store.iter_messages()]


def test_two_receivers_on_one_postgres_store_keep_one_copy(
    postgres_url: str, cert_dir: Path, authority: SigningAuthority, http: urllib3.PoolManager
) -> None:
    receivers = [
        Serve(postgres_url, cert_dir, "--threads", "2"),
        Serve(postgres_url, cert_dir, "--threads", "2"),
    ]
    bodies = signed(authority, 150)
    # SNS redelivers: each message reaches both receivers (behind a load balancer) and one of them twice.
    deliveries = [(body, r.url) for body in bodies for r in (*receivers, receivers[0])]
    try:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda d: post(http, d[1], d[0]), deliveries))
    finally:
        for receiver in receivers:
            receiver.stop()
    assert {a.status for a in answers} == {200}
    texts = [a.data for a in answers]
    assert texts.count(b"stored\n") == len(bodies)  # exactly one delivery of each stored it
    assert texts.count(b"already stored\n") == 2 * len(bodies)
    ids = stored_ids(postgres_url)
    assert sorted(ids) == sorted(orjson.loads(b)["MessageId"] for b in bodies)


@pytest.mark.timeout(180)
def test_kill_9_mid_burst_loses_nothing_acknowledged(
    store_url: str, cert_dir: Path, authority: SigningAuthority
) -> None:
    receiver = Serve(store_url, cert_dir, "--threads", "2", "--quiet")
    bodies = signed(authority, 800)
    acknowledged: list[str] = []
    lock = threading.Lock()

    def client(worker: int) -> None:
        pool = urllib3.PoolManager(retries=False, timeout=10)
        for body in bodies[worker::6]:
            try:
                r = post(pool, receiver.url, body)
            except urllib3.exceptions.HTTPError:
                return  # the receiver died under us
            if r.status == 200:
                with lock:
                    acknowledged.append(orjson.loads(body)["MessageId"])

    threads = [threading.Thread(target=client, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 100 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(receiver.proc.pid, signal.SIGKILL)
    receiver.proc.wait(10)
    for t in threads:
        t.join(30)
    assert 100 <= len(acknowledged) < len(bodies)
    assert set(acknowledged) <= set(stored_ids(store_url))


# -- a store that cannot take the write: 503, never 200 ---------------------------------------


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _replace(path: Path) -> None:
    CaptureStore(path.with_name("restored.sqlite")).close()
    os.replace(path.with_name("restored.sqlite"), path)


@pytest.mark.parametrize(
    ("break_it", "mend_it", "logged"),
    [
        (_remove, None, "was removed"),
        (_replace, None, "was replaced"),
        (lambda path: path.chmod(0o444), lambda path: path.chmod(0o644), "read-only"),
    ],
    ids=["removed", "replaced", "read-only"],
)
def test_a_store_broken_under_the_receiver_answers_503(
    tmp_path: Path,
    cert_dir: Path,
    authority: SigningAuthority,
    http: urllib3.PoolManager,
    break_it: Any,
    mend_it: Any,
    logged: str,
) -> None:
    db = tmp_path / "capture.sqlite"
    receiver = Serve(str(db), cert_dir, "--store-timeout", "1")
    first, second, third = signed(authority, 3)
    try:
        assert post(http, receiver.url, first).status == 200
        break_it(db)
        started = time.monotonic()
        r = post(http, receiver.url, second)
        assert (r.status, time.monotonic() - started < 5) == (503, True)
        if mend_it is not None:
            mend_it(db)
            assert post(http, receiver.url, third).status == 200
    finally:
        receiver.stop()
    assert logged in receiver.stderr
    assert orjson.loads(second)["MessageId"] not in (stored_ids(str(db)) if db.exists() else [])


def test_a_lock_held_by_another_writer_answers_503_within_seconds(
    tmp_path: Path, cert_dir: Path, authority: SigningAuthority, http: urllib3.PoolManager
) -> None:
    db = tmp_path / "capture.sqlite"
    receiver = Serve(str(db), cert_dir)  # the default timeout: 5 s, well under SNS's 15 s
    first, second = signed(authority, 2)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        r = post(http, receiver.url, first)
        assert r.status == 503 and time.monotonic() - started < 8
        holder.execute("ROLLBACK")
        assert post(http, receiver.url, first).status == 200  # SNS's retry
        assert post(http, receiver.url, second).status == 200
    finally:
        holder.close()
        receiver.stop()
    assert "locked by another writer" in receiver.stderr


def test_a_postgres_store_out_of_reach_answers_503_then_recovers(
    postgres_server: str, cert_dir: Path, authority: SigningAuthority, http: urllib3.PoolManager
) -> None:
    """The receiver's connections are cut and new ones refused (as in a server restart or a
    network split): 503 within seconds while it lasts, 200 again after."""
    name = f"cut_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(postgres_server, autocommit=True)
    admin.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    url = postgres_server.rsplit("/", 1)[0] + f"/{name}"
    receiver = Serve(url, cert_dir, "--store-timeout", "2")
    first, second = signed(authority, 2)
    try:
        assert post(http, receiver.url, first).status == 200
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")  # type: ignore[arg-type]
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        started = time.monotonic()
        assert post(http, receiver.url, second).status == 503
        assert time.monotonic() - started < 8
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")  # type: ignore[arg-type]
        deadline = time.monotonic() + 20
        while (status := post(http, receiver.url, second).status) != 200 and time.monotonic() < deadline:
            time.sleep(0.5)  # SNS's retries
        assert status == 200
    finally:
        receiver.stop()
        admin.close()
    assert sorted(stored_ids(url)) == sorted(orjson.loads(b)["MessageId"] for b in (first, second))
    assert "nothing stored" in receiver.stderr
