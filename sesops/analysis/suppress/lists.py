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
    DELIVERED,
    HARD_BOUNCE,
    RELEVANT_EVENT_TYPES,
    RESET_VERDICTS,
    UNDETERMINED,
    SuppressionPolicy,
    judge_rows,
    normalize_emails,
)

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
_READ = ["event_type", "timestamp", "email", "bounce_type", "bounce_subtype", "action", "status",
         "diagnostic_code", "complaint_feedback_type", "message_id", "feedback_id"]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Verdicts:
    """The rows the policy reads, each once, with a ``verdict`` column; and the policy."""

    rows: pd.DataFrame
    policy: SuppressionPolicy


def judge(
    df: pd.DataFrame, policy: SuppressionPolicy | None = None, now: datetime | pd.Timestamp | None = None
) -> Verdicts:
    """Each relevant row's verdict, addresses stripped and lower-cased, repeated feedback once.

    ``now`` drops events after it (rows without a time stay), so a past list can be rebuilt.
    """
    rows = df.loc[df["event_type"].isin(RELEVANT_EVENT_TYPES), _READ]
    rows = rows.assign(email=normalize_emails(rows["email"]))
    rows = rows.loc[rows["email"].fillna("") != ""]
    if now is not None:
        cutoff = pd.Timestamp(now)
        cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff.tz_convert("UTC")
        rows = rows.loc[~(rows["timestamp"] > cutoff)]
    verdict = judge_rows(rows)
    rows = rows.assign(verdict=verdict).loc[verdict.notna()]
    feedback = rows["verdict"] != DELIVERED  # deliveries only give a time: no need to dedupe them
    deduped = rows.loc[feedback].drop_duplicates(FEEDBACK_KEY)
    rows = pd.concat([deduped, rows.loc[~feedback]]) if len(deduped) < feedback.sum() else rows
    return Verdicts(rows=rows, policy=policy or SuppressionPolicy())


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
    immediate = rows.loc[rows["verdict"].isin(policy.immediate_verdicts())]
    evidence = pd.concat([immediate.assign(kind=immediate["verdict"]), soft_evidence(verdicts)])
    if evidence.empty:
        return empty_frame(FRAME_COLUMNS)
    evidence = evidence.assign(rank=evidence["kind"].map(RANK))
    # the strongest rule per address, described by its earliest event
    chosen = evidence.sort_values(["email", "rank", "timestamp"], kind="stable").drop_duplicates("email")
    chosen = chosen.set_index("email")
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
    out = summarize_events(rows, by=["email", "verdict"]).rename_axis(["email", "review_reason"])
    return finish(out, REVIEW_COLUMNS, sort=["email", "review_reason"])


def soft_evidence(verdicts: Verdicts) -> pd.DataFrame:
    """The counted soft bounces of addresses the soft rule fires for (``kind`` set).

    Counted: soft bounces after the address's last Delivery, Open, Click or auto-reply (when
    ``reset_on_delivery``).
    Fires: ``soft_bounce_days`` distinct UTC days whose first and last are less than
    ``soft_bounce_window_days`` apart.
    """
    rows, policy = verdicts.rows, verdicts.policy
    soft = rows.loc[rows["verdict"].isin(policy.soft_verdicts()) & rows["timestamp"].notna()]
    if soft.empty or policy.soft_bounce_days is None:
        return soft.assign(kind=pd.Series(dtype="str"))
    if policy.reset_on_delivery:
        delivered = rows.loc[rows["verdict"].isin(RESET_VERDICTS) & rows["email"].isin(soft["email"])]
        if len(delivered):
            last_delivery = soft["email"].map(delivered.groupby("email")["timestamp"].max())
            soft = soft.loc[last_delivery.isna() | (soft["timestamp"] > last_delivery)]
    days = pd.DataFrame({"email": soft["email"], "day": soft["timestamp"].dt.floor("D")})
    days = days.drop_duplicates().sort_values(["email", "day"], kind="stable")
    ahead = policy.soft_bounce_days - 1  # the day that completes a run starting at each day
    same_address = days["email"].shift(-ahead) == days["email"]
    within = (days["day"].shift(-ahead) - days["day"]) < pd.Timedelta(days=policy.soft_bounce_window_days)
    fired = days.loc[same_address & within, "email"].unique()
    return soft.loc[soft["email"].isin(fired)].assign(kind=SOFT_BOUNCE_THRESHOLD)


def summarize_events(rows: pd.DataFrame, by: str | list[str] = "email") -> pd.DataFrame:
    """Per group: first/last seen, events, the last bounce's details and the last message id."""
    ordered = rows.sort_values([*([by] if isinstance(by, str) else by), "timestamp"], kind="stable")
    groups = ordered.groupby(by, sort=True)
    out = pd.DataFrame(
        {
            "first_seen": groups["timestamp"].min(),
            "last_seen": groups["timestamp"].max(),
            "events": groups.size().astype("int64"),
            "last_message_id": groups["message_id"].last(),
        }
    )
    bounces = last_of(ordered.loc[ordered["event_type"] == "Bounce"], by)
    for column, source in (("last_bounce_type", "bounce_type"), ("last_bounce_subtype", "bounce_subtype"),
                           ("last_status", "status"), ("last_diagnostic", "diagnostic_code")):  # fmt: skip
        out[column] = bounces[source]
    return out


def last_of(rows: pd.DataFrame, by: str | list[str] = "email") -> pd.DataFrame:
    """The latest row of each group (rows without a time count as earliest), indexed by group."""
    keys = [by] if isinstance(by, str) else by
    ordered = rows.sort_values([*keys, "timestamp"], kind="stable", na_position="first")
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
