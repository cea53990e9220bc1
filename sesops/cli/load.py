"""``sesops load``: read feedback from files, print a summary, optionally write the table."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sesops.cli import COMMANDS
from sesops.errors import InputError, require_extra

OUTPUT_SUFFIXES = (".csv", ".jsonl", ".parquet")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "load",
        help=COMMANDS["load"],
        description=(
            "Read SES/SNS feedback from JSON, JSONL, .gz, capture stores or directories, "
            "print a summary, and write one row per recipient to --out. "
            "Exits 0 when anything loaded, 2 when nothing could be read."
        ),
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="file, directory or capture store")
    parser.add_argument("--out", type=Path, help="write the table here (.csv, .jsonl or .parquet)")
    parser.add_argument("--no-dedupe", action="store_true", help="keep repeated deliveries")
    parser.add_argument(
        "--strict", action="store_true", help="stop at the first bad record instead of skipping it"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.out is not None and args.out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InputError(f"--out {args.out}: unknown suffix; use one of {', '.join(OUTPUT_SUFFIXES)}")
    require_extra("analysis")
    from sesops.load.reader import read_events
    from sesops.load.summary import format_load_summary, write_table

    df = read_events(
        *args.sources,
        dedupe=not args.no_dedupe,
        errors="raise" if args.strict else "report",
        progress=not args.quiet,
    )
    print(format_load_summary(df))
    if args.out is not None:
        write_table(df, args.out)
        print(f"wrote {len(df)} rows to {args.out}")
    nothing_read = len(df) == 0 and df.attrs.get("messages", 0) == 0
    return 2 if nothing_read else 0
