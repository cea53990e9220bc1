"""``sesops provision``: make an account deliver SES feedback to SNS (and SQS/HTTPS), and a
configuration set's events to EventBridge (a rule and an SQS queue) or Firehose (an S3 archive)."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
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
            "settings so SES feedback reaches you; with --configuration-set, also publish the set's "
            "events to EventBridge (--eventbridge QUEUE: a rule on the default bus sending them to an "
            "SQS queue with a DLQ) and/or to an S3 archive (--firehose BUCKET: a Firehose stream "
            "writing YYYY/MM/DD/HH/ gzip objects). Idempotent: a second run changes nothing. "
            "Prints the plan (✓ in place, + create, ~ change), then any problem left."
        ),
    )
    add_aws_options(parser, region_required=True)
    parser.add_argument(
        "--identity",
        action="append",
        default=[],
        metavar="ID",
        help="SES identity (domain or address) to wire to the SNS topic; repeat for several",
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
        help="configuration set (SESv2) to publish events from: to SNS (with --identity alone), "
        "or to --eventbridge / --firehose",
    )
    parser.add_argument(
        "--eventbridge",
        metavar="QUEUE",
        help="EventBridge destination on the default bus, a rule matching the --event-types and its "
        "SQS target QUEUE (created with QUEUE-dlq); drain it with `sesops drain --queue QUEUE`",
    )
    parser.add_argument(
        "--firehose",
        metavar="BUCKET[/PREFIX]",
        help="Firehose destination archiving the events in s3://BUCKET/PREFIX/YYYY/MM/DD/HH/ "
        "(gzip; the bucket is created if missing); read it with `sesops load s3://BUCKET/PREFIX/`",
    )
    parser.add_argument(
        "--event-types",
        default="Bounce,Complaint",
        metavar="TYPES",
        help="event types --eventbridge/--firehose publish: any of Send, Reject, Bounce, Complaint, "
        "Delivery, Open, Click, RenderingFailure, DeliveryDelay, Subscription (default: Bounce,Complaint)",
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


def parse_event_types(text: str, known: Iterable[str]) -> tuple[str, ...]:
    """SES ``eventType`` names from ``--event-types`` (any case; spaces and underscores ignored)."""
    names = {_squeeze(kind): kind for kind in known}
    out: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if _squeeze(part) not in names:
            raise InputError(
                f"--event-types {text}: unknown type {part!r}; use {', '.join(sorted(names.values()))}"
            )
        out.append(names[_squeeze(part)])
    if not out:
        raise InputError("--event-types: give at least one event type (e.g. Bounce,Complaint)")
    return tuple(dict.fromkeys(out))


def _squeeze(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


def parse_bucket(text: str) -> tuple[str, str]:
    """``--firehose`` as (bucket, prefix ending in '/' or empty): BUCKET, BUCKET/PREFIX or s3://..."""
    bucket, _, prefix = text.removeprefix("s3://").partition("/")
    if not bucket:
        raise InputError(f"--firehose {text!r}: give a bucket name, BUCKET/PREFIX or s3://BUCKET/PREFIX/")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


def spec_from(args: argparse.Namespace) -> Any:
    from sesops.aws.plan import Spec
    from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES

    if not args.identity and not (args.configuration_set and (args.eventbridge or args.firehose)):
        raise InputError(
            "nothing to provision: pass --identity ID, or --configuration-set NAME with "
            "--eventbridge QUEUE and/or --firehose BUCKET"
        )
    bucket, prefix = parse_bucket(args.firehose) if args.firehose else (None, "")
    return Spec(
        identities=tuple(args.identity),
        topic=args.topic,
        sqs_queue=args.sqs,
        https_endpoint=args.https_endpoint,
        types=parse_types(args.types),
        configuration_set=args.configuration_set,
        keep_forwarding=args.keep_forwarding,
        eventbridge_queue=args.eventbridge,
        firehose_bucket=bucket,
        firehose_prefix=prefix,
        event_types=parse_event_types(args.event_types, EVENTBRIDGE_DETAIL_TYPES.values()),
        detail_types=EVENTBRIDGE_DETAIL_TYPES,
    )


def run(args: argparse.Namespace) -> int:
    from sesops.aws.doctor import diagnose
    from sesops.aws.provision import provision
    from sesops.aws.status import status

    spec = spec_from(args)
    session = session_for(args.profile)
    result = provision(spec, region=args.region, session=session, dry_run=args.dry_run)
    about = [f"topic {spec.topic}"] if spec.identities else []
    about += [f"configuration set {spec.configuration_set}"] if spec.channels else []
    print(f"Plan for {result.region} (account {result.state.account}), {', '.join(about)}:")
    print(plan_table(result.steps))
    print(plan_summary(result.steps, applied=not result.dry_run))
    if result.dry_run:
        problems = diagnose(
            result.state, keep_forwarding=args.keep_forwarding, detail_types=spec.detail_types
        )
        print("\nNow (before the plan):" if problems else "")
    else:
        problems = status(
            list(spec.identities),
            topics=(spec.topic,) if spec.identities else (),
            region=result.region,
            session=session,
            keep_forwarding=args.keep_forwarding,
            configuration_sets=(spec.configuration_set,) if spec.channels else (),
            detail_types=spec.detail_types,
        ).problems
        print()
    print(problems_text(problems))
    return 0
