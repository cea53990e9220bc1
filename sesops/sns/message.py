"""Pure helpers for SNS envelopes: key normalisation and the string SNS signs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sesops import arns
from sesops.errors import InvalidMessage

# Lambda delivers the envelope with these spellings; SNS's HTTP body uses the right-hand ones.
_LAMBDA_KEYS = {
    "SigningCertUrl": "SigningCertURL",
    "UnsubscribeUrl": "UnsubscribeURL",
    "SubscribeUrl": "SubscribeURL",
}

NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_KEYS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
CONFIRMATION_TYPES = frozenset({"SubscriptionConfirmation", "UnsubscribeConfirmation"})


def normalize_keys(message: Mapping[str, Any]) -> dict[str, Any]:
    """Return the envelope with Lambda-style keys renamed to SNS's HTTP spelling."""
    return {_LAMBDA_KEYS.get(key, key): value for key, value in message.items()}


def signed_keys(sns_type: str) -> tuple[str, ...]:
    """The keys that go into the string to sign for an SNS message of ``sns_type``."""
    if sns_type == "Notification":
        return NOTIFICATION_KEYS
    if sns_type in CONFIRMATION_TYPES:
        return CONFIRMATION_KEYS
    raise InvalidMessage(f"unknown SNS message Type {sns_type!r}")


def canonical_string(message: Mapping[str, Any]) -> bytes:
    """The exact bytes SNS signs: ``key\\nvalue\\n`` for each signed key, in order.

    ``Subject`` is included only when present and not null; every other signed key
    is required and must be a string.
    """
    envelope = normalize_keys(message)
    sns_type = envelope.get("Type")
    if not isinstance(sns_type, str):
        raise InvalidMessage("missing Type")
    parts: list[str] = []
    for key in signed_keys(sns_type):
        value = envelope.get(key)
        if value is None:
            if key == "Subject":
                continue
            raise InvalidMessage(f"missing {key}")
        if not isinstance(value, str):
            raise InvalidMessage(f"{key} must be a string")
        parts.append(f"{key}\n{value}\n")
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates cannot come from JSON text, only from a hand-built dict.
        raise InvalidMessage("message text is not valid Unicode") from None


def topic_region(topic_arn: str) -> str:
    """The region of an SNS topic ARN, parsed strictly; raises :class:`InvalidMessage`."""
    try:
        return arns.topic_region(topic_arn)
    except ValueError as err:
        raise InvalidMessage(f"Invalid TopicArn: {err}") from None
