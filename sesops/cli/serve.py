"""``sesops serve``: run the SNS HTTPS-subscription receiver with waitress.

SIGTERM or SIGINT stops accepting connections, lets requests in flight finish and their
responses go out, then exits 0.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sesops.cli import COMMANDS
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
        default=1,
        help=(
            "worker threads (default 1: on a 2-core machine more threads cost more in GIL "
            "hand-offs than they save; raise it when fsync is slow, so commits are grouped)"
        ),
    )
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import logging

    from sesops.capture.receiver import make_app
    from sesops.capture.serving import listening_url, serve_until_signal, start_server
    from sesops.capture.store import CaptureStore
    from sesops.sns.verify import SnsVerifier

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
    server = start_server(app, host=args.host, port=args.port, threads=args.threads)
    print(f"sesops serve: listening on {listening_url(server)}", flush=True)
    serve_until_signal(server)
    store.close()
    print("sesops serve: stopped", flush=True)
    return 0
