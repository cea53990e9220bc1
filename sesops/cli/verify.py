"""``sesops verify``: check the SNS signatures of saved envelopes, one line per message."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sesops.cli import COMMANDS
from sesops.errors import InputError, RecordError, VerificationError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help=COMMANDS["verify"],
        description=(
            "Verify SNS envelopes (JSON object or array, or JSON Lines; .gz too) and print "
            "'FILE[:LINE]: valid' or 'FILE[:LINE]: invalid: REASON' per message (the line is "
            "omitted when a file holds one message). Exits 0 when every message is valid, "
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
    parser.add_argument("--max-age", type=_seconds, metavar="SECONDS", help="reject messages older than this")
    parser.set_defaults(func=run)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    from sesops.load.sources import expand_paths, is_store
    from sesops.sns.verify import SnsVerifier

    if args.cert_dir is not None and not args.cert_dir.is_dir():
        raise InputError(f"--cert-dir {args.cert_dir}: not a directory")
    paths: list[Path] = []
    for source in args.files:
        for path in expand_paths(source):  # raises InputError for a missing file
            if is_store(path):
                raise InputError(f"{path}: a capture store holds no signatures; give JSON or JSONL files")
            paths.append(path)
    verifier = SnsVerifier(
        cert_dir=args.cert_dir,
        allow_expired=args.allow_expired,
        allowed_topics=args.allow_topic,
        max_age=args.max_age,
    )
    all_valid = True
    for path in paths:
        results = list(_check_file(path, verifier))
        if not results:
            print(f"{path}: invalid: no messages")
            all_valid = False
        for line, reason in results:
            where = str(path) if len(results) == 1 else f"{path}:{line}"
            print(f"{where}: valid" if reason is None else f"{where}: invalid: {reason}")
            all_valid = all_valid and reason is None
    return 0 if all_valid else 1


def _check_file(path: Path, verifier: Any) -> Iterator[tuple[int, str | None]]:
    """(line, None) for each valid message and (line, reason) for each invalid one."""
    from sesops.events.parse import decode_json
    from sesops.load.sources import file_records

    for record in file_records(path):
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
