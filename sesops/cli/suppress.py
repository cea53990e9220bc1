"""``sesops suppress``: feedback in, the suppression list out in one mailing tool's import format."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sesops.cli import COMMANDS
from sesops.errors import InputError, require_extra

if TYPE_CHECKING:
    import pandas as pd

    from sesops.analysis.exports import ExportResult
    from sesops.analysis.suppress import SuppressionPolicy

#: ``sesops.analysis.exports.FORMATS``' names, here so that ``--help`` needs no pandas
#: (tests/cli/test_suppress.py keeps the two equal).
EXPORT_FORMATS = (
    "sesops",
    "ses-import",
    "ses-import-jsonl",
    "mailgun-bounces",
    "mailgun-complaints",
    "listmonk",
    "mailchimp",
    "sendgrid",
    "postmark",
)
UNDETERMINED = ("review", "soft", "hard", "ignore")
JSON_FORMATS = "ses-import-jsonl, sendgrid or postmark"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "suppress",
        help=COMMANDS["suppress"],
        description=(
            "Read SES/SNS feedback (files, directories, .gz, capture stores), apply the suppression\n"
            "policy and write the addresses to stop mailing in one mailing tool's import format.\n"
            "Exits 0 when written, 2 on a usage or input error."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "formats (README, Suppression policy, says how to import each):\n"
            + "\n".join(f"  {name}" for name in EXPORT_FORMATS)
        ),
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="file, directory or capture store")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="where to write the list (formats with a per-file limit add FILE-2, FILE-3, ...)")  # fmt: skip
    parser.add_argument("--format", default="sesops", choices=EXPORT_FORMATS, metavar="F",
                        help="import format (default sesops, the canonical CSV); see below")  # fmt: skip
    parser.add_argument("--review", type=Path, metavar="FILE",
                        help="also write the review list: auto-replies, undetermined bounces, content problems")  # fmt: skip
    add_policy_arguments(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def add_policy_arguments(parser: argparse.ArgumentParser) -> None:
    """The suppression policy's options (``sesops suppress`` and ``sesops report``)."""
    policy = parser.add_argument_group("suppression policy")
    policy.add_argument("--soft-bounce-threshold", type=int, default=3, metavar="N",
                        help="suppress after soft bounces on N distinct days (default 3; 0: never)")  # fmt: skip
    policy.add_argument("--window-days", type=int, default=14, metavar="D",
                        help="... all within D consecutive days (default 14)")  # fmt: skip
    policy.add_argument("--undetermined", choices=UNDETERMINED, default="review",
                        help="Undetermined bounces: list for review (default), count as soft, suppress, ignore")  # fmt: skip


def policy_from(args: argparse.Namespace) -> SuppressionPolicy:
    """The policy the options ask for; a bad value is an InputError naming the option."""
    if args.soft_bounce_threshold < 0:
        raise InputError(f"--soft-bounce-threshold {args.soft_bounce_threshold}: use 1 or more, or 0 to never count soft bounces")  # fmt: skip
    if args.window_days < 1:
        raise InputError(f"--window-days {args.window_days}: use 1 or more")
    from sesops.analysis.suppress import SuppressionPolicy

    return SuppressionPolicy(
        soft_bounce_days=args.soft_bounce_threshold or None,
        soft_bounce_window_days=args.window_days,
        undetermined=args.undetermined,
    )


def read_feedback(args: argparse.Namespace) -> pd.DataFrame:
    """The events table of ``args.sources``; nothing readable is an InputError."""
    from sesops.load.reader import read_events

    df = read_events(*args.sources, progress=not args.quiet)
    if len(df) == 0 and not df.attrs.get("messages", 0):
        raise InputError(
            f"no SES feedback could be read from {', '.join(map(str, args.sources))}; "
            "`sesops load` on them lists what was rejected and why"
        )
    return df


def run(args: argparse.Namespace) -> int:
    require_extra("analysis")
    if args.review is not None and args.review.resolve() == args.out.resolve():
        raise InputError(f"--review {args.review} is also --out: give the review list its own file")
    policy = policy_from(args)
    from sesops.analysis.exports import write_export
    from sesops.analysis.suppress import judge, review_list, suppression_list, write_review_csv
    from sesops.analysis.suppress.files import stale_parts

    df = read_feedback(args)
    verdicts = judge(df, policy)
    frame = suppression_list(verdicts)
    result = write_export(frame, args.out, args.format)
    print(loaded_line(df))
    print(
        policy_line(frame, policy.soft_rule() if policy.soft_bounce_days else "soft bounces never suppress")
    )
    print(written_lines(result, stale_parts(args.out, len(result.paths))))
    if args.review is not None:
        review = review_list(verdicts, frame["email"])
        write_review_csv(review, args.review)
        print(f"review list: {counted(review['review_reason'])} -> {args.review}")
    return 0


def loaded_line(df: pd.DataFrame) -> str:
    attrs = df.attrs
    return (
        f"read {len(df):,} events from {attrs.get('messages', 0):,} messages "
        f"({attrs.get('duplicates', 0):,} duplicates dropped, {attrs.get('rejected', 0):,} records rejected)"
    )


def policy_line(frame: pd.DataFrame, soft_rule: str) -> str:
    return f"{len(frame):,} address(es) to suppress: {counted(frame['category'])} (policy: {soft_rule})"


def counted(values: pd.Series) -> str:
    """``3 hard bounce, 1 complaint`` (most first), or ``none``."""
    counts = values.value_counts()
    return ", ".join(f"{int(n):,} {str(k).replace('_', ' ')}" for k, n in counts.items()) or "none"


def written_lines(result: ExportResult, stale: list[Path]) -> str:
    """What was written where, what was left out and what to watch for."""
    paths = result.paths
    where = str(paths[0]) if len(paths) == 1 else f"{len(paths)} files, {paths[0]} ... {paths[-1]}"
    lines = [
        f"wrote {result.rows:,} address(es) as {result.format.name} to {where}",
        f"  {result.format.summary}",
    ]
    if result.left_out:
        others = "complaints" if "COMPLAINT" not in result.format.reasons else "bounces"
        pair = "mailgun-complaints" if others == "complaints" else "mailgun-bounces"
        lines.append(
            f"left out {result.left_out:,} {others}: this format does not take them (--format {pair})"
        )
    if result.escaped:
        lines.append(
            f"note: {result.escaped:,} address(es) begin with = + - @ ' or a control character and were "
            "written with a leading ' so that no spreadsheet runs them as formulas; the tool would import "
            f"the quote too: remove it by hand, or use {JSON_FORMATS}"
        )
    for path in stale:
        lines.append(f"note: {path} is left from an earlier, longer list: delete it before importing")
    return "\n".join(lines)
