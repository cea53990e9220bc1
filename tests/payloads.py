"""Small builders for SES objects and SNS envelopes used across the tests."""

from __future__ import annotations

import json
from typing import Any

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"


def mail(
    *recipients: str, message_id: str = "0100018c-mail-0001", subject: str | None = "Hello"
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "timestamp": "2026-11-01T10:00:00.000Z",
        "source": "news@example.com",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
        "sendingAccountId": "123456789012",
        "messageId": message_id,
        "destination": list(recipients) or ["someone@example.org"],
    }
    if subject is not None:
        out["commonHeaders"] = {"from": ["news@example.com"], "to": list(recipients), "subject": subject}
    return out


def bounce(
    *recipients: str,
    bounce_type: str = "Permanent",
    subtype: str = "General",
    status: str | None = "5.1.1",
    feedback_id: str = "fb-bounce-1",
    key: str = "notificationType",
) -> dict[str, Any]:
    recipients = recipients or ("jane@example.org",)
    bounced = []
    for address in recipients:
        entry: dict[str, Any] = {"emailAddress": address}
        if status is not None:
            entry.update(action="failed", status=status, diagnosticCode=f"smtp; 550 {status} user unknown")
        bounced.append(entry)
    return {
        key: "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": subtype,
            "bouncedRecipients": bounced,
            "timestamp": "2026-11-01T10:00:05.000Z",
            "feedbackId": feedback_id,
        },
        "mail": mail(*recipients),
    }


def complaint(
    address: str = "rick@example.org", feedback_type: str | None = "abuse", feedback_id: str = "fb-c-1"
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "complainedRecipients": [{"emailAddress": address}],
        "timestamp": "2026-11-01T11:00:00.000Z",
        "feedbackId": feedback_id,
        "complaintSubType": None,
    }
    if feedback_type is not None:
        body["complaintFeedbackType"] = feedback_type
    return {"notificationType": "Complaint", "complaint": body, "mail": mail(address)}


def delivery(*recipients: str) -> dict[str, Any]:
    recipients = recipients or ("ok@example.org",)
    return {
        "notificationType": "Delivery",
        "delivery": {"timestamp": "2026-11-01T10:00:01.000Z", "recipients": list(recipients)},
        "mail": mail(*recipients),
    }


def event(event_type: str, detail_key: str | None = None, **detail: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"eventType": event_type, "mail": mail("reader@example.org")}
    if detail_key:
        out[detail_key] = detail
    return out


def envelope(
    message: Any, *, message_id: str = "sns-1", subject: str | None = None, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": TOPIC,
        "Message": message if isinstance(message, str) else json.dumps(message),
        "Timestamp": "2026-11-01T10:00:06.000Z",
        "SignatureVersion": "1",
        "Signature": "c2lnbmF0dXJl",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    }
    if subject is not None:
        out["Subject"] = subject
    out.update(extra)
    return out
