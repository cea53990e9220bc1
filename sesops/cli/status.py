"""``sesops status``: read the feedback wiring back and name every problem with its fix."""

from __future__ import annotations

import argparse
from typing import Any

from sesops.cli import COMMANDS
from sesops.cli.awsout import add_aws_options, problems_text, session_for

EXIT_HEALTHY = 0
EXIT_PROBLEMS = 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help=COMMANDS["status"],
        description=(
            "Read identities, topics and subscriptions, and configuration sets' EventBridge and "
            "Firehose channels, back and name each problem with its fix (also when the same feedback "
            "arrives twice, through notifications and event publishing). "
            "Exits 0 when healthy, 1 when a problem was found."
        ),
    )
    add_aws_options(parser)
    parser.add_argument(
        "--identity",
        action="append",
        metavar="ID",
        help="identity to check; repeat for several (default: every identity in the region)",
    )
    parser.add_argument(
        "--topic",
        action="append",
        default=[],
        metavar="NAME",
        help="also check this topic (in --region) even if no identity uses it",
    )
    parser.add_argument(
        "--configuration-set",
        action="append",
        default=[],
        metavar="NAME",
        help="also check this configuration set's event destinations (EventBridge rule and queue, "
        "Firehose stream, roles and bucket); an identity's default set is checked anyway",
    )
    parser.add_argument(
        "--keep-forwarding",
        action="store_true",
        help="email feedback forwarding left on is intended, not a problem",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sesops.aws.status import status
    from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES

    report = status(
        args.identity,
        topics=args.topic,
        region=args.region,
        session=session_for(args.profile),
        keep_forwarding=args.keep_forwarding,
        configuration_sets=args.configuration_set,
        detail_types=EVENTBRIDGE_DETAIL_TYPES,
    )
    state = report.state
    print(f"SES feedback wiring in {state.region} (account {state.account}):")
    if not state.identities:
        print("  no SES identities")
    for identity in state.identities:
        topics = (
            ", ".join(f"{kind}->{arn.rsplit(':', 1)[-1]}" for kind, arn in identity.topics.items())
            or "no topics"
        )
        verified = "verified" if identity.verified else (identity.verification or "missing")
        extra = "" if identity.requested else " (inside a checked domain)"
        forwarding = "forwarding on" if identity.forwarding else "forwarding off"
        print(f"  {identity.name}{extra}: {verified}; {topics}; {forwarding}")
    for arn, topic in state.topics.items():
        if topic is None:
            continue
        subs = state.subscriptions.get(arn, ())
        listed = (
            ", ".join(
                f"{s.protocol} {s.endpoint.rsplit(':', 1)[-1] if s.protocol == 'sqs' else s.endpoint}"
                + (" (pending)" if s.pending else "")
                for s in subs
            )
            or "no subscriptions"
        )
        print(f"  topic {arn.rsplit(':', 1)[-1]}: SignatureVersion {topic.signature_version}; {listed}")
    for line in channel_lines(state):
        print(f"  {line}")
    print()
    print(problems_text(report.problems))
    return EXIT_HEALTHY if report.healthy else EXIT_PROBLEMS


def channel_lines(state: Any) -> list[str]:
    """One line per configuration set event destination, and per SES rule on the default bus."""
    lines: list[str] = []
    for name, destinations in state.configuration_sets.items():
        if destinations is None:
            lines.append(f"configuration set {name}: missing")
        for d in destinations or ():
            where = {
                "EventBridge": "default event bus",
                "Firehose": f"stream {(d.stream_arn or '').rsplit('/', 1)[-1]}",
                "SNS": f"topic {(d.topic_arn or '').rsplit(':', 1)[-1]}",
            }.get(d.kind, d.kind)
            enabled = "" if d.enabled else " (disabled)"
            lines.append(
                f"configuration set {name}: {d.name} -> {where}{enabled}: {', '.join(d.event_types)}"
            )
    for rule in state.rules or ():
        targets = ", ".join(t.arn.rsplit(":", 1)[-1] for t in rule.targets) or "no targets"
        types = ", ".join(sorted(rule.detail_types)) if rule.detail_types is not None else "every type"
        state_word = "enabled" if rule.enabled else "disabled"
        lines.append(f"rule {rule.name} ({state_word}): {types} -> {targets}")
    for stream in state.streams.values():
        if stream is not None:
            bucket = (stream.bucket_arn or "").rsplit(":", 1)[-1]
            lines.append(f"stream {stream.name} ({stream.status}) -> s3://{bucket}/{stream.prefix}")
    return lines
