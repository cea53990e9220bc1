"""``sesops report``: feedback in, charts, ``report.html`` and the suppression CSV out."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sesops.cli import COMMANDS
from sesops.cli.suppress import add_policy_arguments, policy_from, read_feedback
from sesops.errors import InputError, require_extra


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help=COMMANDS["report"],
        description=(
            "Read SES/SNS feedback and write into --out the PNG charts, a self-contained report.html "
            "(rates against SES's thresholds, per recipient domain, send-to-bounce times, complaint "
            "feedback and delay types, what to do next) and suppressions.csv. Exits 0 when written, "
            "2 on a usage or input error."
        ),
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="file, directory or capture store")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="directory for the files")
    parser.add_argument("--title", default="SES feedback report", help="the page's title")
    parser.add_argument("--sends", type=int, metavar="N",
                        help="messages sent in the period, when known (SES console): the rates' denominator")  # fmt: skip
    add_policy_arguments(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    require_extra("analysis")
    if args.sends is not None and args.sends < 0:
        raise InputError(f"--sends {args.sends}: a number of messages, 0 or more")
    policy = policy_from(args)
    from sesops.analysis.report import pct, write_report

    df = read_feedback(args)
    paths = write_report(df, args.out, policy=policy, title=args.title, sends=args.sends)
    summary = paths.data.summary
    print(
        f"{summary.rows:,} events; hard bounce rate {pct(summary.bounce_rate)} ({summary.bounce_status}), "
        f"complaint rate {pct(summary.complaint_rate)} ({summary.complaint_status}); "
        f"{len(paths.data.suppressions):,} address(es) to suppress"
    )
    print(
        f"wrote {paths.html}, {paths.suppressions.name} and {len(paths.charts)} charts into {paths.out_dir}"
    )
    return 0
