"""``sesops verify``: check the SNS signatures of saved envelopes, one line per message."""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sesops.cli import COMMANDS
from sesops.cli.durations import duration
from sesops.cli.limits import add_limit_arguments, limits_from
from sesops.errors import InputError, RecordError, VerificationError
from sesops.load.sources import WHOLE_SOURCE, Limits


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help=COMMANDS["verify"],
        description=(
            "Verify SNS envelopes (JSON object or array, or JSON Lines; .gz too) and print "
            "'FILE[:LINE]: valid' or 'FILE[:LINE]: invalid: REASON' per message (the line is "
            "omitted when a file holds one message). Files are read one record at a time, within "
            "the reading limits below; a file or folder that cannot be read (a FIFO, a device, no "
            "permission, past a limit) is 'invalid' too. Exits 0 when every message is valid, "
            "1 otherwise, 2 on usage errors."
        ),
    )
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="JSON or JSONL file, or directory"
    )
    parser.add_argument(
        "--cert-dir",
        type=Path,
        help="pinned certificates (SimpleNotificationService-<id>.pem); the network is then never used",
    )
    parser.add_argument(
        "--allow-expired", action="store_true", help="accept certificates outside their validity period"
    )
    parser.add_argument(
        "--allow-topic",
        action="append",
        metavar="ARN",
        help="accept only these topics (repeat for several)",
    )
    parser.add_argument(
        "--max-age",
        type=duration,
        metavar="DURATION",
        help="reject messages older than this (seconds, or 30m, 2h, 1d)",
    )
    add_limit_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sesops.load.sources import RawRecord, expand_paths, is_store
    from sesops.sns.verify import SnsVerifier

    if args.cert_dir is not None and not args.cert_dir.is_dir():
        raise InputError(f"--cert-dir {args.cert_dir}: not a directory")
    sources: list[Path | RawRecord] = []
    for source in args.files:
        for item in expand_paths(source):  # raises InputError for a missing file
            if isinstance(item, Path) and is_store(item):
                raise InputError(f"{item}: a capture store holds no signatures; give JSON or JSONL files")
            sources.append(item)
    verifier = SnsVerifier(
        cert_dir=args.cert_dir,
        allow_expired=args.allow_expired,
        allowed_topics=args.allow_topic,
        max_age=args.max_age,
    )
    limits = limits_from(args)
    all_valid = True
    for item in sources:
        if isinstance(item, Path):
            all_valid = _report_file(item, _check_file(item, verifier, limits)) and all_valid
        else:  # a folder that cannot be listed
            print(f"{item.source}: invalid: {item.data.reason}")
            all_valid = False
    return 0 if all_valid else 1


def _report_file(path: Path, results: Iterator[tuple[int, str | None]]) -> bool:
    """Print each result as it comes (one held back: a file of one message prints no line
    number); True when every message is valid."""
    first = next(results, None)
    if first is None:
        print(f"{path}: invalid: no messages")
        return False
    second = next(results, None)
    numbered = second is not None
    all_valid = True
    for line, reason in itertools.chain([first], [second] if second else [], results):
        where = f"{path}:{line}" if numbered and line != WHOLE_SOURCE else str(path)
        print(f"{where}: valid" if reason is None else f"{where}: invalid: {reason}")
        all_valid = all_valid and reason is None
    return all_valid


def _check_file(path: Path, verifier: Any, limits: Limits) -> Iterator[tuple[int, str | None]]:
    """(line, None) for each valid message and (line, reason) for each invalid one, one record
    at a time (memory stays flat however large the file)."""
    from sesops.events.parse import decode_json
    from sesops.load.sources import file_records

    for record in file_records(path, limits):
        try:
            data = record.data
            if isinstance(data, RecordError):
                raise data
            if isinstance(data, str | bytes):
                data = decode_json(data)
            verifier.verify(data)
        except RecordError as err:
            yield record.line, err.reason
        except VerificationError as err:
            yield record.line, str(err)
        else:
            yield record.line, None
