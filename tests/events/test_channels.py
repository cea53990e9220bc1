"""Every channel SES feedback arrives through, read by the pure parser: EventBridge events, Lambda
events triggered by SQS or by a receipt rule, trimmed (mail-less) feedback and inbound mail."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sesops.errors import RecordError
from sesops.events.parse import COLUMNS, parse_record
from sesops.events.shapes import (
    EVENTBRIDGE_DETAIL_TYPES,
    EVENTBRIDGE_NOTICE_TYPES,
    SHAPES_BY_TYPE,
)
from tests.events.shape_examples import all_examples
from tests.payloads import bounce, complaint, delivery, envelope, mail

FIRST_OF_EACH_TYPE = {e.shape.event_type: e for e in reversed(all_examples())}


def eventbridge(detail: Any, detail_type: Any, **extra: Any) -> dict[str, Any]:
    event = {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": detail_type,
        "source": "aws.ses",
        "account": "123456789012",
        "time": "2026-11-02T10:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:ses:us-east-1:123456789012:configuration-set/cs"],
        "detail": detail,
    }
    return event | extra


def sqs_lambda(*bodies: Any) -> dict[str, Any]:
    records = [
        {"messageId": f"q-{i}", "body": json.dumps(b), "eventSource": "aws:sqs", "awsRegion": "us-east-1"}
        for i, b in enumerate(bodies)
    ]
    return {"Records": records}


def rows_of(record: Any) -> list[dict[str, Any]]:
    return [dict(zip(COLUMNS, row, strict=True)) for parsed in parse_record(record) for row in parsed.rows]


def test_every_documented_mail_detail_type_names_a_shape_and_every_shape_has_one() -> None:
    assert set(EVENTBRIDGE_DETAIL_TYPES.values()) == set(SHAPES_BY_TYPE)
    assert set(EVENTBRIDGE_NOTICE_TYPES).isdisjoint(EVENTBRIDGE_DETAIL_TYPES)


@pytest.mark.parametrize(("detail_type", "event_type"), sorted(EVENTBRIDGE_DETAIL_TYPES.items()))
def test_each_mail_detail_type_gives_the_rows_of_the_same_record_by_sns(
    detail_type: str, event_type: str
) -> None:
    ses = FIRST_OF_EACH_TYPE[event_type].ses
    via_sns = rows_of(envelope(ses))
    via_eventbridge = rows_of(eventbridge(ses, detail_type))
    assert via_eventbridge and {r["event_type"] for r in via_eventbridge} == {event_type}
    for row in via_sns:  # the SNS ids are the only difference
        row.update(sns_message_id=None, topic_arn=None)
    assert via_eventbridge == via_sns


def test_a_detail_without_an_event_type_takes_the_detail_types() -> None:
    ses = {k: v for k, v in bounce(key="eventType").items() if k != "eventType"}
    assert [r["category"] for r in rows_of(eventbridge(ses, "Email Bounced"))] == ["hard_bounce"]


@pytest.mark.parametrize("detail_type", [*EVENTBRIDGE_NOTICE_TYPES, "Something SES Adds Next Year"])
def test_events_about_the_account_are_counted_not_rows(detail_type: str) -> None:
    event = eventbridge({"reason": "review"}, detail_type)
    [parsed] = parse_record(event)
    assert (parsed.rows, parsed.control, parsed.notice) == ([], f"eventbridge:{detail_type}", event)


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (
            eventbridge(delivery(), "Email Bounced"),
            "EventBridge detail-type 'Email Bounced' means SES Bounce, but detail.eventType is 'Delivery'",
        ),
        (eventbridge(bounce(), "Email Bounced", source="aws.sns"), "EventBridge event from 'aws.sns'"),
        (eventbridge(bounce(), "Email Bounced", source=None), "EventBridge event from None"),
        (eventbridge(None, "Email Bounced"), "EventBridge 'Email Bounced' without a detail object"),
        (eventbridge(bounce(), ["Email Bounced"]), "EventBridge event without a detail-type"),
    ],
)
def test_a_wrong_eventbridge_event_is_refused_with_a_reason(event: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError) as info:
        parse_record(event)
    assert reason in info.value.reason


@pytest.mark.parametrize(
    "body",
    [
        envelope(bounce("a@x.org"), message_id="sns-9"),
        bounce("a@x.org", key="eventType"),
        eventbridge(bounce("a@x.org", key="eventType"), "Email Bounced"),
    ],
    ids=["sns-envelope", "raw-ses", "eventbridge"],
)
def test_an_sqs_triggered_lambda_event_reads_each_body_kind(body: dict[str, Any]) -> None:
    rows = rows_of(sqs_lambda(body, delivery("b@x.org")))
    assert [(r["email"], r["category"]) for r in rows] == [
        ("a@x.org", "hard_bounce"),
        ("b@x.org", "delivery"),
    ]
    assert rows[0]["sns_message_id"] == ("sns-9" if "Type" in body else None)


def test_sns_and_sqs_lambda_records_mix_and_a_bad_record_is_named() -> None:
    sns_record = {"EventSource": "aws:sns", "Sns": envelope(complaint())}
    mixed = {"Records": [sns_record, *sqs_lambda(delivery())["Records"]]}
    assert [r["event_type"] for r in rows_of(mixed)] == ["Complaint", "Delivery"]
    with pytest.raises(
        RecordError, match="Lambda record without an Sns object, an SQS body or an SES receipt"
    ):
        parse_record({"Records": [{"eventSource": "aws:kinesis", "kinesis": {}}]})
    with pytest.raises(RecordError, match="Lambda record is not a JSON object"):
        parse_record({"Records": ["x"]})
    with pytest.raises(RecordError, match="not JSON"):
        parse_record({"Records": [{"eventSource": "aws:sqs", "body": "{nope"}]})


INBOUND = {
    "notificationType": "Received",
    "mail": mail("support@example.com"),
    "receipt": {"recipients": ["support@example.com"], "action": {"type": "SNS"}},
}


@pytest.mark.parametrize(
    "record",
    [
        INBOUND,
        envelope(INBOUND),
        {"Body": json.dumps(envelope(INBOUND))},
        sqs_lambda(INBOUND),
        {"Records": [{"EventSource": "aws:sns", "Sns": envelope(INBOUND)}]},
        {"Records": [{"eventSource": "aws:ses", "eventVersion": "1.0", "ses": {"mail": {}, "receipt": {}}}]},
    ],
    ids=["raw", "sns", "sqs-dump", "sqs-lambda", "sns-lambda", "receipt-rule-lambda"],
)
def test_inbound_mail_is_counted_wherever_it_arrives(record: dict[str, Any]) -> None:
    [parsed] = parse_record(record)
    assert (parsed.rows, parsed.control) == ([], "Received")


TRIMMED = [
    (bounce("A@x.org", "b@x.org"), "hard_bounce"),
    (complaint("c@x.org"), "complaint"),
    (delivery("d@x.org"), "delivery"),
    (FIRST_OF_EACH_TYPE["DeliveryDelay"].ses, "delay"),
]


@pytest.mark.parametrize(("ses", "category"), TRIMMED, ids=lambda v: v if isinstance(v, str) else "")
def test_feedback_without_its_mail_gives_its_recipients_rows_with_the_mail_columns_empty(
    ses: dict[str, Any], category: str
) -> None:
    trimmed = {k: v for k, v in ses.items() if k != "mail"}
    full, cut = rows_of(envelope(ses)), rows_of(envelope(trimmed))
    assert [r["email"] for r in cut] == [r["email"] for r in full] and {r["category"] for r in cut} == {
        category
    }
    mail_columns = {"message_id", "source", "sending_account_id", "subject"}
    for before, after in zip(full, cut, strict=True):
        assert all(after[c] is None for c in mail_columns)
        assert {k: v for k, v in after.items() if k not in mail_columns} == {
            k: v for k, v in before.items() if k not in mail_columns
        }
    assert rows_of(envelope(trimmed | {"mail": None})) == cut


def test_mail_less_types_that_list_no_recipients_are_still_refused() -> None:
    with pytest.raises(RecordError, match="SES Open without a mail object"):
        parse_record({"eventType": "Open", "open": {"timestamp": "2026-11-01T10:00:00Z"}})
