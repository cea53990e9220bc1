"""Counts, rates against SES's thresholds, and breakdowns of an events table (pure, pandas only).

Rates follow SES: a count of *sent recipient-messages* is the denominator, one per distinct
(``message_id``, ``email``) pair, because SES computes reputation rates over what you sent,
not over the feedback you happen to receive. Where that count comes from is ``rate_basis``:

``send_events``  Send events (configuration-set event publishing) cover every message that has
                 feedback: each distinct (message, recipient) among them is one send. The true
                 SES denominator.
``inferred``     Delivery events are present but Send events are not, or do not cover every
                 message with feedback (a mixed feed, or an export that starts mid-flight):
                 every message/recipient with a Send, Delivery, Bounce, Complaint or
                 DeliveryDelay counts once. Close to the truth when delivery notices are on.
``given``        the caller passed ``sends`` (e.g. from the SES console or GetSendStatistics).
``unavailable``  otherwise, e.g. only bounces and complaints: an identity-notification feed
                 without Delivery says nothing about what was delivered, so no true rate
                 exists. Rates are ``None`` and the status is ``unknown`` rather than a
                 misleading ~100 %.

The union in ``inferred`` keeps a rate at or below 100 % whatever mix of shapes is loaded.

The bounce rate counts hard bounces only (``Permanent``), as SES's reputation metric does;
the complaint rate counts complaints except ``not-spam`` feedback.

Threshold levels (fractions; see :class:`Thresholds`): SES puts an account *under review* at a
5 % bounce rate or 0.1 % complaint rate and may *pause* sending at 10 % / 0.5 %. ``warning``
starts where AWS recommends staying below: 2 % bounces, and half the review level (0.05 %)
for complaints. A status holds from its level upwards (a 5.0 % bounce rate is ``review``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from sesops.errors import InputError
from sesops.events.classify import CATEGORIES

RateBasis = Literal["send_events", "inferred", "given", "unavailable"]
Status = Literal["ok", "warning", "review", "pause", "unknown"]

#: Severity order of statuses, worst last (``unknown`` sorts below ``ok``: absence of data is
#: reported by ``rate_basis``, not as an alarm).
STATUS_ORDER: tuple[Status, ...] = ("unknown", "ok", "warning", "review", "pause")

#: Categories that are trouble: bounces that may need suppression, and complaints.
PROBLEM_CATEGORIES: tuple[str, ...] = ("hard_bounce", "soft_bounce", "undetermined", "complaint")

#: Event types whose (message, recipient) pairs were sent (counted with Send in ``inferred``).
OUTCOME_TYPES: tuple[str, ...] = ("Delivery", "Bounce", "Complaint", "DeliveryDelay")
#: One sent recipient-message: what the rates count.
SENT_PAIR = ["message_id", "email"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Rate levels (fractions of sends) at which each status starts."""

    bounce_warning: float = 0.02
    bounce_review: float = 0.05
    bounce_pause: float = 0.10
    complaint_warning: float = 0.0005
    complaint_review: float = 0.001
    complaint_pause: float = 0.005

    def bounce_status(self, rate: float | None) -> Status:
        return _status(rate, self.bounce_warning, self.bounce_review, self.bounce_pause)

    def complaint_status(self, rate: float | None) -> Status:
        return _status(rate, self.complaint_warning, self.complaint_review, self.complaint_pause)


def _status(rate: float | None, warning: float, review: float, pause: float) -> Status:
    if rate is None:
        return "unknown"
    if rate >= pause:
        return "pause"
    if rate >= review:
        return "review"
    if rate >= warning:
        return "warning"
    return "ok"


@dataclass(frozen=True, slots=True)
class Summary:
    """What :func:`summarize` finds; rates are fractions (0.061 is 6.1 %)."""

    rows: int
    messages: int
    recipients: int
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    by_category: dict[str, int]
    by_event_type: dict[str, int]
    sends: int | None
    hard_bounces: int
    complaints: int
    bounce_rate: float | None
    complaint_rate: float | None
    bounce_status: Status
    complaint_status: Status
    rate_basis: RateBasis
    rate_note: str
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def status(self) -> Status:
        """The worse of the bounce and complaint statuses."""
        return max(self.bounce_status, self.complaint_status, key=STATUS_ORDER.index)


_BASIS_NOTES: dict[RateBasis, str] = {
    "send_events": "rates over Send events (what SES counts)",
    "inferred": "sends inferred from Send, Delivery, Bounce, Complaint and DeliveryDelay rows, "
    "one per message and recipient (no Send events, or not for every message)",
    "given": "rates over the number of sends given",
    "unavailable": "no Send or Delivery events: a bounce/complaint-only feed cannot give a true rate "
    "(enable Delivery notifications or configuration-set Send events, or pass sends=)",
}


def sent_pairs(df: pd.DataFrame) -> tuple[RateBasis, pd.DataFrame]:
    """The basis and one row (``message_id``, ``email``, ``timestamp``) per sent recipient-message.

    The timestamp is the earliest of the pair's Send and outcome events. Empty for
    ``unavailable``. See the module docstring for the rule.
    """
    event_type = df["event_type"]
    sends = df.loc[event_type == "Send"]
    outcomes = df.loc[event_type.isin(OUTCOME_TYPES)]
    basis: RateBasis
    if len(sends) and outcomes["message_id"].isin(sends["message_id"]).all():
        basis = "send_events"
    elif (event_type == "Delivery").any():
        basis = "inferred"
    else:
        return "unavailable", df.loc[[], [*SENT_PAIR, "timestamp"]]
    rows = pd.concat([sends, outcomes]) if basis == "inferred" else sends
    rows = rows.sort_values("timestamp", kind="stable").drop_duplicates(SENT_PAIR)
    return basis, rows.loc[:, [*SENT_PAIR, "timestamp"]]


def category_pairs(df: pd.DataFrame, category: str) -> pd.DataFrame:
    """Distinct (message, recipient) rows of one category, earliest first."""
    rows = df.loc[df["category"] == category]
    return rows.sort_values("timestamp", kind="stable").drop_duplicates(SENT_PAIR)


def _counts(series: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in series.value_counts().items()}


def summarize(df: pd.DataFrame, *, sends: int | None = None, thresholds: Thresholds | None = None) -> Summary:
    """Counts, sends, bounce and complaint rates, and their status against ``thresholds``.

    ``sends`` overrides the denominator (``rate_basis="given"``) when the true number is known.
    """
    if sends is not None and sends < 0:
        raise InputError(f"sends must be >= 0, not {sends}")
    thresholds = thresholds or Thresholds()
    basis, pairs = sent_pairs(df)
    sent: int | None
    if sends is not None:
        basis, sent = "given", sends
    else:
        sent = len(pairs) if basis != "unavailable" else None
    hard = len(category_pairs(df, "hard_bounce"))
    complaints = len(category_pairs(df, "complaint"))
    bounce_rate = hard / sent if sent else None
    complaint_rate = complaints / sent if sent else None
    stamps = df["timestamp"].dropna()
    return Summary(
        rows=len(df),
        messages=int(df["message_id"].nunique()),
        recipients=int(df["email"].nunique()),
        first=stamps.min() if len(stamps) else None,
        last=stamps.max() if len(stamps) else None,
        by_category=_counts(df["category"]),
        by_event_type=_counts(df["event_type"]),
        sends=sent,
        hard_bounces=hard,
        complaints=complaints,
        bounce_rate=bounce_rate,
        complaint_rate=complaint_rate,
        bounce_status=thresholds.bounce_status(bounce_rate),
        complaint_status=thresholds.complaint_status(complaint_rate),
        rate_basis=basis,
        rate_note=_BASIS_NOTES[basis],
        thresholds=thresholds,
    )


def ordered_categories(present: pd.Index | list[str]) -> list[str]:
    """Categories in the classifier's order, then any others alphabetically."""
    names = [str(c) for c in present]
    return [c for c in CATEGORIES if c in names] + sorted(c for c in names if c not in CATEGORIES)


def _per_day(stamps: pd.Series) -> pd.Series:
    counts: pd.Series = stamps.dropna().dt.floor("D").value_counts()
    return counts


def daily(df: pd.DataFrame) -> pd.DataFrame:
    """Per UTC day: row counts per category, ``sends``, ``bounce_rate`` and ``complaint_rate``.

    Indexed by ``day`` (midnight UTC), every day from first to last present (zeros between).
    A day's rate is that day's hard bounces (complaints) over that day's sends; NaN when there
    were no sends that day or no sends can be known (``rate_basis == "unavailable"``).
    """
    timed = df.loc[df["timestamp"].notna()]
    if timed.empty:
        columns = ["sends", "bounce_rate", "complaint_rate"]
        return pd.DataFrame(columns=columns, index=pd.DatetimeIndex([], tz="UTC", name="day"))
    days = timed["timestamp"].dt.floor("D").rename("day")
    basis, pairs = sent_pairs(timed)
    return daily_table(
        pd.crosstab(days, timed["category"]),
        pd.date_range(days.min(), days.max(), freq="D", name="day"),
        basis,
        sends=_per_day(pairs["timestamp"]),
        hard_bounces=_per_day(category_pairs(timed, "hard_bounce")["timestamp"]),
        complaints=_per_day(category_pairs(timed, "complaint")["timestamp"]),
    )


def daily_table(
    counts: pd.DataFrame,
    days: pd.DatetimeIndex,
    basis: RateBasis,
    *,
    sends: pd.Series,
    hard_bounces: pd.Series,
    complaints: pd.Series,
) -> pd.DataFrame:
    """:func:`daily`'s table from its per-day parts, so an engine that reduces a table too big for
    pandas (:mod:`sesops.dask`) gives the same one: ``counts`` (day x category row counts),
    ``days`` (every day shown), the rate basis, and per day the sent, hard-bounced and complained
    (message, recipient) pairs, each counted on the day of its earliest row."""
    counts = counts.loc[:, ordered_categories(counts.columns)]
    counts = counts.reindex(days, fill_value=0)
    counts.columns.name = None
    sent = sends.reindex(days, fill_value=0)
    denominator = sent.where(sent > 0).astype("float64")
    counts["sends"] = sent if basis != "unavailable" else pd.Series(float("nan"), index=days)
    counts["bounce_rate"] = hard_bounces.reindex(days, fill_value=0) / denominator
    counts["complaint_rate"] = complaints.reindex(days, fill_value=0) / denominator
    return counts


def breakdown(df: pd.DataFrame, column: str, top: int = 10, sort_by: str = "total") -> pd.DataFrame:
    """``column`` value × category row counts, plus ``problems`` and ``total``; the ``top`` values.

    ``sort_by`` is ``"total"``, ``"problems"`` (hard/soft/undetermined bounces and complaints)
    or a category name. Rows whose ``column`` is missing are left out.
    """
    return top_of(crosstab(df, column), sort_by, top)


def crosstab(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """``column`` value × category row counts, plus ``problems`` and ``total``, in ``column`` order.

    Sort it with :func:`top_of` (several orders of one table cost one crosstab).
    """
    rows = df.loc[df[column].notna()]
    if rows.empty:
        return pd.DataFrame(columns=["problems", "total"], index=pd.Index([], name=column, dtype="str"))
    table = pd.crosstab(rows[column], rows["category"])
    table = table.loc[:, ordered_categories(table.columns)]
    table.columns.name = None
    problems = [c for c in PROBLEM_CATEGORIES if c in table.columns]
    table["problems"] = table[problems].sum(axis=1) if problems else 0
    table["total"] = table.drop(columns="problems").sum(axis=1)
    return table


def top_of(table: pd.DataFrame, sort_by: str = "total", top: int | None = None) -> pd.DataFrame:
    """The ``top`` rows of a :func:`crosstab` (all when None), most ``sort_by`` first, then by total."""
    if table.empty:
        return table
    # a category absent from the data sorts as all zeros (then by total)
    key = table[sort_by] if sort_by in table.columns else pd.Series(0, index=table.index)
    table = table.assign(_key=key).sort_values(["_key", "total"], ascending=False, kind="stable")
    table = table.drop(columns="_key")
    return table if top is None else table.head(top)


def by_domain(df: pd.DataFrame, top: int = 10, sort_by: str = "total") -> pd.DataFrame:
    """Recipient domain × category (see :func:`breakdown`)."""
    return breakdown(df, "recipient_domain", top, sort_by)


def bounce_breakdown(df: pd.DataFrame) -> pd.DataFrame:
    """Bounce rows by (``bounce_type``, ``bounce_subtype``): ``category``, ``events``, ``recipients``.

    Most frequent first; a missing type or subtype shows as ``"(none)"``.
    """
    bounces = df.loc[df["event_type"] == "Bounce"]
    columns = ["bounce_type", "bounce_subtype", "category", "events", "recipients"]
    if bounces.empty:
        return pd.DataFrame(columns=columns)
    keys = bounces.assign(
        bounce_type=bounces["bounce_type"].fillna("(none)"),
        bounce_subtype=bounces["bounce_subtype"].fillna("(none)"),
    )
    grouped = keys.groupby(["bounce_type", "bounce_subtype", "category"], sort=True)
    out = grouped.agg(events=("email", "size"), recipients=("email", "nunique")).reset_index()
    return out.sort_values(["events", "bounce_type"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


_ADDRESS = re.compile(r"<?[^\s<>@;:,\"']+@[^\s<>;:,\"']+>?")
_SPACES = re.compile(r"\s+")
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")


def normalize_diagnostic(text: str) -> str:
    """A diagnostic code with addresses replaced by ``<address>`` and whitespace collapsed,
    so the same rejection from different mailboxes groups together."""
    return _SPACES.sub(" ", _ADDRESS.sub("<address>", text)).strip()


def top_diagnostics(df: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` most frequent bounce diagnostic codes (addresses masked, see
    :func:`normalize_diagnostic`): ``diagnostic``, ``status``, ``events``, ``recipients``."""
    rows = df.loc[df["diagnostic_code"].notna()]
    columns = ["diagnostic", "status", "events", "recipients"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    diagnostic = rows["diagnostic_code"].map(normalize_diagnostic)
    status = rows["status"].fillna(diagnostic.str.extract(_STATUS, expand=False)).fillna("")
    frame = pd.DataFrame({"diagnostic": diagnostic, "status": status, "email": rows["email"]})
    grouped = frame.groupby(["diagnostic", "status"], sort=True)
    out = grouped.agg(events=("email", "size"), recipients=("email", "nunique")).reset_index()
    out = out.sort_values(["events", "diagnostic"], ascending=[False, True], kind="stable")
    return out.head(n).reset_index(drop=True).loc[:, columns]
