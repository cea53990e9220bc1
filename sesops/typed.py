"""Typed decoding of the commonest line: an SNS Notification carrying an SES event.

msgspec decodes straight into structs that name only the fields the row contract uses,
so the bulky parts of a notification (``mail.headers``, ``commonHeaders.to``, tags, ...)
are skipped instead of built as Python objects. The few fields kept are handed to
:func:`sesops.events.ses_rows` as a small dict, so there is one mapping to rows. Anything
this cannot decode, or does not recognise, returns ``None`` and goes to the general parser,
which gives the same rows or says why it refuses.
"""

from __future__ import annotations

from typing import Any

import msgspec

from sesops.events import SES_CONTROL_TYPES, Row, ses_rows

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


class _Ses(msgspec.Struct):
    notificationType: Any = None
    eventType: Any = None
    mail: _Mail | None = None
    bounce: Any = None
    complaint: Any = None
    delivery: Any = None
    deliveryDelay: Any = None
    send: Any = None
    reject: Any = None
    open: Any = None
    click: Any = None
    failure: Any = None
    subscription: Any = None


class _Envelope(msgspec.Struct):
    Type: Any = _UNSET
    MessageId: Any = None
    TopicArn: Any = None
    Message: Any = None
    Body: Any = _UNSET
    notificationType: Any = _UNSET
    eventType: Any = _UNSET


# Event types whose details _Ses keeps, and where (the general parser knows any type).
_DETAIL = {
    "Bounce": "bounce",
    "Complaint": "complaint",
    "Delivery": "delivery",
    "DeliveryDelay": "deliveryDelay",
    "Send": "send",
    "Reject": "reject",
    "Open": "open",
    "Click": "click",
    "Rendering Failure": "failure",
    "Subscription": "subscription",
}

_envelope = msgspec.json.Decoder(_Envelope)
_ses = msgspec.json.Decoder(_Ses)


def notification_line_rows(line: bytes) -> list[Row] | None:
    """Rows of one JSON line when it is an SNS Notification of a known SES event, else None.

    Raises :class:`~sesops.errors.RecordError` (from :func:`ses_rows`) only for a
    notification the general parser would refuse for the same reason.
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
    detail_key = _DETAIL.get(event_type) if type(event_type) is str else None
    if detail_key is None or event_type in SES_CONTROL_TYPES:
        return None
    mail = ses.mail
    message: dict[str, Any] = {detail_key: getattr(ses, detail_key)}
    if mail is not None:
        headers = mail.commonHeaders
        message["mail"] = {
            "timestamp": mail.timestamp,
            "messageId": mail.messageId,
            "source": mail.source,
            "sendingAccountId": mail.sendingAccountId,
            "destination": mail.destination,
            "commonHeaders": {"subject": headers.subject} if headers is not None else None,
        }
    return ses_rows(message, event_type, env.MessageId, env.TopicArn)
