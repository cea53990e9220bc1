"""The sandbox's ``ses-send-statistics`` patch: GetSendStatistics and VDM count what it sent.

moto's own GetSendStatistics answers one point of totals with no bounces nor complaints; the
internals test fails loudly when a moto upgrade moves what the patch wraps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sesops.sandbox import patching, ses_feedback, ses_statistics
from sesops.sandbox.server import dummy_session, mocked

SIM = "simulator.amazonses.com"


def broken(what: str) -> str:
    return (
        f"sandbox extension 'ses-send-statistics' no longer works ({what}); moto's internals moved — "
        f"update sesops/sandbox/ses_statistics.py for moto {patching.MOTO_VERSION}'s successor"
    )


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    with mocked():
        yield dummy_session()


def send(session: boto3.Session, source: str, *to: str) -> None:
    session.client("ses").send_email(
        Source=source,
        Destination={"ToAddresses": list(to)},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
    )


def points(session: boto3.Session) -> list[dict[str, Any]]:
    return list(session.client("ses").get_send_statistics()["SendDataPoints"])


def vdm(session: boto3.Session, metric: str, dimensions: dict[str, str] | None = None) -> dict[str, Any]:
    now = datetime.now(UTC)
    query: dict[str, Any] = {
        "Id": "q0",
        "Namespace": "VDM",
        "Metric": metric,
        "StartDate": now - timedelta(days=2),
        "EndDate": now + timedelta(minutes=1),
    }
    if dimensions is not None:
        query["Dimensions"] = dimensions
    return dict(session.client("sesv2").batch_get_metric_data(Queries=[query]))


def test_the_internals_the_patch_wraps_still_exist() -> None:
    from moto.ses.models import SESBackend
    from moto.ses.responses import EmailResponse

    assert hasattr(EmailResponse, "get_send_statistics"), broken("EmailResponse.get_send_statistics is gone")
    backend = SESBackend("us-east-1", "123456789012")
    assert backend.rejected_messages_count == 0, broken("SESBackend.rejected_messages_count is gone")
    assert hasattr(backend, "get_send_quota"), broken("SESBackend.get_send_quota is gone")


def test_every_simulator_outcome_has_a_counting_rule() -> None:
    kinds = {kind for outcome in ses_feedback.SIMULATOR.values() for kind in outcome}
    kinds |= {"Delivery", "AccountSuppressedBounce"}  # other recipients, and suppressed ones
    assert kinds <= set(ses_statistics.KIND_COUNTERS), kinds - set(ses_statistics.KIND_COUNTERS)


def test_an_unknown_feedback_kind_fails_loudly() -> None:
    with pytest.raises(KeyError, match="no counting rule for the feedback kind 'Teleport'"):
        ses_statistics.record_outcome(object(), "example.com", ["Teleport"], datetime.now(UTC))


def test_get_send_statistics_counts_each_outcome_even_without_topics(aws: boto3.Session) -> None:
    aws.client("ses").verify_domain_identity(Domain="example.com")  # no topic wired: SES counts anyway
    aws.client("sesv2").put_suppressed_destination(EmailAddress="gone@example.org", Reason="BOUNCE")
    for local in ("success", "bounce", "ooto", "complaint", "suppressionlist"):
        send(aws, "news@example.com", f"{local}@{SIM}")
    send(aws, "news@example.com", "gone@example.org")
    with pytest.raises(ClientError, match="not verified"):
        send(aws, "someone@unverified.example", f"success@{SIM}")
    [point] = points(aws)
    counted = {k: point[k] for k in ("DeliveryAttempts", "Bounces", "Complaints", "Rejects")}
    # bounce and suppressionlist bounce; the auto-reply and the account-suppressed address do not
    assert counted == {"DeliveryAttempts": 6, "Bounces": 2, "Complaints": 1, "Rejects": 1}
    assert point["Timestamp"].minute % 15 == 0 and point["Timestamp"].second == 0


def test_points_are_fifteen_minute_intervals_of_the_last_two_weeks() -> None:
    class Backend:  # record_outcome keeps its counts on whatever backend it is given
        pass

    backend = Backend()
    now = datetime(2026, 11, 20, 12, 7, tzinfo=UTC)
    for when in (now, now - timedelta(minutes=10), now - timedelta(days=20)):
        ses_statistics.record_outcome(backend, "example.com", ["Bounce"], when)
    got = ses_statistics.data_points(backend, now=now)
    assert [(p["Timestamp"], p["DeliveryAttempts"], p["Bounces"]) for p in got] == [
        (datetime(2026, 11, 20, 11, 45, tzinfo=UTC), 1, 1),
        (datetime(2026, 11, 20, 12, 0, tzinfo=UTC), 1, 1),
    ]


def test_get_account_has_vdm_off_until_it_is_turned_on(aws: boto3.Session) -> None:
    sesv2 = aws.client("sesv2")
    account = sesv2.get_account()
    assert account["VdmAttributes"]["VdmEnabled"] == "DISABLED"
    assert account["SendingEnabled"] is True and account["SendQuota"]["Max24HourSend"] > 0
    with pytest.raises(ClientError, match="Virtual Deliverability Manager is not enabled"):
        vdm(aws, "SEND")
    sesv2.put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    assert sesv2.get_account()["VdmAttributes"]["VdmEnabled"] == "ENABLED"


def test_vdm_counts_per_identity_by_day(aws: boto3.Session) -> None:
    ses = aws.client("ses")
    for domain in ("a.example", "b.example"):
        ses.verify_domain_identity(Domain=domain)
    aws.client("sesv2").put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    send(aws, "x@a.example", f"bounce@{SIM}", f"success@{SIM}")
    send(aws, "x@b.example", f"complaint@{SIM}")
    answer = vdm(aws, "SEND", {"EMAIL_IDENTITY": "a.example"})
    [result] = answer["Results"]
    assert len(result["Timestamps"]) == len(result["Values"]) == 3  # three UTC days, zeros included
    assert sum(result["Values"]) == 2 and result["Values"][-1] == 2
    assert all(t.hour == 0 and t.minute == 0 for t in result["Timestamps"])
    assert sum(vdm(aws, "PERMANENT_BOUNCE", {"EMAIL_IDENTITY": "a.example"})["Results"][0]["Values"]) == 1
    assert sum(vdm(aws, "COMPLAINT", {"EMAIL_IDENTITY": "a.example"})["Results"][0]["Values"]) == 0
    assert sum(vdm(aws, "COMPLAINT", {"EMAIL_IDENTITY": "b.example"})["Results"][0]["Values"]) == 1
    assert sum(vdm(aws, "SEND")["Results"][0]["Values"]) == 3  # no dimension: the whole account


def test_vdm_names_a_dimension_it_does_not_keep(aws: boto3.Session) -> None:
    aws.client("sesv2").put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    answer = vdm(aws, "SEND", {"ISP": "Gmail"})
    assert answer["Results"] == []
    assert answer["Errors"] == [
        {
            "Id": "q0",
            "Code": "INTERNAL_FAILURE",
            "Message": "the sandbox keeps VDM counts per EMAIL_IDENTITY only, not ISP",
        }
    ]


NOW = datetime.now(UTC)
QUERY = {
    "Id": "q",
    "Namespace": "VDM",
    "Metric": "SEND",
    "StartDate": NOW - timedelta(days=1),
    "EndDate": NOW,
}


@pytest.mark.parametrize(
    ("queries", "message"),
    [
        ([QUERY] * 11, "Queries must hold 1 to 10 queries"),
        (
            [{**QUERY, "StartDate": NOW, "EndDate": NOW - timedelta(days=1)}],
            "q: StartDate must be before EndDate",
        ),
        ([{**QUERY, "Namespace": "CloudWatch"}], "Id, Namespace VDM and one of the VDM metrics are required"),
    ],
)
def test_vdm_refuses_malformed_batches(
    aws: boto3.Session, queries: list[dict[str, Any]], message: str
) -> None:
    aws.client("sesv2").put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    with pytest.raises(ClientError, match=message):
        aws.client("sesv2").batch_get_metric_data(Queries=queries)
