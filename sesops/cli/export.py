"""``sesops export``: write a capture store's messages as JSON Lines (readable by ``sesops load``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sesops.cli import COMMANDS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help=COMMANDS["export"],
        description="Write every message in a capture store as one JSON line (the body as received).",
    )
    parser.add_argument(
        "--db",
        required=True,
        metavar="PATH|URL",
        help="the capture store: a path, sqlite:///path or postgresql://...",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.jsonl", help="where to write")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sesops.capture.store import export_jsonl

    count = export_jsonl(args.db, args.out)
    print(f"wrote {count} messages to {args.out}")
    return 0
