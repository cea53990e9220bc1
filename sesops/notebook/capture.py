"""Capture from a notebook: the store, the receiver in a background thread, and a bounded drain.

Cells must survive running again, so this module remembers, per store path, what this kernel
opened: opening the store again closes the earlier store and stops its receiver, and a new
receiver binds the port of the one it replaces, so the HTTP subscription made for it still
points at a live endpoint. :func:`stop_capture` (the notebook's last cell) stops everything.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import boto3

from sesops.aws.messaging import confirm_subscription
from sesops.capture.drain import DrainResult, drain
from sesops.capture.receiver import make_app
from sesops.capture.serving import listening_url, serve_until, start_server
from sesops.capture.store import CaptureStore, Counts
from sesops.errors import InputError, SesopsError
from sesops.sns.verify import SnsVerifier

HOST = "127.0.0.1"
RECEIVER_PATH = "/sns"
STORE_FILES = ("", "-wal", "-shm")  # SQLite's database and its write-ahead log


class CaptureIncomplete(SesopsError):
    """Fewer messages arrived than expected before the timeout."""


class BackgroundReceiver:
    """``sesops serve``'s WSGI app on waitress, on 127.0.0.1, in a daemon thread until :meth:`stop`."""

    def __init__(self, store: CaptureStore, verifier: SnsVerifier, session: boto3.Session, port: int = 0):
        def confirm(topic_arn: str, token: str) -> str:
            # this target's session, never boto3's default chain (which may be a real account)
            return confirm_subscription(topic_arn, token, session=session)

        self._server = start_server(
            make_app(store, verifier, confirm=confirm, path=RECEIVER_PATH), host=HOST, port=port, threads=4
        )
        self.url = listening_url(self._server, RECEIVER_PATH)
        self.port = int(self._server.effective_port)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=serve_until,
            args=(self._server, self._stop),
            kwargs={"drain_seconds": 2.0},
            name="sesops-notebook-receiver",
            daemon=True,
        )
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def __repr__(self) -> str:
        return f"<receiver on {self.url}: {'running' if self.running else 'stopped'}>"


_stores: dict[Path, CaptureStore] = {}
_receivers: dict[Path, BackgroundReceiver] = {}
_ports: dict[Path, int] = {}


def open_store(path: str | os.PathLike[str], *, fresh: bool = False) -> CaptureStore:
    """The capture store at ``path``; ``fresh`` starts it empty. Closes this kernel's earlier one."""
    key = Path(path).resolve()
    stop_capture(key)
    if fresh:
        for suffix in STORE_FILES:
            Path(f"{key}{suffix}").unlink(missing_ok=True)
    key.parent.mkdir(parents=True, exist_ok=True)
    store = _stores[key] = CaptureStore(key)
    return store


def start_receiver(store: CaptureStore, verifier: SnsVerifier, session: boto3.Session) -> BackgroundReceiver:
    """A receiver writing into ``store``, on the port its predecessor in this kernel had (if free)."""
    key = store.path.resolve()
    previous = _receivers.pop(key, None)
    if previous is not None:
        previous.stop()
    try:
        receiver = BackgroundReceiver(store, verifier, session, port=_ports.get(key, 0))
    except InputError:  # the old port was taken meanwhile: any free one
        receiver = BackgroundReceiver(store, verifier, session)
    _receivers[key] = receiver
    _ports[key] = receiver.port
    return receiver


def stop_capture(path: str | os.PathLike[str] | None = None) -> None:
    """Stop the receiver and close the store this kernel opened at ``path`` (every one if None)."""
    keys = list(_stores.keys() | _receivers.keys()) if path is None else [Path(path).resolve()]
    for key in keys:
        receiver = _receivers.pop(key, None)
        if receiver is not None:
            receiver.stop()
        store = _stores.pop(key, None)
        if store is not None:
            store.close()


def drain_expected(
    store: CaptureStore,
    queue: str,
    expected: int,
    *,
    session: boto3.Session,
    region: str,
    verifier: SnsVerifier,
    timeout: float = 60.0,
) -> DrainResult:
    """Drain ``queue`` into ``store`` until ``expected`` messages were received, or raise after ``timeout``."""
    received = 0
    deadline = time.monotonic() + timeout

    def count(batch: int) -> None:
        nonlocal received
        received += batch

    result = drain(
        store,
        queue,
        session=session,
        region=region,
        verifier=verifier,
        follow=True,
        wait_seconds=1,
        progress=count,
        should_stop=lambda: received >= expected or time.monotonic() > deadline,
    )
    if result.received < expected:
        raise CaptureIncomplete(
            f"drained {result.received} of {expected} message(s) from {queue} in {timeout:.0f} s; "
            "run the cell again to wait longer (nothing is lost: they stay on the queue)"
        )
    # what arrived beyond the count (a complaint also brings its delivery): until a receive is empty
    rest = drain(store, queue, session=session, region=region, verifier=verifier, wait_seconds=1)
    return _sum(result, rest)


def _sum(first: DrainResult, second: DrainResult) -> DrainResult:
    return DrainResult(
        **{
            name: getattr(first, name) + getattr(second, name)
            for name in (
                "received",
                "stored",
                "duplicates",
                "rejected",
                "deferred",
                "deleted",
                "delete_failures",
            )
        }
    )


def wait_for_store(
    store: CaptureStore, done: Callable[[Counts], bool], *, timeout: float = 30.0, what: str = "messages"
) -> Counts:
    """Poll the store's counts until ``done(counts)``; raise :class:`CaptureIncomplete` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        counts = store.counts()
        if done(counts):
            return counts
        if time.monotonic() > deadline:
            raise CaptureIncomplete(f"the store at {store.path} still lacks {what} after {timeout:.0f} s")
        time.sleep(0.1)
