"""``sesops teardown``: remove what ``sesops provision`` made."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sesops.cli import COMMANDS
from sesops.cli.awsout import add_aws_options, plan_summary, plan_table, session_for
from sesops.errors import InputError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "teardown",
        help=COMMANDS["teardown"],
        description=(
            "Turn email forwarding back on, unset the identities' notification topics, and delete "
            "the subscriptions, the queues subscribed to the topic (with their DLQs) and the topic; "
            "with --configuration-set, also sesops' event destinations there, the EventBridge rule "
            "with the queues it targets (and their DLQs), the Firehose stream and its two roles "
            "(the bucket is kept). Asks first unless --yes."
        ),
    )
    add_aws_options(parser, region_required=True)
    parser.add_argument(
        "--identity",
        action="append",
        default=[],
        metavar="ID",
        help="identity to unwire from the topic; repeat for several",
    )
    parser.add_argument("--topic", default="ses-feedback", help="SNS topic name (default: ses-feedback)")
    parser.add_argument(
        "--configuration-set",
        metavar="NAME",
        help="also remove sesops' event destinations here and the EventBridge/Firehose channels behind them",
    )
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sesops.aws.apply import Applier
    from sesops.aws.teardown import teardown

    if not args.identity and not args.configuration_set:
        raise InputError("nothing to tear down: pass --identity ID and/or --configuration-set NAME")
    session = session_for(args.profile)
    planned = teardown(
        args.identity,
        topic=args.topic,
        configuration_set=args.configuration_set,
        region=args.region,
        session=session,
        dry_run=True,
    )
    about = [f"topic {args.topic}"] if args.identity else []
    about += [f"configuration set {args.configuration_set}"] if args.configuration_set else []
    print(f"Teardown in {planned.region}, {', '.join(about)}:")
    print(plan_table(planned.steps))
    changes = [s for s in planned.steps if s.changes]
    if not changes:
        print(plan_summary(planned.steps, applied=False))
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise InputError("not a terminal: pass --yes to tear down without a question")
        answer = input(f"Apply these {len(changes)} change(s)? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("nothing changed.")
            return 1
    Applier(planned.region, session).run(planned.steps)
    print(plan_summary(planned.steps, applied=True))
    return 0
