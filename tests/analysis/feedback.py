"""SES feedback with its own time and ids, per recipient when needed, for the suppression tests."""

from __future__ import annotations

import itertools
from typing import Any

_counter = itertools.count()


def ses_mail(*recipients: str, message_id: str, stamp: str) -> dict[str, Any]:
    return {
        "timestamp": stamp,
        "source": "news@example.com",
        "sendingAccountId": "123456789012",
        "messageId": message_id,
        "destination": list(recipients),
    }


def bounced(
    *recipients: dict[str, Any],
    bounce_type: str = "Permanent",
    subtype: str = "General",
    stamp: str = "2026-11-01T10:00:00Z",
    message_id: str | None = None,
    feedback_id: str | None = None,
) -> dict[str, Any]:
    """A Bounce whose ``bouncedRecipients`` are given whole (their own action, status, code)."""
    n = next(_counter)
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": subtype,
            "bouncedRecipients": list(recipients),
            "timestamp": stamp,
            "feedbackId": feedback_id or f"fb-{n}",
        },
        "mail": ses_mail(
            *(r["emailAddress"] for r in recipients), message_id=message_id or f"m-{n}", stamp=stamp
        ),
    }


def recipient(
    address: str, status: str | None = "5.1.1", action: str | None = "failed", code: str | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"emailAddress": address}
    if action is not None:
        out["action"] = action
    if status is not None:
        out["status"] = status
        out["diagnosticCode"] = code or f"smtp; 550 {status} rejected"
    elif code is not None:
        out["diagnosticCode"] = code
    return out


def bounce_of(
    address: str,
    bounce_type: str = "Permanent",
    subtype: str = "General",
    status: str | None = "5.1.1",
    stamp: str = "2026-11-01T10:00:00Z",
    action: str | None = "failed",
) -> dict[str, Any]:
    """A one-recipient Bounce; ``action`` defaults to failed when there is a status."""
    return bounced(
        recipient(address, status, action if status is not None else None),
        bounce_type=bounce_type,
        subtype=subtype,
        stamp=stamp,
    )


def complained(
    address: str,
    feedback_type: str | None = "abuse",
    stamp: str = "2026-11-01T11:00:00Z",
    message_id: str | None = None,
) -> dict[str, Any]:
    n = next(_counter)
    body: dict[str, Any] = {
        "complainedRecipients": [{"emailAddress": address}],
        "timestamp": stamp,
        "feedbackId": f"fc-{n}",
    }
    if feedback_type is not None:
        body["complaintFeedbackType"] = feedback_type
    return {
        "notificationType": "Complaint",
        "complaint": body,
        "mail": ses_mail(address, message_id=message_id or f"m-{n}", stamp=stamp),
    }


def delivered(address: str, stamp: str = "2026-11-01T10:00:00Z") -> dict[str, Any]:
    n = next(_counter)
    return {
        "notificationType": "Delivery",
        "delivery": {"timestamp": stamp, "recipients": [address]},
        "mail": ses_mail(address, message_id=f"m-{n}", stamp=stamp),
    }


def soft_on(
    address: str, *days: str, status: str | None = "4.2.2", subtype: str = "MailboxFull"
) -> list[dict[str, Any]]:
    """One Transient bounce at noon UTC on each of ``days`` (``2026-11-01``...)."""
    return [bounce_of(address, "Transient", subtype, status, stamp=f"{day}T12:00:00Z") for day in days]
