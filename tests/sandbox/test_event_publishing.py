"""Patch ``ses-event-publishing`` (and ``eventbridge-envelope``, ``firehose-compression``): a send with a
configuration set reaches each enabled, matching event destination as SES's event records, by SNS,
EventBridge (rule -> SQS) and Firehose (S3). In-process (mock_aws) except where the server matters."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES
from sesops.sandbox import failures
from sesops.sandbox.failures import DeliveryFailure
from sesops.sandbox.server import Sandbox, dummy_session, mocked
from tests.sandbox.wiring import (
    ACCOUNT,
    EXPECTED_EVENTS,
    REGION,
    SIM,
    add_destination,
    destination,
    eventbridge_envelopes,
    eventbridge_target,
    firehose_objects,
    firehose_records,
    queue_arn,
    queue_bodies,
    send,
    sns_records,
    unique,
    wire_events,
)
from tests.sandbox_helpers import dummy_credentials

pytestmark = pytest.mark.timeout(60)
DATED_KEY = re.compile(r"ses/\d{4}/\d{2}/\d{2}/\d{2}/(?P<stream>[\w-]+)-1-\d{4}(-\d{2}){5}-[0-9a-f-]{36}")


@pytest.fixture(autouse=True)
def _dummy(monkeypatch: pytest.MonkeyPatch) -> None:
    dummy_credentials(monkeypatch)


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    with mocked():
        yield dummy_session()


def verified_domain(session: boto3.Session, notifications: bool = False) -> tuple[str, str | None]:
    """A verified domain; with ``notifications``, its Bounce/Complaint/Delivery topic feeds a queue."""
    domain = f"{unique('d')}.example.com"
    ses = session.client("ses")
    ses.verify_domain_identity(Domain=domain)
    if not notifications:
        return domain, None
    queue, topic = unique("identity"), session.client("sns").create_topic(Name=unique("t"))["TopicArn"]
    session.client("sqs").create_queue(QueueName=queue)
    session.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn(queue))
    for kind in ("Bounce", "Complaint", "Delivery"):
        ses.set_identity_notification_topic(Identity=domain, NotificationType=kind, SnsTopic=topic)
    return domain, queue


def feedback_ids(records: list[dict[str, Any]]) -> set[str]:
    return {r[k]["feedbackId"] for r in records for k in ("bounce", "complaint") if k in r}


@pytest.mark.parametrize("local", list(EXPECTED_EVENTS))
def test_each_destination_gets_the_records_of_each_simulator_address(aws: boto3.Session, local: str) -> None:
    domain, identity_queue = verified_domain(aws, notifications=True)
    wiring = wire_events(aws)
    address = f"{local}@{SIM}"
    message_id = send(aws, f"test@{domain}", address, config_set=wiring.config_set)

    by_sns = sns_records(aws, wiring)
    by_eventbridge = [e["detail"] for e in eventbridge_envelopes(aws, wiring)]
    by_firehose = firehose_records(aws, wiring)
    for channel, records in [("SNS", by_sns), ("EventBridge", by_eventbridge), ("Firehose", by_firehose)]:
        assert sorted(r["eventType"] for r in records) == sorted(EXPECTED_EVENTS[local]), channel
        for record in records:
            mail = record["mail"]
            assert mail["messageId"] == message_id and mail["destination"] == [address], channel
            assert mail["tags"]["ses:configuration-set"] == [wiring.config_set], channel
            assert mail["commonHeaders"]["subject"] == "Test" and mail["headers"], channel
    assert by_sns == by_eventbridge == by_firehose, "every destination gets the same records"
    assert by_firehose[0]["eventType"] == "Send" and by_firehose[0]["send"] == {}

    assert identity_queue is not None
    notifications = [json.loads(b["Message"]) for b in queue_bodies(aws, identity_queue)]
    assert feedback_ids(by_sns) == feedback_ids(notifications), "same feedbackId as the identity notification"
    for record in by_sns:
        kind = record["eventType"].lower()
        twin = next((n for n in notifications if n["notificationType"].lower() == kind), None)
        if twin is not None:
            assert record[kind] == twin[kind], f"{kind} object differs from the identity notification's"


def test_disabled_and_unmatched_destinations_get_nothing(aws: boto3.Session) -> None:
    domain, _ = verified_domain(aws)
    wiring = wire_events(aws, types=("COMPLAINT",), firehose=False)  # matches none of bounce@'s events
    off = wire_events(aws, sns=False, eventbridge=False)
    aws.client("sesv2").update_configuration_set_event_destination(
        ConfigurationSetName=off.config_set,
        EventDestinationName="to-firehose",
        EventDestination=destination(("SEND", "BOUNCE"), enabled=False, **_firehose_of(aws, off)),
    )
    unset = wire_events(aws, sns=False, firehose=False)  # Enabled omitted: SESv2 leaves it off
    aws.client("sesv2").update_configuration_set_event_destination(
        ConfigurationSetName=unset.config_set,
        EventDestinationName="to-eventbridge",
        EventDestination=destination(("SEND", "BOUNCE"), enabled=None, **eventbridge_target(aws, unset)),
    )
    for config_set in (wiring.config_set, off.config_set, unset.config_set):
        send(aws, f"test@{domain}", f"bounce@{SIM}", config_set=config_set)
    assert sns_records(aws, wiring) == [] and eventbridge_envelopes(aws, wiring) == []
    assert firehose_objects(aws, off) == {}
    assert eventbridge_envelopes(aws, unset) == []

    send(aws, f"test@{domain}", f"complaint@{SIM}", config_set=wiring.config_set)
    assert [r["eventType"] for r in sns_records(aws, wiring)] == ["Complaint"]
    assert [e["detail-type"] for e in eventbridge_envelopes(aws, wiring)] == ["Email Complaint Received"]


def _firehose_of(session: boto3.Session, wiring: Any) -> dict[str, Any]:
    (found,) = [
        d
        for d in session.client("sesv2").get_configuration_set_event_destinations(
            ConfigurationSetName=wiring.config_set
        )["EventDestinations"]
        if d["Name"] == "to-firehose"
    ]
    return {"KinesisFirehoseDestination": found["KinesisFirehoseDestination"]}


def test_no_configuration_set_no_events_unless_the_identity_has_a_default(aws: boto3.Session) -> None:
    domain, _ = verified_domain(aws)
    wiring = wire_events(aws, eventbridge=False, firehose=False)
    send(aws, f"test@{domain}", f"bounce@{SIM}")
    assert sns_records(aws, wiring) == []

    sender = f"news@{unique('d')}.example.com"
    sesv2 = aws.client("sesv2")
    sesv2.create_email_identity(EmailIdentity=sender, ConfigurationSetName=wiring.config_set)
    send(aws, sender, f"bounce@{SIM}")
    records = sns_records(aws, wiring)
    assert [r["eventType"] for r in records] == ["Send", "Bounce"]
    assert records[0]["mail"]["tags"]["ses:configuration-set"] == [wiring.config_set]

    sesv2.put_email_identity_configuration_set_attributes(EmailIdentity=sender)  # no default any more
    assert "ConfigurationSetName" not in sesv2.get_email_identity(EmailIdentity=sender)
    send(aws, sender, f"bounce@{SIM}")
    assert sns_records(aws, wiring) == []
    sesv2.put_email_identity_configuration_set_attributes(
        EmailIdentity=domain, ConfigurationSetName=wiring.config_set
    )
    assert sesv2.get_email_identity(EmailIdentity=domain)["ConfigurationSetName"] == wiring.config_set
    send(aws, f"test@{domain}", f"success@{SIM}")
    assert [r["eventType"] for r in sns_records(aws, wiring)] == ["Send", "Delivery"]
    with pytest.raises(ClientError, match="NotFoundException"):
        sesv2.put_email_identity_configuration_set_attributes(
            EmailIdentity=domain, ConfigurationSetName="nope"
        )


def test_eventbridge_rule_target_gets_the_whole_envelope(aws: boto3.Session) -> None:
    domain, _ = verified_domain(aws)
    wiring = wire_events(aws, sns=False, firehose=False)
    send(aws, f"test@{domain}", f"complaint@{SIM}", config_set=wiring.config_set)
    envelopes = eventbridge_envelopes(aws, wiring)
    assert len(envelopes) == 3
    for envelope in envelopes:
        assert list(envelope) == [
            "version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail",
        ]  # fmt: skip
        assert EVENTBRIDGE_DETAIL_TYPES[envelope["detail-type"]] == envelope["detail"]["eventType"]
        assert (envelope["source"], envelope["account"], envelope["region"]) == ("aws.ses", ACCOUNT, REGION)
        assert envelope["resources"] == [
            f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/{wiring.config_set}"
        ]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", envelope["time"])
    assert len({e["id"] for e in envelopes}) == 3


def test_eventbridge_rule_pattern_decides_what_its_queue_gets(aws: boto3.Session) -> None:
    domain, _ = verified_domain(aws)
    wiring = wire_events(aws, sns=False, eventbridge=False, firehose=False)
    target = eventbridge_target(aws, wiring, {"source": ["aws.ses"], "detail-type": ["Email Bounced"]})
    add_destination(
        aws, wiring.config_set, "eb", destination(("SEND", "DELIVERY", "BOUNCE", "COMPLAINT"), **target)
    )
    send(aws, f"test@{domain}", f"bounce@{SIM}", f"complaint@{SIM}", config_set=wiring.config_set)
    assert [e["detail"]["eventType"] for e in eventbridge_envelopes(aws, wiring)] == ["Bounce"]


@pytest.mark.parametrize("compression", ["UNCOMPRESSED", "GZIP"])
def test_firehose_objects_land_under_a_dated_prefix(aws: boto3.Session, compression: str) -> None:
    domain, _ = verified_domain(aws)
    wiring = wire_events(aws, sns=False, eventbridge=False, compression=compression)
    send(aws, f"test@{domain}", f"bounce@{SIM}", f"success@{SIM}", config_set=wiring.config_set)
    send(aws, f"test@{domain}", f"complaint@{SIM}", config_set=wiring.config_set)
    objects = firehose_objects(aws, wiring)
    assert len(objects) == 2, "one object per send: the send's records in one PutRecordBatch"
    for key, body in objects.items():
        match = DATED_KEY.match(key)
        assert match and match["stream"] == wiring.stream, key
        assert key.endswith(".gz") == (compression == "GZIP"), key
        assert body.endswith(b"\n") and b"}{" not in body, "newline-delimited records, as SES writes them"
    types = sorted(r["eventType"] for r in firehose_records(aws, wiring))
    assert types == sorted(["Send", "Bounce", "Delivery", "Send", "Delivery", "Complaint"])


def test_raw_and_sesv2_sends_carry_their_configuration_set_and_tags(aws: boto3.Session) -> None:
    domain, _ = verified_domain(aws)
    wiring = wire_events(aws, ("SEND",), eventbridge=False, firehose=False)
    raw = f"From: test@{domain}\r\nTo: success@{SIM}\r\nSubject: raw\r\n\r\nhello\r\n"
    raw_id = aws.client("ses").send_raw_email(
        RawMessage={"Data": raw},
        ConfigurationSetName=wiring.config_set,
        Tags=[{"Name": "campaign", "Value": "raw"}],
    )["MessageId"]
    v2_id = aws.client("sesv2").send_email(
        FromEmailAddress=f"test@{domain}",
        Destination={"ToAddresses": [f"success@{SIM}"]},
        Content={"Simple": {"Subject": {"Data": "v2"}, "Body": {"Text": {"Data": "hi"}}}},
        ConfigurationSetName=wiring.config_set,
        EmailTags=[{"Name": "campaign", "Value": "v2"}],
    )["MessageId"]
    sends = {r["mail"]["messageId"]: r["mail"] for r in sns_records(aws, wiring)}
    assert set(sends) == {raw_id, v2_id}
    assert sends[raw_id]["tags"]["campaign"] == ["raw"] and sends[v2_id]["tags"]["campaign"] == ["v2"]
    assert sends[raw_id]["tags"]["ses:from-domain"] == [domain]
    assert sends[raw_id]["commonHeaders"]["subject"] == "raw"


def test_unknown_configuration_set_fails_the_send(aws: boto3.Session) -> None:
    domain, _ = verified_domain(aws)
    with pytest.raises(ClientError, match="ConfigurationSetDoesNotExist"):
        send(aws, f"test@{domain}", f"success@{SIM}", config_set="missing")
    with pytest.raises(ClientError, match="NotFoundException"):
        aws.client("sesv2").send_email(
            FromEmailAddress=f"test@{domain}",
            Destination={"ToAddresses": [f"success@{SIM}"]},
            Content={"Simple": {"Subject": {"Data": "v2"}, "Body": {"Text": {"Data": "hi"}}}},
            ConfigurationSetName="missing",
        )


@pytest.fixture
def reported() -> Iterator[list[DeliveryFailure]]:
    found: list[DeliveryFailure] = []
    failures.watch(found.append)
    yield found
    failures.unwatch(found.append)


def test_gone_destinations_drop_the_records_and_are_reported(
    aws: boto3.Session, reported: list[DeliveryFailure], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sesops.sandbox")
    domain, _ = verified_domain(aws)
    wiring = wire_events(aws)
    assert wiring.topic and wiring.eventbridge_queue and wiring.bucket and wiring.stream
    aws.client("sns").delete_topic(TopicArn=wiring.topic)
    sqs = aws.client("sqs")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=wiring.eventbridge_queue)["QueueUrl"])
    aws.client("s3").delete_bucket(Bucket=wiring.bucket)
    message_id = send(aws, f"test@{domain}", f"bounce@{SIM}", config_set=wiring.config_set)
    assert message_id, "the send itself succeeds, as in SES"
    targets = {f.target for f in reported}
    assert wiring.topic in targets
    assert f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default" in targets
    assert f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{wiring.stream}" in targets
    assert any("could not deliver" in r.getMessage() for r in caplog.records)

    aws.client("firehose").delete_delivery_stream(DeliveryStreamName=wiring.stream)
    reported.clear()
    send(aws, f"test@{domain}", f"bounce@{SIM}", config_set=wiring.config_set)
    (stream_failure,) = [f for f in reported if "firehose" in f.target]
    assert "not found" in stream_failure.reason


def test_records_flow_through_the_server_too(monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox(port=0) as sandbox:
        session = sandbox.session(REGION)
        domain, _ = verified_domain(session)
        wiring = wire_events(session, sns=False)
        session.client("sesv2").put_email_identity_configuration_set_attributes(
            EmailIdentity=domain, ConfigurationSetName=wiring.config_set
        )
        send(session, f"test@{domain}", f"ooto@{SIM}")  # the identity's default configuration set
        envelopes = eventbridge_envelopes(session, wiring)
        assert [e["detail-type"] for e in envelopes] == ["Email Sent", "Email Delivered", "Email Bounced"]
        assert [r["eventType"] for r in firehose_records(session, wiring)] == ["Send", "Delivery", "Bounce"]
        assert sandbox.delivery_failures == []


EICAR_TEST_FILE = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def test_a_virus_is_rejected_and_an_unrenderable_template_fails_without_feedback(aws: boto3.Session) -> None:
    domain, identity_queue = verified_domain(aws, notifications=True)
    wiring = wire_events(
        aws, ("SEND", "REJECT", "RENDERING_FAILURE", "DELIVERY"), eventbridge=False, firehose=False
    )
    ses = aws.client("ses")
    send(aws, f"test@{domain}", f"success@{SIM}", config_set=wiring.config_set, body=EICAR_TEST_FILE)
    ses.create_template(
        Template={
            "TemplateName": "welcome",
            "SubjectPart": "Hi {{name}}",
            "TextPart": "Your plan: {{plan.tier}}",
        }
    )
    for data in ('{"name": "Ann"}', '{"name": "Ann", "plan": {"tier": "gold"}}'):
        ses.send_templated_email(
            Source=f"test@{domain}",
            Destination={"ToAddresses": [f"success@{SIM}"]},
            Template="welcome",
            TemplateData=data,
            ConfigurationSetName=wiring.config_set,
        )
    records = sns_records(aws, wiring)
    assert [r["eventType"] for r in records] == [
        "Send", "Reject", "Send", "Rendering Failure", "Send", "Delivery",
    ]  # fmt: skip
    assert records[1]["reject"] == {"reason": "Bad content"}
    assert records[3]["failure"] == {
        "errorMessage": "Attribute 'plan.tier' is not present in the rendering data.",
        "templateName": "welcome",
    }
    assert list(records[3]) == ["eventType", "mail", "failure"]
    assert identity_queue is not None
    notifications = [json.loads(b["Message"]) for b in queue_bodies(aws, identity_queue)]
    assert [n["notificationType"] for n in notifications] == ["Delivery"], "only the rendered mail was sent"
