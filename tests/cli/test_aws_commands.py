"""The AWS subcommands from the command line, and the issue's end-to-end "done when" with no AWS account."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from sesops.cli import main
from sesops.cli.provision import parse_bucket, parse_event_types, parse_types
from sesops.errors import InputError
from sesops.sandbox.server import Sandbox
from tests.sandbox_helpers import drain_queue, dummy_credentials

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def _dummy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("integration") is None:  # only the real-account smoke keeps real creds
        dummy_credentials(monkeypatch)


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with Sandbox(port=0) as sb:
        monkeypatch.setenv("AWS_ENDPOINT_URL", sb.endpoint)
        yield sb


def test_provision_prints_the_plan_then_nothing_to_change(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["provision", "--region", REGION, "--identity", "example.com", "--sqs", "feedback"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Plan for us-east-1 (account 123456789012), topic ses-feedback:" in out
    assert "+ topic" in out and "~ Bounce topic" in out and "applied" in out
    assert "healthy: no problems found." in out
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "+ " not in out and "~ " not in out and "✓ topic" in out
    assert "nothing to change" in out


def test_provision_dry_run_changes_nothing(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "provision",
        "--region",
        REGION,
        "--identity",
        "example.com",
        "--dry-run",
        "--types",
        "bounce,complaint,delivery",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "dry run: nothing changed" in out and "~ Delivery topic" in out
    assert sandbox.session().client("sns").list_topics()["Topics"] == []


def test_teardown_needs_yes_without_a_terminal(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["provision", "--region", REGION, "--identity", "example.com", "--sqs", "feedback"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert main(["teardown", "--region", REGION, "--identity", "example.com"]) == 2
    captured = capsys.readouterr()
    assert "- topic" in captured.out
    assert "pass --yes" in captured.err and "Traceback" not in captured.err
    assert main(["teardown", "--region", REGION, "--identity", "example.com", "--yes"]) == 0
    assert "applied" in capsys.readouterr().out
    assert sandbox.session().client("sns").list_topics()["Topics"] == []
    assert main(["teardown", "--region", REGION, "--identity", "example.com", "--yes"]) == 0
    assert "nothing to change" in capsys.readouterr().out


def test_teardown_asks_and_can_be_declined(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["provision", "--region", REGION, "--identity", "example.com"]) == 0
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main(["teardown", "--region", REGION, "--identity", "example.com"]) == 1
    assert "nothing changed." in capsys.readouterr().out
    assert sandbox.session().client("sns").list_topics()["Topics"] != []


def test_expected_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provision", "--region", REGION, "--identity", "x.com", "--types", "Bounce,Open"]) == 2
    err = capsys.readouterr().err
    assert "unknown type 'Open'" in err and "Traceback" not in err
    assert main(["status", "--region", REGION, "--profile", "no-such-profile"]) == 3  # AWS: exit 3
    assert "no such profile" in capsys.readouterr().err


def test_no_credentials_is_an_aws_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["status", "--region", REGION]) == 3  # AWS: exit 3
    err = capsys.readouterr().err
    assert "no AWS credentials" in err and "sesops sandbox" in err


def test_parse_types() -> None:
    assert parse_types("bounce, Complaint,Bounce") == ("Bounce", "Complaint")
    with pytest.raises(InputError):
        parse_types(",")


def test_done_when_end_to_end_without_an_aws_account(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sesops sandbox` in one terminal; with its env: provision, status (healthy), send to
    bounce@simulator, read the queue -> read_events gives a hard_bounce row."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from sesops.cli import run; run()", "sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    try:
        exports: dict[str, str] = {}
        for line in proc.stdout:
            if line.startswith("export "):
                key, _, value = line.removeprefix("export ").strip().partition("=")
                exports[key] = value
            if "sesops serve --cert-dir" in line:
                break
        assert set(exports) == {
            "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_DEFAULT_REGION",
        }
        for key, value in exports.items():
            monkeypatch.setenv(key, value)

        assert (
            main(["provision", "--region", REGION, "--identity", "example.com", "--sqs", "ses-feedback"]) == 0
        )
        assert main(["status", "--region", REGION]) == 0, capsys.readouterr().out
        capsys.readouterr()

        session = boto3.Session()
        message_id = session.client("ses").send_email(
            Source="sender@example.com",
            Destination={"ToAddresses": ["bounce@simulator.amazonses.com"]},
            Message={"Subject": {"Data": "done when"}, "Body": {"Text": {"Data": "hello"}}},
        )["MessageId"]
        bodies = drain_queue(session, "ses-feedback", expect=1)
        assert len(bodies) == 1

        from sesops import read_events

        frame = read_events([json.dumps(body) for body in bodies])
        assert len(frame) == 1
        row = frame.iloc[0]
        assert row["category"] == "hard_bounce"
        assert row["email"] == "bounce@simulator.amazonses.com"
        assert row["message_id"] == message_id
        assert row["status"] == "5.1.1" and row["bounce_type"] == "Permanent"
        assert row["subject"] == "done when"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


@pytest.mark.integration
def test_integration_smoke_read_only_against_a_real_account() -> None:
    """Runs only with SESOPS_INTEGRATION=1 and real credentials; reads, never writes."""
    if os.environ.get("SESOPS_INTEGRATION") != "1":
        pytest.skip("set SESOPS_INTEGRATION=1 (and AWS credentials) to run against a real account")
    session = boto3.Session()
    if session.get_credentials() is None:
        pytest.skip("no AWS credentials found")
    from sesops.aws.plan import Spec
    from sesops.aws.provision import provision
    from sesops.aws.status import status

    region = session.region_name or REGION
    identity = os.environ.get("SESOPS_INTEGRATION_IDENTITY")
    report = status([identity] if identity else None, region=region, session=session)
    assert report.state.account.isdigit()
    if identity:
        result = provision(Spec(identities=(identity,)), region=region, session=session, dry_run=True)
        assert result.steps and not result.applied


# -- a configuration set's EventBridge and Firehose channels ----------------------------------

CHANNELS = [
    "provision",
    "--region",
    REGION,
    "--configuration-set",
    "cs",
    "--eventbridge",
    "ses-events",
    "--firehose",
    "s3://archive/ses/",
    "--event-types",
    "bounce, Complaint,delivery_delay",
]


def test_provision_channels_prints_the_plan_then_nothing_to_change(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(CHANNELS) == 0
    out = capsys.readouterr().out
    assert "Plan for us-east-1 (account 123456789012), configuration set cs:" in out
    assert "+ rule " in out and "Email Bounced, Email Complaint Received, Email Delivery Delayed" in out
    assert "+ delivery stream" in out and "s3://archive/ses/YYYY/MM/DD/HH/, GZIP" in out
    assert "healthy: no problems found." in out
    assert main(CHANNELS) == 0
    out = capsys.readouterr().out
    assert "+ " not in out and "~ " not in out and "nothing to change" in out
    assert (
        main(["status", "--region", REGION, "--identity", "none.example", "--configuration-set", "cs"]) == 1
    )
    out = capsys.readouterr().out
    assert (
        "configuration set cs: sesops-eventbridge -> default event bus: BOUNCE, COMPLAINT, DELIVERY_DELAY"
        in out
    )
    assert (
        "rule sesops-cs (enabled): Email Bounced, Email Complaint Received, Email Delivery Delayed -> ses-events"
        in out
    )
    assert "stream sesops-cs (ACTIVE) -> s3://archive/ses/" in out
    assert "1 problem(s):" in out and "no such SES identity" in out  # the channels themselves are healthy


def test_status_names_a_queue_that_does_not_let_the_rule_send(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*CHANNELS[:7], "--dry-run"]) == 0
    assert "dry run: nothing changed" in capsys.readouterr().out
    assert sandbox.session().client("events").list_rules()["Rules"] == []
    assert main(CHANNELS[:7]) == 0
    sqs = sandbox.session().client("sqs")
    sqs.set_queue_attributes(
        QueueUrl=sqs.get_queue_url(QueueName="ses-events")["QueueUrl"], Attributes={"Policy": ""}
    )
    capsys.readouterr()
    assert main(["status", "--region", REGION, "--configuration-set", "cs"]) == 1
    out = capsys.readouterr().out
    assert "✗ rule sesops-cs -> sqs ses-events: the queue policy does not let the rule send" in out
    assert "fix: sesops provision --region us-east-1 --configuration-set cs --eventbridge ses-events" in out


def test_teardown_channels_keeps_the_bucket(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(CHANNELS) == 0
    capsys.readouterr()
    argv = ["teardown", "--region", REGION, "--configuration-set", "cs", "--yes"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Teardown in us-east-1, configuration set cs:" in out
    assert (
        "- rule " in out
        and "- delivery stream" in out
        and "✓ bucket" in out
        and "kept: it holds the archive" in out
    )
    session = sandbox.session()
    assert session.client("events").list_rules()["Rules"] == []
    assert session.client("iam").list_roles()["Roles"] == []
    assert [b["Name"] for b in session.client("s3").list_buckets()["Buckets"]] == ["archive"]
    assert main(argv) == 0
    assert "nothing to change" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (
            ["provision", "--region", REGION],
            "nothing to provision: pass --identity ID, or --configuration-set",
        ),
        (["provision", "--region", REGION, "--eventbridge", "q"], "nothing to provision"),
        ([*CHANNELS[:7], "--event-types", "Bounce,Opened"], "unknown type 'Opened'; use Bounce, Click, "),
        ([*CHANNELS[:7], "--event-types", " , "], "give at least one event type"),
        ([*CHANNELS[:5], "--firehose", "s3://"], "give a bucket name"),
        (["teardown", "--region", REGION, "--yes"], "nothing to tear down"),
    ],
)
def test_channel_usage_errors_are_one_line(
    argv: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert error in err and "Traceback" not in err


def test_parse_bucket_and_event_types() -> None:
    assert parse_bucket("archive") == ("archive", "")
    assert parse_bucket("s3://archive/ses") == ("archive", "ses/")
    assert parse_bucket("archive/a/b/") == ("archive", "a/b/")
    known = ("Bounce", "Rendering Failure", "DeliveryDelay")
    assert parse_event_types("rendering_failure,RENDERINGFAILURE, deliverydelay", known) == (
        "Rendering Failure",
        "DeliveryDelay",
    )


@pytest.mark.timeout(120)
def test_done_when_eventbridge_mail_to_the_simulator_comes_out_of_drain(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The issue's "done when": provision --configuration-set cs --eventbridge ses-events, mail the
    simulator with that configuration set, and `sesops drain` captures the Email Bounced event."""
    assert (
        main(["provision", "--region", REGION, "--configuration-set", "cs", "--eventbridge", "ses-events"])
        == 0
    )
    assert "healthy" in capsys.readouterr().out
    ses = sandbox.session().client("ses")
    ses.verify_domain_identity(Domain="example.com")
    message_id = ses.send_email(
        Source="sender@example.com",
        Destination={"ToAddresses": ["bounce@simulator.amazonses.com"]},
        Message={"Subject": {"Data": "via EventBridge"}, "Body": {"Text": {"Data": "hello"}}},
        ConfigurationSetName="cs",
    )["MessageId"]
    store = tmp_path / "events.sqlite"
    assert (
        main(
            [
                "drain",
                "--region",
                REGION,
                "--queue",
                "ses-events",
                "--db",
                str(store),
                "--wait",
                "1",
                "--quiet",
            ]
        )
        == 0
    )
    capsys.readouterr()

    from sesops import read_events

    frame = read_events(store)
    assert len(frame) == 1, frame
    row = frame.iloc[0]
    assert (row["category"], row["email"], row["message_id"]) == (
        "hard_bounce",
        "bounce@simulator.amazonses.com",
        message_id,
    )
