"""SES objects built from the shapes table alone: one per case of each event type's rule.

Each example sets every detail field its shape reads to a value naming the column, and the
values a rule case tests to what the case wants, so the case is the first to hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sesops.events.shapes import RECIPIENT_COLUMNS, SHAPES, Case, EventShape

MAIL_TIMESTAMP = "2026-05-01T00:00:00.000Z"
DETAIL_TIMESTAMP = "2026-05-01T00:00:09.000Z"


@dataclass(frozen=True)
class Example:
    shape: EventShape
    case: Case
    ses: dict[str, Any]  # the SES object
    emails: tuple[str, ...]  # its recipients, normalised
    detail: dict[str, Any]  # contract column -> the value the detail gave it


def _value(wanted: dict[str, str | None], column: str) -> str | None:
    """What a case wants for ``column``, else a non-empty value no rule wants."""
    return wanted.get(column, f"other-{column}")


def example(shape: EventShape, case: Case, number: int) -> Example:
    wanted = dict(case.when)
    slug = shape.detail_key.lower()
    addresses = (f"First.{number}@{slug}.example", f"second.{number}@{slug}.example")
    detail: dict[str, Any] = {"timestamp": DETAIL_TIMESTAMP, "feedbackId": f"fb-{slug}-{number}"}
    columns: dict[str, Any] = {}
    for column, field in shape.columns:
        value = _value(wanted, column)
        columns[column] = value
        if value is not None:
            detail[field] = value
    recipients: list[Any] = list(addresses)
    if shape.detailed_recipients:
        recipients = []
        for address in addresses:
            recipient = {field: _value(wanted, column) for column, field in RECIPIENT_COLUMNS}
            recipient["emailAddress"] = address
            recipients.append({k: v for k, v in recipient.items() if v is not None})
    mail: dict[str, Any] = {
        "timestamp": MAIL_TIMESTAMP,
        "messageId": f"mail-{slug}-{number}",
        "source": "news@example.com",
        "sendingAccountId": "123456789012",
        "destination": list(addresses),
        "commonHeaders": {"subject": f"Subject {number}"},
    }
    if shape.recipients_key is not None:
        detail[shape.recipients_key] = recipients
    ses = {"eventType": shape.event_type, "mail": mail, shape.detail_key: detail}
    return Example(shape, case, ses, tuple(a.lower() for a in addresses), columns)


def all_examples() -> list[Example]:
    """One example per case of every rule in the table."""
    out = []
    for shape in SHAPES:
        for case in shape.rule:
            out.append(example(shape, case, len(out)))
    return out
