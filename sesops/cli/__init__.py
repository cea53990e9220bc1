"""The ``sesops`` command line: argument parsing and printing only.

Each subcommand lives in its own module under :mod:`sesops.cli` exposing
``register(subparsers)``; its handler calls one library function. Only the named
subcommand's module is imported (``sesops --help`` shows the summaries in ``COMMANDS``),
and it imports only the standard library and light sesops modules at the top: everything
heavier (boto3, pandas, moto) is imported inside its handler, so a receiver host never
loads the analysis stack (``tests/test_imports.py`` checks both).

Every failure sesops documents becomes one line on stderr and an exit status (``EPILOG``),
never a traceback; only a bug still shows one.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Collection, Sequence

from sesops.errors import (
    AwsError,
    CertificateUnavailable,
    MissingExtra,
    ProvisionError,
    SesopsError,
    extra_providing,
)

# Subcommand -> the line `sesops --help` shows for it, in that order. Kept here, not in the
# subcommand modules (their register() reads it), so the top-level help imports none of them.
COMMANDS: dict[str, str] = {
    "load": "load SES feedback files into one table and summarise it",
    "suppress": "write the addresses to stop mailing, in a mailing tool's import format",
    "report": "write charts, a self-contained report.html and the suppression list",
    "export": "export a capture store to JSON Lines",
    "store": "create or upgrade a capture store (SQLite or PostgreSQL), or copy one into another",
    "verify": "verify the SNS signatures of saved messages",
    "serve": "receive SNS notifications over HTTP(S) into a capture store",
    "drain": "move messages from an SQS queue into a capture store",
    "simulate": "generate realistic synthetic SES bounce/complaint/delivery feedback",
    "provision": "wire SES identities to an SNS topic (and an SQS queue or HTTPS endpoint), "
    "a configuration set to EventBridge or Firehose",
    "status": "check that SES feedback reaches SNS, EventBridge or Firehose and their subscribers",
    "teardown": "remove the topic, subscriptions, queues, channels and identity wiring provision made",
    "suppression-list": "pull, diff, push or remove addresses on the SES account-level suppression list",
    "reconcile": "compare captured feedback with what SES counted, and name what was lost",
    "sandbox": "run a local SES/SNS/SQS sandbox (moto) for trying sesops without an AWS account",
    "demo": "run the whole kit end to end on a local sandbox: no AWS account needed",
    "notebook": "run a notebook with parameters and keep the executed copy as a record; list; lab",
}

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
EXIT_AWS = 3
EXIT_INTERRUPTED = 130

EPILOG = """\
exit status:
  0  done; nothing wrong
  1  problems found (status: the wiring is broken; verify: a signature failed or a file
     could not be read; load: a file or folder could not be read in full)
  2  usage or input error: a bad option, a missing or unreadable file or store, a missing extra
  3  AWS or network failure: unknown profile, no credentials, unreachable endpoint, a refused call

serve, drain, verify, export, store and the AWS commands need only `pip install sesops` (a
postgresql:// store needs sesops[postgres]); load needs sesops[analysis], sandbox
sesops[sandbox], demo both, notebook sesops[notebooks]."""


def build_parser(commands: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The ``sesops`` parser, with the arguments of ``commands`` (default: every subcommand).

    The other subcommands get their name and summary only: enough for ``sesops --help`` and
    argparse's "invalid choice", without importing their modules.
    """
    parser = argparse.ArgumentParser(
        prog="sesops",
        description="Amazon SES bounce and complaint handling: provision, verify, capture, analyse, suppress.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary in COMMANDS.items():
        if commands is None or name in commands:
            importlib.import_module(f"sesops.cli.{name.replace('-', '_')}").register(subparsers)
        else:
            subparsers.add_parser(name, help=summary)
    return parser


def named_command(argv: Sequence[str]) -> list[str]:
    """The subcommand ``argv`` names, as a list (empty for none): the top level takes no values."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return [first] if first in COMMANDS else []


def _version() -> str:
    from sesops import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(named_command(argv))
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"sesops {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:
        failure = describe_failure(err)
        if failure is None:
            raise  # a bug: its traceback is the report
        status, message = failure
        print(f"sesops {args.command}: error: {message}", file=sys.stderr)
        return status


def describe_failure(err: Exception) -> tuple[int, str] | None:
    """(exit status, one-line message) for a failure the CLI reports; None for a bug."""
    if isinstance(err, SesopsError):
        return exit_status(err), str(err)
    if isinstance(err, ModuleNotFoundError) and err.name:
        extra = extra_providing(err.name)  # an optional package imported past a require_extra check
        return None if extra is None else (EXIT_USAGE, str(MissingExtra(extra, err.name)))
    if isinstance(err, OSError) and err.filename is not None:
        return EXIT_USAGE, f"{err.filename}: {err.strerror or err}"
    if _is_botocore_error(err):  # a safety net: sesops.aws maps these to AwsError itself
        from sesops.aws.clients import describe_error

        # no service: botocore names a ClientError's operation only, and "AWS" stands in when it names none
        return EXIT_AWS, str(describe_error(err, "AWS"))
    return None


def exit_status(err: SesopsError) -> int:
    """2 for what the user can change in the command, 3 for AWS and the network."""
    if isinstance(err, ProvisionError):  # the plan cannot be applied as asked: change the request
        return EXIT_USAGE
    if isinstance(err, AwsError | CertificateUnavailable):
        return EXIT_AWS
    return EXIT_USAGE


def _is_botocore_error(err: Exception) -> bool:
    """Whether ``err`` comes from botocore; never imports it (no botocore loaded, no botocore error)."""
    exceptions = sys.modules.get("botocore.exceptions")
    if exceptions is None:
        return False
    return isinstance(err, exceptions.BotoCoreError | exceptions.ClientError)


def run() -> None:
    sys.exit(main())
