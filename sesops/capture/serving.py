"""Hosting the receiver's WSGI app on waitress: start, report the address, drain on a signal.

Used by ``sesops serve`` and by the demo's in-process receiver.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from types import FrameType
from typing import Any
from wsgiref.types import WSGIApplication

from sesops.capture.receiver import MAX_BODY
from sesops.errors import InputError

DRAIN_SECONDS = 20.0


def start_server(app: WSGIApplication, *, host: str = "127.0.0.1", port: int = 0, threads: int = 1) -> Any:
    """A single-socket waitress server for ``app`` (not yet running); loopback by default."""
    from waitress.server import create_server

    try:
        return create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            max_request_body_size=2 * MAX_BODY,  # far beyond the app's cap: waitress refuses it
            ident="sesops",
            clear_untrusted_proxy_headers=True,
        )
    except OSError as err:
        raise InputError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None


def listening_url(server: Any, path: str = "/") -> str:
    """The URL a single-socket waitress server listens on (its port may have been 0)."""
    # TcpWSGIServer sets effective_host/port at runtime; the stubs type the factory's union.
    return f"http://{server.effective_host}:{server.effective_port}{path}"


def serve_until_signal(server: Any, *, drain_seconds: float = DRAIN_SECONDS) -> None:
    """Run waitress's loop until SIGTERM/SIGINT, then drain: finish and flush in-flight requests."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        serve_until(server, stop, drain_seconds=drain_seconds)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve_until(server: Any, stop: threading.Event, *, drain_seconds: float = DRAIN_SECONDS) -> None:
    """Run waitress's loop until ``stop`` is set, then drain and close, all on this thread
    (closing the server from another thread pulls its sockets out from under ``poll``)."""
    from waitress import wasyncore

    while not stop.is_set():
        wasyncore.loop(timeout=0.2, map=server._map, use_poll=True, count=1)
    # Stop listening (the listener only; the trigger still wakes the loop for replies).
    wasyncore.dispatcher.close(server)
    deadline = time.monotonic() + drain_seconds
    while server.active_channels and time.monotonic() < deadline:
        for channel in list(server.active_channels.values()):
            idle = not channel.requests and channel.request is None and not channel.total_outbufs_len
            if idle:
                channel.will_close = True
        wasyncore.loop(timeout=0.05, map=server._map, use_poll=True, count=1)
    if server.active_channels:
        print(
            f"sesops serve: {len(server.active_channels)} connection(s) still busy; closing", file=sys.stderr
        )
    server.task_dispatcher.shutdown(timeout=drain_seconds)
    server.close()
