"""``sesops serve``: run the SNS HTTPS-subscription receiver with waitress.

SIGTERM or SIGINT stops accepting connections, lets requests in flight finish and their
responses go out, then exits 0.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from sesops.errors import InputError

DRAIN_SECONDS = 20.0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="receive SNS notifications over HTTP(S) into a capture store",
        description=(
            "Serve the SNS subscription endpoint: verify each message's signature, store it durably, "
            "then answer 200. Put TLS in front of it (a load balancer or reverse proxy)."
        ),
    )
    parser.add_argument("--db", type=Path, required=True, metavar="PATH", help="capture store (created)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument(
        "--allow-topic",
        action="append",
        required=True,
        metavar="ARN",
        help="accept messages from this SNS topic (repeat for several)",
    )
    parser.add_argument("--cert-dir", type=Path, help="pinned signing certificates (no network fetches)")
    parser.add_argument(
        "--allow-expired", action="store_true", help="accept certificates past their validity"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=16,
        help="worker threads (default 16; more threads, bigger group commits)",
    )
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from waitress.server import create_server

    from sesops.receiver import MAX_BODY, make_app
    from sesops.store import CaptureStore
    from sesops.verify import SnsVerifier

    if args.threads < 1:
        raise InputError("--threads must be at least 1")
    if args.cert_dir is not None and not args.cert_dir.is_dir():
        raise InputError(f"--cert-dir {args.cert_dir}: no such directory")
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" is normal under load
    store = CaptureStore(args.db)
    verifier = SnsVerifier(
        cert_dir=args.cert_dir, allow_expired=args.allow_expired, allowed_topics=args.allow_topic
    )
    app = make_app(store, verifier)
    try:
        server = create_server(
            app,
            host=args.host,
            port=args.port,
            threads=args.threads,
            max_request_body_size=2 * MAX_BODY,  # far beyond the app's cap: waitress refuses it
            ident="sesops",
            clear_untrusted_proxy_headers=True,
        )
    except OSError as err:
        raise InputError(f"cannot listen on {args.host}:{args.port}: {err.strerror or err}") from None
    print(f"sesops serve: listening on {listening_url(server)}", flush=True)
    serve_until_signal(server)
    store.close()
    print("sesops serve: stopped", flush=True)
    return 0


def listening_url(server: Any) -> str:
    """The URL a single-socket waitress server listens on (its port may have been 0)."""
    # TcpWSGIServer sets effective_host/port at runtime; the stubs type the factory's union.
    return f"http://{server.effective_host}:{server.effective_port}/"


def serve_until_signal(server: Any, *, drain_seconds: float = DRAIN_SECONDS) -> None:
    """Run waitress's loop until SIGTERM/SIGINT, then drain: finish and flush in-flight requests."""
    from waitress import wasyncore

    stop: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop:
            wasyncore.loop(timeout=0.5, map=server._map, use_poll=True, count=1)
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
                f"sesops serve: {len(server.active_channels)} connection(s) still busy; closing",
                file=sys.stderr,
            )
        server.task_dispatcher.shutdown(timeout=drain_seconds)
        server.close()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
