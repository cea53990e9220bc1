"""Small SES/SNS payloads shared by the capture tests (store, receiver, drain)."""

from __future__ import annotations

import uuid
from typing import Any

import orjson

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
OTHER_TOPIC = "arn:aws:sns:us-east-1:123456789012:someone-else"


def ses_bounce(email: str = "bounce@example.com", feedback_id: str | None = None) -> dict[str, Any]:
    """An SES identity-notification bounce (raw delivery shape) for one recipient."""
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {"emailAddress": email, "action": "failed", "status": "5.1.1", "diagnosticCode": "smtp; 550"}
            ],
            "timestamp": "2024-05-01T12:00:00.000Z",
            "feedbackId": feedback_id or f"fb-{uuid.uuid4()}",
        },
        "mail": {
            "timestamp": "2024-05-01T11:59:59.000Z",
            "source": "sender@example.org",
            "sendingAccountId": "123456789012",
            "messageId": f"m-{uuid.uuid4()}",
            "destination": [email],
        },
    }


def unsigned_envelope(message: dict[str, Any], *, message_id: str | None = None, topic: str = TOPIC) -> str:
    """An SNS Notification envelope (no signature) as SNS pretty-prints it over HTTP."""
    envelope = {
        "Type": "Notification",
        "MessageId": message_id or str(uuid.uuid4()),
        "TopicArn": topic,
        "Message": orjson.dumps(message).decode(),
        "Timestamp": "2024-05-01T12:00:01.000Z",
        "SignatureVersion": "1",
        "Signature": "AAAA",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    }
    return orjson.dumps(envelope, option=orjson.OPT_INDENT_2).decode()
