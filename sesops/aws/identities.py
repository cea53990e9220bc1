"""``list_identities``: every SES identity of a region with its verification and wiring, cheaply.

Unlike :func:`sesops.aws.readback.read_state` this makes no STS, SNS or SESv2 call: one
paginated ``ListIdentities`` and, per 100 identities, one verification and one notification
attributes call. It is what a picker needs to show each identity beside its current wiring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3

from sesops.aws.clients import client
from sesops.aws.errors import aws_call, call
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
    names = identity_names(ses)
    verification, notification = identity_attributes(ses, names)
    return [_wiring(name, verification.get(name, {}), notification.get(name, {})) for name in names]


def identity_names(ses: Any) -> list[str]:
    """Every identity an SES client's region lists (all pages)."""
    names: list[str] = []
    with aws_call("ses:ListIdentities"):
        for page in ses.get_paginator("list_identities").paginate():
            names += page.get("Identities", [])
    return names


def identity_attributes(ses: Any, names: Sequence[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The verification and the notification attributes of ``names``, by name (100 per call)."""
    verification: dict[str, Any] = {}
    notification: dict[str, Any] = {}
    for start in range(0, len(names), ATTRIBUTE_BATCH):
        chunk = list(names[start : start + ATTRIBUTE_BATCH])
        verification.update(
            call(
                "ses:GetIdentityVerificationAttributes",
                ses.get_identity_verification_attributes,
                Identities=chunk,
            )["VerificationAttributes"]
        )
        notification.update(
            call(
                "ses:GetIdentityNotificationAttributes",
                ses.get_identity_notification_attributes,
                Identities=chunk,
            )["NotificationAttributes"]
        )
    return verification, notification


def _wiring(name: str, verification: Mapping[str, Any], attrs: Mapping[str, Any]) -> IdentityWiring:
    return IdentityWiring(
        name=name,
        verification=verification.get("VerificationStatus"),
        topics={t: str(attrs[f"{t}Topic"]) for t in NOTIFICATION_TYPES if attrs.get(f"{t}Topic")},
        forwarding=bool(attrs.get("ForwardingEnabled", True)),
        headers={t: bool(attrs.get(f"HeadersIn{t}NotificationsEnabled")) for t in NOTIFICATION_TYPES},
    )
