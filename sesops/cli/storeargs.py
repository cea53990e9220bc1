"""The ``--db`` and ``--store-timeout`` options of the commands that write a capture store."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from sesops.errors import InputError

if TYPE_CHECKING:
    from sesops.capture.store import CaptureStore

DB_HELP = (
    "capture store: a file path or sqlite:///path (created if missing), or "
    "postgresql://user@host/db to share one store between hosts"
)


def add_store_arguments(parser: Any) -> None:
    parser.add_argument("--db", required=True, metavar="PATH|URL", help=DB_HELP)
    parser.add_argument(
        "--store-timeout",
        type=float,
        metavar="SECONDS",
        help=(
            "give up on a store locked by another writer or out of reach after this long "
            "(default 5, well under SNS's 15 s): the write fails and nothing is acknowledged"
        ),
    )


def open_cli_store(args: argparse.Namespace) -> CaptureStore:
    """The store ``--db`` names, opened for writing (created if missing)."""
    from sesops.capture.store import STORE_TIMEOUT, open_store

    timeout = STORE_TIMEOUT if args.store_timeout is None else args.store_timeout
    if timeout <= 0:
        raise InputError("--store-timeout must be more than 0 seconds")
    return open_store(args.db, timeout=timeout)
