"""The SES event model: every shape AWS delivers feedback in -> per-recipient rows.

Pure: no I/O. Accepted shapes (any nesting of them; :mod:`sesops.events.envelopes` opens them):

* an SNS envelope (``Type``/``MessageId``/``TopicArn``/``Message``) as an HTTP or SQS
  body, including the Lambda key style (``SigningCertUrl``, ``UnsubscribeUrl``,
  ``Subject: null``);
* an EventBridge event from SES (``detail-type``, ``source: aws.ses``, ``detail`` holding
  the event-publishing record; ``detail-type`` must name the record's ``eventType``);
* a Lambda event (``Records[]``): SNS-triggered (``Sns``), SQS-triggered (``body`` holding
  any shape here) or an SES receipt rule's (``ses``: inbound mail);
* an SQS message dump (``Body`` holding any shape here), or a whole ``ReceiveMessage``
  response (``Messages``);
* the SES object itself (raw message delivery, exported logs, Firehose): identity
  notifications (``notificationType``) and configuration-set event publishing (``eventType``).
  A Bounce, Complaint, Delivery or DeliveryDelay without its ``mail`` object still gives a
  row per recipient its detail names, the mail's columns empty.

Control messages (subscription (un)confirmations, ``AmazonSnsSubscriptionSucceeded``,
the event-publishing validation text), inbound mail (``Received``) and SES's EventBridge
events about the account (``eventbridge:<detail-type>``) yield no rows and are reported by
kind. Anything else raises :class:`~sesops.errors.RecordError` with a short reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec
import orjson

from sesops.errors import RecordError
from sesops.events.classify import category_by_rule
from sesops.events.envelopes import SNS_CONTROL_TYPES as SNS_CONTROL_TYPES
from sesops.events.envelopes import Control, unwrap
from sesops.events.envelopes import decode_json as decode_json
from sesops.events.shapes import COUNTED_TYPES, EventShape, shape_for

#: The row contract: column names in order. Times are tz-aware UTC once loaded.
COLUMNS: tuple[str, ...] = (
    "event_type",
    "timestamp",
    "email",
    "recipient_domain",
    "bounce_type",
    "bounce_subtype",
    "action",
    "status",
    "diagnostic_code",
    "complaint_feedback_type",
    "complaint_subtype",
    "delay_type",
    "message_id",
    "feedback_id",
    "source",
    "sending_account_id",
    "subject",
    "sns_message_id",
    "topic_arn",
    "category",
)

Row = tuple[Any, ...]


#: What is stripped from both ends of an address (the fast path strips the same set).
EMAIL_WHITESPACE = " \t\r\n\f\v\u00a0"

#: SES notification types counted by kind, never made rows (see the shapes table).
SES_CONTROL_TYPES = COUNTED_TYPES

_SES_KEYS = frozenset({"notificationType", "eventType"})


@dataclass(slots=True)
class Parsed:
    """What one SES/SNS message yields: rows, or the kind of control message it was (and,
    for SES's EventBridge events about the account, the event itself as ``notice``)."""

    rows: list[Row] = field(default_factory=list)
    control: str | None = None
    sns_message_id: str | None = None
    notice: dict[str, Any] | None = None


def parse_record(obj: Any) -> list[Parsed]:
    """Parse one decoded record (dict, or JSON text) into :class:`Parsed` results.

    A record usually holds one message; a Lambda event or ``ReceiveMessage`` response
    holds several. Raises :class:`RecordError` when nothing in it is SES/SNS feedback.
    """
    if isinstance(obj, str | bytes | bytearray | memoryview):
        obj = decode_json(obj)
    rows = notification_rows(obj)
    if rows is not None:
        return [Parsed(rows=rows, sns_message_id=obj.get("MessageId"))]
    return [_parse_message(message, sns) for message, sns in unwrap(obj)]


def notification_rows(obj: Any) -> list[Row] | None:
    """Rows of the overwhelmingly common shape, an SNS Notification carrying an SES event;
    ``None`` for anything else (the general path then decides, and explains a refusal)."""
    if type(obj) is not dict or obj.get("Type") != "Notification" or "Body" in obj:
        return None
    message = obj.get("Message")
    if type(message) is not str or message[:1] != "{" or not _SES_KEYS.isdisjoint(obj):
        return None
    try:
        inner = orjson.loads(message)
    except orjson.JSONDecodeError:
        return None
    if type(inner) is not dict:
        return None
    event_type = inner.get("eventType") or inner.get("notificationType")
    if type(event_type) is not str or not event_type or event_type in SES_CONTROL_TYPES:
        return None
    return ses_rows(inner, event_type, obj.get("MessageId"), obj.get("TopicArn"))


def _parse_message(message: Any, sns: dict[str, Any] | None) -> Parsed:
    sns_id = sns.get("MessageId") if sns is not None else None
    if isinstance(message, Control):
        return Parsed(control=str(message), sns_message_id=sns_id, notice=message.notice)
    if not isinstance(message, dict):
        raise RecordError("SNS Message is not a JSON object")
    event_type = message.get("eventType") or message.get("notificationType")
    if not isinstance(event_type, str) or not event_type:
        raise RecordError("SES object without notificationType or eventType")
    if event_type in SES_CONTROL_TYPES:
        return Parsed(control=event_type, sns_message_id=sns_id)
    topic = sns.get("TopicArn") if sns is not None else None
    return Parsed(rows=ses_rows(message, event_type, sns_id, topic), sns_message_id=sns_id)


def ses_rows(message: dict[str, Any], event_type: str, sns_id: str | None, topic: str | None) -> list[Row]:
    """Per-recipient rows of one SES object whose type is ``event_type``."""
    mail = message.get("mail")
    shape = shape_for(event_type)
    if mail is None and shape.recipients_key is not None:
        mail = {}  # a trimmed payload: its detail still names the recipients
    elif not isinstance(mail, dict):
        raise RecordError(f"SES {event_type} without a mail object")
    detail, recipients = _detail_and_recipients(message, mail, shape)
    headers = mail.get("commonHeaders")
    fields = MessageFields(
        timestamp=detail.get("timestamp") or mail.get("timestamp"),
        message_id=mail.get("messageId"),
        feedback_id=detail.get("feedbackId"),
        source=mail.get("source"),
        sending_account_id=mail.get("sendingAccountId"),
        subject=headers.get("subject") if isinstance(headers, dict) else None,
        sns_message_id=sns_id,
        topic_arn=topic,
    )
    if shape.columns:  # replace() rather than **kwargs above: kwargs cost every message a dict
        fields = msgspec.structs.replace(
            fields, **{column: detail.get(field) for column, field in shape.columns}
        )
    pairs = [
        (r.get("emailAddress"), r.get("action"), r.get("status"), r.get("diagnosticCode"))
        if type(r) is dict
        else (r, None, None, None)
        for r in recipients
    ]
    return emit_rows(shape, fields, pairs)


def _detail_and_recipients(
    message: dict[str, Any], mail: dict[str, Any], shape: EventShape
) -> tuple[dict[str, Any], list[Any]]:
    """The detail object (empty when absent and optional) and the non-empty recipients list."""
    event_type, detail_key, list_key = shape.event_type, shape.detail_key, shape.recipients_key
    detail = message.get(detail_key)
    if list_key is not None:
        if not isinstance(detail, dict):
            raise RecordError(f"SES {event_type} without its {detail_key!r} object")
        recipients = detail.get(list_key)
        if not isinstance(recipients, list) or not recipients:
            raise RecordError(f"SES {event_type} without {detail_key}.{list_key}")
    else:
        recipients = mail.get("destination")
        if not isinstance(recipients, list) or not recipients:
            raise RecordError(f"SES {event_type} without mail.destination")
    return (detail if isinstance(detail, dict) else {}), recipients


class MessageFields(msgspec.Struct, frozen=True, gc=False):
    """What every row of one SES message shares, named as the contract's columns (the
    event type comes with its :class:`~sesops.events.shapes.EventShape`).

    ``gc=False`` keeps construction cheap (one per message); the values are decoded JSON,
    which cannot form reference cycles.
    """

    timestamp: Any = None
    bounce_type: Any = None
    bounce_subtype: Any = None
    complaint_feedback_type: Any = None
    complaint_subtype: Any = None
    delay_type: Any = None
    message_id: Any = None
    feedback_id: Any = None
    source: Any = None
    sending_account_id: Any = None
    subject: Any = None
    sns_message_id: Any = None
    topic_arn: Any = None


#: One recipient as read from the message: (address, action, status, diagnostic code).
RecipientValues = tuple[Any, Any, Any, Any]


def emit_rows(shape: EventShape, message: MessageFields, recipients: list[RecipientValues]) -> list[Row]:
    """Rows for the recipients of one message of type ``shape``: the one place addresses
    are normalised and categories assigned, whichever decoder read them."""
    event_type, timestamp = shape.event_type, message.timestamp
    bounce_type, bounce_subtype = message.bounce_type, message.bounce_subtype
    feedback_type, complaint_subtype = message.complaint_feedback_type, message.complaint_subtype
    delay_type, message_id, feedback_id = message.delay_type, message.message_id, message.feedback_id
    source, account, subject = message.source, message.sending_account_id, message.subject
    sns_id, topic = message.sns_message_id, message.topic_arn
    category = shape.fixed_category
    rows: list[Row] = []
    for address, action, status, diagnostic in recipients:
        email = normalize_email(address) if type(address) is str else ""
        if not email:
            raise RecordError(f"SES {event_type} recipient without an email address")
        rows.append(
            (
                event_type,
                timestamp,
                email,
                (email.rpartition("@")[2] or None) if "@" in email else None,
                bounce_type,
                bounce_subtype,
                action,
                status,
                diagnostic,
                feedback_type,
                complaint_subtype,
                delay_type,
                message_id,
                feedback_id,
                source,
                account,
                subject,
                sns_id,
                topic,
                category,
            )
        )
    if category is None:  # the rule reads the row (a bounce's category can differ per recipient)
        rows = [
            (*row[:-1], category_by_rule(shape.rule, dict(zip(COLUMNS, row, strict=True)))) for row in rows
        ]
    return rows


def normalize_email(address: str) -> str:
    """Strip, drop a display name (``"Jane" <jane@x>``) and lower-case an address."""
    address = address.strip(EMAIL_WHITESPACE)
    if address.endswith(">") and "<" in address:
        address = address[address.rindex("<") + 1 : -1].strip(EMAIL_WHITESPACE)
    return address.lower()
