"""The wrappers AWS puts around an SES object, opened: SNS envelopes, SQS bodies and dumps, Lambda
events (from SNS, SQS or a receipt rule) and EventBridge events, down to the SES object itself
or the kind of control message they carried. Pure: no I/O; :mod:`sesops.events.parse` makes
the rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson

from sesops.errors import RecordError
from sesops.events.shapes import EVENTBRIDGE_CONTROL_PREFIX, EVENTBRIDGE_DETAIL_TYPES, EVENTBRIDGE_SOURCE

EVENT_PUBLISHING_VALIDATION = "Successfully validated SNS topic for Amazon SES event publishing."
SNS_CONTROL_TYPES = frozenset({"SubscriptionConfirmation", "UnsubscribeConfirmation"})

_NBSP_OR_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\xa0', re.DOTALL)


def decode_json(data: str | bytes | bytearray | memoryview) -> Any:
    """Decode JSON, accepting non-breaking spaces used as whitespace (pasted from web pages).

    Raises :class:`RecordError` with a short reason when the text is not JSON.
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as err:
        text = data if isinstance(data, str) else bytes(data).decode("utf-8", "replace")
        if "\xa0" in text:
            cleaned = _NBSP_OR_STRING.sub(lambda m: " " if m.group(0) == "\xa0" else m.group(0), text)
            try:
                return orjson.loads(cleaned)
            except orjson.JSONDecodeError:
                pass
        raise RecordError(f"not JSON ({_short_json_error(err)})") from None


def _short_json_error(err: orjson.JSONDecodeError) -> str:
    msg = str(err.msg if hasattr(err, "msg") else err)
    if msg.startswith(("depth limit exceeded", "recursion limit exceeded")):
        return "nested deeper than 1024 levels"  # orjson's fixed limit: a bound, not a syntax error
    return msg.split(":")[0].strip() or "invalid JSON"


def unwrap(obj: Any, depth: int = 0) -> Iterator[tuple[Any, dict[str, Any] | None]]:
    """Yield (SES object or :class:`Control`, SNS envelope or None) for each message in ``obj``;
    :class:`RecordError` says why when ``obj`` is not SES/SNS feedback."""
    if depth > 4:
        raise RecordError("nested too deeply to be SES/SNS feedback")
    if not isinstance(obj, dict):
        kind = "array" if isinstance(obj, list) else type(obj).__name__
        raise RecordError(f"expected a JSON object, got {kind}")
    if "notificationType" in obj or "eventType" in obj:
        yield obj, None
    elif "Type" in obj:
        yield _open_envelope(obj), obj
    elif "detail-type" in obj:
        yield _open_eventbridge(obj), None
    elif "Body" in obj:  # an SQS message dump
        yield from _unwrap_body(obj["Body"], depth)
    elif isinstance(obj.get("Records"), list):  # a Lambda event
        for record in obj["Records"]:
            yield from _unwrap_lambda_record(record, depth)
    elif isinstance(obj.get("Messages"), list):  # an SQS ReceiveMessage response
        for message in obj["Messages"]:
            yield from unwrap(message, depth + 1)
    else:
        raise RecordError(
            "neither an SNS envelope (Type, Message) nor an SES object (notificationType or eventType)"
        )


def _unwrap_body(body: Any, depth: int) -> Iterator[tuple[Any, dict[str, Any] | None]]:
    """An SQS message body: any shape, as JSON text or already decoded."""
    yield from unwrap(decode_json(body) if isinstance(body, str) else body, depth + 1)


def _unwrap_lambda_record(record: Any, depth: int) -> Iterator[tuple[Any, dict[str, Any] | None]]:
    """One record of a Lambda event: from SNS, from SQS, or an SES receipt rule's inbound mail."""
    if not isinstance(record, dict):
        raise RecordError("Lambda record is not a JSON object")
    if record.get("Sns") is not None:
        yield from unwrap(record["Sns"], depth + 1)
    elif record.get("eventSource") == "aws:sqs" and "body" in record:
        yield from _unwrap_body(record["body"], depth)
    elif record.get("eventSource") == "aws:ses" and isinstance(record.get("ses"), dict):
        yield Control("Received"), None
    else:
        raise RecordError("Lambda record without an Sns object, an SQS body or an SES receipt")


def _open_eventbridge(event: dict[str, Any]) -> Any:
    """Return the SES record in an EventBridge event, or the control kind of an account event."""
    detail_type, source = event["detail-type"], event.get("source")
    if source != EVENTBRIDGE_SOURCE:
        raise RecordError(f"EventBridge event from {source!r}, not {EVENTBRIDGE_SOURCE}")
    if type(detail_type) is not str or not detail_type:
        raise RecordError("EventBridge event without a detail-type")
    event_type = EVENTBRIDGE_DETAIL_TYPES.get(detail_type)
    if event_type is None:  # sending status, advisor recommendations: about the account
        return Control(EVENTBRIDGE_CONTROL_PREFIX + detail_type, notice=event)
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise RecordError(f"EventBridge {detail_type!r} without a detail object")
    found = detail.get("eventType") or detail.get("notificationType")
    if found is None:
        return {**detail, "eventType": event_type}
    if found != event_type:
        raise RecordError(
            f"EventBridge detail-type {detail_type!r} means SES {event_type}, but detail.eventType is {found!r}"
        )
    return detail


def _open_envelope(env: dict[str, Any]) -> Any:
    """Return the SES object (or control marker) carried by an SNS envelope."""
    sns_type = env["Type"]
    if type(sns_type) is not str or sns_type not in SNS_CONTROL_TYPES | {"Notification"}:
        raise RecordError(f"unknown SNS Type {sns_type!r}")
    if sns_type in SNS_CONTROL_TYPES:
        return Control(sns_type)
    message = env.get("Message")
    if isinstance(message, str):
        if message.strip() == EVENT_PUBLISHING_VALIDATION:
            return Control("EventPublishingValidation")
        try:
            return decode_json(message)
        except RecordError:
            raise RecordError("SNS Message is not JSON (not an SES notification)") from None
    if isinstance(message, dict):  # moto's canned example carries an object
        return message
    raise RecordError("SNS Notification without a Message")


class Control(str):
    """Marks a control message (its value is the kind), with the event when it is worth reading."""

    notice: dict[str, Any] | None

    def __new__(cls, kind: str, notice: dict[str, Any] | None = None) -> Control:
        control = super().__new__(cls, kind)
        control.notice = notice
        return control
