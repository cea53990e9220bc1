"""What SES counted: failure tables (Stubber), the window sums, VDM batching, and the sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import ANY

from sesops.aws.statistics import (
    SendDataPoint,
    SendTotals,
    send_statistics,
    totals,
    vdm_counts,
    vdm_enabled,
)
from sesops.errors import AwsError, InputError
from sesops.sandbox.server import dummy_session, mocked
from tests.aws.stubbing import DENIED, EXPIRED, REGION, THROTTLED, Failure, Stubs

SINCE = datetime(2026, 11, 3, tzinfo=UTC)
UNTIL = datetime(2026, 11, 10, tzinfo=UTC)
SIM = "simulator.amazonses.com"
Run = Callable[[boto3.Session], object]

# function -> (service, boto3 method, IAM action, how to call it)
CALLS: dict[str, tuple[str, str, str, Run]] = {
    "send_statistics": (
        "ses",
        "get_send_statistics",
        "ses:GetSendStatistics",
        lambda s: send_statistics(session=s, region=REGION),
    ),
    "vdm_enabled": (
        "sesv2",
        "get_account",
        "ses:GetAccount",
        lambda s: vdm_enabled(session=s, region=REGION),
    ),
    "vdm_counts": (
        "sesv2",
        "batch_get_metric_data",
        "ses:BatchGetMetricData",
        lambda s: vdm_counts(["example.com"], SINCE, UNTIL, session=s, region=REGION),
    ),
}
TABLE = [
    pytest.param(name, failure, id=f"{name}-{failure.code}")
    for name in CALLS
    for failure in (THROTTLED, DENIED, EXPIRED)
]


@pytest.mark.parametrize(("name", "failure"), TABLE)
def test_failures_name_the_call_and_the_fix(stubs: Stubs, name: str, failure: Failure) -> None:
    service, method, action, run = CALLS[name]
    stubs.fail(service, method, failure)
    with pytest.raises(AwsError, match=failure.expected(action)):
        run(stubs.session)


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        ("ACCESS_DENIED", r"Allow ses:BatchGetMetricData in the IAM policy"),
        ("INTERNAL_FAILURE", r"Retry later; without VDM, leave out --identity"),
    ],
)
def test_a_query_vdm_refuses_names_the_identity_and_metric(stubs: Stubs, code: str, fix: str) -> None:
    answer = {"Results": [], "Errors": [{"Id": "q1", "Code": code, "Message": "no."}]}
    stubs.ok("sesv2", "batch_get_metric_data", answer)
    with pytest.raises(
        AwsError, match=rf"^ses:BatchGetMetricData example\.com PERMANENT_BOUNCE: {code}: no\. {fix}"
    ):
        vdm_counts(["example.com"], SINCE, UNTIL, metrics=["SEND", "PERMANENT_BOUNCE"], session=stubs.session)


def test_a_query_without_a_result_is_named(stubs: Stubs) -> None:
    stubs.ok("sesv2", "batch_get_metric_data", {"Results": [{"Id": "q0", "Timestamps": [], "Values": []}]})
    with pytest.raises(AwsError, match=r"example\.com: no result for DELIVERY \(query q1\)"):
        vdm_counts(["example.com"], SINCE, UNTIL, metrics=["SEND", "DELIVERY"], session=stubs.session)


def test_vdm_counts_ten_queries_a_call_and_adds_up_the_days(stubs: Stubs) -> None:
    identities = ["a.example", "b.example", "c.example"]  # x 5 metrics: 15 queries, two calls
    for size in (10, 5):
        results = [{"Id": f"q{i}", "Timestamps": [SINCE, SINCE], "Values": [i, 1]} for i in range(size)]
        queries = [
            {
                "Id": f"q{i}",
                "Namespace": "VDM",
                "Metric": ANY,
                "Dimensions": {"EMAIL_IDENTITY": ANY},
                "StartDate": SINCE,
                "EndDate": UNTIL,
            }
            for i in range(size)
        ]
        stubs("sesv2").add_response(
            "batch_get_metric_data", {"Results": results, "Errors": []}, {"Queries": queries}
        )
    counts = vdm_counts(identities, SINCE, UNTIL, session=stubs.session, region=REGION)
    assert counts["a.example"] == {
        "SEND": 1,
        "DELIVERY": 2,
        "PERMANENT_BOUNCE": 3,
        "TRANSIENT_BOUNCE": 4,
        "COMPLAINT": 5,
    }
    assert counts["c.example"]["SEND"] == 1  # the second call's q0


def test_vdm_enabled_reads_the_account(stubs: Stubs) -> None:
    stubs.ok("sesv2", "get_account", {"VdmAttributes": {"VdmEnabled": "ENABLED"}})
    stubs.ok("sesv2", "get_account", {})
    assert vdm_enabled(session=stubs.session, region=REGION) is True
    assert vdm_enabled(session=stubs.session, region=REGION) is False


def test_totals_add_up_the_points_that_start_in_the_window() -> None:
    def point(when: datetime, n: int) -> SendDataPoint:
        return SendDataPoint(when, delivery_attempts=10 * n, bounces=n, complaints=1, rejects=0)

    points = [
        point(SINCE - timedelta(minutes=15), 100),
        point(SINCE, 1),
        point(UNTIL - timedelta(minutes=15), 2),
    ]
    points.append(point(UNTIL, 100))
    assert totals(points, SINCE, UNTIL) == SendTotals(delivery_attempts=30, bounces=3, complaints=2, points=2)


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        (SINCE.replace(tzinfo=None), UNTIL, "timezone-aware"),
        (UNTIL, SINCE, "the window is empty: since 2026-11-10 00:00 is not before until 2026-11-03 00:00"),
    ],
)
def test_a_bad_window_is_refused(since: datetime, until: datetime, message: str) -> None:
    with pytest.raises(InputError, match=message):
        totals([], since, until)


def test_an_unknown_vdm_metric_is_refused(stubs: Stubs) -> None:
    stubs("sesv2")  # no answers queued: a call would fail the test
    with pytest.raises(InputError, match="VDM metric\\(s\\) OPENS: use SEND, DELIVERY"):
        vdm_counts(["example.com"], SINCE, UNTIL, metrics=["OPENS"], session=stubs.session)


# -- against the sandbox -------------------------------------------------------------------------


@pytest.fixture
def sandbox() -> Iterator[boto3.Session]:
    with mocked():
        yield dummy_session()


def send(session: boto3.Session, source: str, *to: str) -> None:
    session.client("ses").send_email(
        Source=source,
        Destination={"ToAddresses": list(to)},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
    )


def test_what_the_sandbox_sent_is_what_ses_counted(sandbox: boto3.Session) -> None:
    sandbox.client("ses").verify_domain_identity(Domain="example.com")
    send(sandbox, "news@example.com", f"bounce@{SIM}", f"complaint@{SIM}", f"success@{SIM}")
    now = datetime.now(UTC)
    points = send_statistics(session=sandbox)
    assert totals(points, now - timedelta(hours=1), now + timedelta(hours=1)) == SendTotals(
        delivery_attempts=3, bounces=1, complaints=1, points=1
    )
    assert vdm_enabled(session=sandbox) is False
    sandbox.client("sesv2").put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    assert vdm_enabled(session=sandbox) is True
    counts = vdm_counts(
        ["example.com", "other.example"], now - timedelta(days=1), now + timedelta(hours=1), session=sandbox
    )
    assert counts == {
        "example.com": {
            "SEND": 3,
            "DELIVERY": 2,
            "PERMANENT_BOUNCE": 1,
            "TRANSIENT_BOUNCE": 0,
            "COMPLAINT": 1,
        },
        "other.example": {
            "SEND": 0,
            "DELIVERY": 0,
            "PERMANENT_BOUNCE": 0,
            "TRANSIENT_BOUNCE": 0,
            "COMPLAINT": 0,
        },
    }
