"""Hosting the receiver's WSGI app on waitress: connection limits, start, drain on a signal.

Used by ``sesops serve`` and by the demo's in-process receiver.

waitress reads requests on its event loop and hands only complete ones to a worker, so slow
clients never hold a worker; they hold connections. :class:`GuardedServer` bounds those: at most
``max_connections`` open at once (past it, new ones wait in the kernel's listen queue), an idle
keep-alive connection is closed after ``idle_timeout`` seconds, and a request whose headers and
body have not all arrived ``read_timeout`` seconds after its first byte is dropped (waitress's own
idle timeout never fires on a client that sends one byte a second). SNS gives up on a request
after 15 s, so the read timeout stays well under that.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from dataclasses import dataclass
from types import FrameType
from typing import Any
from wsgiref.types import WSGIApplication

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from sesops.capture.receiver import MAX_BODY
from sesops.errors import InputError

DRAIN_SECONDS = 20.0
READ_TIMEOUT = 10.0  # a request's headers and body, from its first byte (SNS waits 15 s)
IDLE_TIMEOUT = 5  # an idle keep-alive connection (waitress counts whole seconds)
MAX_CONNECTIONS = 1000
RESERVED_FDS = 64  # file descriptors kept for the store, the listener, certificates, logs

log = logging.getLogger("sesops.capture.serving")


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """How many connections a receiver holds open and how long it waits for each."""

    read_timeout: float = READ_TIMEOUT
    idle_timeout: int = IDLE_TIMEOUT
    max_connections: int = MAX_CONNECTIONS

    def __post_init__(self) -> None:
        if not 0 < self.read_timeout <= 60:
            raise InputError("the read timeout must be between 0 and 60 seconds (SNS waits 15 s)")
        if self.idle_timeout < 1:
            raise InputError("the idle timeout must be at least 1 second")
        if self.max_connections < 1:
            raise InputError("the connection limit must be at least 1")


class _TimedParser(HTTPRequestParser):
    """waitress's request parser, stamped when the request's first byte arrives."""

    def __init__(self, adj: Adjustments) -> None:
        super().__init__(adj)
        self.started = time.monotonic()


class _TimedChannel(HTTPChannel):
    parser_class = _TimedParser


class GuardedServer(TcpWSGIServer):
    """A single-socket waitress server that also drops requests slower than ``read_timeout``."""

    channel_class = _TimedChannel
    effective_host: str  # set by waitress on binding (its stubs leave them out)
    effective_port: int
    read_timeout: float = READ_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    dropped_slow = 0  # requests dropped for being slower than read_timeout, since start

    def maintenance(self, now: float) -> None:  # type: ignore[override]  # waitress passes time.time()
        super().maintenance(now)  # type: ignore[arg-type]  # idle connections: adj.channel_timeout
        cutoff = time.monotonic() - self.read_timeout
        slow = 0
        channels: dict[int, HTTPChannel] = self.active_channels  # type: ignore[assignment]
        for channel in list(channels.values()):
            request = channel.request
            late = isinstance(request, _TimedParser) and request.started < cutoff
            if late and not channel.requests and not channel.will_close:
                channel.will_close = True
                slow += 1
        if slow:
            self.dropped_slow += slow
            log.warning(
                "closed %d connection(s) whose request did not arrive within %g s", slow, self.read_timeout
            )


def fit_fd_limit(connections: int) -> int:
    """Raise this process's soft open-files limit to hold ``connections`` sockets (up to the hard
    limit); return how many connections fit."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Unix: nothing to adjust
        return connections
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = connections + RESERVED_FDS
    if soft == resource.RLIM_INFINITY or soft >= need:
        return connections
    target = need if hard == resource.RLIM_INFINITY else min(need, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    except (ValueError, OSError):
        pass
    return max(1, min(connections, soft - RESERVED_FDS))


def start_server(
    app: WSGIApplication,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    threads: int = 1,
    limits: ConnectionLimits | None = None,
) -> GuardedServer:
    """A single-socket waitress server for ``app`` (not yet running); loopback by default.

    The connection limit is lowered (with a warning) when the process cannot open that many files.
    """
    limits = limits if limits is not None else ConnectionLimits()
    connections = fit_fd_limit(limits.max_connections)
    if connections < limits.max_connections:
        log.warning(
            "only %d connections fit under this process's open-files limit (ulimit -n); asked for %d",
            connections,
            limits.max_connections,
        )
    try:
        server = _guarded_server(app, host, port, threads, connections, limits.idle_timeout)
    except (OSError, ValueError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        raise InputError(f"cannot listen on {host}:{port}: {reason}") from None
    server.read_timeout = limits.read_timeout
    server.max_connections = connections
    return server


def _guarded_server(
    app: WSGIApplication, host: str, port: int, threads: int, connections: int, idle_timeout: int
) -> GuardedServer:
    adj = Adjustments(
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=2 * MAX_BODY,  # far beyond the app's cap: waitress refuses it
        ident="sesops",
        clear_untrusted_proxy_headers=True,
        connection_limit=connections,
        channel_timeout=idle_timeout,
        cleanup_interval=1,  # check deadlines every second
        asyncore_use_poll=True,  # select() stops at 1024 descriptors
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(threads)
    sockinfo: Any = adj.listen[0]  # (family, type, proto, address) of the first address host names
    try:
        return GuardedServer(app, map={}, dispatcher=dispatcher, adj=adj, sockinfo=sockinfo)
    except BaseException:
        dispatcher.shutdown(timeout=1)
        raise


def listening_url(server: Any, path: str = "/") -> str:
    """The URL a single-socket waitress server listens on (its port may have been 0)."""
    # TcpWSGIServer sets effective_host/port at runtime; the stubs do not declare them.
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
    next_check = 0.0
    while server.active_channels and time.monotonic() < deadline:
        for channel in list(server.active_channels.values()):
            idle = not channel.requests and channel.request is None and not channel.total_outbufs_len
            if idle:
                channel.will_close = True
        if time.monotonic() >= next_check:  # the listener no longer runs it: slow requests still end
            server.maintenance(time.time())
            next_check = time.monotonic() + 1.0
        wasyncore.loop(timeout=0.05, map=server._map, use_poll=True, count=1)
    if server.active_channels:
        print(
            f"sesops serve: {len(server.active_channels)} connection(s) still busy; closing", file=sys.stderr
        )
    server.task_dispatcher.shutdown(timeout=drain_seconds)
    server.close()
