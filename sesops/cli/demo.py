"""``sesops demo``: provision, capture, analyse and report on the embedded sandbox (no AWS account)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sesops.cli import COMMANDS

if TYPE_CHECKING:
    from sesops.demo.run import DemoResult


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help=COMMANDS["demo"],
        description=(
            "Start the embedded SES/SNS/SQS sandbox, provision a demo identity and an EventBridge channel, "
            "capture the mailbox simulator's feedback and simulated traffic by HTTP (sesops serve), SQS "
            "(sesops drain) and EventBridge (sesops drain of the rule's queue), "
            "then write events, charts, the suppression list and report.html into --out."
        ),
    )
    parser.add_argument(
        "--out", type=Path, default=Path("demo-out"), help="output directory (default demo-out)"
    )
    parser.add_argument(
        "--messages", type=int, default=2000, metavar="N", help="simulated messages sent (default 2000)"
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="keep the sandbox, receiver and drain running until Ctrl-C (prints the environment)",
    )
    parser.add_argument("--sandbox-port", type=int, default=0, metavar="P", help="default: a free port")
    parser.add_argument("--receiver-port", type=int, default=0, metavar="P", help="default: a free port")
    parser.add_argument("--quiet", action="store_true", help="no step lines or progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sesops.errors import require_extra

    require_extra("analysis")
    require_extra("sandbox")
    from sesops.cli.waiting import wait_for_interrupt
    from sesops.demo.run import running_demo

    with running_demo(
        args.out,
        messages=args.messages,
        seed=args.seed,
        progress=not args.quiet,
        sandbox_port=args.sandbox_port,
        receiver_port=args.receiver_port,
    ) as result:
        print(summary_text(result))
        print(next_steps(result, keep_running=args.keep_running), flush=True)
        if args.keep_running:
            wait_for_interrupt()
            print("stopping the receiver, drain and sandbox.", flush=True)
    return 0


def summary_text(result: DemoResult) -> str:
    from sesops.analysis.report import pct
    from sesops.cli.awsout import problems_text

    lines = [
        f"\nsesops demo finished in {result.total_seconds:.1f} s "
        f"({', '.join(f'{title} {secs:.1f} s' for title, secs in result.timings)})",
        "",
        f"captured {result.expected:,} notifications twice, by HTTP ({result.http_delivered:,}) "
        f"and SQS ({result.sqs_delivered:,}), same SNS MessageIds,",
        f"and the mailbox simulator's feedback again as {result.eventbridge_delivered:,} SES events "
        "through EventBridge;",
        f"the store kept each once: {result.store_messages:,} messages "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(result.store_by_channel.items()))}).",
        f"{result.events:,} events: " + ", ".join(f"{k} {v:,}" for k, v in result.by_category.items()),
    ]
    summary = result.summary
    if summary is not None:
        lines.append(
            f"hard bounce rate {pct(summary.bounce_rate)} ({summary.bounce_status}), "
            f"complaint rate {pct(summary.complaint_rate)} ({summary.complaint_status}); "
            f"{result.suppressions:,} addresses to suppress."
        )
    lines.append("mailbox simulator:")
    for email, categories in result.simulator.items():
        lines.append(f"  {email:<42} {', '.join(categories)}")
    lines.append("")
    lines.append("sesops status: " + (problems_text(result.status.problems) if result.status else "not run"))
    lines.append("")
    lines.append(f"files in {result.out_dir}/:")
    width = max((len(name) for name in result.files), default=0)
    for name, path in result.files.items():
        lines.append(f"  {name.ljust(width)}  {path.name}")
    return "\n".join(lines)


def next_steps(result: DemoResult, *, keep_running: bool) -> str:
    report = result.files.get("report", result.out_dir / "report.html")
    lines = [
        "",
        "try next:",
        f"  open {report}",
        f"  sesops load {result.store}",
        "  jupyter lab notebooks/",
    ]
    if keep_running:
        lines += [
            "",
            f"the sandbox ({result.endpoint}), receiver ({result.receiver_url}) and drains keep running;",
            "in another shell, point boto3 and the AWS CLI at the sandbox:",
            *(f"  export {key}={value}" for key, value in result.env.items()),
            "  unset AWS_PROFILE AWS_SESSION_TOKEN",
            f"  sesops status --region {result.env.get('AWS_DEFAULT_REGION', 'us-east-1')} "
            f"--identity {result.identity} --configuration-set {result.configuration_set}",
            f"  aws ses send-email --from demo@{result.identity} --to bounce@simulator.amazonses.com "
            f"--subject hi --text hello --configuration-set-name {result.configuration_set}",
            f"  sesops load {result.store}   # the new feedback is captured there, by all three channels",
            "",
            "Ctrl-C stops them.",
        ]
    else:
        lines.append(
            "  sesops demo --keep-running   # keep the sandbox up, then: sesops status, aws ses send-email, ..."
        )
    return "\n".join(lines)
