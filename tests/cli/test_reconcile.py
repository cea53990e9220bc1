"""``sesops reconcile``: a clean capture matches what SES counted; a lossy one names the gap."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from sesops.cli import main
from sesops.cli.reconcile import utc_time, window
from sesops.errors import InputError
from sesops.sandbox.server import Sandbox, dummy_session, mocked
from tests.sandbox_helpers import drain_queue

SIM = "simulator.amazonses.com"
DOMAIN = "example.com"
TODAY = datetime.now(UTC).strftime("%Y-%m-%d")
SINCE = ["--region", "us-east-1", "--since", TODAY]
FIX = "check the subscription's delivery status and the DLQ"


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    with mocked():
        yield dummy_session()


def wire(session: boto3.Session) -> None:
    """example.com's bounces, complaints and deliveries to a topic with an SQS subscriber."""
    ses, sns, sqs = session.client("ses"), session.client("sns"), session.client("sqs")
    ses.verify_domain_identity(Domain=DOMAIN)
    topic = sns.create_topic(Name="ses-feedback")["TopicArn"]
    url = sqs.create_queue(QueueName="feedback")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    for kind in ("Bounce", "Complaint", "Delivery"):
        ses.set_identity_notification_topic(Identity=DOMAIN, NotificationType=kind, SnsTopic=topic)


def send_campaign(session: boto3.Session) -> None:
    """4 bounces, 2 complaints (each after a delivery), 3 deliveries: 9 attempts, 4 + 5 answered."""
    locals_ = [f"bounce+{i}" for i in range(4)] + [f"complaint+{i}" for i in range(2)]
    locals_ += [f"success+{i}" for i in range(3)]
    for local in locals_:
        session.client("ses").send_email(
            Source=f"news@{DOMAIN}",
            Destination={"ToAddresses": [f"{local}@{SIM}"]},
            Message={"Subject": {"Data": "November"}, "Body": {"Text": {"Data": "hello"}}},
        )


def capture(session: boto3.Session, path: Path, drop_bounces: int = 0) -> Path:
    """What a subscriber captured from the queue: all of it, or all but ``drop_bounces`` bounces."""
    kept: list[dict[str, Any]] = []
    for body in drain_queue(session, "feedback", expect=11):
        if drop_bounces and json.loads(body["Message"])["notificationType"] == "Bounce":
            drop_bounces -= 1
            continue
        kept.append(body)
    path.write_text("".join(json.dumps(body) + "\n" for body in kept))
    return path


def test_a_clean_capture_matches(
    aws: boto3.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wire(aws)
    send_campaign(aws)
    source = capture(aws, tmp_path / "clean.jsonl")
    assert main(["reconcile", str(source), *SINCE]) == 0
    out = capsys.readouterr().out.splitlines()
    day = datetime.now(UTC)
    since = f"since {day:%b} {day.day}"
    assert out == [
        f"SES counted 4 bounces in us-east-1 {since}; all were captured",
        f"SES counted 2 complaints in us-east-1 {since}; all were captured",
        f"SES counted 9 delivery attempts in us-east-1 {since}; all were captured",
        "nothing missing.",
    ]


def test_a_lossy_capture_names_the_gap(
    aws: boto3.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wire(aws)
    send_campaign(aws)
    source = capture(aws, tmp_path / "lossy.jsonl", drop_bounces=1)
    assert main(["reconcile", str(source), *SINCE]) == 1
    out = capsys.readouterr().out
    assert "bounces in us-east-1 since" in out
    assert f"; 3 were captured: 1 missing (25.0 %) — {FIX}" in out
    assert (
        "SES counted 9 delivery attempts in us-east-1 since" in out
        and "8 were captured: 1 missing (11.1 %)" in out
    )
    assert "complaints in us-east-1 since" in out and "; all were captured" in out
    assert "(feedback for the last hour may still be on its way: --until " in out
    assert out.endswith("gap found.\n")
    assert (
        main(["reconcile", str(source), *SINCE, "--tolerance", "30"]) == 0
    )  # 25 % and 11.1 % are within 30 %


def test_vdm_compares_each_identity(
    aws: boto3.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wire(aws)
    send_campaign(aws)
    source = capture(aws, tmp_path / "lossy.jsonl", drop_bounces=2)
    assert main(["reconcile", str(source), *SINCE, "--identity", DOMAIN]) == 1
    assert "VDM is off in us-east-1: no per-identity counts" in capsys.readouterr().out
    aws.client("sesv2").put_account_vdm_attributes(VdmAttributes={"VdmEnabled": "ENABLED"})
    assert main(["reconcile", str(source), *SINCE, "--identity", DOMAIN, "--identity", "other.example"]) == 1
    out = capsys.readouterr().out
    assert "SES counted 4 permanent bounces for example.com (VDM) since" in out
    assert "; 2 were captured: 2 missing (50.0 %)" in out
    assert "SES counted 5 deliveries for example.com (VDM) since" in out
    assert "SES counted 0 complaints for other.example (VDM) since" in out


def test_without_delivery_feedback_attempts_are_not_compared(
    aws: boto3.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wire(aws)
    aws.client("ses").set_identity_notification_topic(Identity=DOMAIN, NotificationType="Delivery")
    send_campaign(aws)
    bodies = drain_queue(aws, "feedback", expect=6)
    source = tmp_path / "no-deliveries.jsonl"
    source.write_text("".join(json.dumps(body) + "\n" for body in bodies))
    assert main(["reconcile", str(source), *SINCE]) == 0
    out = capsys.readouterr().out
    assert (
        "SES counted 9 delivery attempts; no Delivery feedback was captured, so they are not compared" in out
    )


def test_a_since_older_than_two_weeks_is_moved_and_said(
    aws: boto3.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wire(aws)
    source = capture(aws, tmp_path / "empty.jsonl")
    old = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%d")
    assert main(["reconcile", str(source), "--region", "us-east-1", "--since", old]) == 0
    assert "GetSendStatistics keeps two weeks: compared from " in capsys.readouterr().out


def test_through_the_sandbox_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(port=0) as sandbox:
        monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.endpoint)
        session = sandbox.session()
        wire(session)
        send_campaign(session)
        source = capture(session, tmp_path / "lossy.jsonl", drop_bounces=1)
        assert main(["reconcile", str(source), *SINCE]) == 1
    assert "1 missing (25.0 %)" in capsys.readouterr().out


# -- the window and the options -----------------------------------------------------------------

NOW = datetime(2026, 11, 20, 12, 7, tzinfo=UTC)


def test_the_window_is_whole_intervals_within_retention() -> None:
    start, end, notes = window(datetime(2026, 11, 19, 9, 20, tzinfo=UTC), None, NOW)
    assert (start, end, notes) == (
        datetime(2026, 11, 19, 9, 15, tzinfo=UTC),
        datetime(2026, 11, 20, 12, 15, tzinfo=UTC),
        [],
    )
    start, _, notes = window(datetime(2026, 10, 1, tzinfo=UTC), None, NOW)
    assert start == datetime(2026, 11, 6, 12, 15, tzinfo=UTC)
    assert notes == ["GetSendStatistics keeps two weeks: compared from 2026-11-06 12:15 UTC, not 2026-10-01"]


def test_an_empty_window_is_refused() -> None:
    with pytest.raises(InputError, match=r"--since 2026-11-20 12:00 is not before --until 2026-11-20 12:00"):
        window(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), datetime(2026, 11, 20, 12, 0, tzinfo=UTC), NOW)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-03", datetime(2026, 11, 3, tzinfo=UTC)),
        ("2026-11-03T10:30Z", datetime(2026, 11, 3, 10, 30, tzinfo=UTC)),
        ("2026-11-03T12:30+02:00", datetime(2026, 11, 3, 10, 30, tzinfo=UTC)),
    ],
)
def test_times_are_utc(text: str, expected: datetime) -> None:
    assert utc_time(text) == expected


def test_a_bad_date_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["reconcile", str(tmp_path), "--region", "us-east-1", "--since", "Nov 3"])
    assert exit_info.value.code == 2
    assert "'Nov 3' is not a date (2026-11-03) nor an ISO 8601 time" in capsys.readouterr().err


def test_a_missing_source_is_one_line(aws: boto3.Session, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reconcile", "nowhere.jsonl", *SINCE]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sesops reconcile: error: ") and "nowhere.jsonl" in err and err.count("\n") == 1
