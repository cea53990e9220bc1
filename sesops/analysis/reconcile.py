"""Nothing lost: what was captured against what SES itself counted over the same window (pure).

SES counts every bounce and complaint whether or not its notification ever reached you; a
webhook or queue that drops feedback shows up as fewer captured rows than SES counted. Each
of SES's counters is answered by these captured rows (one per recipient, deduplicated):

==================== ======================================================================
SES counter          captured rows
==================== ======================================================================
bounces              Bounce, except auto-replies (Transient/General without a status) and
                     OnAccountSuppressionList (SES does not count those towards the bounce rate)
complaints           Complaint (any feedback type)
delivery attempts    Delivery plus every Bounce but auto-replies (only when Delivery
                     feedback is captured: without it the comparison means nothing)
VDM permanent        the bounces above whose bounceType is Permanent
VDM transient        the bounces above whose bounceType is Transient
VDM complaints       Complaint
VDM deliveries       Delivery (only when Delivery feedback is captured)
==================== ======================================================================

:func:`counted_window` is the window SES can count (whole 15-minute intervals of the last two
weeks); :func:`captured_counts` counts a window of the events table; :func:`account_tallies` and
:func:`identity_tallies` pair the counts with SES's; :class:`Reconciliation` names each gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

import pandas as pd

from sesops.errors import InputError

FIX = "check the subscription's delivery status and the DLQ"
EXTRA_WHY = "feedback redelivered past deduplication, or counted by SES outside the window"
INTERVAL = timedelta(minutes=15)  # GetSendStatistics' data points
RETENTION = timedelta(days=14)  # how far back GetSendStatistics reaches (as sesops.aws.statistics)


@dataclass(frozen=True, slots=True)
class CountedWindow:
    """``[start, end)`` in whole 15-minute intervals, and why it differs from what was asked."""

    start: datetime
    end: datetime
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.start >= self.end


def counted_window(since: datetime, until: datetime | None, now: datetime) -> CountedWindow:
    """``[since, until)`` (``until`` None: now) as SES counts it (pure): widened to whole 15-minute
    intervals, ending no later than ``now``'s interval and starting no earlier than SES keeps.

    The window may be empty (``since`` at or past its end); each caller words that refusal.
    """
    for name, when in (("since", since), ("until", until), ("now", now)):
        if when is not None:
            _require_aware(when, name)
    end = _ceil(min(until or now, now))
    oldest = _ceil(now - RETENTION)
    start = _floor(since)
    if start >= oldest:
        return CountedWindow(start, end)
    note = (
        f"GetSendStatistics keeps two weeks: compared from {oldest:%Y-%m-%d %H:%M} UTC, not {since:%Y-%m-%d}"
    )
    return CountedWindow(oldest, end, (note,))


@dataclass(frozen=True, slots=True)
class Captured:
    """Captured rows of one window, by what they answer (see the module table)."""

    bounces: int = 0
    suppressed_bounces: int = 0  # OnAccountSuppressionList: SES sent nothing, counts no bounce
    permanent_bounces: int = 0
    transient_bounces: int = 0
    complaints: int = 0
    deliveries: int = 0
    other_regions: int = 0  # rows left out: their topic is in another region
    untimed: int = 0  # rows left out: no timestamp


@dataclass(frozen=True, slots=True)
class Tally:
    """One counter: what SES counted and what was captured for it."""

    what: str  # "bounces", "complaints", ...
    counted: int
    captured: int

    @property
    def missing(self) -> int:
        return max(self.counted - self.captured, 0)

    @property
    def extra(self) -> int:
        return max(self.captured - self.counted, 0)

    @property
    def missing_share(self) -> float:
        return self.missing / self.counted if self.counted else 0.0


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """The tallies of one scope (an account's region, or one identity under VDM) and their gaps."""

    scope: str  # "in us-east-1", "for example.com (VDM)"
    since: datetime
    tallies: tuple[Tally, ...]
    notes: tuple[str, ...] = ()
    tolerance: float = 0.0  # a share missing at or below this is not a gap

    @property
    def gaps(self) -> tuple[Tally, ...]:
        return tuple(t for t in self.tallies if t.missing and t.missing_share > self.tolerance)

    @property
    def found_gap(self) -> bool:
        return bool(self.gaps)

    def lines(self) -> list[str]:
        """One sentence per tally, then the notes."""
        return [describe(t, self.scope, self.since) for t in self.tallies] + list(self.notes)


def captured_counts(
    df: pd.DataFrame,
    since: datetime,
    until: datetime,
    *,
    region: str | None = None,
    identity: str | None = None,
) -> Captured:
    """Count the rows of ``[since, until)``; with ``region``, rows whose topic is elsewhere are
    left out; with ``identity`` (a domain or an address), only mail sent from it counts."""
    start, end = _utc(since, "since"), _utc(until, "until")
    rows = df
    other_regions = 0
    if region is not None:
        topic_region = rows["topic_arn"].astype("string").str.split(":").str[3]
        elsewhere = topic_region.notna() & (topic_region != region)
        other_regions = int(elsewhere.sum())
        rows = rows.loc[~elsewhere]
    if identity is not None:
        rows = rows.loc[_sent_from(rows["source"], identity)]
    untimed = int(rows["timestamp"].isna().sum())
    rows = rows.loc[(rows["timestamp"] >= start) & (rows["timestamp"] < end)]
    event, bounce_type = rows["event_type"], rows["bounce_type"]
    answered = (event == "Bounce") & (rows["category"] != "auto_reply")
    suppressed = answered & (rows["bounce_subtype"] == "OnAccountSuppressionList")
    bounces = answered & ~suppressed
    return Captured(
        bounces=int(bounces.sum()),
        suppressed_bounces=int(suppressed.sum()),
        permanent_bounces=int((bounces & (bounce_type == "Permanent")).sum()),
        transient_bounces=int((bounces & (bounce_type == "Transient")).sum()),
        complaints=int((event == "Complaint").sum()),
        deliveries=int((event == "Delivery").sum()),
        other_regions=other_regions,
        untimed=untimed,
    )


def account_tallies(
    *, bounces: int, complaints: int, delivery_attempts: int, captured: Captured
) -> tuple[tuple[Tally, ...], tuple[str, ...]]:
    """GetSendStatistics' counters against the capture: (tallies, notes)."""
    tallies = [
        Tally("bounces", bounces, captured.bounces),
        Tally("complaints", complaints, captured.complaints),
    ]
    notes = list(_left_out(captured))
    if captured.deliveries:
        answered = captured.deliveries + captured.bounces + captured.suppressed_bounces
        tallies.append(Tally("delivery attempts", delivery_attempts, answered))
    else:
        they, them = ("it is", "it") if delivery_attempts == 1 else ("they are", "them")
        notes.append(
            f"SES counted {quantity(delivery_attempts, 'delivery attempts')}; no Delivery feedback was "
            f"captured, so {they} not compared (wire Delivery notifications to compare {them})"
        )
    return tuple(tallies), tuple(notes)


def identity_tallies(vdm: dict[str, int], captured: Captured) -> tuple[tuple[Tally, ...], tuple[str, ...]]:
    """VDM's counters of one identity (metric -> count) against the capture: (tallies, notes)."""
    tallies = [
        Tally("permanent bounces", vdm.get("PERMANENT_BOUNCE", 0), captured.permanent_bounces),
        Tally("transient bounces", vdm.get("TRANSIENT_BOUNCE", 0), captured.transient_bounces),
        Tally("complaints", vdm.get("COMPLAINT", 0), captured.complaints),
    ]
    notes = list(_left_out(captured))
    if captured.deliveries:
        tallies.append(Tally("deliveries", vdm.get("DELIVERY", 0), captured.deliveries))
    else:
        counted = quantity(vdm.get("DELIVERY", 0), "deliveries")
        notes.append(f"VDM counted {counted}; no Delivery feedback was captured")
    return tuple(tallies), tuple(notes)


def describe(tally: Tally, scope: str, since: datetime) -> str:
    """``SES counted 1,204 bounces in us-east-1 since Nov 3; 1,150 were captured: 54 missing (4.5 %) — ...``."""
    counted = f"SES counted {quantity(tally.counted, tally.what)} {scope} since {day(since)}"
    captured = f"{tally.captured:,} {'was' if tally.captured == 1 else 'were'} captured"
    if tally.missing:
        share = f"{tally.missing_share * 100:.1f} %"
        return f"{counted}; {captured}: {tally.missing:,} missing ({share}) — {FIX}"
    if tally.extra:
        return f"{counted}; {captured}: {tally.extra:,} more than SES counted ({EXTRA_WHY})"
    if tally.counted == 1:
        return f"{counted}; it was captured"
    return f"{counted}; all were captured" if tally.counted else f"{counted}; none were captured either"


def quantity(count: int, noun: str) -> str:
    """``1,204 bounces``, ``1 bounce``, ``0 deliveries``, ``1 delivery attempt``: ``noun`` is given
    in the plural (as :attr:`Tally.what` is) and made singular for a count of one."""
    return f"{count:,} {singular(noun) if count == 1 else noun}"


def singular(noun: str) -> str:
    """The singular of an English plural, by its last word: ``deliveries`` -> ``delivery``,
    ``addresses`` -> ``address``, ``bounces`` -> ``bounce``. A word without a plural ``s``
    (``feedback``, ``address``) is returned as it is; irregular plurals are not known."""
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    if noun.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return noun[:-2]
    if noun.endswith("s") and not noun.endswith("ss"):
        return noun[:-1]
    return noun


def day(when: datetime) -> str:
    """``Nov 3`` (with the time when it is not midnight UTC)."""
    stamp = pd.Timestamp(when).tz_convert("UTC")
    text = f"{stamp:%b} {stamp.day}"
    return text if (stamp.hour, stamp.minute) == (0, 0) else f"{text} {stamp:%H:%M} UTC"


def _sent_from(sources: pd.Series, identity: str) -> pd.Series:
    """Which rows were sent from ``identity``: that address, or any address at that domain."""
    wanted = identity.strip().lower()
    addresses = sources.map(lambda s: parseaddr(s)[1].lower() if isinstance(s, str) else "")
    if "@" in wanted:
        return addresses == wanted
    return addresses.str.rpartition("@")[2] == wanted


def _left_out(captured: Captured) -> list[str]:
    notes = []
    if captured.other_regions:
        rows, one = quantity(captured.other_regions, "captured rows"), captured.other_regions == 1
        elsewhere = "a topic in another region" if one else "topics in other regions"
        notes.append(f"{rows} came from {elsewhere}: left out")
    if captured.untimed:
        have = "has" if captured.untimed == 1 else "have"
        notes.append(f"{quantity(captured.untimed, 'captured rows')} {have} no timestamp: left out")
    return notes


def _floor(when: datetime) -> datetime:
    step = INTERVAL.total_seconds()
    return datetime.fromtimestamp(when.timestamp() // step * step, UTC)


def _ceil(when: datetime) -> datetime:
    floored = _floor(when)
    return floored if floored == when else floored + INTERVAL


def _require_aware(when: datetime, name: str) -> None:
    if when.tzinfo is None:
        raise InputError(f"{name} must be timezone-aware (UTC), not {when.isoformat()}")


def _utc(when: datetime, name: str) -> pd.Timestamp:
    _require_aware(when, name)
    return pd.Timestamp(when).tz_convert("UTC")
