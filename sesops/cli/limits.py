"""The reading limits ``sesops load`` and ``sesops verify`` share: flags in, a ``Limits`` out."""

from __future__ import annotations

import argparse
import re
from typing import Any

from sesops.load.sources import DEFAULT_LIMITS, Limits, describe_size

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?\s*", re.IGNORECASE)
_SHIFTS = {"k": 10, "m": 20, "g": 30, "t": 40}


def byte_size(text: str) -> int:
    """``8M``, ``512KiB``, ``2G``, ``1048576``: a size in bytes (units are powers of 1024)."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (say 64M, 2G or a number of bytes)")
    number, unit = match.groups()
    size = int(float(number) * (1 << _SHIFTS[unit.lower()] if unit else 1))
    if size < 1:
        raise argparse.ArgumentTypeError(f"must be at least one byte: {text!r}")
    return size


def add_limit_arguments(parser: Any) -> None:
    """``--max-line``, ``--max-document`` and ``--max-decompressed``, with their defaults in the help."""
    group = parser.add_argument_group(
        "reading limits",
        "What one file may make sesops read (sizes like 64M or 2G). Past a limit the line, "
        "document or rest of the file is reported among the rejects, never read into memory. "
        "FIFOs and devices are refused; JSON nested deeper than 1024 levels is rejected.",
    )
    group.add_argument(
        "--max-line",
        type=byte_size,
        default=DEFAULT_LIMITS.max_line,
        metavar="SIZE",
        help=f"longest JSON Lines line or record (default {describe_size(DEFAULT_LIMITS.max_line)})",
    )
    group.add_argument(
        "--max-document",
        type=byte_size,
        default=DEFAULT_LIMITS.max_document,
        metavar="SIZE",
        help=f"largest whole .json file (default {describe_size(DEFAULT_LIMITS.max_document)})",
    )
    group.add_argument(
        "--max-decompressed",
        type=byte_size,
        default=DEFAULT_LIMITS.max_decompressed,
        metavar="SIZE",
        help=f"most one .gz file may inflate to (default {describe_size(DEFAULT_LIMITS.max_decompressed)})",
    )


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(
        max_line=args.max_line, max_document=args.max_document, max_decompressed=args.max_decompressed
    )
