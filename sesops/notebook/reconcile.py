"""Nothing lost, for notebook 05: mail the simulator and capture its feedback (sandbox), then
compare what was captured with what SES itself counted (GetSendStatistics).

::

    run = mail_and_capture(aws, spec, store_path)                  # sandbox only: wire, mail, drain
    sources = captured_sources(aws, [store_path], other_stores)    # the ones this SES's mail reached
    result = reconcile(aws, sources, run.since)   # a Reconciliation: result.lines() names each gap

SES counts per region in 15-minute intervals and keeps two weeks of them, so the compared
window starts at the interval ``since`` falls in (no earlier than two weeks ago) and ends with
the interval now falls in (:func:`sesops.analysis.reconcile.counted_window`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sesops.analysis.reconcile import Reconciliation, account_tallies, captured_counts, counted_window
from sesops.aws.plan import Spec
from sesops.aws.statistics import send_statistics, totals
from sesops.capture.drain import DrainResult
from sesops.errors import InputError
from sesops.load.reader import Source, read_events
from sesops.notebook.capture import drain_expected, open_store
from sesops.notebook.target import AwsTarget
from sesops.notebook.wiring import ensure_wiring, mail_simulator, topic_arn

DEFAULT_LOOKBACK = timedelta(days=1)  # what `since=None` compares


@dataclass(frozen=True)
class SimulatorRun:
    """Mail sent to the mailbox simulator, and its feedback drained into a store."""

    since: datetime  # just before the first message was sent
    mailed: tuple[str, ...]
    drained: DrainResult
    store: Path
    new_queue: bool  # the queue was just made: a new sandbox, so the store started empty

    def summary(self) -> str:
        started = " (a new queue: the store started empty)" if self.new_queue else ""
        return (
            f"mailed {len(self.mailed)} simulator addresses at {self.since:%H:%M:%S} UTC; "
            f"{self.drained.summary()}; into {self.store}{started}"
        )


def mail_and_capture(
    aws: AwsTarget, spec: Spec, store_path: str | os.PathLike[str], *, sender: str | None = None
) -> SimulatorRun:
    """On the sandbox: make ``spec``'s wiring, mail each simulator address from ``sender`` (default:
    ``sesops@`` the first identity, or that address), and drain the feedback from ``spec``'s queue
    into the store at ``store_path``. Refused on a real account.

    The store keeps what earlier runs drained from the same queue, so that it holds every
    message this SES counted; when the queue had to be made (a sandbox that never saw this
    wiring: what the store holds came from another one), the store starts empty.
    """
    if not aws.is_sandbox:
        raise InputError(
            "mail_and_capture mails and provisions on the sandbox only; on a real account reconcile "
            "what your capture already holds (set `since` and `captured`)"
        )
    if not spec.sqs_queue or not spec.identities:
        raise InputError("the wiring needs an identity to send from and an SQS queue to drain (Spec)")
    identity = spec.identities[0]
    wiring = ensure_wiring(aws, spec)
    new_queue = any(
        step.resource == "queue" and step.name == spec.sqs_queue and step.mark == "create"
        for step in wiring.steps
    )
    store = open_store(store_path, fresh=new_queue)
    since = datetime.now(UTC)
    mailed = mail_simulator(aws, sender or (identity if "@" in identity else f"sesops@{identity}"))
    verifier = aws.verifier((topic_arn(aws, spec.topic),))
    drained = drain_expected(
        store, spec.sqs_queue, len(mailed), session=aws.session, region=aws.region, verifier=verifier
    )
    return SimulatorRun(since, tuple(mailed), drained, store.path, new_queue)


def captured_sources(
    aws: AwsTarget, own: Sequence[str | os.PathLike[str]], others: Sequence[str | os.PathLike[str]]
) -> list[str | os.PathLike[str]]:
    """The sources, among those that exist, that hold feedback of the SES ``aws`` talks to:
    ``own`` always; ``others`` (other notebooks' stores) unless ``aws`` is this kernel's own
    sandbox, which no other notebook sent mail through."""
    chosen = [*own, *others] if aws.kind != "sandbox" else list(own)
    return [source for source in chosen if Path(source).exists()]


def reconcile(
    aws: AwsTarget,
    sources: Sequence[Source],
    since: datetime | str | None = None,
    *,
    now: datetime | None = None,
) -> Reconciliation:
    """What ``sources`` captured against what SES counted in the target's region since ``since``
    (a time, ISO 8601 text such as ``2026-11-03`` read as UTC, or None: the last 24 hours)."""
    now = now or datetime.now(UTC)
    chosen = now - DEFAULT_LOOKBACK if since is None else since
    chosen = utc_time(chosen) if isinstance(chosen, str) else chosen
    window = counted_window(chosen, None, now)
    if window.empty:
        raise InputError(f"since {chosen:%Y-%m-%d %H:%M} UTC is in the future: give a time before now")
    events = read_events(*sources)
    counted = totals(send_statistics(session=aws.session, region=aws.region), window.start, window.end)
    captured = captured_counts(events, window.start, window.end, region=aws.region)
    tallies, more = account_tallies(
        bounces=counted.bounces,
        complaints=counted.complaints,
        delivery_attempts=counted.delivery_attempts,
        captured=captured,
    )
    return Reconciliation(f"in {aws.region}", window.start, tallies, (*window.notes, *more))


def utc_time(text: str) -> datetime:
    """``2026-11-03`` or an ISO 8601 time; a time without a zone is UTC."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"since {text!r} is not a date (2026-11-03) nor an ISO 8601 time") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
