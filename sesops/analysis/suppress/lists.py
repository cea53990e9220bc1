"""The suppression list and the review list, built from an events table under a policy (pure).

:func:`judge` keeps the rows the policy reads, with addresses normalised, repeated feedback
dropped and each row's verdict; :func:`suppression_list` and :func:`review_list` aggregate it.
:func:`build_suppression_list` and :func:`build_review_list` do both steps. Everything is
column operations and group-bys: no Python loop over rows or addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from sesops.analysis.suppress.policy import (
    COMPLAINT,
    DELIVERED_EVENT_TYPES,
    FEEDBACK_EVENT_TYPES,
    HARD_BOUNCE,
    RESET_VERDICTS,
    UNDETERMINED,
    SuppressionPolicy,
    judge_rows,
    normalize_emails,
)
from sesops.errors import InputError

#: The soft-bounce rule's category (and rule kind) in the suppression list.
SOFT_BOUNCE_THRESHOLD = "soft_bounce_threshold"
#: Columns of the frame :func:`build_suppression_list` returns, in order (also the canonical CSV's).
FRAME_COLUMNS: tuple[str, ...] = (
    "email",
    "reason",
    "category",
    "first_seen",
    "last_seen",
    "events",
    "rule",
    "last_bounce_type",
    "last_bounce_subtype",
    "last_status",
    "last_diagnostic",
    "last_feedback_type",
    "last_message_id",
)
#: Columns of the frame :func:`build_review_list` returns, in order.
REVIEW_COLUMNS: tuple[str, ...] = (
    "email",
    "review_reason",
    "first_seen",
    "last_seen",
    "events",
    "last_bounce_type",
    "last_bounce_subtype",
    "last_status",
    "last_diagnostic",
    "last_message_id",
)
TIME_COLUMNS = ("first_seen", "last_seen")

# rule kinds, strongest first; the reason is SES's own suppression-list vocabulary
RANK = {COMPLAINT: 0, HARD_BOUNCE: 1, UNDETERMINED: 2, SOFT_BOUNCE_THRESHOLD: 3}
REASON = {
    COMPLAINT: "COMPLAINT",
    HARD_BOUNCE: "BOUNCE",
    UNDETERMINED: "BOUNCE",
    SOFT_BOUNCE_THRESHOLD: "BOUNCE",
}
# one SES feedback, however often it was delivered (SNS retries, two subscriptions, overlapping exports)
FEEDBACK_KEY = ["email", "event_type", "message_id", "feedback_id", "timestamp"]
_READ = ["email", "timestamp", "event_type", "bounce_type", "bounce_subtype", "action", "status",
         "diagnostic_code", "complaint_feedback_type", "message_id", "feedback_id"]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Verdicts:
    """What the policy reads of an events table, under ``policy``.

    ``rows``: every Bounce and Complaint row, each feedback once, with its ``verdict``;
    ``deliveries``: the ``email`` and ``timestamp`` of every Delivery, Open and Click.
    """

    rows: pd.DataFrame
    deliveries: pd.DataFrame
    policy: SuppressionPolicy


def judge(
    df: pd.DataFrame, policy: SuppressionPolicy | None = None, now: datetime | pd.Timestamp | None = None
) -> Verdicts:
    """Each feedback row's verdict, addresses stripped and lower-cased, repeated feedback once.

    ``now`` drops events after it (rows without a time stay), so a past list can be rebuilt.
    Only the few feedback rows are copied whole; deliveries give two columns.
    """
    missing = [c for c in _READ if c not in df.columns]
    if missing:
        raise InputError(
            f"not an events table: missing column(s) {', '.join(missing)}; load it with sesops.read_events"
        )
    event_type = df["event_type"]
    wanted = pd.Series(True, index=df.index)
    if now is not None:
        cutoff = pd.Timestamp(now)
        cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff.tz_convert("UTC")
        wanted = ~(df["timestamp"] > cutoff)
    rows = with_addresses(df.loc[event_type.isin(FEEDBACK_EVENT_TYPES) & wanted, _READ])
    rows = rows.assign(verdict=judge_rows(rows)).dropna(subset=["verdict"])
    # one total order (address, time, then every field) so that no result depends on input order
    rows = rows.sort_values(["email", "timestamp", *_READ[2:]], kind="stable", na_position="first")
    rows = rows.drop_duplicates(FEEDBACK_KEY).reset_index(drop=True)
    deliveries = df.loc[event_type.isin(DELIVERED_EVENT_TYPES) & wanted, ["email", "timestamp"]]
    return Verdicts(rows=rows, deliveries=deliveries, policy=policy or SuppressionPolicy())


def with_addresses(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with their addresses normalised, those without one left out."""
    rows = rows.assign(email=normalize_emails(rows["email"]))
    return rows.loc[rows["email"].fillna("") != ""]


def build_suppression_list(
    df: pd.DataFrame, policy: SuppressionPolicy | None = None, now: datetime | pd.Timestamp | None = None
) -> pd.DataFrame:
    """One row per address to suppress (columns :data:`FRAME_COLUMNS`), sorted by email.

    ``reason`` is ``BOUNCE`` or ``COMPLAINT`` (as SES's account suppression list has it),
    ``category`` the rule that fired (``complaint``, ``hard_bounce``, ``soft_bounce_threshold``,
    or ``undetermined`` under ``undetermined="hard"``). Pure: same input, same output, whatever
    the row order or how often a feedback was delivered.
    """
    return suppression_list(judge(df, policy, now))


def build_review_list(
    df: pd.DataFrame, policy: SuppressionPolicy | None = None, now: datetime | pd.Timestamp | None = None
) -> pd.DataFrame:
    """One row per (address, review reason) the policy never suppresses but a person should see:
    auto-replies, undetermined bounces, content problems, recipients that did not fail
    (columns :data:`REVIEW_COLUMNS`). Addresses on the suppression list are left out."""
    verdicts = judge(df, policy, now)
    return review_list(verdicts, suppression_list(verdicts)["email"])


def suppression_list(verdicts: Verdicts) -> pd.DataFrame:
    """:func:`build_suppression_list` from already judged rows."""
    rows, policy = verdicts.rows, verdicts.policy
    kind = rows["verdict"].where(rows["verdict"].isin(policy.immediate_verdicts()))
    kind = kind.where(~rows.index.isin(soft_evidence(verdicts)), SOFT_BOUNCE_THRESHOLD)
    evidence = rows.assign(kind=kind).dropna(subset=["kind"])  # still in (address, time) order
    if evidence.empty:
        return empty_frame(FRAME_COLUMNS)
    rank = evidence["kind"].map(RANK)
    strongest = rank == rank.groupby(evidence["email"]).transform("min")
    # the strongest rule per address, described by its earliest event
    chosen = evidence.loc[strongest].drop_duplicates("email").set_index("email")
    out = summarize_events(evidence)
    out["reason"] = chosen["kind"].map(REASON)
    out["category"] = chosen["kind"]
    out["rule"] = rule_texts(chosen, policy)
    complaints = last_of(evidence.loc[evidence["event_type"] == "Complaint"])
    out["last_feedback_type"] = complaints["complaint_feedback_type"]
    return finish(out, FRAME_COLUMNS)


def review_list(verdicts: Verdicts, suppressed: pd.Series) -> pd.DataFrame:
    """:func:`build_review_list` from judged rows and the addresses already suppressed."""
    rows = verdicts.rows
    rows = rows.loc[rows["verdict"].isin(verdicts.policy.review_verdicts()) & ~rows["email"].isin(suppressed)]
    if rows.empty:
        return empty_frame(REVIEW_COLUMNS)
    rows = rows.sort_values(["email", "verdict"], kind="stable")  # keeps time order within each
    out = summarize_events(rows, by=["email", "verdict"]).rename_axis(["email", "review_reason"])
    return finish(out, REVIEW_COLUMNS, sort=["email", "review_reason"])


def soft_evidence(verdicts: Verdicts) -> pd.Index:
    """The index of the counted soft bounces of addresses the soft rule fires for.

    Counted: soft bounces after the address's last Delivery, Open, Click or auto-reply (when
    ``reset_on_delivery``). Fires: ``soft_bounce_days`` distinct UTC days whose first and
    last are less than ``soft_bounce_window_days`` apart.
    """
    rows, policy = verdicts.rows, verdicts.policy
    soft = rows.loc[rows["verdict"].isin(policy.soft_verdicts()) & rows["timestamp"].notna()]
    if soft.empty or policy.soft_bounce_days is None:
        return soft.index
    if policy.reset_on_delivery:
        soft = after_last_delivery(soft, verdicts)
    days = pd.DataFrame({"email": soft["email"], "day": soft["timestamp"].dt.floor("D")})
    days = days.drop_duplicates()  # already in (address, time) order
    ahead = policy.soft_bounce_days - 1  # the day that completes a run starting at each day
    same_address = days["email"].shift(-ahead) == days["email"]
    within = (days["day"].shift(-ahead) - days["day"]) < pd.Timedelta(days=policy.soft_bounce_window_days)
    fired = days.loc[same_address & within, "email"].unique()
    return soft.index[soft["email"].isin(fired)]


def after_last_delivery(soft: pd.DataFrame, verdicts: Verdicts) -> pd.DataFrame:
    """The soft bounces later than their address's last Delivery, Open, Click or auto-reply."""
    rows = verdicts.rows
    delivered = pd.concat(
        [
            with_addresses(verdicts.deliveries).loc[:, ["email", "timestamp"]],
            rows.loc[rows["verdict"].isin(RESET_VERDICTS), ["email", "timestamp"]],
        ]
    )
    delivered = delivered.loc[delivered["email"].isin(soft["email"])]
    if delivered.empty:
        return soft
    last_delivery = soft["email"].map(delivered.groupby("email")["timestamp"].max())
    return soft.loc[last_delivery.isna() | (soft["timestamp"] > last_delivery)]


def summarize_events(ordered: pd.DataFrame, by: str | list[str] = "email") -> pd.DataFrame:
    """Per group of time-ordered rows: first/last seen, events, the last bounce's details and
    the last message id."""
    groups = ordered.groupby(by, sort=True)
    out = pd.DataFrame(
        {
            "first_seen": groups["timestamp"].min(),
            "last_seen": groups["timestamp"].max(),
            "events": groups.size().astype("int64"),
            "last_message_id": last_of(ordered, by)["message_id"],
        }
    )
    bounces = last_of(ordered.loc[ordered["event_type"] == "Bounce"], by)
    for column, source in (("last_bounce_type", "bounce_type"), ("last_bounce_subtype", "bounce_subtype"),
                           ("last_status", "status"), ("last_diagnostic", "diagnostic_code")):  # fmt: skip
        out[column] = bounces[source]
    return out


def last_of(ordered: pd.DataFrame, by: str | list[str] = "email") -> pd.DataFrame:
    """The last of each group of time-ordered rows (rows without a time sort first), indexed by group."""
    keys = [by] if isinstance(by, str) else by
    return ordered.drop_duplicates(keys, keep="last").set_index(keys)


def rule_texts(chosen: pd.DataFrame, policy: SuppressionPolicy) -> pd.Series:
    """The human-readable rule each address's strongest event fired, e.g. ``hard bounce (Permanent/General)``."""
    kind = chosen["kind"]
    feedback = chosen["complaint_feedback_type"]
    detail = chosen["bounce_type"].fillna("") + "/" + chosen["bounce_subtype"].fillna("")
    detail = detail.str.strip("/")
    texts = np.select(
        [
            (kind == COMPLAINT) & feedback.notna(),
            kind == COMPLAINT,
            (kind == HARD_BOUNCE) & (detail != ""),
            kind == HARD_BOUNCE,
            kind == UNDETERMINED,
        ],
        [
            "complaint (" + feedback.fillna("") + ")",
            "complaint",
            "hard bounce (" + detail + ")",
            "hard bounce",
            "undetermined bounce (suppressed at once by policy)",
        ],
        default=policy.soft_rule(),
    )
    return pd.Series(texts, index=chosen.index, dtype="str")


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in columns})
    for column in TIME_COLUMNS:
        frame[column] = pd.Series([], dtype="datetime64[us, UTC]")
    frame["events"] = pd.Series([], dtype="int64")
    return frame


def finish(out: pd.DataFrame, columns: tuple[str, ...], sort: list[str] | None = None) -> pd.DataFrame:
    """The index back as columns, every column in order, rows sorted, a fresh index."""
    out = out.reset_index()
    for column in columns:
        if column not in out.columns:
            out[column] = pd.Series(pd.NA, index=out.index, dtype="str")
    out = out.sort_values(sort or ["email"], kind="stable")
    return out.loc[:, list(columns)].reset_index(drop=True)


def empty_suppression_frame() -> pd.DataFrame:
    """An empty suppression list with the right columns and dtypes."""
    return empty_frame(FRAME_COLUMNS)
