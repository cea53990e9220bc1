"""``sesops store``: create or upgrade a capture store's schema, or copy one store into another."""

from __future__ import annotations

import argparse
from typing import Any

from sesops.cli import COMMANDS
from sesops.errors import InputError

LOCATION = "a path, sqlite:///path or postgresql://user@host/db"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "store",
        help=COMMANDS["store"],
        description=(
            "Manage capture stores. A store is a SQLite file (a path or sqlite:///path) or a "
            "PostgreSQL database (postgresql://user@host/db; add ?options=-csearch_path%%3Dsesops "
            "to keep its tables in a schema of their own)."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    migrate = actions.add_parser(
        "migrate",
        help="create the store's tables, or upgrade an older schema",
        description="Create the capture store's tables, or upgrade an older schema in place.",
    )
    migrate.add_argument("url", metavar="URL", help=LOCATION)
    migrate.set_defaults(func=run_migrate)
    copy = actions.add_parser(
        "copy",
        help="copy every message and reject of one store into another",
        description=(
            "Copy every message and reject of SRC into DST (created if needed), keeping their keys "
            "and receive times. What DST already holds is skipped: run it again to finish an "
            "interrupted copy, or to catch up with what SRC received since."
        ),
    )
    copy.add_argument("src", metavar="SRC", help=f"the store to read: {LOCATION}")
    copy.add_argument("dst", metavar="DST", help=f"the store to write: {LOCATION}")
    copy.add_argument(
        "--batch", type=int, default=1000, metavar="N", help="rows per transaction (default 1000)"
    )
    copy.add_argument("--quiet", action="store_true", help="no progress bar")
    copy.set_defaults(func=run_copy)


def run_migrate(args: argparse.Namespace) -> int:
    from sesops.capture.store import migrate, redact

    found, now = migrate(args.url)
    where = redact(args.url)
    if found is None:
        print(f"created capture store schema {now} in {where}")
    elif found < now:
        print(f"upgraded capture store {where} from schema {found} to {now}")
    else:
        print(f"capture store {where} is at schema {now}: nothing to do")
    return 0


def run_copy(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sesops.capture.store import copy_store, open_store

    if args.batch < 1:
        raise InputError("--batch must be at least 1")
    with open_store(args.src, create=False) as src:
        counts = src.counts()
    total = counts.messages + counts.rejects
    with tqdm(total=total, unit="row", disable=args.quiet, desc="copy", delay=0.5) as bar:
        result = copy_store(args.src, args.dst, batch=args.batch, progress=bar.update)
    print(result.summary())
    return 0
