"""``list_identities``: every SES identity of a region with its verification and wiring, cheaply.

Unlike :func:`sesops.aws.readback.read_state` this makes no STS, SNS or SESv2 call: one
paginated ``ListIdentities`` and, per 100 identities, one verification and one notification
attributes call. It is what a picker needs to show each identity beside its current wiring.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from sesops.aws.clients import client, describe_error
from sesops.aws.state import NOTIFICATION_TYPES

ATTRIBUTE_BATCH = 100  # SES identity-attribute calls take at most 100 identities


@dataclass(frozen=True)
class IdentityWiring:
    """One listed identity: verification status and identity-notification settings."""

    name: str
    verification: str | None  # Success | Pending | Failed | TemporaryFailure | NotStarted
    topics: Mapping[str, str] = field(default_factory=dict)  # notification type -> topic ARN
    forwarding: bool = True
    headers: Mapping[str, bool] = field(default_factory=dict)  # notification type -> enabled

    @property
    def verified(self) -> bool:
        return self.verification == "Success"

    @property
    def is_domain(self) -> bool:
        return "@" not in self.name


def list_identities(region: str, session: boto3.Session | None = None) -> list[IdentityWiring]:
    """Every identity in ``region`` (all pages), in the order SES lists them."""
    ses = client("ses", session, region)
    names = _names(ses)
    verification: dict[str, Any] = {}
    notification: dict[str, Any] = {}
    for chunk in _chunks(names):
        verification.update(
            _call(ses.get_identity_verification_attributes, "ses:GetIdentityVerificationAttributes", chunk)[
                "VerificationAttributes"
            ]
        )
        notification.update(
            _call(ses.get_identity_notification_attributes, "ses:GetIdentityNotificationAttributes", chunk)[
                "NotificationAttributes"
            ]
        )
    return [_wiring(name, verification.get(name, {}), notification.get(name, {})) for name in names]


def _names(ses: Any) -> list[str]:
    names: list[str] = []
    try:
        for page in ses.get_paginator("list_identities").paginate():
            names += page.get("Identities", [])
    except (ClientError, BotoCoreError) as err:
        raise describe_error(err, "ses:ListIdentities") from None
    return names


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), ATTRIBUTE_BATCH):
        yield list(items[start : start + ATTRIBUTE_BATCH])


def _call(method: Any, action: str, identities: list[str]) -> Any:
    try:
        return method(Identities=identities)
    except (ClientError, BotoCoreError) as err:
        raise describe_error(err, action) from None


def _wiring(name: str, verification: Mapping[str, Any], attrs: Mapping[str, Any]) -> IdentityWiring:
    return IdentityWiring(
        name=name,
        verification=verification.get("VerificationStatus"),
        topics={t: str(attrs[f"{t}Topic"]) for t in NOTIFICATION_TYPES if attrs.get(f"{t}Topic")},
        forwarding=bool(attrs.get("ForwardingEnabled", True)),
        headers={t: bool(attrs.get(f"HeadersIn{t}NotificationsEnabled")) for t in NOTIFICATION_TYPES},
    )
