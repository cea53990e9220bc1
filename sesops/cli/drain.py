"""``sesops drain``: move SNS/SES messages from an SQS queue into a capture store."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from types import FrameType
from typing import Any

from sesops.cli import COMMANDS
from sesops.cli.storeargs import add_store_arguments, open_cli_store
from sesops.errors import InputError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "drain",
        help=COMMANDS["drain"],
        description=(
            "Long-poll an SQS queue subscribed to the feedback topic, store each message durably, "
            "then delete it. Unusable bodies are kept in the store's rejects table and left on the "
            "queue for its dead-letter queue."
        ),
    )
    parser.add_argument("--region", help="the queue's region (default: from the URL or AWS config)")
    parser.add_argument("--queue", required=True, metavar="NAME|URL", help="queue name or URL")
    add_store_arguments(parser)
    parser.add_argument("--max", type=int, metavar="N", help="stop after receiving N messages")
    parser.add_argument("--verify", action="store_true", help="check SNS envelope signatures")
    parser.add_argument("--cert-dir", type=Path, help="pinned signing certificates (with --verify)")
    parser.add_argument("--allow-expired", action="store_true", help="accept expired certificates (--verify)")
    parser.add_argument("--follow", action="store_true", help="keep polling after the queue is empty")
    parser.add_argument(
        "--wait", type=int, default=5, metavar="SECONDS", help="long-poll wait, 0-20 (default 5)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sesops.capture.drain import drain
    from sesops.sns.verify import SnsVerifier

    if args.max is not None and args.max < 1:
        raise InputError("--max must be at least 1")
    if not 0 <= args.wait <= 20:
        raise InputError("--wait must be between 0 and 20 seconds")
    if (args.cert_dir is not None or args.allow_expired) and not args.verify:
        raise InputError("--cert-dir and --allow-expired only apply with --verify")
    if args.cert_dir is not None and not args.cert_dir.is_dir():
        raise InputError(f"--cert-dir {args.cert_dir}: no such directory")
    verifier = SnsVerifier(cert_dir=args.cert_dir, allow_expired=args.allow_expired) if args.verify else None
    stop: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.append(signum)  # finish the batch in hand (stored and deleted), then stop

    previous = signal.signal(signal.SIGTERM, on_signal)
    store = open_cli_store(args)
    try:
        with tqdm(unit="msg", disable=args.quiet, desc="drain", total=args.max, delay=0.5) as bar:
            result = drain(
                store,
                args.queue,
                region=args.region,
                verifier=verifier,
                max_messages=args.max,
                follow=args.follow,
                wait_seconds=args.wait,
                progress=bar.update,
                should_stop=lambda: bool(stop),
            )
    finally:
        signal.signal(signal.SIGTERM, previous)
        store.close()
    print(result.summary())
    return 0
