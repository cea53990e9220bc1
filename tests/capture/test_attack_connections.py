"""`sesops serve` under a connection flood, on loopback: idle and trickling sockets never lock SNS out.

waitress alone held 100 connections and never timed out a client sending a byte a second; the
receiver now holds 1000, drops a request that has not fully arrived within --read-timeout and an
idle connection after --idle-timeout, so a genuine delivery is answered while the flood goes on.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from sesops.sns.signing import SigningAuthority
from tests.capture.serve_helpers import Server, notification, request_bytes, status_of, stored_ids

# A header that never ends: one byte of it a tick keeps a connection "active" forever.
SLOW_HEAD = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100_000


class Flood:
    """``idle`` connections that never send, ``trickling`` ones sending a byte each ``interval``."""

    def __init__(self, port: int, *, idle: int, trickling: int, interval: float = 1.0) -> None:
        self.idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(idle)]
        self.trickling = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(trickling)]
        self.cut: set[socket.socket] = set()  # tricklers the server has closed
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def _trickle(self) -> None:
        offset = 0
        while not self._stop.is_set():
            for sock in self.trickling:
                if sock in self.cut:
                    continue
                try:
                    sock.send(SLOW_HEAD[offset : offset + 1])
                except OSError:
                    self.cut.add(sock)
            offset += 1
            self._stop.wait(self._interval)

    def closed_by_server(self, socks: list[socket.socket]) -> int:
        """How many of ``socks`` the server has closed (EOF or reset on read)."""
        closed = 0
        for sock in socks:
            sock.setblocking(False)
            try:
                closed += sock.recv(1) == b""
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
        return closed

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for sock in self.idle + self.trickling:
            sock.close()


@pytest.fixture
def flood_server(tmp_path: Path, cert_dir: Path) -> Iterator[Server]:
    server = Server(tmp_path / "capture.sqlite", cert_dir)
    yield server
    server.stop()


def test_a_delivery_is_answered_within_2s_under_300_idle_and_100_trickling(
    flood_server: Server, authority: SigningAuthority
) -> None:
    flood = Flood(flood_server.port, idle=300, trickling=100)
    try:
        time.sleep(1.5)  # every flood connection accepted and trickling
        delivered = []
        for _ in range(5):
            env = notification(authority)
            started = time.monotonic()
            assert status_of(flood_server.port, request_bytes(orjson.dumps(env)), timeout=5) == 200
            assert time.monotonic() - started < 2.0
            delivered.append(env["MessageId"])
        assert flood.closed_by_server(flood.idle[:50]) == 0  # within the default limits, nobody dropped
    finally:
        flood.close()
    assert set(delivered) <= stored_ids(flood_server.db)


def test_slow_and_idle_connections_are_dropped_so_a_full_server_frees_up(
    tmp_path: Path, cert_dir: Path, authority: SigningAuthority
) -> None:
    limits = ("--read-timeout", "1", "--idle-timeout", "1", "--max-connections", "40")
    server = Server(tmp_path / "capture.sqlite", cert_dir, extra=limits)
    flood = Flood(server.port, idle=20, trickling=40, interval=0.2)  # past the limit: the rest queue
    try:
        time.sleep(0.3)
        env = notification(authority)
        started = time.monotonic()
        assert status_of(server.port, request_bytes(orjson.dumps(env)), timeout=10) == 200
        waited = time.monotonic() - started
        assert waited < 5.0, waited  # read timeout 1 s + the once-a-second check, not forever
        time.sleep(1.5)
        assert len(flood.cut) + flood.closed_by_server(flood.trickling) >= 35
        assert flood.closed_by_server(flood.idle) == len(flood.idle)
    finally:
        flood.close()
        assert server.stop() == 0
    assert "did not arrive within 1 s" in server.stderr
    assert env["MessageId"] in stored_ids(server.db)


def test_a_request_that_arrives_in_time_is_not_cut(
    tmp_path: Path, cert_dir: Path, authority: SigningAuthority
) -> None:
    server = Server(tmp_path / "capture.sqlite", cert_dir, extra=("--read-timeout", "3"))
    try:
        request = request_bytes(orjson.dumps(notification(authority)))
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            for start in range(0, len(request), len(request) // 4 + 1):  # four pieces over ~1.5 s
                sock.sendall(request[start : start + len(request) // 4 + 1])
                time.sleep(0.4)
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--path", "sns"], "must start with /"),
        (["--path", "/healthz"], "not be /healthz"),
        (["--read-timeout", "90"], "between 0 and 60 seconds"),
        (["--max-connections", "0"], "at least 1"),
        (["--idle-timeout", "0"], "at least 1 second"),
    ],
)
def test_serve_refuses_bad_limits_in_one_line(
    tmp_path: Path, cert_dir: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    from sesops.cli import main

    argv = ["serve", "--db", str(tmp_path / "c.sqlite"), "--allow-topic", "arn:aws:sns:us-east-1:1:t", *flags]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("value", ["0", "-5", "2x", "h", ""])
def test_serve_refuses_a_bad_max_age(tmp_path: Path, value: str) -> None:
    from sesops.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--db", str(tmp_path / "c.sqlite"), "--allow-topic", "arn:x", "--max-age", value])
    assert exit_info.value.code == 2
