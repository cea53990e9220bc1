"""Patch ``ses-send-statistics``: SES's own counts of what the sandbox sent, as SES reports them.

``ses-feedback`` calls :func:`record_outcome` for every recipient of every send, with the
feedback kinds SES produced for it, whether or not a topic receives them (SES counts a bounce
nobody hears about). Counts are kept per sending identity and 15-minute interval on moto's
SES backend, under both APIs' names (:data:`KIND_COUNTERS`): every recipient is a delivery
attempt and a VDM ``SEND``; a bounce from the account suppression list counts no bounce (SES
does not count it towards the bounce rate) and an auto-reply none either (the mail arrived).

* GetSendStatistics: one data point per interval of the last two weeks (moto's own answers
  one point of totals with no bounces nor complaints), rejects included;
* SESv2 GetAccount and PutAccountVdmAttributes: the account, VDM off until turned on;
* SESv2 BatchGetMetricData (VDM): daily values per ``EMAIL_IDENTITY`` (or the whole account
  without a dimension), for the VDM metrics; other dimensions get an error entry.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sesops.sandbox.patch_state import replace
from sesops.sandbox.sesv2 import bad_request, core_store, epoch_seconds, request_body, route

INTERVAL = 15 * 60  # seconds per data point
RETENTION = timedelta(days=14)
DAY = 24 * 3600
_COUNTS = "_sesops_send_counts"  # identity -> interval start (epoch s) -> Counter
_ACCOUNT = "_sesops_account"
_lock = threading.Lock()

PER_RECIPIENT = ("DeliveryAttempts", "SEND")
#: Feedback kind (:data:`sesops.sandbox.ses_feedback.SIMULATOR`) -> the counters it adds to.
KIND_COUNTERS: dict[str, tuple[str, ...]] = {
    "Delivery": ("DELIVERY",),
    "Bounce": ("Bounces", "PERMANENT_BOUNCE"),
    "SuppressionListBounce": ("Bounces", "PERMANENT_BOUNCE"),
    "AccountSuppressedBounce": (),
    "Complaint": ("Complaints", "COMPLAINT", "DELIVERY_COMPLAINT"),
    "AutoReply": (),
}
VDM_METRICS = (
    "SEND",
    "COMPLAINT",
    "PERMANENT_BOUNCE",
    "TRANSIENT_BOUNCE",
    "OPEN",
    "CLICK",
    "DELIVERY",
    "DELIVERY_OPEN",
    "DELIVERY_CLICK",
    "DELIVERY_COMPLAINT",
)
MAX_QUERIES = 10
URL_PATHS = ("{0}/v2/email/account$", "{0}/v2/email/account/vdm$", "{0}/v2/email/metrics/batch$")


def record_outcome(backend: Any, identity: str, kinds: Iterable[str], when: datetime) -> None:
    """Count one recipient of a send from ``identity`` whose feedback kinds were ``kinds``."""
    names = list(PER_RECIPIENT)
    for kind in kinds:
        if kind not in KIND_COUNTERS:
            raise KeyError(f"ses-send-statistics: no counting rule for the feedback kind {kind!r}; add it")
        names += KIND_COUNTERS[kind]
    _add(backend, identity, when, names)


def data_points(backend: Any, now: datetime | None = None) -> list[dict[str, Any]]:
    """GetSendStatistics' points: every interval of the last two weeks with anything in it."""
    oldest = ((now or datetime.now(UTC)) - RETENTION).timestamp()
    totals: dict[int, Counter[str]] = {}
    with _lock:
        for intervals in core_store(backend, _COUNTS).values():
            for start, counts in intervals.items():
                if start >= oldest - INTERVAL:
                    totals.setdefault(start, Counter()).update(counts)
    fields = ("DeliveryAttempts", "Bounces", "Complaints", "Rejects")
    return [
        {"Timestamp": datetime.fromtimestamp(start, UTC), **{f: totals[start][f] for f in fields}}
        for start in sorted(totals)
    ]


def metric_values(
    backend: Any, identity: str | None, metric: str, start: float, end: float
) -> list[tuple[int, int]]:
    """(day start, count) of ``metric`` for each UTC day of ``[start, end)``, zeros included."""
    by_day: Counter[int] = Counter()
    with _lock:
        stores = core_store(backend, _COUNTS)
        chosen = [stores.get(identity, {})] if identity is not None else list(stores.values())
        for intervals in chosen:
            for when, counts in intervals.items():
                if start <= when < end:
                    by_day[int(when // DAY * DAY)] += counts[metric]
    first, last = int(start // DAY * DAY), int((end - 1) // DAY * DAY)
    return [(day, by_day[day]) for day in range(first, last + 1, DAY)]


def _add(backend: Any, identity: str, when: datetime, names: Iterable[str]) -> None:
    start = int(when.timestamp() // INTERVAL * INTERVAL)
    with _lock:
        intervals = core_store(backend, _COUNTS).setdefault(identity, {})
        intervals.setdefault(start, Counter()).update(names)


def _account(backend: Any) -> dict[str, Any]:
    return core_store(backend, _ACCOUNT)


def get_send_statistics(self: Any) -> Any:
    from moto.core.responses import ActionResult

    return ActionResult({"SendDataPoints": data_points(self.backend)})


def get_account(self: Any) -> str:
    core = self.sesv2_backend.core_backend
    quota = core.get_send_quota()
    vdm = _account(core).get("VdmAttributes", {"VdmEnabled": "DISABLED"})
    return json.dumps(
        {
            "DedicatedIpAutoWarmupEnabled": False,
            "EnforcementStatus": "HEALTHY",
            "ProductionAccessEnabled": True,
            "SendingEnabled": True,
            "SendQuota": {
                "Max24HourSend": float(quota.max24_hour_send),
                "MaxSendRate": float(quota.max_send_rate),
                "SentLast24Hours": float(quota.sent_last24_hours),
            },
            "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
            "VdmAttributes": vdm,
        }
    )


def put_account_vdm_attributes(self: Any) -> str:
    attributes = request_body(self).get("VdmAttributes")
    if not isinstance(attributes, dict) or attributes.get("VdmEnabled") not in ("ENABLED", "DISABLED"):
        raise bad_request("VdmAttributes.VdmEnabled must be ENABLED or DISABLED")
    _account(self.sesv2_backend.core_backend)["VdmAttributes"] = dict(attributes)
    return "{}"


def batch_get_metric_data(self: Any) -> str:
    core = self.sesv2_backend.core_backend
    if _account(core).get("VdmAttributes", {}).get("VdmEnabled") != "ENABLED":
        raise bad_request(
            "Virtual Deliverability Manager is not enabled: PutAccountVdmAttributes VdmEnabled=ENABLED"
        )
    queries = request_body(self).get("Queries")
    if not isinstance(queries, list) or not 1 <= len(queries) <= MAX_QUERIES:
        raise bad_request(f"Queries must hold 1 to {MAX_QUERIES} queries")
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for query in queries:
        answer = _answer(core, query)
        (errors if "Code" in answer else results).append(answer)
    return json.dumps({"Results": results, "Errors": errors})


def _answer(core: Any, query: dict[str, Any]) -> dict[str, Any]:
    """One query's result (Id, Timestamps, Values), or its error entry (Id, Code, Message)."""
    query_id = str(query.get("Id") or "")
    if not query_id or query.get("Namespace") != "VDM" or query.get("Metric") not in VDM_METRICS:
        raise bad_request(f"query {query_id!r}: Id, Namespace VDM and one of the VDM metrics are required")
    dimensions = dict(query.get("Dimensions") or {})
    identity = dimensions.pop("EMAIL_IDENTITY", None)
    if dimensions:
        message = f"the sandbox keeps VDM counts per EMAIL_IDENTITY only, not {', '.join(dimensions)}"
        return {"Id": query_id, "Code": "INTERNAL_FAILURE", "Message": message}
    start, end = (
        epoch_seconds(query.get("StartDate"), "StartDate"),
        epoch_seconds(query.get("EndDate"), "EndDate"),
    )
    if start >= end:
        raise bad_request(f"query {query_id}: StartDate must be before EndDate")
    values = metric_values(core, identity, query["Metric"], start, end)
    return {
        "Id": query_id,
        "Timestamps": [day for day, _ in values],
        "Values": [count for _, count in values],
    }


def patch_send_statistics() -> None:
    from moto.ses.models import SESBackend
    from moto.ses.responses import EmailResponse

    replace(EmailResponse, "get_send_statistics", get_send_statistics)
    for name in ("send_email", "send_raw_email", "send_templated_email"):
        replace(SESBackend, name, _counting_rejects(getattr(SESBackend, name)))
    route(
        {
            "get_account": get_account,
            "put_account_vdm_attributes": put_account_vdm_attributes,
            "batch_get_metric_data": batch_get_metric_data,
        },
        URL_PATHS,
    )


def _counting_rejects(send: Any) -> Any:
    """``send``, counting each message moto rejects (an unverified sender) as SES's Rejects."""

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        before = self.rejected_messages_count
        try:
            return send(self, *args, **kwargs)
        finally:
            if self.rejected_messages_count > before:
                _add(self, "", datetime.now(UTC), ["Rejects"])

    return counted
