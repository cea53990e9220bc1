"""Regenerate sample_payloads/ from sesops.sim.simulate with fixed seeds (run: python sample_payloads/make_samples.py).

Single-event files pick the first simulated object of each kind; the delivery shapes around them
(Lambda events, SQS dumps, ReceiveMessage response, EventBridge events, pasted JSON with
non-breaking spaces), the control messages and the inbound (Received) mail are built here by hand. Recipient domains are moved under example.com
(``gmail.com`` -> ``gmail.example.com``) so no sample names a real mailbox.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES
from sesops.sim import data as simdata
from sesops.sim.shapes import uuid4
from sesops.sim.simulate import SimulationConfig, generate, iter_lines, wrap_sns

HERE = Path(__file__).parent
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
EVENTS_TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"
SUBSCRIPTION = f"{TOPIC}:6f1c3c0e-8a52-4c1e-9b43-2f0c8d6e7a15"
CERT = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem"
IDS = random.Random(20250303)

_REAL = sorted(
    {d for p in simdata.PROVIDERS for d, _ in p.domains if "example" not in d} | set(simdata.TYPO_DOMAINS),
    key=len,
    reverse=True,
)
_DOMAIN = re.compile("@(" + "|".join(re.escape(d) for d in _REAL) + r")\b")

Obj = dict[str, Any]


def fake(text: str) -> str:
    """Move real-world recipient domains under example.com."""
    return _DOMAIN.sub(lambda m: f"@{m.group(1).replace('.', '-')}.example.com", text)


def faked(obj: Obj) -> Obj:
    result: Obj = orjson.loads(fake(orjson.dumps(obj).decode()))
    return result


def kind(obj: Obj) -> str:
    return str(obj.get("eventType") or obj.get("notificationType"))


def first(objs: list[Obj], test: Callable[[Obj], bool]) -> Obj:
    for obj in objs:
        if test(obj):
            return faked(obj)
    raise LookupError("no simulated object matches; raise the rates in make_samples.py")


def bounce_is(
    bounce_type: str, subtype: str, *, min_recipients: int = 1, with_status: bool = True
) -> Callable[[Obj], bool]:
    def test(obj: Obj) -> bool:
        bounce = obj.get("bounce") or {}
        recipients = bounce.get("bouncedRecipients") or [{}]
        return (
            bounce.get("bounceType") == bounce_type
            and bounce.get("bounceSubType") == subtype
            and len(recipients) >= min_recipients
            and ("status" in recipients[0]) == with_status
        )

    return test


def envelope(obj: Obj, topic: str = TOPIC) -> Obj:
    return wrap_sns(obj, topic_arn=topic, message_id=uuid4(IDS))


def lambda_record(env: Obj) -> Obj:
    """The Lambda event spelling of an envelope: Url not URL, Subject null when absent."""
    sns = {
        "Type": env["Type"],
        "MessageId": env["MessageId"],
        "TopicArn": env["TopicArn"],
        "Subject": env.get("Subject"),
        "Message": env["Message"],
        "Timestamp": env["Timestamp"],
        "SignatureVersion": "1",
        "Signature": "",
        "SigningCertUrl": env["SigningCertURL"],
        "UnsubscribeUrl": env["UnsubscribeURL"],
        "MessageAttributes": {},
    }
    return {"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": SUBSCRIPTION, "Sns": sns}


def sqs_message(body: str) -> Obj:
    return {
        "MessageId": uuid4(IDS),
        "ReceiptHandle": "AQEB" + hashlib.sha256(body.encode()).hexdigest() * 3,
        "MD5OfBody": hashlib.md5(body.encode()).hexdigest(),
        "Body": body,
        "Attributes": {"SentTimestamp": "1741000000000", "ApproximateReceiveCount": "1"},
    }


def eventbridge_event(obj: Obj, detail_type: str | None = None) -> Obj:
    """What an EventBridge rule (source aws.ses) delivers: the event-publishing record as ``detail``."""
    by_type = {event_type: name for name, event_type in EVENTBRIDGE_DETAIL_TYPES.items()}
    detail = obj.get(kind(obj)[:1].lower() + kind(obj)[1:].replace(" ", ""), {})
    when = (detail.get("timestamp") if isinstance(detail, dict) else None) or obj["mail"]["timestamp"]
    configuration_set = obj["mail"].get("tags", {}).get("ses:configuration-set", ["newsletters"])[0]
    return {
        "version": "0",
        "id": uuid4(IDS),
        "detail-type": detail_type or by_type[kind(obj)],
        "source": "aws.ses",
        "account": "123456789012",
        "time": when[:19] + "Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:ses:us-east-1:123456789012:configuration-set/{configuration_set}"],
        "detail": obj,
    }


def sqs_lambda_record(body: str) -> Obj:
    """One record of a Lambda event triggered by SQS (lower-case ``body``, ``eventSource``)."""
    message = sqs_message(body)
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": body,
        "attributes": message["Attributes"] | {"SenderId": "AIDAIENQZJOLO23YVJ4VO"},
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:ses-feedback",
        "awsRegion": "us-east-1",
    }


def received(mail: Obj) -> tuple[Obj, Obj]:
    """An inbound message to support@ (a receipt rule's SNS action) and the Lambda event of the same."""
    inbound = {
        "timestamp": mail["timestamp"],
        "source": mail["destination"][0],
        "messageId": "r" + mail["messageId"][1:],
        "destination": ["support@mail.example.com"],
        "headersTruncated": False,
        "headers": [{"name": "Subject", "value": "Re: " + mail["commonHeaders"]["subject"]}],
        "commonHeaders": {"from": [mail["destination"][0]], "to": ["support@mail.example.com"]}
        | {"subject": "Re: " + mail["commonHeaders"]["subject"]},
    }
    verdicts = {f"{v}Verdict": {"status": "PASS"} for v in ("spam", "virus", "spf", "dkim", "dmarc")}
    receipt = {
        "timestamp": mail["timestamp"],
        "processingTimeMillis": 412,
        "recipients": ["support@mail.example.com"],
        **verdicts,
    }
    sns_action = {"type": "SNS", "topicArn": TOPIC.replace("ses-feedback", "ses-inbound"), "encoding": "UTF8"}
    notification = {
        "notificationType": "Received",
        "mail": inbound,
        "receipt": receipt | {"action": sns_action},
    }
    lambda_action = {
        "type": "Lambda",
        "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:inbound",
    }
    lambda_event = {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {"mail": inbound, "receipt": receipt | {"action": lambda_action}},
            }
        ]
    }
    return notification, lambda_event


def control_messages() -> dict[str, Obj]:
    token = hashlib.sha256(b"sesops-sample-token").hexdigest() * 4
    confirm_url = (
        f"https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token={token}"
    )
    base = {"SignatureVersion": "1", "Signature": "", "SigningCertURL": CERT}
    succeeded = {
        "notificationType": "AmazonSnsSubscriptionSucceeded",
        "message": f"You have successfully subscribed your Amazon SNS topic '{TOPIC}' to receive 'Bounce' "
        "notifications from Amazon SES for identity 'mail.example.com'.",
    }
    return {
        "subscription-confirmation.json": {
            "Type": "SubscriptionConfirmation",
            "MessageId": uuid4(IDS),
            "Token": token,
            "TopicArn": TOPIC,
            "Message": f"You have chosen to subscribe to the topic {TOPIC}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message.",
            "SubscribeURL": confirm_url,
            "Timestamp": "2025-03-02T23:58:01.204Z",
            **base,
        },
        "unsubscribe-confirmation.json": {
            "Type": "UnsubscribeConfirmation",
            "MessageId": uuid4(IDS),
            "Token": token[::-1],
            "TopicArn": TOPIC,
            "Message": f"You have chosen to deactivate subscription {SUBSCRIPTION}.\nTo cancel this operation "
            "and restore the subscription, visit the SubscribeURL included in this message.",
            "SubscribeURL": confirm_url.replace(token, token[::-1]),
            "Timestamp": "2025-03-10T08:00:12.771Z",
            **base,
        },
        "subscription-succeeded.json": wrap_sns(
            succeeded, topic_arn=TOPIC, message_id=uuid4(IDS), timestamp="2025-03-02T23:58:04.019Z"
        ),
        "event-publishing-validation.json": wrap_sns(
            {},
            topic_arn=EVENTS_TOPIC,
            message_id=uuid4(IDS),
            timestamp="2025-03-02T23:59:30.410Z",
        )
        | {"Message": "Successfully validated SNS topic for Amazon SES event publishing."},
    }


def write(path: str, data: Obj | str | bytes, *, pretty: bool = True) -> None:
    target = HERE / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, dict):
        data = orjson.dumps(data, option=orjson.OPT_INDENT_2 if pretty else 0) + b"\n"
    target.write_bytes(data.encode() if isinstance(data, str) else data)


def nbsp_pretty(obj: Obj) -> str:
    """Pretty-printed JSON indented with non-breaking spaces, as copied from a web page."""
    text = orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode()
    return "\n".join(
        "\xa0" * (len(line) - len(line.lstrip(" "))) + line.lstrip(" ") for line in text.split("\n")
    )


def main() -> None:
    rates = {"bounce_rate": 0.05, "soft_bounce_rate": 0.04, "complaint_rate": 0.01, "ooto_rate": 0.01}
    ident = list(generate(SimulationConfig(messages=4000, days=2, seed=11, delay_rate=0.02, **rates)))
    ep_config = SimulationConfig(
        messages=3000,
        days=2,
        seed=12,
        event_publishing=True,
        reject_rate=0.003,
        rendering_failure_rate=0.003,
        unsubscribe_rate=0.01,
        **rates,
    )
    ep = list(generate(ep_config))
    is_kind: Callable[[str], Callable[[Obj], bool]] = lambda k: lambda o: kind(o) == k  # noqa: E731

    # SNS HTTP bodies of identity notifications.
    write("sns/bounce-permanent-general.json", envelope(first(ident, bounce_is("Permanent", "General"))))
    write(
        "sns/bounce-multi-recipient.json",
        envelope(first(ident, bounce_is("Permanent", "General", min_recipients=2))),
    )
    write(
        "sns/bounce-ooto-auto-reply.json",
        envelope(first(ident, bounce_is("Transient", "General", with_status=False))),
    )
    write(
        "sns/complaint-abuse.json",
        envelope(first(ident, lambda o: o.get("complaint", {}).get("complaintFeedbackType") == "abuse")),
    )
    no_report = first(
        ident, lambda o: kind(o) == "Complaint" and "complaintFeedbackType" not in o["complaint"]
    )
    write("sns/complaint-no-feedback-report.json", envelope(no_report))
    write("sns/delivery.json", envelope(first(ident, is_kind("Delivery"))))
    delay = first(ident, is_kind("DeliveryDelay"))
    write("sns/delivery-delay.json", envelope(delay))
    # Delivery shapes around envelopes.
    deliveries = [faked(o) for o in ident if kind(o) == "Delivery"][1:4]
    soft = first(ident, bounce_is("Transient", "MailboxFull"))
    write("sns/lambda-event.json", {"Records": [lambda_record(envelope(o)) for o in (soft, deliveries[0])]})
    suppressed = first(ident, bounce_is("Permanent", "Suppressed"))
    write("sns/sqs-message.json", sqs_message(orjson.dumps(envelope(suppressed)).decode()))
    pair = (first(ident, bounce_is("Permanent", "NoEmail")), deliveries[1])
    messages = [sqs_message(orjson.dumps(envelope(o)).decode()) for o in pair]
    write("sns/sqs-receive-message.json", {"Messages": messages, "ResponseMetadata": {"HTTPStatusCode": 200}})
    pasted = envelope(first(ident, bounce_is("Transient", "MessageTooLarge")))
    write("sns/pasted-nbsp-indented.json", nbsp_pretty(pasted) + "\n")

    # Raw message delivery: the SES object itself.
    write(
        "raw/bounce-on-account-suppression-list.json",
        first(ident, bounce_is("Permanent", "OnAccountSuppressionList")),
    )
    write("raw/bounce-soft-content-rejected.json", first(ident, bounce_is("Transient", "ContentRejected")))
    write(
        "raw/bounce-undetermined.json",
        first(ident, bounce_is("Undetermined", "Undetermined", with_status=False)),
    )
    write("raw/delivery.json", deliveries[2])
    soft_general = first(ident, bounce_is("Transient", "General"))
    write("raw/sqs-raw-message-delivery.json", sqs_message(orjson.dumps(soft_general).decode()))

    # Configuration-set event publishing (eventType; SNS Subject "Amazon SES Email Event Notification").
    for event_type in (
        "Send",
        "Reject",
        "Delivery",
        "Open",
        "Click",
        "Rendering Failure",
        "DeliveryDelay",
        "Subscription",
    ):
        name = {"DeliveryDelay": "delivery-delay"}.get(event_type, event_type.lower().replace(" ", "-"))
        write(f"event_publishing/{name}.json", envelope(first(ep, is_kind(event_type)), EVENTS_TOPIC))
    write(
        "event_publishing/bounce.json", envelope(first(ep, bounce_is("Permanent", "General")), EVENTS_TOPIC)
    )
    write("event_publishing/complaint.json", envelope(first(ep, is_kind("Complaint")), EVENTS_TOPIC))

    for name, message in control_messages().items():
        write(f"control/{name}", message)

    # Exported logs: one mixed JSONL with SNS redeliveries, one small gzip copy.
    log_config = SimulationConfig(messages=300, days=1, seed=13, delay_rate=0.02, **rates)
    lines = b"".join(iter_lines(log_config, redelivery_rate=0.01, topic_arn=TOPIC))
    write("logs/feedback-export.jsonl", fake(lines.decode()))
    small = b"".join(iter_lines(SimulationConfig(messages=40, days=1, seed=14, **rates), topic_arn=TOPIC))
    target = HERE / "logs/feedback-small.jsonl.gz"
    target.write_bytes(gzip.compress(fake(small.decode()).encode(), mtime=0))

    relays_and_trimmed(ident, ep)


def relays_and_trimmed(ident: list[Obj], ep: list[Obj]) -> None:
    """EventBridge events, SQS-triggered Lambda events, a mail-less complaint and inbound mail."""
    is_kind: Callable[[str], Callable[[Obj], bool]] = lambda k: lambda o: kind(o) == k  # noqa: E731
    write("eventbridge/bounce.json", eventbridge_event(first(ep, bounce_is("Permanent", "General"))))
    write("eventbridge/delivery-delay.json", eventbridge_event(first(ep, is_kind("DeliveryDelay"))))
    status = eventbridge_event(first(ep, is_kind("Send")), "Sending Status Disabled")
    status["detail"] = {"reason": "The account's sending was paused by Amazon SES."}
    status["resources"] = []
    write("eventbridge/sending-status-disabled.json", status)
    complaint = eventbridge_event(first(ep, is_kind("Complaint")))
    write("eventbridge/sqs-message.json", sqs_message(orjson.dumps(complaint).decode()))
    bodies = [
        envelope(first(ident, bounce_is("Permanent", "General", min_recipients=2))),
        first(ep, is_kind("Open")),
        eventbridge_event(first(ep, is_kind("Delivery"))),
    ]
    write("lambda/sqs-event.json", {"Records": [sqs_lambda_record(orjson.dumps(b).decode()) for b in bodies]})
    trimmed = first(ident, is_kind("Complaint"))
    del trimmed["mail"]
    write("raw/complaint-without-mail.json", trimmed)
    notification, lambda_event = received(first(ident, is_kind("Delivery"))["mail"])
    write("sns/received-inbound.json", envelope(notification, TOPIC.replace("ses-feedback", "ses-inbound")))
    write("lambda/ses-receipt-event.json", lambda_event)


if __name__ == "__main__":
    main()
