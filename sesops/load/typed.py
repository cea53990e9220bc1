"""Typed decoding of the common lines: an SNS Notification carrying an SES event, an
EventBridge event from SES, and the raw SES object (raw delivery, Firehose, exported logs).

msgspec decodes straight into structs that name only the fields the row contract uses,
so the bulky parts of a message (``mail.headers``, ``commonHeaders.to``, tags, ...)
are skipped instead of built as Python objects. The structs are made from the table in
:mod:`sesops.events.shapes`, and the fields kept go to :func:`sesops.events.parse.emit_rows`,
so there is one mapping to rows. Anything this cannot decode, or does not recognise,
returns ``None`` and goes to the general parser, which gives the same rows or says why it
refuses.
"""

from __future__ import annotations

from typing import Any

import msgspec

from sesops.errors import RecordError
from sesops.events.parse import MessageFields, Row, emit_rows
from sesops.events.shapes import (
    EVENTBRIDGE_DETAIL_TYPES,
    EVENTBRIDGE_SOURCE,
    RECIPIENT_FIELDS,
    SHAPES,
    SHAPES_BY_TYPE,
    EventShape,
)

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


_NO_MAIL = _Mail()

_Recipient: Any = msgspec.defstruct("_Recipient", [(name, Any, None) for name in RECIPIENT_FIELDS])


def _detail_struct(shape: EventShape) -> Any:
    """A struct of the detail fields ``shape`` reads, and its recipients list if it has one."""
    fields: list[tuple[str, Any, Any]] = [(name, Any, None) for name in shape.detail_fields]
    if shape.recipients_key is not None:
        item = _Recipient if shape.detailed_recipients else Any
        fields.append((shape.recipients_key, list[item] | None, None))  # type: ignore[valid-type]
    return msgspec.defstruct("_" + shape.detail_key.title(), fields)


# The SES object: the mail, and one optional detail struct per event type in the table.
_SES_FIELDS: list[tuple[str, Any, Any]] = [
    ("mail", _Mail | None, None),
    *((shape.detail_key, _detail_struct(shape) | None, None) for shape in SHAPES),
]
_Ses: Any = msgspec.defstruct(
    "_Ses", [("notificationType", Any, None), ("eventType", Any, None), *_SES_FIELDS]
)
# One line as read: an SNS envelope, an EventBridge event or the SES object itself (its type
# keys UNSET when absent, as the general parser tests for presence).
_Line: Any = msgspec.defstruct(
    "_Line",
    [
        ("Type", Any, _UNSET),
        ("MessageId", Any, None),
        ("TopicArn", Any, None),
        ("Message", Any, None),
        ("Body", Any, _UNSET),
        ("notificationType", Any, _UNSET),
        ("eventType", Any, _UNSET),
        ("detail_type", Any, msgspec.field(default=_UNSET, name="detail-type")),
        ("source", Any, None),
        ("detail", _Ses | None, None),
        *_SES_FIELDS,
    ],
)

_line: msgspec.json.Decoder[Any] = msgspec.json.Decoder(_Line)
_ses: msgspec.json.Decoder[Any] = msgspec.json.Decoder(_Ses)


def notification_line_rows(line: bytes) -> list[Row] | None:
    """Rows of one JSON line when it is an SNS Notification, an EventBridge event or a raw
    SES object of an event type in the table, else None.

    Raises :class:`~sesops.errors.RecordError` only for a message the general parser
    refuses for the same reason (same messages, in the same order of checks).
    """
    try:
        msg = _line.decode(line)
        if msg.notificationType is not _UNSET or msg.eventType is not _UNSET:  # the SES object
            return _known_rows(msg, msg.eventType or msg.notificationType, None, None)
        if msg.Type is not _UNSET:
            if (
                msg.Type != "Notification"
                or msg.Body is not _UNSET
                or type(msg.Message) is not str
                or msg.Message[:1] != "{"
            ):
                return None
            ses = _ses.decode(msg.Message)
            return _known_rows(ses, ses.eventType or ses.notificationType, msg.MessageId, msg.TopicArn)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return _eventbridge_rows(msg)


def _eventbridge_rows(event: Any) -> list[Row] | None:
    """Rows of an EventBridge event whose detail-type names the eventType of its detail."""
    detail_type, detail = event.detail_type, event.detail
    if type(detail_type) is not str or event.source != EVENTBRIDGE_SOURCE or detail is None:
        return None
    event_type = EVENTBRIDGE_DETAIL_TYPES.get(detail_type)
    if event_type is None or (detail.eventType or detail.notificationType) != event_type:
        return None
    return _known_rows(detail, event_type, None, None)


def _known_rows(ses: Any, event_type: Any, sns_id: Any, topic: Any) -> list[Row] | None:
    shape = SHAPES_BY_TYPE.get(event_type) if type(event_type) is str else None
    return None if shape is None else _ses_rows(ses, shape, sns_id, topic)


def _ses_rows(ses: Any, shape: EventShape, sns_id: Any, topic: Any) -> list[Row]:
    """The rows of a decoded SES object of a type in the table (checks as the general parser)."""
    event_type, detail_key, list_key = shape.event_type, shape.detail_key, shape.recipients_key
    mail = ses.mail
    if mail is None:
        if list_key is None:
            raise RecordError(f"SES {event_type} without a mail object")
        mail = _NO_MAIL  # a trimmed payload: its detail still names the recipients
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
    headers = mail.commonHeaders
    fields = MessageFields(
        timestamp=(detail.timestamp if detail is not None else None) or mail.timestamp,
        message_id=mail.messageId,
        feedback_id=detail.feedbackId if detail is not None else None,
        source=mail.source,
        sending_account_id=mail.sendingAccountId,
        subject=headers.subject if headers is not None else None,
        sns_message_id=sns_id,
        topic_arn=topic,
    )
    if shape.columns and detail is not None:  # replace(): no kwargs dict for every message
        fields = msgspec.structs.replace(
            fields, **{column: getattr(detail, field) for column, field in shape.columns}
        )
    return emit_rows(shape, fields, pairs)
