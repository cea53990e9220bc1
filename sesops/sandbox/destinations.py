"""Where SES's records go in the sandbox: an SNS topic, the EventBridge bus, a Firehose stream.

:func:`publish_to_topic` is how SES publishes to SNS (identity notifications and event records);
:func:`deliver_records` hands one configuration set's records to one event destination:

* ``SnsDestination``: each record is one SNS message (its ``Message`` is the record's JSON);
* ``EventBridgeDestination``: each record is the ``detail`` of an ``aws.ses`` event on the bus,
  detail-type from :data:`sesops.events.shapes.EVENTBRIDGE_DETAIL_TYPES`, put through moto's
  events backend so that moto routes it to the matching rules' targets;
* ``KinesisFirehoseDestination``: the send's records in one PutRecordBatch, each record the JSON
  and a newline, as SES writes them; moto stores the batch as one object under ``YYYY/MM/DD/HH/``.

A destination that is gone or refuses drops the records, as SES does; the sandbox reports it
(:mod:`sesops.sandbox.failures`). Two patches make what moto delivers look like AWS's:
``eventbridge-envelope`` (rule targets receive the whole event, ``account`` included) and
``firehose-compression`` (a GZIP stream writes gzip objects whose keys end in ``.gz``).
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sesops import arns
from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES, EVENTBRIDGE_SOURCE
from sesops.sandbox import failures
from sesops.sandbox.patch_state import replace
from sesops.sandbox.sns_delivery import moto_errors, service_error

PUT_EVENTS_LIMIT = 10  # entries per PutEvents
PUT_RECORD_BATCH_LIMIT = 500  # records per PutRecordBatch
# The event every rule target gets when it has no input transformer: EventBridge's own keys and order.
WHOLE_EVENT_TEMPLATE = (
    '{"version": "0", "id": "<id>", "detail-type": "<detail-type>", "source": "<source>", '
    '"account": "<account>", "time": <time>, "region": "<region>", "resources": <resources>, '
    '"detail": <detail>}'
)


def publish_to_topic(account: str, topic: str, body: str, what: str) -> None:
    """Publish ``body`` to ``topic``; a topic that is gone drops it (as SES does), reported."""
    from moto.sns.exceptions import SNSNotFoundError
    from moto.sns.models import sns_backends

    region = arns.topic_region(topic)
    try:
        sns_backends[account][region].publish(body, arn=topic)
    except SNSNotFoundError as err:
        failures.report(topic, f"the SES {what}", f"no such topic, was it deleted? ({err.message})")


def deliver_records(
    account: str,
    region: str,
    destination: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    source_arn: str,
) -> None:
    """Deliver one configuration set's ``records`` to one event ``destination`` (see the module docs)."""
    name = str(destination.get("Name", "?"))
    if "SnsDestination" in destination:
        topic = str(destination["SnsDestination"].get("TopicArn", ""))
        for record in records:
            publish_to_topic(account, topic, json.dumps(record), f"{record['eventType']} event ({name})")
    if "EventBridgeDestination" in destination:
        bus = str(destination["EventBridgeDestination"].get("EventBusArn", ""))
        put_events(bus, records, source_arn, name)
    if "KinesisFirehoseDestination" in destination:
        stream = str(destination["KinesisFirehoseDestination"].get("DeliveryStreamArn", ""))
        put_firehose_records(stream, records, name)


def detail_type(event_type: str) -> str:
    """The EventBridge detail-type SES gives an ``eventType`` ("Bounce" -> "Email Bounced")."""
    for detail, mapped in EVENTBRIDGE_DETAIL_TYPES.items():
        if mapped == event_type:
            return detail
    raise KeyError(
        f"no EventBridge detail-type for the SES event type {event_type!r} in EVENTBRIDGE_DETAIL_TYPES"
    )


def eventbridge_entry(record: Mapping[str, Any], bus: str, source_arn: str) -> dict[str, Any]:
    """The PutEvents entry SES makes of one record (pure)."""
    return {
        "Source": EVENTBRIDGE_SOURCE,
        "DetailType": detail_type(str(record["eventType"])),
        "Detail": json.dumps(record),
        "Resources": [source_arn],
        "EventBusName": bus,
    }


def put_events(bus: str, records: Sequence[Mapping[str, Any]], source_arn: str, name: str) -> None:
    """Put each record on ``bus`` through moto's events backend; what it refuses is reported."""
    from moto.events.models import events_backends

    entries = [eventbridge_entry(record, bus, source_arn) for record in records]
    try:
        parsed = arns.parse(bus)
    except ValueError as err:
        failures.report(bus, f"the SES events for destination {name}", f"not an event bus ARN ({err})")
        return
    backend = events_backends[parsed.account][parsed.region]
    for start in range(0, len(entries), PUT_EVENTS_LIMIT):
        batch = entries[start : start + PUT_EVENTS_LIMIT]
        try:
            answers = backend.put_events(batch)
        except moto_errors() as err:  # the bus is gone, or a rule's target (a deleted queue) refused
            failures.report(bus, f"{len(batch)} SES event(s) for destination {name}", _service_error(err))
            continue
        for entry, answer in zip(batch, answers, strict=True):
            if "ErrorCode" in answer:
                reason = f"{answer['ErrorCode']}: {answer.get('ErrorMessage', '')}"
                failures.report(bus, f"the SES {entry['DetailType']} event ({name})", reason)


def firehose_data(record: Mapping[str, Any]) -> bytes:
    """One Firehose record as SES writes it: the JSON and a newline (pure)."""
    return json.dumps(record, separators=(",", ":")).encode("utf-8") + b"\n"


def put_firehose_records(stream: str, records: Sequence[Mapping[str, Any]], name: str) -> None:
    """PutRecordBatch to the stream named by ARN ``stream``; a missing stream or bucket is reported."""
    from moto.firehose.models import firehose_backends

    what = f"{len(records)} SES event record(s) ({name})"
    try:
        parsed = arns.parse(stream)
    except ValueError as err:
        failures.report(stream, what, f"not a delivery stream ARN ({err})")
        return
    backend = firehose_backends[parsed.account][parsed.region]
    data = [{"Data": firehose_data(record)} for record in records]
    refused: tuple[type[Exception], ...] = (*moto_errors(), RuntimeError)  # RuntimeError: no bucket
    try:
        for start in range(0, len(data), PUT_RECORD_BATCH_LIMIT):
            backend.put_record_batch(
                parsed.resource.removeprefix("deliverystream/"), data[start : start + PUT_RECORD_BATCH_LIMIT]
            )
    except refused as err:
        failures.report(stream, what, _service_error(err))


def _service_error(err: BaseException) -> str:
    cause = err.__cause__
    return service_error(err) + (f" ({service_error(cause)})" if cause is not None else "")


def gzip_s3_records(original: Callable[..., Any]) -> Callable[..., list[dict[str, str]]]:
    """moto's ``put_s3_records``, honouring ``CompressionFormat: GZIP`` as Firehose does."""

    def put_s3_records(
        self: Any, stream: str, version: str, s3_destination: dict[str, Any], records: list[dict[str, bytes]]
    ) -> list[dict[str, str]]:
        if str(s3_destination.get("CompressionFormat", "UNCOMPRESSED")).upper() != "GZIP":
            return list(original(self, stream, version, s3_destination, records))
        from moto.s3.models import s3_backends

        bucket = str(s3_destination["BucketARN"]).split(":")[-1]
        key = self._format_s3_object_path(stream, version, s3_destination.get("Prefix", "")) + ".gz"
        body = gzip.compress(b"".join(r["Data"] for r in records))
        try:
            s3_backends[self.account_id][self.partition].put_object(bucket, key, body)
        except moto_errors() as err:  # the bucket is gone; moto says it so
            raise RuntimeError("Firehose PutRecord(Batch) to S3 destination failed") from err
        return [{"RecordId": str(uuid.uuid4())} for _ in records]

    return put_s3_records


def patch_destinations() -> None:
    from moto.events.utils import EventTemplateParser
    from moto.firehose.models import FirehoseBackend

    replace(EventTemplateParser, "DEFAULT_EVENT_INPUT_TEMPLATE", WHOLE_EVENT_TEMPLATE)
    replace(FirehoseBackend, "put_s3_records", gzip_s3_records(FirehoseBackend.put_s3_records))
