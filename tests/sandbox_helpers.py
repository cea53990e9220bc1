"""Helpers shared by the sandbox/provision/status tests: an HTTP capture endpoint and SQS reading."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest


@dataclass
class Capture:
    """What an HTTP endpoint received: (headers, parsed JSON body) in arrival order."""

    url: str
    posts: list[tuple[dict[str, str], Any]] = field(default_factory=list)

    def wait(self, count: int, timeout: float = 5.0) -> list[tuple[dict[str, str], Any]]:
        deadline = time.monotonic() + timeout
        while len(self.posts) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.posts) >= count, f"endpoint got {len(self.posts)} POST(s), expected {count}"
        return self.posts


@contextmanager
def http_capture(status: int = 200, answer: bytes = b"") -> Iterator[Capture]:
    """An HTTP endpoint on 127.0.0.1 that records each POST and answers ``status`` with ``answer``."""
    capture = Capture(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            capture.posts.append((headers, json.loads(body)))
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    capture.url = f"http://127.0.0.1:{server.server_port}/sns"
    try:
        yield capture
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def drain_queue(session: boto3.Session, queue: str, expect: int | None = None) -> list[dict[str, Any]]:
    """Every message body (parsed) in ``queue``, in send order."""
    sqs = session.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    bodies: list[dict[str, Any]] = []
    for _ in range(20):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            if expect is None or len(bodies) >= expect:
                break
            time.sleep(0.05)
            continue
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def dummy_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never real AWS: dummy keys, no profile, no config files."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
