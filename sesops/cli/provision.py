"""``sesops provision``: make an account deliver SES feedback to SNS (and SQS/HTTPS)."""

from __future__ import annotations

import argparse
from typing import Any

from sesops.cli import COMMANDS
from sesops.cli.awsout import add_aws_options, plan_summary, plan_table, problems_text, session_for
from sesops.errors import InputError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "provision",
        help=COMMANDS["provision"],
        description=(
            "Create or fix the SNS topic, its subscriptions and the identities' notification "
            "settings so SES feedback reaches you. Idempotent: a second run changes nothing. "
            "Prints the plan (✓ in place, + create, ~ change), then any problem left."
        ),
    )
    add_aws_options(parser, region_required=True)
    parser.add_argument(
        "--identity",
        action="append",
        required=True,
        metavar="ID",
        help="SES identity (domain or address); repeat for several",
    )
    parser.add_argument("--topic", default="ses-feedback", help="SNS topic name (default: ses-feedback)")
    parser.add_argument("--sqs", metavar="QUEUE", help="subscribe this SQS queue (created with QUEUE-dlq)")
    parser.add_argument(
        "--https-endpoint", metavar="URL", help="subscribe this HTTPS endpoint (sesops serve)"
    )
    parser.add_argument(
        "--types",
        default="Bounce,Complaint",
        help="notification types to wire: Bounce,Complaint[,Delivery] (default: Bounce,Complaint)",
    )
    parser.add_argument(
        "--configuration-set",
        metavar="NAME",
        help="also add an SNS event destination to this configuration set (SESv2)",
    )
    parser.add_argument("--keep-forwarding", action="store_true", help="leave email feedback forwarding on")
    parser.add_argument("--dry-run", action="store_true", help="show the plan; change nothing")
    parser.set_defaults(func=run)


def parse_types(text: str) -> tuple[str, ...]:
    names = {"bounce": "Bounce", "complaint": "Complaint", "delivery": "Delivery"}
    out: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.lower() not in names:
            raise InputError(f"--types {text}: unknown type {part!r}; use Bounce, Complaint, Delivery")
        out.append(names[part.lower()])
    if not out:
        raise InputError("--types: give at least one of Bounce, Complaint, Delivery")
    return tuple(dict.fromkeys(out))


def run(args: argparse.Namespace) -> int:
    from sesops.aws.doctor import diagnose
    from sesops.aws.plan import Spec
    from sesops.aws.provision import provision
    from sesops.aws.status import status

    spec = Spec(
        identities=tuple(args.identity),
        topic=args.topic,
        sqs_queue=args.sqs,
        https_endpoint=args.https_endpoint,
        types=parse_types(args.types),
        configuration_set=args.configuration_set,
        keep_forwarding=args.keep_forwarding,
    )
    session = session_for(args.profile)
    result = provision(spec, region=args.region, session=session, dry_run=args.dry_run)
    print(f"Plan for {result.region} (account {result.state.account}), topic {spec.topic}:")
    print(plan_table(result.steps))
    print(plan_summary(result.steps, applied=not result.dry_run))
    if result.dry_run:
        problems = diagnose(result.state, keep_forwarding=args.keep_forwarding)
        print("\nNow (before the plan):" if problems else "")
    else:
        problems = status(
            list(spec.identities),
            topics=(spec.topic,),
            region=result.region,
            session=session,
            keep_forwarding=args.keep_forwarding,
        ).problems
        print()
    print(problems_text(problems))
    return 0
