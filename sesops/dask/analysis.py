"""The suppression policy and the daily rates on a Dask frame: reduced on the cluster, judged by the
pandas code, only the small results returned.

Suppression: the policy judges each address from its own history, so the rows it reads (every
Bounce and Complaint, and per address its last Delivery, Open or Click) are shuffled by address
and each partition goes through :func:`sesops.analysis.suppress.build_suppression_list` as it
is. Daily rates: the day x category counts and the per-day counts of sent, hard-bounced and
complained (message, recipient) pairs are group-bys on the cluster; the same
:func:`sesops.analysis.rates.daily_table` as the pandas path builds the table from them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import dask.dataframe as dd
import pandas as pd
from distributed import Client

from sesops.analysis.rates import OUTCOME_TYPES, SENT_PAIR, RateBasis, daily, daily_table
from sesops.analysis.suppress import (
    DELIVERED_EVENT_TYPES,
    REVIEW_COLUMNS,
    SuppressionPolicy,
    build_review_list,
    build_suppression_list,
    empty_suppression_frame,
)
from sesops.analysis.suppress.lists import empty_frame as empty_list
from sesops.analysis.suppress.lists import with_addresses
from sesops.analysis.suppress.policy import FEEDBACK_EVENT_TYPES
from sesops.dask.cluster import compute, pandas_strings, resolve_client
from sesops.events.parse import COLUMNS
from sesops.load.frames import empty_frame, finalize

Now = datetime | pd.Timestamp | None


def suppression_list(
    ddf: dd.DataFrame,
    policy: SuppressionPolicy | None = None,
    now: Now = None,
    *,
    client: Client | None = None,
) -> pd.DataFrame:
    """:func:`sesops.analysis.suppress.build_suppression_list` of ``ddf``: the same frame."""
    judged = per_address(ddf, now, build_suppression_list, empty_suppression_frame(), policy=policy)
    (out,) = compute(resolve_client(client), [judged])
    result: pd.DataFrame = out.sort_values("email", kind="stable").reset_index(drop=True)
    return result


def review_list(
    ddf: dd.DataFrame,
    policy: SuppressionPolicy | None = None,
    now: Now = None,
    *,
    client: Client | None = None,
) -> pd.DataFrame:
    """:func:`sesops.analysis.suppress.build_review_list` of ``ddf``: the same frame."""
    judged = per_address(ddf, now, build_review_list, empty_list(REVIEW_COLUMNS), policy=policy)
    (out,) = compute(resolve_client(client), [judged])
    result: pd.DataFrame = out.sort_values(["email", "review_reason"], kind="stable").reset_index(drop=True)
    return result


def policy_rows(ddf: dd.DataFrame, now: Now = None) -> dd.DataFrame:
    """What the policy reads of ``ddf``, shuffled by (normalised) address: every Bounce and
    Complaint row, and one Delivery row per address with the time of its last Delivery, Open
    or Click (the policy reads nothing else of them). Rows after ``now`` are left out."""
    with pandas_strings():
        events = ddf if now is None else ddf.loc[~(ddf["timestamp"] > utc(now))]  # untimed rows stay
        event_type = events["event_type"]
        feedback = events.loc[event_type.isin(FEEDBACK_EVENT_TYPES)].map_partitions(with_addresses)
        delivered = events.loc[event_type.isin(DELIVERED_EVENT_TYPES), ["email", "timestamp"]]
        last = (
            delivered.map_partitions(with_addresses).groupby("email")["timestamp"].max(split_out=outputs(ddf))
        )
        deliveries = last.reset_index().map_partitions(as_deliveries, meta=empty_frame())
        rows: dd.DataFrame = dd.concat([feedback, deliveries])  # type: ignore[no-untyped-call]
        shuffled: dd.DataFrame = rows.shuffle(on="email", npartitions=outputs(ddf))
        return shuffled


def outputs(ddf: dd.DataFrame) -> int:
    """Partitions of a reduction with about one group per row (per address, message or pair):
    as many as the input has, so no task holds more groups than one partition holds rows."""
    partitions: int = ddf.npartitions
    return partitions


def per_address(
    ddf: dd.DataFrame, now: Now, build: Callable[..., pd.DataFrame], meta: pd.DataFrame, **options: Any
) -> dd.DataFrame:
    """``build`` run on each partition of :func:`policy_rows` (every address's rows are in one)."""
    with pandas_strings():
        rows = policy_rows(ddf, now)
        judged: dd.DataFrame = rows.map_partitions(build, now=now, meta=meta, **options)  # type: ignore[no-untyped-call]
        return judged


def as_deliveries(last: pd.DataFrame) -> pd.DataFrame:
    """(email, last delivery time) rows as Delivery rows of the events table."""
    return finalize(last.assign(event_type="Delivery").reindex(columns=list(COLUMNS)))


def utc(now: datetime | pd.Timestamp) -> pd.Timestamp:
    cutoff = pd.Timestamp(now)
    return cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff.tz_convert("UTC")


def daily_rates(ddf: dd.DataFrame, *, client: Client | None = None) -> pd.DataFrame:
    """:func:`sesops.analysis.rates.daily` of ``ddf``: the same frame, from group-bys on the cluster."""
    with pandas_strings():
        timed = ddf.loc[~ddf["timestamp"].isna()]
        day = timed["timestamp"].dt.floor("D")
        parts = {
            "counts": timed.assign(day=day).groupby(["day", "category"]).size(),
            "first": day.min(),
            "last": day.max(),
            **basis_parts(timed),
            "hard": first_days(timed.loc[timed["category"] == "hard_bounce"], "timestamp"),
            "complaints": first_days(timed.loc[timed["category"] == "complaint"], "timestamp"),
        }
        values = dict(zip(parts, compute(resolve_client(client), list(parts.values())), strict=True))
    if pd.isna(values["first"]):
        return daily(empty_frame())
    basis = rate_basis(values)
    counts = values["counts"].unstack("category", fill_value=0)
    sent_per_day = {"send_events": values["send_days"], "inferred": values["any_days"]}
    return daily_table(
        counts,
        pd.date_range(values["first"], values["last"], freq="D", name="day"),
        basis,
        sends=sent_per_day.get(basis, pd.Series([], dtype="int64")),  # none: "unavailable"
        hard_bounces=values["hard"],
        complaints=values["complaints"],
    )


def basis_parts(timed: dd.DataFrame) -> dict[str, Any]:
    """What :func:`sesops.analysis.rates.sent_pairs` decides and counts, as cluster reductions."""
    event_type = timed["event_type"]
    rows = timed.loc[event_type.isin(("Send", *OUTCOME_TYPES)), [*SENT_PAIR, "timestamp", "event_type"]]
    rows = rows.assign(sent=rows["event_type"] == "Send")
    has_send = rows.groupby("message_id", dropna=False)["sent"].max(split_out=outputs(timed))
    return {
        "sends": (event_type == "Send").sum(),
        "deliveries": (event_type == "Delivery").sum(),
        "unsent_outcome": (~has_send).sum(),
        "send_days": first_days(rows.loc[rows["sent"]], "timestamp"),  # pairs with a Send, by their first
        "any_days": first_days(rows, "timestamp"),  # every pair, on the day of its first row
    }


def first_days(rows: dd.DataFrame, column: str) -> dd.Series:
    """How many distinct (message, recipient) pairs of ``rows`` have their earliest ``column`` on each day."""
    first: dd.Series = rows.groupby(SENT_PAIR, dropna=False)[column].min(split_out=outputs(rows))
    return per_day(first)


def per_day(stamps: dd.Series) -> dd.Series:
    counts: dd.Series = stamps.dropna().dt.floor("D").value_counts()
    return counts


def rate_basis(values: dict[str, Any]) -> RateBasis:
    """:func:`sesops.analysis.rates.sent_pairs`' choice, from the counts :func:`basis_parts` made."""
    if values["sends"] and not values["unsent_outcome"]:
        return "send_events"
    return "inferred" if values["deliveries"] else "unavailable"
