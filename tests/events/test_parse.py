"""The pure event model: every shape and event type, control messages, bad records."""

from __future__ import annotations

import json

import pytest

from sesops.errors import RecordError
from sesops.events.classify import classify
from sesops.events.parse import COLUMNS, decode_json, normalize_email, parse_record
from tests.payloads import TOPIC, bounce, complaint, delivery, envelope, event


def rows_of(obj: object) -> list[dict[str, object]]:
    return [dict(zip(COLUMNS, row, strict=True)) for parsed in parse_record(obj) for row in parsed.rows]


def test_envelope_bounce_one_row_per_recipient() -> None:
    rows = rows_of(envelope(bounce("A@Example.org ", "b@example.net")))
    assert [r["email"] for r in rows] == ["a@example.org", "b@example.net"]
    first = rows[0]
    assert first["event_type"] == "Bounce"
    assert first["category"] == "hard_bounce"
    assert first["recipient_domain"] == "example.org"
    assert (first["bounce_type"], first["bounce_subtype"], first["status"]) == (
        "Permanent",
        "General",
        "5.1.1",
    )
    assert first["action"] == "failed"
    assert first["diagnostic_code"] == "smtp; 550 5.1.1 user unknown"
    assert first["feedback_id"] == "fb-bounce-1"
    assert first["timestamp"] == "2026-11-01T10:00:05.000Z"  # the bounce's own time
    assert first["message_id"] == "0100018c-mail-0001"
    assert first["sns_message_id"] == "sns-1"
    assert first["topic_arn"] == TOPIC
    assert first["source"] == "news@example.com"
    assert first["sending_account_id"] == "123456789012"
    assert first["subject"] == "Hello"


def test_json_text_and_bytes_are_accepted() -> None:
    text = json.dumps(envelope(bounce()))
    assert rows_of(text) == rows_of(text.encode())


def test_raw_delivery_is_the_ses_object_itself() -> None:
    rows = rows_of(bounce("x@example.org"))
    assert rows[0]["sns_message_id"] is None and rows[0]["topic_arn"] is None
    assert rows[0]["email"] == "x@example.org"


def test_lambda_style_keys_and_records_event() -> None:
    sns = envelope(complaint(), Subject=None)
    sns["SigningCertUrl"] = sns.pop("SigningCertURL")
    sns["UnsubscribeUrl"] = sns.pop("UnsubscribeURL")
    lambda_event = {
        "Records": [{"EventSource": "aws:sns", "Sns": sns}, {"EventSource": "aws:sns", "Sns": sns}]
    }
    assert len(rows_of(sns)) == 1
    assert [r["category"] for r in rows_of(lambda_event)] == ["complaint", "complaint"]


def test_sqs_dump_and_receive_message_response() -> None:
    body = json.dumps(envelope(delivery("a@example.org", "b@example.org")))
    dump = {"MessageId": "sqs-1", "ReceiptHandle": "rh", "MD5OfBody": "x", "Body": body}
    assert [r["email"] for r in rows_of(dump)] == ["a@example.org", "b@example.org"]
    raw_dump = {"MessageId": "sqs-2", "Body": json.dumps(bounce("c@example.org"))}
    assert rows_of(raw_dump)[0]["email"] == "c@example.org"
    response = {"Messages": [dump, raw_dump]}
    assert len(rows_of(response)) == 3


def test_message_as_object_is_accepted() -> None:
    env = envelope(bounce())
    env["Message"] = bounce()
    assert rows_of(env)[0]["event_type"] == "Bounce"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"Type": "SubscriptionConfirmation", "MessageId": "m", "Token": "t"}, "SubscriptionConfirmation"),
        ({"Type": "UnsubscribeConfirmation", "MessageId": "m", "Token": "t"}, "UnsubscribeConfirmation"),
        (
            envelope(
                {
                    "notificationType": "AmazonSnsSubscriptionSucceeded",
                    "message": "You have successfully subscribed",
                }
            ),
            "AmazonSnsSubscriptionSucceeded",
        ),
        (
            envelope("Successfully validated SNS topic for Amazon SES event publishing."),
            "EventPublishingValidation",
        ),
    ],
)
def test_control_messages_yield_no_rows(message: dict[str, object], expected: str) -> None:
    [parsed] = parse_record(message)
    assert parsed.rows == []
    assert parsed.control == expected


@pytest.mark.parametrize(
    ("obj", "category", "email", "extra"),
    [
        (
            bounce(bounce_type="Transient", subtype="General", status=None),
            "auto_reply",
            "jane@example.org",
            {},
        ),
        (bounce(bounce_type="Transient", subtype="MailboxFull", status="4.2.2"), "soft_bounce", None, {}),
        (bounce(bounce_type="Transient", subtype="General", status="4.4.7"), "soft_bounce", None, {}),
        (bounce(bounce_type="Undetermined", subtype="Undetermined", status=None), "undetermined", None, {}),
        (complaint(), "complaint", "rick@example.org", {"complaint_feedback_type": "abuse"}),
        (complaint(feedback_type=None), "complaint", None, {"complaint_feedback_type": None}),
        (complaint(feedback_type="not-spam"), "not_spam", None, {}),
        (delivery(), "delivery", "ok@example.org", {"timestamp": "2026-11-01T10:00:01.000Z"}),
        (
            event(
                "DeliveryDelay",
                "deliveryDelay",
                delayType="MailboxFull",
                timestamp="2026-11-02T00:00:00.000Z",
                delayedRecipients=[
                    {"emailAddress": "slow@example.org", "status": "4.2.2", "diagnosticCode": "x"}
                ],
            ),
            "delay",
            "slow@example.org",
            {"delay_type": "MailboxFull", "status": "4.2.2", "timestamp": "2026-11-02T00:00:00.000Z"},
        ),
        (event("Send", "send"), "send", "reader@example.org", {"timestamp": "2026-11-01T10:00:00.000Z"}),
        (event("Reject", "reject", reason="Bad content"), "reject", None, {}),
        (
            event("Open", "open", timestamp="2026-11-03T00:00:00.000Z"),
            "open",
            None,
            {"timestamp": "2026-11-03T00:00:00.000Z"},
        ),
        (event("Click", "click", link="https://x"), "click", None, {}),
        (event("Rendering Failure", "failure", errorMessage="x"), "rendering_failure", None, {}),
        (event("Subscription", "subscription"), "subscription", None, {}),
        (event("Bounce", None) | {"bounce": bounce()["bounce"]}, "hard_bounce", "jane@example.org", {}),
        (
            event("SomethingNew", "somethingNew"),
            "something_new",
            "reader@example.org",
            {"event_type": "SomethingNew"},
        ),
    ],
)
def test_event_types_and_categories(
    obj: dict[str, object], category: str, email: str | None, extra: dict[str, object]
) -> None:
    rows = rows_of(envelope(obj))
    assert len(rows) == 1
    assert rows[0]["category"] == category
    if email:
        assert rows[0]["email"] == email
    for key, value in extra.items():
        assert rows[0][key] == value, key


def test_unknown_fields_are_ignored() -> None:
    obj = bounce() | {"futureField": {"x": 1}}
    obj["bounce"]["reportingMTA"] = "dsn; a.example"
    assert rows_of(obj)[0]["category"] == "hard_bounce"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("  Jane@Example.ORG ", "jane@example.org"),
        ('"Jane Doe" <Jane@Example.org>', "jane@example.org"),
        ("jane@example.org\u00a0", "jane@example.org"),
    ],
)
def test_normalize_email(address: str, expected: str) -> None:
    assert normalize_email(address) == expected


def test_address_without_at_sign_has_no_domain() -> None:
    assert rows_of(delivery("postmaster"))[0]["recipient_domain"] is None


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (b"{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object, got array"),
        ("42", "expected a JSON object, got int"),
        ({"hello": "world"}, "neither an SNS envelope"),
        ({"eventType": "Send", "send": {}}, "SES Send without a mail object"),
        ({"eventType": "Open", "mail": "trimmed"}, "SES Open without a mail object"),
        ({"notificationType": "Bounce", "bounce": {}}, "SES Bounce without bounce.bouncedRecipients"),
        ({"notificationType": "Bounce", "mail": {}}, "SES Bounce without its 'bounce' object"),
        (bounce() | {"bounce": {"bounceType": "Permanent"}}, "SES Bounce without bounce.bouncedRecipients"),
        ({"eventType": "Open", "mail": {"destination": []}}, "SES Open without mail.destination"),
        (envelope("not json at all"), "SNS Message is not JSON"),
        ({"Type": "Weird"}, "unknown SNS Type 'Weird'"),
        ({"Type": "Notification"}, "SNS Notification without a Message"),
        (delivery() | {"delivery": {"recipients": [""]}}, "recipient without an email address"),
        ({"Records": [{"nope": 1}]}, "Lambda record without an Sns object"),
    ],
)
def test_bad_records_raise_record_error_with_reason(record: object, reason: str) -> None:
    with pytest.raises(RecordError) as info:
        parse_record(record)
    assert reason in info.value.reason


def test_json_pasted_with_non_breaking_spaces() -> None:
    pretty = json.dumps(bounce(), indent=2).replace("  ", "\u00a0\u00a0")
    assert "\u00a0" in pretty
    assert decode_json(pretty)["notificationType"] == "Bounce"
    # a non-breaking space inside a string value is kept as it is
    assert decode_json('{\u00a0"a":\u00a0"x\u00a0y"}') == {"a": "x\u00a0y"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("Bounce", "Permanent", "Suppressed", "5.1.1"), "hard_bounce"),
        (("Bounce", "Transient", "General", None), "auto_reply"),
        (("Bounce", "Transient", "General", ""), "auto_reply"),
        (("Bounce", "Transient", "ContentRejected", None), "soft_bounce"),
        (("Bounce", None, None, None), "undetermined"),
        (("Complaint", None, None, None, "fraud"), "complaint"),
        (("Complaint", None, None, None, "not-spam"), "not_spam"),
        (("Delivery",), "delivery"),
        (("DeliveryDelay",), "delay"),
        (("Rendering Failure",), "rendering_failure"),
        (("Open",), "open"),
    ],
)
def test_classify(args: tuple[str | None, ...], expected: str) -> None:
    assert classify(*args) == expected  # type: ignore[arg-type]
