"""The ``sesops`` command line: argument parsing and printing only.

Each subcommand lives in its own module under :mod:`sesops.cli` exposing
``register(subparsers)``; its handler calls one library function. Heavy imports
(pandas, boto3, moto) happen inside handlers so ``--help`` stays instant.
Errors raised on purpose (:class:`~sesops.errors.SesopsError`) become one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from sesops.errors import SesopsError

# Subcommand modules, in the order --help lists them.
_COMMANDS: tuple[str, ...] = (
    "load",
    "export",
    "verify",
    "serve",
    "drain",
    "simulate",
    "provision",
    "status",
    "teardown",
    "sandbox",
    "demo",
    "notebook",
)

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sesops",
        description="Amazon SES bounce and complaint handling: provision, verify, capture, analyse, suppress.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        module = importlib.import_module(f"sesops.cli.{name}")
        module.register(subparsers)
    return parser


def _version() -> str:
    from sesops import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except SesopsError as err:
        print(f"sesops {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"sesops {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def run() -> None:
    sys.exit(main())
