"""Typed decoding of the commonest line: an SNS Notification carrying an SES event.

msgspec decodes straight into structs that name only the fields the row contract uses,
so the bulky parts of a notification (``mail.headers``, ``commonHeaders.to``, tags, ...)
are skipped instead of built as Python objects. The few fields kept are handed to
:func:`sesops.events.parse.ses_rows` as a small dict, so there is one mapping to rows. Anything
this cannot decode, or does not recognise, returns ``None`` and goes to the general parser,
which gives the same rows or says why it refuses.
"""

from __future__ import annotations

from typing import Any

import msgspec

from sesops.errors import RecordError
from sesops.events.parse import Row, emit_rows

_UNSET: Any = msgspec.UNSET


class _Headers(msgspec.Struct):
    subject: Any = None


class _Mail(msgspec.Struct):
    timestamp: Any = None
    messageId: Any = None
    source: Any = None
    sendingAccountId: Any = None
    destination: Any = None
    commonHeaders: _Headers | None = None


class _Recipient(msgspec.Struct):
    emailAddress: Any = None
    action: Any = None
    status: Any = None
    diagnosticCode: Any = None


class _Bounce(msgspec.Struct):
    bounceType: Any = None
    bounceSubType: Any = None
    feedbackId: Any = None
    timestamp: Any = None
    bouncedRecipients: list[_Recipient] | None = None


class _Complaint(msgspec.Struct):
    complaintFeedbackType: Any = None
    complaintSubType: Any = None
    feedbackId: Any = None
    timestamp: Any = None
    complainedRecipients: list[_Recipient] | None = None


class _Delivery(msgspec.Struct):
    timestamp: Any = None
    feedbackId: Any = None
    recipients: list[Any] | None = None


class _Delay(msgspec.Struct):
    delayType: Any = None
    timestamp: Any = None
    feedbackId: Any = None
    delayedRecipients: list[_Recipient] | None = None


class _Stamped(msgspec.Struct):
    timestamp: Any = None
    feedbackId: Any = None


class _Ses(msgspec.Struct):
    notificationType: Any = None
    eventType: Any = None
    mail: _Mail | None = None
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None
    delivery: _Delivery | None = None
    deliveryDelay: _Delay | None = None
    send: _Stamped | None = None
    reject: _Stamped | None = None
    open: _Stamped | None = None
    click: _Stamped | None = None
    failure: _Stamped | None = None
    subscription: _Stamped | None = None


class _Envelope(msgspec.Struct):
    Type: Any = _UNSET
    MessageId: Any = None
    TopicArn: Any = None
    Message: Any = None
    Body: Any = _UNSET
    notificationType: Any = _UNSET
    eventType: Any = _UNSET


# Event types whose details _Ses keeps, where, and (for four) the list of recipients.
_DETAIL = {
    "Bounce": ("bounce", "bouncedRecipients"),
    "Complaint": ("complaint", "complainedRecipients"),
    "Delivery": ("delivery", "recipients"),
    "DeliveryDelay": ("deliveryDelay", "delayedRecipients"),
    "Send": ("send", None),
    "Reject": ("reject", None),
    "Open": ("open", None),
    "Click": ("click", None),
    "Rendering Failure": ("failure", None),
    "Subscription": ("subscription", None),
}

_envelope = msgspec.json.Decoder(_Envelope)
_ses = msgspec.json.Decoder(_Ses)


def notification_line_rows(line: bytes) -> list[Row] | None:
    """Rows of one JSON line when it is an SNS Notification of a known SES event, else None.

    Raises :class:`~sesops.errors.RecordError` only for a notification the general parser
    refuses for the same reason (same messages, in the same order of checks).
    """
    try:
        env = _envelope.decode(line)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    if (
        env.Type != "Notification"
        or env.Body is not _UNSET
        or env.notificationType is not _UNSET
        or env.eventType is not _UNSET
        or type(env.Message) is not str
        or env.Message[:1] != "{"
    ):
        return None
    try:
        ses = _ses.decode(env.Message)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    event_type = ses.eventType or ses.notificationType
    where = _DETAIL.get(event_type) if type(event_type) is str else None
    if where is None:
        return None
    mail = ses.mail
    if mail is None:
        raise RecordError(f"SES {event_type} without a mail object")
    detail_key, list_key = where
    detail = getattr(ses, detail_key)
    if list_key is not None:
        if detail is None:
            raise RecordError(f"SES {event_type} without its {detail_key!r} object")
        recipients = getattr(detail, list_key)
        if not recipients:
            raise RecordError(f"SES {event_type} without {detail_key}.{list_key}")
    else:
        recipients = mail.destination
        if type(recipients) is not list or not recipients:
            raise RecordError(f"SES {event_type} without mail.destination")
    pairs = [
        (r.emailAddress, r.action, r.status, r.diagnosticCode)
        if type(r) is _Recipient
        else (r.get("emailAddress"), r.get("action"), r.get("status"), r.get("diagnosticCode"))
        if type(r) is dict
        else (r, None, None, None)
        for r in recipients
    ]
    bounce = ses.bounce if event_type == "Bounce" else None
    complaint = ses.complaint if event_type == "Complaint" else None
    delay = ses.deliveryDelay if event_type == "DeliveryDelay" else None
    return emit_rows(
        event_type,
        (detail.timestamp if detail is not None else None) or mail.timestamp,
        pairs,
        bounce.bounceType if bounce is not None else None,
        bounce.bounceSubType if bounce is not None else None,
        complaint.complaintFeedbackType if complaint is not None else None,
        complaint.complaintSubType if complaint is not None else None,
        delay.delayType if delay is not None else None,
        mail.messageId,
        detail.feedbackId if detail is not None else None,
        mail.source,
        mail.sendingAccountId,
        mail.commonHeaders.subject if mail.commonHeaders is not None else None,
        env.MessageId,
        env.TopicArn,
    )
