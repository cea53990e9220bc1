"""`sesops serve` as a subprocess on loopback, signed envelopes and raw HTTP, for the receiver tests."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import orjson
import urllib3

from sesops.capture.serving import ConnectionLimits, listening_url, serve_until, start_server
from sesops.capture.store import CaptureStore
from sesops.sns.signing import SigningAuthority
from tests.capture_samples import TOPIC, ses_bounce

CLI = [sys.executable, "-c", "import sys; from sesops.cli import main; sys.exit(main())"]


class Server:
    """`sesops serve` as a subprocess on a free loopback port; ``extra`` adds flags."""

    def __init__(self, db: Path, cert_dir: Path, port: int = 0, extra: tuple[str, ...] = ()) -> None:
        self.db = db
        args = [
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            "--allow-topic",
            TOPIC,
            "--cert-dir",
            str(cert_dir),
        ]
        self.proc = subprocess.Popen(
            [*CLI, *args, *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        line = self.proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in line, line + self.proc.stderr.read()
        self.url = line.split("listening on ")[1].strip()
        self.port = int(self.url.split(":")[2].split("/")[0])
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=30)
        self.stdout, self.stderr = out, err
        return self.proc.returncode


class InProcess:
    """``app`` on :func:`sesops.capture.serving.start_server` in a thread, on a free loopback port."""

    def __init__(self, app: Any, *, threads: int = 2, limits: ConnectionLimits | None = None) -> None:
        self.server = start_server(app, threads=threads, limits=limits)
        self.port = int(self.server.effective_port)
        self.url = listening_url(self.server)
        self._stop = threading.Event()
        self.thread = threading.Thread(
            target=serve_until, args=(self.server, self._stop), kwargs={"drain_seconds": 2.0}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self._stop.set()
        self.thread.join(10)

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def notification(
    authority: SigningAuthority, version: str = "2", topic: str = TOPIC, **kw: Any
) -> dict[str, Any]:
    return authority.notification(topic, orjson.dumps(ses_bounce()).decode(), version=version, **kw)


def post(
    http: urllib3.PoolManager, url: str, body: bytes | dict[str, Any], headers: dict[str, str] | None = None
) -> urllib3.BaseHTTPResponse:
    if isinstance(body, dict):
        body = orjson.dumps(body, option=orjson.OPT_INDENT_2)  # SNS pretty-prints its bodies
        headers = {"x-amz-sns-message-type": "Notification", **(headers or {})}
    return http.request("POST", url, body=body, headers=headers or {})


def stored_ids(db: Path) -> set[str]:
    with CaptureStore(db) as store:
        return {m.message_id for m in store.iter_messages()}


def request_bytes(body: bytes, path: str = "/") -> bytes:
    """One whole HTTP/1.1 POST as SNS sends it, closing the connection after the answer."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain; charset=UTF-8\r\n"
        f"x-amz-sns-message-type: Notification\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def status_of(port: int, request: bytes, timeout: float = 10.0) -> int:
    """Send ``request`` on a new connection and return the status code of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        reply = b""
        while b"\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError(f"closed without an answer: {reply!r}")
            reply += chunk
    return int(reply.split(b" ", 2)[1])
