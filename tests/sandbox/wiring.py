"""Configuration-set event destinations wired by hand on the sandbox, and reading what they got.

Used by tests/sandbox/test_event_publishing.py and the three-channel capture test: an SNS
destination (topic -> SQS), an EventBridge destination (default bus -> rule -> SQS) and a Firehose
destination (stream -> S3), each optional.
"""

from __future__ import annotations

import gzip
import json
import uuid
from dataclasses import dataclass
from typing import Any

import boto3

ACCOUNT = "123456789012"
REGION = "us-east-1"
SIM = "simulator.amazonses.com"
ALL_TYPES = ("SEND", "DELIVERY", "BOUNCE", "COMPLAINT")
# What SES publishes for one message to each simulator address, in order.
EXPECTED_EVENTS = {
    "success": ["Send", "Delivery"],
    "bounce": ["Send", "Bounce"],
    "ooto": ["Send", "Delivery", "Bounce"],
    "complaint": ["Send", "Delivery", "Complaint"],
    "suppressionlist": ["Send", "Bounce"],
}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


@dataclass
class EventWiring:
    """One configuration set's destinations and where each one's records end up."""

    config_set: str
    sns_queue: str | None = None  # SnsDestination -> topic -> this queue
    eventbridge_queue: str | None = None  # EventBridgeDestination -> default bus -> rule -> this queue
    bucket: str | None = None  # KinesisFirehoseDestination -> stream -> this bucket, under prefix
    prefix: str = "ses/"
    topic: str | None = None
    stream: str | None = None


def destination(types: tuple[str, ...], enabled: bool | None = True, **target: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"MatchingEventTypes": list(types), **target}
    if enabled is not None:
        found["Enabled"] = enabled
    return found


def add_destination(session: boto3.Session, config_set: str, name: str, spec: dict[str, Any]) -> None:
    session.client("sesv2").create_configuration_set_event_destination(
        ConfigurationSetName=config_set, EventDestinationName=name, EventDestination=spec
    )


def sns_target(session: boto3.Session, wiring: EventWiring) -> dict[str, Any]:
    sns, sqs = session.client("sns"), session.client("sqs")
    wiring.topic = sns.create_topic(Name=unique("events"))["TopicArn"]
    wiring.sns_queue = unique("sns-events")
    sqs.create_queue(QueueName=wiring.sns_queue)
    sns.subscribe(TopicArn=wiring.topic, Protocol="sqs", Endpoint=queue_arn(wiring.sns_queue))
    return {"SnsDestination": {"TopicArn": wiring.topic}}


def eventbridge_target(
    session: boto3.Session, wiring: EventWiring, pattern: dict[str, Any] | None = None
) -> dict[str, Any]:
    events = session.client("events")
    wiring.eventbridge_queue = unique("eb-events")
    session.client("sqs").create_queue(QueueName=wiring.eventbridge_queue)
    rule = unique("ses-rule")
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern or {"source": ["aws.ses"]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn(wiring.eventbridge_queue)}])
    return {"EventBridgeDestination": {"EventBusArn": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"}}


def firehose_target(
    session: boto3.Session, wiring: EventWiring, compression: str = "UNCOMPRESSED"
) -> dict[str, Any]:
    wiring.bucket, wiring.stream = unique("archive"), unique("ses-stream")
    session.client("s3").create_bucket(Bucket=wiring.bucket)
    role = f"arn:aws:iam::{ACCOUNT}:role/firehose"
    session.client("firehose").create_delivery_stream(
        DeliveryStreamName=wiring.stream,
        ExtendedS3DestinationConfiguration={
            "RoleARN": role,
            "BucketARN": f"arn:aws:s3:::{wiring.bucket}",
            "Prefix": wiring.prefix,
            "CompressionFormat": compression,
        },
    )
    stream_arn = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{wiring.stream}"
    return {"KinesisFirehoseDestination": {"IamRoleArn": role, "DeliveryStreamArn": stream_arn}}


def wire_events(
    session: boto3.Session,
    types: tuple[str, ...] = ALL_TYPES,
    *,
    sns: bool = True,
    eventbridge: bool = True,
    firehose: bool = True,
    compression: str = "UNCOMPRESSED",
) -> EventWiring:
    """A configuration set with one enabled destination of each kind asked for, matching ``types``."""
    wiring = EventWiring(config_set=unique("cs"))
    session.client("sesv2").create_configuration_set(ConfigurationSetName=wiring.config_set)
    if sns:
        add_destination(
            session, wiring.config_set, "to-sns", destination(types, **sns_target(session, wiring))
        )
    if eventbridge:
        target = eventbridge_target(session, wiring)
        add_destination(session, wiring.config_set, "to-eventbridge", destination(types, **target))
    if firehose:
        target = firehose_target(session, wiring, compression)
        add_destination(session, wiring.config_set, "to-firehose", destination(types, **target))
    return wiring


def queue_bodies(session: boto3.Session, queue: str) -> list[dict[str, Any]]:
    """Every message body in ``queue`` (parsed), deleting them; moto's queues answer at once."""
    sqs = session.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    bodies: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def sns_records(session: boto3.Session, wiring: EventWiring) -> list[dict[str, Any]]:
    assert wiring.sns_queue is not None
    return [json.loads(envelope["Message"]) for envelope in queue_bodies(session, wiring.sns_queue)]


def eventbridge_envelopes(session: boto3.Session, wiring: EventWiring) -> list[dict[str, Any]]:
    assert wiring.eventbridge_queue is not None
    return queue_bodies(session, wiring.eventbridge_queue)


def firehose_objects(session: boto3.Session, wiring: EventWiring) -> dict[str, bytes]:
    """Each object in the archive bucket (key -> its bytes, gunzipped when the key ends in .gz)."""
    assert wiring.bucket is not None
    s3 = session.client("s3")
    listed = s3.list_objects_v2(Bucket=wiring.bucket).get("Contents", [])
    objects = {}
    for item in listed:
        body = s3.get_object(Bucket=wiring.bucket, Key=item["Key"])["Body"].read()
        objects[item["Key"]] = gzip.decompress(body) if item["Key"].endswith(".gz") else body
    return objects


def firehose_records(session: boto3.Session, wiring: EventWiring) -> list[dict[str, Any]]:
    return [
        json.loads(line) for body in firehose_objects(session, wiring).values() for line in body.splitlines()
    ]


def send(
    session: boto3.Session,
    source: str,
    *to: str,
    config_set: str | None = None,
    subject: str = "Test",
    body: str = "hello",
) -> str:
    extra: dict[str, Any] = {"ConfigurationSetName": config_set} if config_set else {}
    response = session.client("ses").send_email(
        Source=source,
        Destination={"ToAddresses": list(to)},
        Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": body}}},
        **extra,
    )
    return str(response["MessageId"])
