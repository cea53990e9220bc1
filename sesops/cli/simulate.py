"""``sesops simulate``: realistic synthetic SES feedback to a JSONL file, stdout, or an SNS topic."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from sesops.cli import COMMANDS
from sesops.errors import InputError

# Flag -> SimulationConfig field, for the rates a user is likely to push past SES's thresholds.
_RATE_FLAGS = {
    "--bounce-rate": ("bounce_rate", "hard bounces (default 0.02)"),
    "--soft-bounce-rate": ("soft_bounce_rate", "transient and undetermined bounces (default 0.006)"),
    "--complaint-rate": ("complaint_rate", "complaints (default 0.0008)"),
    "--ooto-rate": ("ooto_rate", "out-of-office auto-replies (default 0.004)"),
    "--delay-rate": ("delay_rate", "delivery delays (default 0.01)"),
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help=COMMANDS["simulate"],
        description=(
            "Simulate N sent messages over D days and write the SES feedback they cause as JSON Lines "
            "(SNS envelopes, or raw SES objects with --raw), or publish it to an SNS topic. "
            "The same --seed always gives the same output. Rates are fractions of sent recipients; "
            "SES reviews accounts above 0.05 hard bounces and 0.001 complaints."
        ),
    )
    parser.add_argument("--messages", type=int, required=True, metavar="N", help="messages sent")
    parser.add_argument("--days", type=int, default=7, metavar="D", help="spread over D days (default 7)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    parser.add_argument("--start", type=datetime.fromisoformat, metavar="ISO", help="first day (UTC)")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", metavar="FILE.jsonl", help="write here (.gz compresses; - is stdout)")
    target.add_argument("--topic-arn", metavar="ARN", help="publish to this SNS topic instead")
    parser.add_argument("--region", help="AWS region for --topic-arn (default: the topic's)")
    parser.add_argument("--profile", help="AWS profile for --topic-arn")
    parser.add_argument("--raw", action="store_true", help="write SES objects without SNS envelopes")
    parser.add_argument(
        "--event-publishing",
        action="store_true",
        help="configuration-set events (eventType: Send, Open, Click, ...) instead of identity notifications",
    )
    parser.add_argument(
        "--redelivery-rate", type=float, default=0.0, metavar="X", help="repeat this fraction of envelopes"
    )
    for flag, (name, help_text) in _RATE_FLAGS.items():
        parser.add_argument(flag, type=float, dest=name, metavar="X", help=help_text)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sesops.sim.simulate import SimulationConfig, publish, write_jsonl

    rates = {name: getattr(args, name) for name, _ in _RATE_FLAGS.values() if getattr(args, name) is not None}
    config = SimulationConfig(
        messages=args.messages,
        days=args.days,
        seed=args.seed,
        start=args.start,
        event_publishing=args.event_publishing,
        **rates,
    )
    if args.topic_arn is not None:
        if args.raw or args.redelivery_rate:
            raise InputError("--raw and --redelivery-rate apply to --out only (SNS builds the envelopes)")
        from sesops.cli.awsout import session_for

        session = session_for(args.profile) if args.profile else None
        count = publish(config, args.topic_arn, session=session, region=args.region)
        print(f"published {count} SES notifications to {args.topic_arn}")
        return 0
    count = write_jsonl(args.out, config, envelope=not args.raw, redelivery_rate=args.redelivery_rate)
    if args.out != "-":
        print(f"wrote {count} {'SES objects' if args.raw else 'SNS envelopes'} to {args.out}")
    return 0
