"""Breakdowns of an events table the report shows beside the summary (pure, pandas only):
rates per recipient domain, time from send to bounce, complaint feedback types, delay types.

Rates per domain use the same denominator as :func:`~sesops.analysis.rates.summarize`
(:func:`~sesops.analysis.rates.sent_pairs`): distinct (message, recipient) pairs sent to the
domain. Time from send to bounce needs a send time for the bounced recipient: the
configuration-set Send event of the same message and recipient (identity notifications carry
none in the events table), so a feed without Send events has no timed bounce.
"""

from __future__ import annotations

import pandas as pd

from sesops.analysis.rates import category_pairs, sent_pairs

NONE = "(none)"
DOMAIN_COLUMNS = ["sends", "hard_bounces", "soft_bounces", "complaints", "bounce_rate", "soft_bounce_rate",
                  "complaint_rate"]  # fmt: skip
DELAY_COLUMNS = ["bounces", "timed", "median", "p90", "longest"]


def domain_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Per recipient domain: sends, hard and soft bounces, complaints (distinct message and
    recipient pairs) and the three rates over sends (NaN when sends cannot be known).

    Indexed by ``recipient_domain``; most hard bounces and complaints first, then most sends.
    """
    addresses = df.loc[df["email"].notna(), ["email", "recipient_domain"]].drop_duplicates("email")
    domain_of: pd.Series = addresses.set_index("email")["recipient_domain"]
    basis, pairs = sent_pairs(df)

    def per_domain(rows: pd.DataFrame) -> pd.Series:
        counts: pd.Series = rows["email"].map(domain_of).value_counts()
        return counts

    table = pd.DataFrame(
        {
            "sends": per_domain(pairs),
            "hard_bounces": per_domain(category_pairs(df, "hard_bounce")),
            "soft_bounces": per_domain(category_pairs(df, "soft_bounce")),
            "complaints": per_domain(category_pairs(df, "complaint")),
        }
    )
    table = table.fillna(0).astype("int64").rename_axis("recipient_domain")
    sends = table["sends"].where(table["sends"] > 0).astype("float64")
    if basis == "unavailable":
        table["sends"] = pd.NA
        sends = sends * float("nan")
    table["bounce_rate"] = table["hard_bounces"] / sends
    table["soft_bounce_rate"] = table["soft_bounces"] / sends
    table["complaint_rate"] = table["complaints"] / sends
    order = (table["hard_bounces"] + table["complaints"]).rename("_problems")
    table = table.assign(_problems=order, _sends=table["sends"].fillna(0))
    table = table.sort_values(["_problems", "_sends"], ascending=False, kind="stable")
    return table.drop(columns=["_problems", "_sends"]).loc[:, DOMAIN_COLUMNS]


def send_to_bounce(df: pd.DataFrame) -> pd.DataFrame:
    """Each Bounce row's ``category`` and ``delay`` since its recipient's Send (NaT: no Send)."""
    bounces = df.loc[df["event_type"] == "Bounce", ["message_id", "email", "timestamp", "category"]]
    sends = df.loc[df["event_type"] == "Send", ["message_id", "email", "timestamp"]]
    sent = sends.groupby(["message_id", "email"])["timestamp"].min().rename("sent")
    timed = bounces.join(sent, on=["message_id", "email"])
    return pd.DataFrame({"category": timed["category"], "delay": timed["timestamp"] - timed["sent"]})


def delay_summary(delays: pd.DataFrame) -> pd.DataFrame:
    """Per bounce category: bounces, how many have a send time, and the median, 90th
    percentile and longest time from send to bounce of those."""
    if delays.empty:
        return pd.DataFrame(columns=DELAY_COLUMNS, index=pd.Index([], name="category"))
    groups = delays.groupby("category", sort=True)["delay"]
    table = pd.DataFrame(
        {
            "bounces": groups.size(),
            "timed": groups.count(),
            "median": groups.median(),
            "p90": groups.quantile(0.9),
            "longest": groups.max(),
        }
    )
    return table.sort_values("bounces", ascending=False, kind="stable").loc[:, DELAY_COLUMNS]


def counts_by(rows: pd.DataFrame, column: str, messages: bool = False) -> pd.DataFrame:
    """``column`` value (missing as ``(none)``): ``events``, ``recipients`` (and ``messages``), most first."""
    keyed = rows.assign(**{column: rows[column].fillna(NONE)})
    spec = {"events": ("email", "size"), "recipients": ("email", "nunique")}
    if messages:
        spec["messages"] = ("message_id", "nunique")
    table = keyed.groupby(column, sort=True).agg(**spec)
    return table.sort_values("events", ascending=False, kind="stable")


def feedback_types(df: pd.DataFrame) -> pd.DataFrame:
    """Complaints by feedback type (abuse, fraud, not-spam, ... or ``(none)`` without a report)."""
    return counts_by(df.loc[df["event_type"] == "Complaint"], "complaint_feedback_type")


def delay_types(df: pd.DataFrame) -> pd.DataFrame:
    """DeliveryDelay events by delay type (MailboxFull, SpamDetected, TransientCommunicationFailure, ...)."""
    return counts_by(df.loc[df["event_type"] == "DeliveryDelay"], "delay_type", messages=True)
