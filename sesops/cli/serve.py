"""``sesops serve``: run the SNS HTTPS-subscription receiver with waitress.

SIGTERM or SIGINT stops accepting connections, lets requests in flight finish and their
responses go out, then exits 0.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sesops.cli import COMMANDS
from sesops.cli.durations import duration
from sesops.cli.storeargs import add_store_arguments, open_cli_store
from sesops.errors import InputError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help=COMMANDS["serve"],
        description=(
            "Serve the SNS subscription endpoint: verify each message's signature, store it durably, "
            "then answer 200. Put TLS in front of it (a load balancer or reverse proxy)."
        ),
    )
    add_store_arguments(parser)
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
        default=1,
        help=(
            "worker threads (default 1: on a 2-core machine more threads cost more in GIL "
            "hand-offs than they save; raise it when fsync is slow, so commits are grouped)"
        ),
    )
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines")
    _add_exposure_arguments(parser)
    parser.set_defaults(func=run)


MAX_AGE = "2h"  # past SNS's hour of HTTP retries: an older message is a replay
CERT_FETCH_WAIT = 1.0  # seconds the one worker waits for a new certificate before answering 503


def _add_exposure_arguments(parser: argparse.ArgumentParser) -> None:
    """What an internet-facing receiver accepts: where, how old, how many connections, how slow."""
    parser.add_argument(
        "--path", default="/", help="the one path deliveries are accepted on (default /; others 404)"
    )
    parser.add_argument(
        "--max-age",
        type=duration,
        default=MAX_AGE,
        metavar="DURATION",
        help=(
            f"refuse messages whose Timestamp is older than this (default {MAX_AGE}; seconds, or "
            "30m, 2h, 1d), more than 5 minutes in the future, or unparseable"
        ),
    )
    parser.add_argument(
        "--read-timeout",
        type=duration,
        default=10.0,
        metavar="SECONDS",
        help="drop a request whose headers and body have not arrived within this (default 10; SNS waits 15)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=int,
        default=5,
        metavar="SECONDS",
        help="close a keep-alive connection idle this long (default 5)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=1000,
        metavar="N",
        help="open connections held at once (default 1000; more wait in the listen queue)",
    )


def run(args: argparse.Namespace) -> int:
    import logging

    from sesops.capture.receiver import make_app
    from sesops.capture.serving import ConnectionLimits, listening_url, serve_until_signal, start_server
    from sesops.sns.certificates import MAX_FETCHES_PER_MINUTE
    from sesops.sns.verify import SnsVerifier

    if args.threads < 1:
        raise InputError("--threads must be at least 1")
    if args.cert_dir is not None and not args.cert_dir.is_dir():
        raise InputError(f"--cert-dir {args.cert_dir}: no such directory")
    if not args.path.startswith("/") or args.path == "/healthz":
        raise InputError(f"--path {args.path!r}: must start with / and not be /healthz")
    limits = ConnectionLimits(
        read_timeout=args.read_timeout, idle_timeout=args.idle_timeout, max_connections=args.max_connections
    )
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" is normal under load
    store = open_cli_store(args)
    verifier = SnsVerifier(
        cert_dir=args.cert_dir,
        allow_expired=args.allow_expired,
        allowed_topics=args.allow_topic,
        max_age=args.max_age,
        fetch_wait=CERT_FETCH_WAIT,
        max_fetches_per_minute=MAX_FETCHES_PER_MINUTE,
    )
    app = make_app(store, verifier, path=args.path)
    server = start_server(app, host=args.host, port=args.port, threads=args.threads, limits=limits)
    print(f"sesops serve: listening on {listening_url(server, args.path)}", flush=True)
    print(
        f"sesops serve: up to {server.max_connections} connections, {limits.read_timeout:g} s to send "
        f"a request, messages up to {args.max_age:g} s old",
        flush=True,
    )
    serve_until_signal(server)
    store.close()
    print("sesops serve: stopped", flush=True)
    return 0
