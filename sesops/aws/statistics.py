"""What SES itself counted: the account's sending statistics and, with VDM on, per identity.

* :func:`send_statistics` (GetSendStatistics): the region's delivery attempts, bounces,
  complaints and rejects in 15-minute data points, for the last two weeks only
  (:data:`RETENTION`); :func:`totals` adds up a window of them.
* :func:`vdm_enabled` (GetAccount) and :func:`vdm_counts` (BatchGetMetricData): Virtual
  Deliverability Manager's daily counts per identity (:data:`VDM_METRICS`), ten queries a call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3

from sesops.aws.clients import client
from sesops.aws.errors import aws_call
from sesops.errors import AwsError, InputError

RETENTION = timedelta(days=14)  # how far back GetSendStatistics reaches
VDM_METRICS = ("SEND", "DELIVERY", "PERMANENT_BOUNCE", "TRANSIENT_BOUNCE", "COMPLAINT")
VDM_BATCH = 10  # queries BatchGetMetricData takes per call


@dataclass(frozen=True, slots=True)
class SendDataPoint:
    """One 15-minute point of GetSendStatistics (``timestamp`` starts the interval)."""

    timestamp: datetime
    delivery_attempts: int
    bounces: int
    complaints: int
    rejects: int


@dataclass(frozen=True, slots=True)
class SendTotals:
    """The points of one window added up."""

    delivery_attempts: int = 0
    bounces: int = 0
    complaints: int = 0
    rejects: int = 0
    points: int = 0


def send_statistics(
    *, session: boto3.Session | None = None, region: str | None = None
) -> list[SendDataPoint]:
    """Every data point SES keeps for the region (the last two weeks), oldest first."""
    ses = client("ses", session, region)
    with aws_call("ses:GetSendStatistics"):
        answer = ses.get_send_statistics()
    points = [
        SendDataPoint(
            timestamp=point["Timestamp"],
            delivery_attempts=int(point.get("DeliveryAttempts", 0)),
            bounces=int(point.get("Bounces", 0)),
            complaints=int(point.get("Complaints", 0)),
            rejects=int(point.get("Rejects", 0)),
        )
        for point in answer.get("SendDataPoints", [])
    ]
    return sorted(points, key=lambda p: p.timestamp)


def totals(points: Iterable[SendDataPoint], since: datetime, until: datetime) -> SendTotals:
    """The sum of the points that start in ``[since, until)`` (pure; both times timezone-aware)."""
    _check_window(since, until)
    chosen = [p for p in points if since <= p.timestamp < until]
    return SendTotals(
        delivery_attempts=sum(p.delivery_attempts for p in chosen),
        bounces=sum(p.bounces for p in chosen),
        complaints=sum(p.complaints for p in chosen),
        rejects=sum(p.rejects for p in chosen),
        points=len(chosen),
    )


def vdm_enabled(*, session: boto3.Session | None = None, region: str | None = None) -> bool:
    """Whether Virtual Deliverability Manager is on for the account in ``region``."""
    sesv2 = client("sesv2", session, region)
    with aws_call("ses:GetAccount"):
        account = sesv2.get_account()
    return str(account.get("VdmAttributes", {}).get("VdmEnabled", "")) == "ENABLED"


def vdm_counts(
    identities: Sequence[str],
    since: datetime,
    until: datetime,
    *,
    metrics: Sequence[str] = VDM_METRICS,
    session: boto3.Session | None = None,
    region: str | None = None,
) -> dict[str, dict[str, int]]:
    """identity -> metric -> VDM's count over ``[since, until)`` (whole UTC days, as VDM keeps them)."""
    _check_window(since, until)
    unknown = sorted(set(metrics) - set(VDM_METRICS))
    if unknown:
        raise InputError(f"VDM metric(s) {', '.join(unknown)}: use {', '.join(VDM_METRICS)}")
    queries = [(identity, metric) for identity in identities for metric in metrics]
    counts: dict[str, dict[str, int]] = {identity: dict.fromkeys(metrics, 0) for identity in identities}
    sesv2 = client("sesv2", session, region)
    for start in range(0, len(queries), VDM_BATCH):
        batch = queries[start : start + VDM_BATCH]
        for (identity, metric), value in zip(batch, _metric_batch(sesv2, batch, since, until), strict=True):
            counts[identity][metric] = value
    return counts


def _metric_batch(
    sesv2: Any, batch: Sequence[tuple[str, str]], since: datetime, until: datetime
) -> list[int]:
    """One BatchGetMetricData call: the total of each (identity, metric) query, in order."""
    queries = [
        {
            "Id": f"q{index}",
            "Namespace": "VDM",
            "Metric": metric,
            "Dimensions": {"EMAIL_IDENTITY": identity},
            "StartDate": since,
            "EndDate": until,
        }
        for index, (identity, metric) in enumerate(batch)
    ]
    with aws_call("ses:BatchGetMetricData"):
        answer = sesv2.batch_get_metric_data(Queries=queries)
    for error in answer.get("Errors", []):
        identity, metric = batch[int(str(error.get("Id", "q0"))[1:])]
        raise AwsError(_query_error(identity, metric, error))
    totals_by_id = {str(r["Id"]): sum(int(v) for v in r.get("Values", [])) for r in answer.get("Results", [])}
    missing = [f"q{i}" for i in range(len(batch)) if f"q{i}" not in totals_by_id]
    if missing:
        identity, metric = batch[int(missing[0][1:])]
        raise AwsError(f"ses:BatchGetMetricData {identity}: no result for {metric} (query {missing[0]})")
    return [totals_by_id[f"q{i}"] for i in range(len(batch))]


def _query_error(identity: str, metric: str, error: dict[str, Any]) -> str:
    code, said = error.get("Code", "Error"), str(error.get("Message", "")).rstrip(".")
    where = f"ses:BatchGetMetricData {identity} {metric}: {code}: {said}"
    if code == "ACCESS_DENIED":
        return (
            f"{where}. Allow ses:BatchGetMetricData in the IAM policy of the identity these "
            "credentials belong to (`aws sts get-caller-identity` names it)."
        )
    return f"{where}. Retry later; without VDM, leave out --identity to compare the account's totals."


def _check_window(since: datetime, until: datetime) -> None:
    if since.tzinfo is None or until.tzinfo is None:
        raise InputError("since and until must be timezone-aware (UTC) times")
    if since >= until:
        raise InputError(
            f"the window is empty: since {since:%Y-%m-%d %H:%M} is not before until {until:%Y-%m-%d %H:%M}"
        )
