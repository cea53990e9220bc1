"""``sesops load``: read feedback from files, print a summary, optionally write the table."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sesops.cli import COMMANDS, EXIT_OK, EXIT_PROBLEM, EXIT_USAGE
from sesops.cli.limits import add_limit_arguments, limits_from
from sesops.errors import InputError, require_extra

OUTPUT_SUFFIXES = (".csv", ".jsonl", ".parquet")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "load",
        help=COMMANDS["load"],
        description=(
            "Read SES/SNS feedback from JSON, JSONL, .gz, capture stores or directories, "
            "print a summary, and write one row per recipient to --out. Bad records are skipped "
            "and listed; files are read within the reading limits below. Exits 0 when every "
            "source was read, 1 when a file or folder could not be read in full (a FIFO or "
            "device, no permission, corrupt, past a limit: listed among the rejects), "
            "2 when nothing could be read."
        ),
    )
    parser.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="file, directory, capture store, or s3://BUCKET/PREFIX/ (a Firehose archive; one object's URL too)",
    )
    parser.add_argument(
        "--since",
        metavar="WHEN",
        help="s3:// sources: skip the archive's partitions (YYYY/MM/DD/HH/, dt=, year=/month=/day=/hour=) "
        "before this day or ISO time (UTC); this chooses objects and does not filter rows",
    )
    parser.add_argument(
        "--until", metavar="WHEN", help="s3:// sources: skip partitions after this day (included) or time"
    )
    parser.add_argument("--out", type=Path, help="write the table here (.csv, .jsonl or .parquet)")
    parser.add_argument("--no-dedupe", action="store_true", help="keep repeated deliveries")
    parser.add_argument(
        "--strict", action="store_true", help="stop at the first bad record instead of skipping it"
    )
    parser.add_argument(
        "--refuse-duplicate-keys",
        action="store_true",
        help="reject every record that names a key twice in one object, at any level (files of unknown "
        "origin: JSON readers disagree on which copy counts); 3-4x the CPU time",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_limit_arguments(parser)
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
        limits=limits_from(args),
        since=args.since,
        until=args.until,
        duplicate_keys="refuse" if args.refuse_duplicate_keys else "read",
    )
    print(format_load_summary(df))
    if args.out is not None:
        write_table(df, args.out)
        print(f"wrote {len(df)} rows to {args.out}")
    if len(df) == 0 and df.attrs.get("messages", 0) == 0:
        return EXIT_USAGE  # nothing could be read
    return EXIT_PROBLEM if df.attrs.get("unread", 0) else EXIT_OK
