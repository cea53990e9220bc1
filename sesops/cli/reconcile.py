"""``sesops reconcile``: was anything lost? What was captured against what SES itself counted."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sesops.cli import COMMANDS, EXIT_OK, EXIT_PROBLEM
from sesops.cli.awsout import session_for
from sesops.errors import InputError, require_extra

if TYPE_CHECKING:  # the options register without loading pandas or boto3
    from sesops.analysis.reconcile import Reconciliation

IN_FLIGHT = timedelta(hours=1)  # feedback for mail this recent may still be on its way


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "reconcile",
        help=COMMANDS["reconcile"],
        description=(
            "Compare the feedback captured in SOURCEs (anything `sesops load` reads) with what SES "
            "counted in the region over the same window (GetSendStatistics: bounces, complaints, "
            "delivery attempts; with --identity and VDM on, VDM's counts per identity), and name "
            "each gap. The window is widened to whole 15-minute intervals, as SES counts them. "
            "Exits 0 when nothing is missing, 1 when feedback is."
        ),
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="file, directory or capture store")
    parser.add_argument("--region", required=True, help="AWS region whose SES counts to compare")
    parser.add_argument("--profile", help="AWS profile to use (default: the normal credential chain)")
    parser.add_argument(
        "--since", required=True, type=utc_time, metavar="DATE", help="start: 2026-11-03 or an ISO time (UTC)"
    )
    parser.add_argument("--until", type=utc_time, metavar="DATE", help="end (default: now)")
    parser.add_argument(
        "--identity",
        action="append",
        default=[],
        metavar="ID",
        help="also compare VDM's counts for this identity",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.0,
        metavar="PCT",
        help="a share missing up to PCT %% is no gap (default 0)",
    )
    parser.set_defaults(func=run)


def utc_time(text: str) -> datetime:
    """``2026-11-03`` or an ISO 8601 time; a time without a zone is UTC."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (2026-11-03) nor an ISO 8601 time"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def window(since: datetime, until: datetime | None, now: datetime) -> tuple[datetime, datetime, list[str]]:
    """The compared window (:func:`sesops.analysis.reconcile.counted_window`); an empty one is refused."""
    from sesops.analysis.reconcile import counted_window

    counted = counted_window(since, until, now)
    if counted.empty:
        raise InputError(
            f"--since {since:%Y-%m-%d %H:%M} is not before --until {counted.end:%Y-%m-%d %H:%M} (UTC)"
        )
    return counted.start, counted.end, list(counted.notes)


def run(args: argparse.Namespace) -> int:
    require_extra("analysis")
    from sesops.analysis.reconcile import Reconciliation, account_tallies, captured_counts
    from sesops.aws.statistics import send_statistics, totals
    from sesops.load.reader import read_events

    now = datetime.now(UTC)
    start, end, notes = window(args.since, args.until, now)
    session = session_for(args.profile)
    events = read_events(*args.sources, progress=False)
    counted = totals(send_statistics(session=session, region=args.region), start, end)
    captured = captured_counts(events, start, end, region=args.region)
    tallies, more = account_tallies(
        bounces=counted.bounces,
        complaints=counted.complaints,
        delivery_attempts=counted.delivery_attempts,
        captured=captured,
    )
    tolerance = args.tolerance / 100
    results = [Reconciliation(f"in {args.region}", start, tallies, (*notes, *more), tolerance)]
    results += _per_identity(args, events, start, end, session, tolerance)
    for result in results:
        print("\n".join(result.lines()))
    found = any(r.found_gap for r in results)
    if found and end > now - IN_FLIGHT:
        print(
            f"(feedback for the last hour may still be on its way: --until {now - IN_FLIGHT:%Y-%m-%dT%H:%M} leaves it out)"
        )
    print("gap found." if found else "nothing missing.")
    return EXIT_PROBLEM if found else EXIT_OK


def _per_identity(
    args: argparse.Namespace, events: Any, start: datetime, end: datetime, session: Any, tolerance: float
) -> list[Reconciliation]:
    from sesops.analysis.reconcile import Reconciliation, captured_counts, identity_tallies
    from sesops.aws.statistics import vdm_counts, vdm_enabled

    if not args.identity:
        return []
    if not vdm_enabled(session=session, region=args.region):
        print(
            f"VDM is off in {args.region}: no per-identity counts (turn it on with "
            "`aws sesv2 put-account-vdm-attributes --vdm-attributes VdmEnabled=ENABLED`)."
        )
        return []
    counts = vdm_counts(args.identity, start, end, session=session, region=args.region)
    results = []
    for identity in args.identity:
        captured = captured_counts(events, start, end, region=args.region, identity=identity)
        tallies, notes = identity_tallies(counts[identity], captured)
        results.append(Reconciliation(f"for {identity} (VDM)", start, tallies, notes, tolerance))
    return results
