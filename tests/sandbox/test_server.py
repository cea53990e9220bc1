"""The sandbox's SES fidelity extensions: one test per extension, in-process (mock_aws) and
through the threaded server (AWS_ENDPOINT_URL). moto is pinned; these fail loudly on an upgrade."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sesops.sandbox import patching
from sesops.sandbox.server import HOST, Sandbox, dummy_environ, dummy_session, mocked
from sesops.sns.verify import SnsVerifier
from tests.sandbox_helpers import drain_queue, dummy_credentials, http_capture

SIM = "simulator.amazonses.com"
ROOT = Path(__file__).resolve().parents[2]


def broken(patch: str, what: str) -> str:
    return (
        f"sandbox extension {patch!r} no longer works ({what}); moto's internals moved — "
        f"update the patch in sesops/sandbox/ (patching.PATCHES names its function) for moto {patching.MOTO_VERSION}'s successor"
    )


@pytest.fixture(autouse=True)
def _dummy(monkeypatch: pytest.MonkeyPatch) -> None:
    dummy_credentials(monkeypatch)


@pytest.fixture(scope="module")
def server() -> Iterator[Sandbox]:
    with Sandbox(port=0) as sb:
        yield sb


@pytest.fixture(params=["mock", "server"])
def aws(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    """A session against the in-process mock, or against the sandbox server via AWS_ENDPOINT_URL."""
    if request.param == "mock":
        with mocked():
            yield dummy_session()
    else:
        sb: Sandbox = request.getfixturevalue("server")
        monkeypatch.setenv("AWS_ENDPOINT_URL", sb.endpoint)
        yield boto3.Session(region_name="us-east-1")


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def wire(
    session: boto3.Session, types: tuple[str, ...] = ("Bounce", "Complaint", "Delivery")
) -> tuple[str, str]:
    """A verified domain whose notification types go to a topic with an SQS subscriber."""
    domain = f"{_name('d')}.example.com"
    queue = _name("q")
    ses, sns, sqs = session.client("ses"), session.client("sns"), session.client("sqs")
    ses.verify_domain_identity(Domain=domain)
    topic = sns.create_topic(Name=_name("t"))["TopicArn"]
    url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    for kind in types:
        ses.set_identity_notification_topic(Identity=domain, NotificationType=kind, SnsTopic=topic)
        ses.set_identity_headers_in_notifications_enabled(
            Identity=domain, NotificationType=kind, Enabled=True
        )
    return domain, queue


def send(session: boto3.Session, source: str, *to: str, subject: str = "Test message") -> str:
    response = session.client("ses").send_email(
        Source=source,
        Destination={"ToAddresses": list(to)},
        Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": "hello"}}},
    )
    return str(response["MessageId"])


def feedback(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for body in bodies:
        assert isinstance(body["Message"], str), broken("ses-feedback", "Message must be a JSON string")
        out.append(json.loads(body["Message"]))
    return out


# -- moto pin ------------------------------------------------------------------------------


def test_moto_is_the_pinned_version() -> None:
    import moto

    assert moto.__version__ == patching.MOTO_VERSION, (
        f"moto {moto.__version__} installed but sesops.sandbox.patching patches {patching.MOTO_VERSION}: "
        "rerun tests/sandbox/test_server.py against the new version and adapt the patches before moving the pin"
    )


def test_patched_internals_still_exist() -> None:
    from moto.events.utils import EventTemplateParser
    from moto.firehose.models import FirehoseBackend
    from moto.ses.models import SESBackend
    from moto.ses.responses import EmailResponse
    from moto.sesv2 import urls
    from moto.sesv2.responses import SESV2Response
    from moto.sns.models import SNSBackend, Subscription
    from moto.sns.responses import SNSResponse

    for owner, name, patch in [
        (EmailResponse, "send_email", "ses-event-publishing"),
        (EmailResponse, "send_raw_email", "ses-event-publishing"),
        (EmailResponse, "send_templated_email", "ses-event-publishing"),
        (SESV2Response, "send_email", "ses-event-publishing"),
        (EventTemplateParser, "DEFAULT_EVENT_INPUT_TEMPLATE", "eventbridge-envelope"),
        (FirehoseBackend, "put_s3_records", "firehose-compression"),
        (FirehoseBackend, "_format_s3_object_path", "firehose-compression"),
        (SESBackend, "__process_sns_feedback__", "ses-feedback"),
        (SESBackend, "send_email", "ses-feedback"),
        (SESBackend, "send_raw_email", "ses-feedback"),
        (SESBackend, "send_templated_email", "ses-feedback"),
        (SESBackend, "sns_topics", "ses-notification-attributes"),
        (Subscription, "get_post_data", "sns-signing"),
        (Subscription, "publish", "sns-signing"),
        (SNSBackend, "subscribe", "sns-confirmation"),
        (SNSResponse, "confirm_subscription", "sns-confirmation"),
        (SNSResponse, "subscribe", "sns-confirmation"),
        (SNSResponse, "get_topic_attributes", "sns-signing"),
    ]:
        if name == "sns_topics":
            assert "sns_topics" in SESBackend("us-east-1", "123456789012").__dict__, broken(patch, name)
        else:
            assert hasattr(owner, name), broken(patch, f"{owner.__name__}.{name} is gone")
    assert isinstance(urls.url_paths, dict), broken("sesv2-suppression", "moto.sesv2.urls.url_paths")
    # The sandbox reports (not raises) these delivery failures by catching moto's error bases.
    from moto.core.exceptions import ServiceException
    from moto.sns.exceptions import SNSNotFoundError, TopicNotFound
    from moto.sqs.exceptions import QueueDoesNotExist

    assert issubclass(QueueDoesNotExist, ServiceException), broken("sns-signing", "SQS errors' base class")
    assert issubclass(TopicNotFound, SNSNotFoundError), broken("ses-feedback", "SNS's topic-not-found error")


# -- ses-notification-attributes -------------------------------------------------------------


def test_notification_attributes_read_back(aws: boto3.Session) -> None:
    domain, _ = wire(aws, types=("Bounce", "Complaint"))
    ses = aws.client("ses")
    ses.set_identity_feedback_forwarding_enabled(Identity=domain, ForwardingEnabled=False)
    attrs = ses.get_identity_notification_attributes(Identities=[domain])["NotificationAttributes"][domain]
    what = "topics/forwarding/headers do not read back"
    assert attrs["BounceTopic"].startswith("arn:aws:sns:us-east-1:"), broken(
        "ses-notification-attributes", what
    )
    assert attrs["ComplaintTopic"] == attrs["BounceTopic"], broken("ses-notification-attributes", what)
    assert "DeliveryTopic" not in attrs, broken("ses-notification-attributes", what)
    assert attrs["ForwardingEnabled"] is False, broken("ses-notification-attributes", what)
    assert attrs["HeadersInBounceNotificationsEnabled"] is True, broken("ses-notification-attributes", what)
    assert attrs["HeadersInDeliveryNotificationsEnabled"] is False, broken(
        "ses-notification-attributes", what
    )

    # Unsetting a topic (no SnsTopic) works once forwarding is back on, as in SES.
    ses.set_identity_feedback_forwarding_enabled(Identity=domain, ForwardingEnabled=True)
    ses.set_identity_notification_topic(Identity=domain, NotificationType="Bounce")
    attrs = ses.get_identity_notification_attributes(Identities=[domain])["NotificationAttributes"][domain]
    assert "BounceTopic" not in attrs and attrs["ForwardingEnabled"] is True, broken(
        "ses-notification-attributes", "unsetting a topic"
    )


def test_forwarding_stays_on_until_bounce_and_complaint_have_topics(aws: boto3.Session) -> None:
    ses = aws.client("ses")
    domain = f"{_name('d')}.example.com"
    ses.verify_domain_identity(Domain=domain)
    with pytest.raises(ClientError) as err:
        ses.set_identity_feedback_forwarding_enabled(Identity=domain, ForwardingEnabled=False)
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue", broken(
        "ses-notification-attributes", "forwarding off without topics must be refused"
    )


# -- ses-feedback ----------------------------------------------------------------------------

EXPECTED: dict[str, list[tuple[str, str | None]]] = {
    "success": [("Delivery", None)],
    "bounce": [("Bounce", "Permanent")],
    "ooto": [("Delivery", None), ("Bounce", "Transient")],
    "complaint": [("Delivery", None), ("Complaint", None)],
    "suppressionlist": [("Bounce", "Permanent")],
    "bounce+label": [("Bounce", "Permanent")],
}


@pytest.mark.parametrize("local", list(EXPECTED))
def test_mailbox_simulator_feedback(aws: boto3.Session, local: str) -> None:
    domain, queue = wire(aws)
    address = f"{local}@{SIM}"
    message_id = send(aws, f"test@{domain}", address, subject=f"Test message for {local}")
    bodies = drain_queue(aws, queue, expect=len(EXPECTED[local]))
    got = feedback(bodies)
    kinds = [(m["notificationType"], m.get("bounce", {}).get("bounceType")) for m in got]
    assert kinds == EXPECTED[local], broken("ses-feedback", f"{address} gave {kinds}")
    for message in got:
        mail = message["mail"]
        assert mail["messageId"] == message_id, broken(
            "ses-feedback", "mail.messageId is not the id SES returned"
        )
        assert mail["destination"] == [address]
        assert mail["source"] == f"test@{domain}"
        assert mail["sourceArn"].endswith(f":identity/{domain}")
        assert mail["sendingAccountId"] == "123456789012"
        assert mail["commonHeaders"]["subject"] == f"Test message for {local}"
        assert {"name": "To", "value": address} in mail["headers"]
    final = got[-1]
    if final["notificationType"] == "Bounce":
        recipient = final["bounce"]["bouncedRecipients"][0]
        assert recipient["emailAddress"] == address
        assert final["bounce"]["bounceSubType"] == "General"
        if local == "ooto":
            assert set(recipient) == {"emailAddress"}, (
                "an out-of-office bounce has no status/action/diagnosticCode"
            )
        else:
            assert (recipient["status"], recipient["action"]) == ("5.1.1", "failed")
            assert recipient["diagnosticCode"].startswith("smtp; 550 5.1.1 user unknown")
    if final["notificationType"] == "Complaint":
        complaint = final["complaint"]
        assert complaint["complaintFeedbackType"] == "abuse" and complaint["complaintSubType"] is None
        assert complaint["complainedRecipients"] == [{"emailAddress": address}]


def test_feedback_has_the_shape_of_real_captures(aws: boto3.Session, conformance: Path) -> None:
    domain, queue = wire(aws)
    send(aws, f"test@{domain}", f"bounce@{SIM}", f"complaint@{SIM}")
    got = {
        m["notificationType"] + str(m.get("delivery", {}).get("recipients")): m
        for m in feedback(drain_queue(aws, queue, expect=3))
    }
    bounce = next(m for m in got.values() if m["notificationType"] == "Bounce")
    complaint = next(m for m in got.values() if m["notificationType"] == "Complaint")
    for ours, name in [(bounce, "bounce_notification"), (complaint, "complaint_notification")]:
        real = json.loads(
            (conformance / "ses" / f"fx-private-relay_{name}_from_simulator_ses_body.json").read_text()
        )
        detail = name.split("_")[0]
        assert set(ours) == set(real), f"{name}: top-level keys differ"
        assert set(ours[detail]) == set(real[detail]), f"{name}: {detail} keys differ"
        assert set(ours["mail"]) == set(real["mail"]), f"{name}: mail keys differ"


def test_feedback_without_headers_when_headers_are_off(aws: boto3.Session) -> None:
    domain, queue = wire(aws)
    aws.client("ses").set_identity_headers_in_notifications_enabled(
        Identity=domain, NotificationType="Bounce", Enabled=False
    )
    send(aws, f"test@{domain}", f"bounce@{SIM}")
    (message,) = feedback(drain_queue(aws, queue, expect=1))
    assert "headers" not in message["mail"] and "commonHeaders" not in message["mail"]


def test_other_recipients_get_delivery_only_with_a_delivery_topic(aws: boto3.Session) -> None:
    domain, queue = wire(aws)
    send(aws, f"test@{domain}", "someone@example.org")
    (delivery,) = feedback(drain_queue(aws, queue, expect=1))
    assert delivery["notificationType"] == "Delivery"
    assert delivery["delivery"]["recipients"] == ["someone@example.org"]

    domain, queue = wire(aws, types=("Bounce", "Complaint"))
    send(aws, f"test@{domain}", "someone@example.org", f"success@{SIM}")
    assert drain_queue(aws, queue) == [], broken(
        "ses-feedback", "Delivery published without a Delivery topic"
    )


def test_raw_and_sesv2_sends_produce_feedback_with_their_message_ids(aws: boto3.Session) -> None:
    domain, queue = wire(aws)
    raw = (
        f"From: test@{domain}\r\nTo: bounce@{SIM}\r\nSubject: raw one\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
    )
    raw_id = aws.client("ses").send_raw_email(RawMessage={"Data": raw})["MessageId"]
    v2_id = aws.client("sesv2").send_email(
        FromEmailAddress=f"test@{domain}",
        Destination={"ToAddresses": [f"complaint@{SIM}"]},
        Content={"Simple": {"Subject": {"Data": "v2"}, "Body": {"Text": {"Data": "hi"}}}},
    )["MessageId"]
    got = feedback(drain_queue(aws, queue, expect=3))
    bounce = next(m for m in got if m["notificationType"] == "Bounce")
    complaint = next(m for m in got if m["notificationType"] == "Complaint")
    assert bounce["mail"]["messageId"] == raw_id, broken("ses-feedback", "send_raw_email message id")
    assert bounce["mail"]["commonHeaders"]["subject"] == "raw one"
    assert complaint["mail"]["messageId"] == v2_id, broken("ses-feedback", "SESv2 send_email message id")


# -- sns-signing and sns-confirmation --------------------------------------------------------


def _verifier(cert_dir: Path, topic: str) -> SnsVerifier:
    return SnsVerifier(cert_dir=cert_dir, allowed_topics=[topic])


def test_http_subscription_confirmation_and_signed_delivery(
    server: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
    sns = boto3.Session(region_name="us-east-1").client("sns")
    topic = sns.create_topic(Name=_name("http"))["TopicArn"]
    verifier = _verifier(server.cert_dir, topic)
    with http_capture() as endpoint:
        arn = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)["SubscriptionArn"]
        assert arn == "pending confirmation", broken("sns-confirmation", "Subscribe must not return an ARN")
        headers, confirmation = endpoint.wait(1)[0]
        assert confirmation["Type"] == "SubscriptionConfirmation", broken(
            "sns-confirmation", "no confirmation"
        )
        assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
        verifier.verify(confirmation)
        (listed,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        assert listed["SubscriptionArn"] == "PendingConfirmation", broken("sns-confirmation", "listing")

        sns.publish(TopicArn=topic, Message="before confirmation")
        time.sleep(0.2)
        assert len(endpoint.posts) == 1, broken(
            "sns-confirmation", "delivered to an unconfirmed subscription"
        )

        with pytest.raises(ClientError):
            sns.confirm_subscription(TopicArn=topic, Token="not-the-token")
        confirmed = sns.confirm_subscription(TopicArn=topic, Token=confirmation["Token"])["SubscriptionArn"]
        assert confirmed.startswith(topic + ":"), broken("sns-confirmation", "ConfirmSubscription")
        attrs = sns.get_subscription_attributes(SubscriptionArn=confirmed)["Attributes"]
        assert attrs["PendingConfirmation"] == "false"

        sns.publish(TopicArn=topic, Message="v1 signed")  # SNS's default SignatureVersion is 1
        sns.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion", AttributeValue="2")
        assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SignatureVersion"] == "2", broken(
            "sns-signing", "GetTopicAttributes SignatureVersion"
        )
        sns.publish(TopicArn=topic, Message="v2 signed")
        posts = endpoint.wait(3)
    for (headers, envelope), version in zip(posts[1:], ["1", "2"], strict=True):
        assert headers["x-amz-sns-message-type"] == "Notification"
        assert headers["x-amz-sns-subscription-arn"] == confirmed
        assert envelope["SignatureVersion"] == version, broken("sns-signing", "SignatureVersion per topic")
        assert envelope["SigningCertURL"] == server.authority.cert_url("us-east-1")
        verifier.verify(envelope)  # raises if the signature is moto's fake


def test_sqs_deliveries_are_signed_too(aws: boto3.Session) -> None:
    domain, queue = wire(aws)
    send(aws, f"test@{domain}", f"bounce@{SIM}")
    (envelope,) = drain_queue(aws, queue, expect=1)
    cert_dir = Path(os.environ.get("TMPDIR", "/tmp")) / _name("certs")
    patching.authority().write_cert_dir(cert_dir)
    _verifier(cert_dir, envelope["TopicArn"]).verify(envelope)


def test_sqs_subscriptions_are_confirmed_at_once(aws: boto3.Session) -> None:
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name=_name("t"))["TopicArn"]
    url = sqs.create_queue(QueueName=_name("q"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    assert arn.startswith(topic + ":"), broken("sns-confirmation", "SQS must not be pending")
    (listed,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed["SubscriptionArn"] == arn, broken("sns-confirmation", "SQS must not be pending")


def test_receiver_confirms_through_the_sandbox(
    server: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The real receiver (sesops serve's app) confirms via ConfirmSubscription and verifies deliveries."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from sesops.capture.receiver import make_app
    from sesops.capture.store import CaptureStore

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
    sns = boto3.Session(region_name="us-east-1").client("sns")
    topic = sns.create_topic(Name=_name("recv"))["TopicArn"]
    store = CaptureStore(tmp_path / "capture.sqlite")
    app = make_app(store, _verifier(server.cert_dir, topic))
    httpd = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=f"http://127.0.0.1:{httpd.server_port}/")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            (sub,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
            if sub["SubscriptionArn"] != "PendingConfirmation":
                break
            time.sleep(0.05)
        assert sub["SubscriptionArn"].startswith("arn:"), "the receiver did not confirm the subscription"
    finally:
        httpd.shutdown()
        store.close()


# -- sesv2-suppression and sesv2-event-destinations ------------------------------------------


def test_account_suppression_list(aws: boto3.Session) -> None:
    sesv2 = aws.client("sesv2")
    a, b = f"{_name('a')}@example.com", f"{_name('b')}@example.com"
    sesv2.put_suppressed_destination(EmailAddress=a, Reason="BOUNCE")
    sesv2.put_suppressed_destination(EmailAddress=b, Reason="COMPLAINT")
    got = sesv2.get_suppressed_destination(EmailAddress=a)["SuppressedDestination"]
    assert (got["EmailAddress"], got["Reason"]) == (a, "BOUNCE"), broken("sesv2-suppression", "get")
    assert got["LastUpdateTime"].year >= 2024
    listed = {
        s["EmailAddress"]: s["Reason"]
        for s in sesv2.list_suppressed_destinations()["SuppressedDestinationSummaries"]
    }
    assert listed[a] == "BOUNCE" and listed[b] == "COMPLAINT", broken("sesv2-suppression", "list")
    complaints = sesv2.list_suppressed_destinations(Reasons=["COMPLAINT"])["SuppressedDestinationSummaries"]
    assert a not in {s["EmailAddress"] for s in complaints}, broken("sesv2-suppression", "Reasons filter")
    sesv2.delete_suppressed_destination(EmailAddress=a)
    with pytest.raises(ClientError) as err:
        sesv2.get_suppressed_destination(EmailAddress=a)
    assert err.value.response["Error"]["Code"] == "NotFoundException", broken("sesv2-suppression", "delete")


def test_suppressed_recipient_bounces_on_account_suppression_list(aws: boto3.Session) -> None:
    domain, queue = wire(aws)
    victim = f"{_name('gone')}@example.org"
    aws.client("sesv2").put_suppressed_destination(EmailAddress=victim, Reason="BOUNCE")
    send(aws, f"test@{domain}", victim)
    (bounce,) = feedback(drain_queue(aws, queue, expect=1))
    assert bounce["bounce"]["bounceSubType"] == "OnAccountSuppressionList"


def test_configuration_set_event_destinations(aws: boto3.Session) -> None:
    sesv2 = aws.client("sesv2")
    name = _name("cs")
    topic = aws.client("sns").create_topic(Name=_name("t"))["TopicArn"]
    sesv2.create_configuration_set(ConfigurationSetName=name)
    destination = {"Enabled": True, "MatchingEventTypes": ["BOUNCE"], "SnsDestination": {"TopicArn": topic}}
    sesv2.create_configuration_set_event_destination(
        ConfigurationSetName=name, EventDestinationName="d1", EventDestination=destination
    )
    (got,) = sesv2.get_configuration_set_event_destinations(ConfigurationSetName=name)["EventDestinations"]
    assert got["Name"] == "d1" and got["SnsDestination"]["TopicArn"] == topic, broken(
        "sesv2-event-destinations", "get"
    )
    sesv2.update_configuration_set_event_destination(
        ConfigurationSetName=name,
        EventDestinationName="d1",
        EventDestination={**destination, "MatchingEventTypes": ["BOUNCE", "COMPLAINT"]},
    )
    (got,) = sesv2.get_configuration_set_event_destinations(ConfigurationSetName=name)["EventDestinations"]
    assert got["MatchingEventTypes"] == ["BOUNCE", "COMPLAINT"], broken("sesv2-event-destinations", "update")
    sesv2.delete_configuration_set_event_destination(ConfigurationSetName=name, EventDestinationName="d1")
    assert (
        sesv2.get_configuration_set_event_destinations(ConfigurationSetName=name)["EventDestinations"] == []
    )
    with pytest.raises(ClientError):
        sesv2.get_configuration_set_event_destinations(ConfigurationSetName=_name("missing"))


# -- the sandbox itself ----------------------------------------------------------------------


def test_sandbox_binds_only_loopback(server: Sandbox) -> None:
    assert HOST == "127.0.0.1"
    assert server.endpoint == f"http://127.0.0.1:{server.port}"
    assert server.env == {
        "AWS_ENDPOINT_URL": server.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    assert (server.cert_dir / server.authority.file_name).is_file()
    creds = server.session().get_credentials()
    assert creds is not None and creds.access_key == "testing"


def test_dummy_environ_drops_real_credentials() -> None:
    env = dummy_environ(
        {
            "AWS_ACCESS_KEY_ID": "AKIAREAL",
            "AWS_SECRET_ACCESS_KEY": "s3cret",
            "AWS_PROFILE": "prod",
            "AWS_SESSION_TOKEN": "tok",
            "PATH": "/bin",
        }
    )
    assert env["AWS_ACCESS_KEY_ID"] == "testing" and env["AWS_SECRET_ACCESS_KEY"] == "testing"
    assert "AWS_PROFILE" not in env and "AWS_SESSION_TOKEN" not in env and env["PATH"] == "/bin"


def test_sandbox_command_prints_env_and_stops_on_sigterm() -> None:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "AKIAREALKEY0000",
        "AWS_SECRET_ACCESS_KEY": "real-secret-value",
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", "from sesops.cli import run; run()", "sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if "sesops serve --cert-dir" in line:
                break
        text = "".join(lines)
        assert "listening on http://127.0.0.1:" in text
        assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in text
        assert "export AWS_ACCESS_KEY_ID=testing" in text and "export AWS_SECRET_ACCESS_KEY=testing" in text
        assert "export AWS_DEFAULT_REGION=us-east-1" in text
        assert "AKIAREALKEY0000" not in text and "real-secret-value" not in text
        endpoint = text.split("export AWS_ENDPOINT_URL=")[1].split()[0]
        ses = dummy_session(endpoint=endpoint).client("ses")
        assert ses.list_identities()["Identities"] == []
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0, out
    assert "sandbox stopped." in out


def test_busy_port_is_a_clear_error_not_a_hang(server: Sandbox) -> None:
    from sesops.errors import AwsError

    with pytest.raises(AwsError, match="cannot listen"):
        Sandbox(port=server.port).start()
    assert patching.installed(), "the running sandbox keeps its patches"


def test_patches_are_undone_when_the_last_user_leaves() -> None:
    from moto.sns.models import Subscription

    with mocked():
        assert patching.installed()
    # Another module's server may still run in this process; without one, moto is vanilla again.
    if not patching.installed():
        assert "get_post_data" in vars(Subscription) and not hasattr(Subscription, "subscription_arn")
