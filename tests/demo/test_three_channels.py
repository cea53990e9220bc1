"""Three channels at once on the sandbox, losing and duplicating nothing.

Mail to the SES mailbox simulator with a configuration set reaches us three ways: the identity's
notifications (SNS -> HTTP receiver and SNS -> SQS -> ``sesops drain``), event publishing to
EventBridge (default bus -> rule -> SQS -> the ``sesops drain`` command) and event publishing to Firehose
(-> S3, read with ``read_events("s3://...")``), the last two wired by ``sesops provision
--configuration-set --eventbridge --firehose``. Loaded together, every sent message is accounted
for: one row per recipient and event, the feedback seen through several channels kept once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from sesops.aws.plan import Spec
from sesops.aws.provision import provision
from sesops.capture.drain import drain
from sesops.capture.store import CaptureStore
from sesops.cli import main
from sesops.demo.capture import ReceiverThread
from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES
from sesops.load.reader import read_events
from sesops.sandbox.server import Sandbox
from sesops.sns.verify import SnsVerifier
from tests.sandbox.wiring import EXPECTED_EVENTS, REGION, SIM, queue_arn, send, unique
from tests.sandbox_helpers import dummy_credentials

pytestmark = pytest.mark.timeout(120)
REPEAT = 3  # messages to each simulator address


@pytest.fixture(autouse=True)
def _dummy(monkeypatch: pytest.MonkeyPatch) -> None:
    dummy_credentials(monkeypatch)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0, region=REGION) as sb:
        yield sb


def identity_notifications(session: boto3.Session, domain: str) -> tuple[str, str]:
    """The domain's Bounce/Complaint/Delivery topic, with an SQS subscriber."""
    sns, sqs = session.client("sns"), session.client("sqs")
    topic = sns.create_topic(Name=unique("feedback"))["TopicArn"]
    queue = unique("feedback")
    sqs.create_queue(QueueName=queue)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(queue))
    for kind in ("Bounce", "Complaint", "Delivery"):
        session.client("ses").set_identity_notification_topic(
            Identity=domain, NotificationType=kind, SnsTopic=topic
        )
    return topic, queue


def wait_confirmed(session: boto3.Session, topic: str) -> None:
    deadline = time.monotonic() + 10
    sns = session.client("sns")
    while time.monotonic() < deadline:
        subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        if all(s["SubscriptionArn"] != "PendingConfirmation" for s in subs):
            return
        time.sleep(0.05)
    raise AssertionError("the receiver did not confirm its subscription")


def test_three_channels_lose_and_duplicate_nothing(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    session = sandbox.session(REGION)
    domain = f"{unique('d')}.example.com"
    session.client("ses").verify_domain_identity(Domain=domain)
    config_set, events_queue, bucket = unique("cs"), unique("ses-events"), unique("archive")
    channels = Spec(
        configuration_set=config_set,
        eventbridge_queue=events_queue,
        firehose_bucket=bucket,
        firehose_prefix="ses/",
        event_types=("Send", "Delivery", "Bounce", "Complaint"),
        detail_types=EVENTBRIDGE_DETAIL_TYPES,
    )
    provision(channels, region=REGION, session=session)
    topic, sns_queue = identity_notifications(session, domain)
    verifier = SnsVerifier(cert_dir=sandbox.cert_dir, allowed_topics=[topic])
    db = tmp_path / "capture.sqlite"
    with CaptureStore(db) as store:
        receiver = ReceiverThread(store, verifier, session)
        try:
            session.client("sns").subscribe(TopicArn=topic, Protocol="http", Endpoint=receiver.url)
            wait_confirmed(session, topic)
            sent = {
                send(session, f"shop@{domain}", f"{local}@{SIM}", config_set=config_set): local
                for local in EXPECTED_EVENTS
                for _ in range(REPEAT)
            }
        finally:
            receiver.stop()
        by_sns = drain(store, sns_queue, session=session, region=REGION, verifier=verifier, wait_seconds=0)
    assert sandbox.delivery_failures == []
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.endpoint)  # the CLI and the S3 reader: boto3's chain
    assert main(["drain", "--region", REGION, "--queue", events_queue, "--db", str(db), "--quiet"]) == 0
    by_eventbridge = capsys.readouterr().out
    with CaptureStore(db) as store:
        counts = store.counts()

    notifications = sum(len(EXPECTED_EVENTS[local]) - 1 for local in sent.values())  # all but Send
    events = sum(len(EXPECTED_EVENTS[local]) for local in sent.values())
    assert (by_sns.received, by_sns.stored, by_sns.duplicates) == (notifications, 0, notifications), (
        "the SQS copy of each notification is the HTTP one again (same SNS MessageId)"
    )
    assert f"received {events}, stored new {events}, duplicates 0, rejected 0" in by_eventbridge
    assert counts.messages == notifications + events + 1  # + the SubscriptionConfirmation

    archive = f"s3://{bucket}/ses/"
    from_s3 = read_events(archive, errors="raise")
    assert len(from_s3) == events, "Firehose archived every event"
    df = read_events(db, archive, errors="raise")

    keys = Counter(zip(df["message_id"], df["email"], df["event_type"], strict=True))
    assert max(keys.values()) == 1, f"duplicated: {[k for k, n in keys.items() if n > 1]}"
    expected = {
        (message_id, f"{local}@{SIM}", event_type)
        for message_id, local in sent.items()
        for event_type in EXPECTED_EVENTS[local]
    }
    assert set(keys) == expected, "every sent message and each of its events, nothing else"
    feedback = df.dropna(subset=["feedback_id"])
    assert not feedback.duplicated(["feedback_id", "email", "event_type"]).any()
    # Each notification came twice more (as EventBridge and Firehose records), each Send once more.
    assert len(df) == events and int(df.attrs["duplicates"]) == notifications + events
