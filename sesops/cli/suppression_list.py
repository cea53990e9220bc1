"""``sesops suppression-list pull|diff|push|remove``: the SES account-level suppression list.

``diff`` and ``push`` take the same SOURCEs: suppression lists (``.csv``: what ``sesops
suppress`` or ``pull`` wrote, or SES's import format) and feedback (anything ``sesops load``
reads), to which the suppression policy is applied. ``diff`` exits 1 when ``push`` would
change something.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sesops.cli import COMMANDS, EXIT_OK, EXIT_PROBLEM
from sesops.cli.awsout import add_aws_options, session_for
from sesops.cli.suppress import add_policy_arguments, policy_from
from sesops.errors import InputError, require_extra

if TYPE_CHECKING:  # the options register without loading pandas or boto3
    from sesops.analysis.suppress import SuppressionPolicy
    from sesops.analysis.suppression_sync import SyncPlan

DEFAULT_RATE = 5.0  # sesops.aws.pacing.DEFAULT_RATE (tests keep them equal): no boto3 for --help
DEFAULT_IMPORT_ABOVE = 10_000  # more changes than this go through an S3 import job
SHOWN = 20  # plan lines printed per kind unless --show says otherwise
LIST_SUFFIX = ".csv"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "suppression-list",
        help=COMMANDS["suppression-list"],
        description=(
            "Read, compare and change the SES account-level suppression list of a region. diff and "
            "push take the same SOURCEs: suppression lists (.csv, as `sesops suppress` or `pull` "
            "write them, or SES's import format) and feedback (anything `sesops load` reads), to "
            "which the suppression policy is applied. diff exits 1 when push would change something."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    pull = actions.add_parser("pull", help="write every address SES holds as CSV (email,reason,last_update)")
    add_aws_options(pull)
    pull.add_argument("--reason", choices=("BOUNCE", "COMPLAINT"), help="only addresses held for this reason")
    pull.add_argument("--out", type=Path, metavar="FILE.csv", help="write here (default: standard output)")
    pull.set_defaults(func=run_pull)
    diff = actions.add_parser("diff", help="what the policy says vs what SES holds (exit 1: they differ)")
    _add_sync_options(diff)
    diff.set_defaults(func=run_diff)
    push = actions.add_parser(
        "push", help="bring SES's list in line: plan first, then add (and with --prune remove)"
    )
    _add_sync_options(push)
    _add_write_options(push)
    push.add_argument(
        "--import-above",
        type=int,
        default=DEFAULT_IMPORT_ABOVE,
        metavar="N",
        help=(
            f"more than N additions or removals go through an S3 import job (default {DEFAULT_IMPORT_ABOVE:,})"
        ),
    )
    push.add_argument(
        "--bucket", help="S3 bucket for import jobs (SES must be allowed to s3:GetObject in it)"
    )
    push.add_argument(
        "--poll-seconds", type=float, default=5.0, help="how often to ask how an import job does"
    )
    push.set_defaults(func=run_push)
    remove = actions.add_parser("remove", help="take addresses off SES's list")
    remove.add_argument("addresses", nargs="+", metavar="ADDR")
    add_aws_options(remove)
    _add_write_options(remove)
    remove.set_defaults(func=run_remove)


def _add_sync_options(parser: argparse.ArgumentParser) -> None:
    """SOURCEs, the region, --prune, --show, and the policy's options (those of `sesops suppress`)."""
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="suppression list (.csv) or feedback")
    add_aws_options(parser)
    parser.add_argument(
        "--prune", action="store_true", help="also remove what SES holds and the lists do not"
    )
    parser.add_argument(
        "--show", type=int, default=SHOWN, metavar="N", help=f"addresses listed per kind (default {SHOWN})"
    )
    add_policy_arguments(parser)


def _add_write_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="show the plan; change nothing")
    parser.add_argument(
        "--rate",
        type=float,
        metavar="R",
        help=(
            f"calls a second for one-address changes (default {DEFAULT_RATE:g}; slower on its own when throttled)"
        ),
    )


def run_pull(args: argparse.Namespace) -> int:
    require_extra("analysis")
    from sesops.analysis.suppression_sync import write_held_csv
    from sesops.aws.suppression_list import REASONS, list_suppressed

    reasons = [args.reason] if args.reason else list(REASONS)
    held = list_suppressed(reasons=reasons, session=session_for(args.profile), region=args.region)
    rows = [(a.email, a.reason, a.last_update) for a in held]
    if args.out is None:
        write_held_csv(rows, sys.stdout)
        print(_held_summary(held), file=sys.stderr)
        return EXIT_OK
    with open(args.out, "w", encoding="utf-8", newline="") as out:
        write_held_csv(rows, out)
    print(f"{_held_summary(held)}: wrote {args.out}")
    return EXIT_OK


def run_diff(args: argparse.Namespace) -> int:
    plan = _plan(args)
    print(_plan_text(plan, args.show))
    print(
        plan.summary()
        + (" — in line with SES." if plan.in_line else " — `push` with the same SOURCEs applies it.")
    )
    return EXIT_OK if plan.in_line else EXIT_PROBLEM


def run_push(args: argparse.Namespace) -> int:
    plan = _plan(args)
    print(_plan_text(plan, args.show))
    print(plan.summary() + ".")
    if plan.in_line or args.dry_run:
        print("nothing to change." if plan.in_line else "dry run: nothing changed.")
        return EXIT_OK
    puts = plan.to_put
    deletes = [(entry.email, entry.reason) for entry in plan.remove]
    most = max(len(puts), len(deletes))
    if most > args.import_above and not args.bucket:
        raise InputError(
            f"{most:,} changes: past --import-above {args.import_above:,} they go through an S3 import "
            "job; pass --bucket NAME (SES must be allowed to read it), or raise --import-above"
        )
    failed = _apply(args, puts, "PUT") + _apply(args, deletes, "DELETE")
    return EXIT_PROBLEM if failed else EXIT_OK


def run_remove(args: argparse.Namespace) -> int:
    from sesops.aws.suppression_list import delete_suppressed, get_suppressed

    addresses = list(dict.fromkeys(a.strip().lower() for a in args.addresses))  # as lists compare them
    for address in addresses:
        local, _, domain = address.rpartition("@")
        if not local or not domain:
            raise InputError(f"{address!r} is not an email address")
    session = session_for(args.profile)
    if args.dry_run:
        for address in addresses:
            held = get_suppressed(address, session=session, region=args.region)
            print(f"  - {address}  {held.reason}" if held else f"    {address}  (not on the list)")
        print("dry run: nothing changed.")
        return EXIT_OK
    removed, absent = delete_suppressed(addresses, pacer=_pacer(args), session=session, region=args.region)
    for address in removed:
        print(f"  - {address}  removed")
    for address in absent:
        print(f"    {address}  was not on the list")
    print(f"{len(removed)} removed, {len(absent)} not on the list.")
    return EXIT_OK


def _plan(args: argparse.Namespace) -> SyncPlan:
    require_extra("analysis")
    from sesops.analysis.suppression_sync import plan_sync
    from sesops.aws.suppression_list import list_suppressed

    for option, value in (("--show", args.show), ("--import-above", getattr(args, "import_above", 0))):
        if value < 0:
            raise InputError(f"{option} {value}: use 0 or more")
    desired = _desired(args.sources, policy_from(args))  # a bad policy option is refused, feedback or not
    held = list_suppressed(session=session_for(args.profile), region=args.region)
    if args.prune and not desired and held:
        raise InputError(
            f"--prune with lists that name no address would remove all {len(held):,} addresses SES holds; "
            "check the SOURCEs, or take addresses off with `sesops suppression-list remove`"
        )
    return plan_sync(desired, [(a.email, a.reason) for a in held], prune=args.prune)


def _desired(sources: list[str], policy: SuppressionPolicy) -> dict[str, str]:
    """The desired list: the .csv lists as they are, ``policy`` applied to the feedback."""
    from sesops.analysis.suppression_sync import desired_from_frame, merge, read_suppression_file

    lists = [s for s in sources if Path(s).suffix.lower() == LIST_SUFFIX]
    feedback = [s for s in sources if s not in lists]
    desired = [read_suppression_file(path) for path in lists]
    if feedback:
        from sesops.analysis.suppress import build_suppression_list
        from sesops.load.reader import read_events

        events = read_events(*feedback, progress=False)
        frame = build_suppression_list(events, policy)
        desired.append(desired_from_frame(frame, "the policy"))
        print(
            f"policy: {len(frame):,} addresses to suppress in {len(events):,} feedback rows", file=sys.stderr
        )
    return merge(*desired)


def _apply(args: argparse.Namespace, entries: list[tuple[str, str]], action: str) -> int:
    """PUT or DELETE ``(email, reason)`` entries, one by one or by import job; returns records failed."""
    from sesops.aws.suppression_list import delete_suppressed, import_suppressed, put_suppressed

    session, region = session_for(args.profile), args.region
    if not entries:
        return 0
    if len(entries) > args.import_above:
        outcomes = import_suppressed(
            entries,
            action=action,
            bucket=args.bucket,
            poll_seconds=args.poll_seconds,
            session=session,
            region=region,
        )
        return sum(_report_import(outcome, args.bucket) for outcome in outcomes)
    if action == "PUT":
        done = put_suppressed(
            _progress(entries, "adding"), pacer=_pacer(args), session=session, region=region
        )
        print(f"added {done:,} (PutSuppressedDestination).")
    else:
        emails = _progress([email for email, _ in entries], "removing")
        removed, _ = delete_suppressed(emails, pacer=_pacer(args), session=session, region=region)
        print(f"removed {len(removed):,} (DeleteSuppressedDestination).")
    return 0


def _report_import(outcome: Any, bucket: str) -> int:
    """Print how one import job ended; a FAILED job is an AWS failure (exit 3)."""
    from sesops.errors import AwsError

    if outcome.status != "COMPLETED":
        raise AwsError(
            f"import job {outcome.job_id} {outcome.status}: {outcome.message or 'SES gave no reason'}; "
            f"SES must be allowed to read s3://{bucket} (a bucket policy granting ses.amazonaws.com s3:GetObject)"
        )
    line = f"import job {outcome.job_id}: {outcome.processed:,} applied"
    if outcome.failed:
        where = f" (failed records: {outcome.failed_records_url})" if outcome.failed_records_url else ""
        line += f", {outcome.failed:,} failed: {outcome.message}{where}"
    print(line + ".")
    return int(outcome.failed)


def _pacer(args: argparse.Namespace) -> Any:
    from sesops.aws.pacing import Pacer

    return Pacer(args.rate if args.rate is not None else DEFAULT_RATE)


def _progress(work: list[Any], what: str) -> Any:
    from tqdm import tqdm

    return tqdm(work, desc=what, unit="addr", disable=None, file=sys.stderr)  # a bar on a terminal only


def _plan_text(plan: SyncPlan, shown: int) -> str:
    lines: list[str] = []
    for mark, entries, label in (
        ("+", plan.add, "to add"),
        ("~", plan.raise_reason, "BOUNCE -> COMPLAINT"),
        ("-", plan.remove, "to remove"),
        (" ", plan.only_in_ses, "only in SES, kept"),
    ):
        for entry in entries[:shown]:
            lines.append(f"  {mark} {entry.email}  {entry.reason}  ({label})")
        if len(entries) > shown:
            lines.append(f"  {mark} ... and {len(entries) - shown:,} more {label} (--show N lists more)")
    return "\n".join(lines) if lines else "  (no differences)"


def _held_summary(held: list[Any]) -> str:
    complaints = sum(1 for a in held if a.reason == "COMPLAINT")
    return f"{len(held):,} addresses on the SES suppression list ({len(held) - complaints:,} BOUNCE, {complaints:,} COMPLAINT)"
