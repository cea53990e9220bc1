"""Patch ``ses-notification-attributes``: SES identity notification settings that read back.

GetIdentityNotificationAttributes returns the Bounce/Complaint/Delivery topics,
ForwardingEnabled and HeadersIn*NotificationsEnabled; SetIdentityHeadersInNotificationsEnabled
works; unsetting a topic works; forwarding cannot be turned off before Bounce and Complaint
both have topics (as in SES). Settings live in moto's ``SESBackend.sns_topics[identity]``.
"""

from __future__ import annotations

from typing import Any

from sesops.sandbox.patch_state import replace

FORWARDING = "feedback_forwarding_enabled"  # moto's key in SESBackend.sns_topics[identity]
NOTIFICATION_TYPES = ("Bounce", "Complaint", "Delivery")


def headers_key(kind: str) -> str:
    """The key under which an identity's HeadersIn<kind>NotificationsEnabled is kept."""
    return f"sesops_headers_{kind}"


def get_identity_notification_attributes(self: Any, identities: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for identity in identities:
        config = self.sns_topics.get(identity, {})
        attrs: dict[str, Any] = {"ForwardingEnabled": config.get(FORWARDING, True)}
        for kind in NOTIFICATION_TYPES:
            if config.get(kind):
                attrs[f"{kind}Topic"] = config[kind]
            attrs[f"HeadersIn{kind}NotificationsEnabled"] = bool(config.get(headers_key(kind), False))
        out[identity] = attrs
    return out


def set_identity_notification_topic(self: Any, identity: str, kind: str, topic: str | None) -> None:
    config = self.sns_topics.setdefault(identity, {})
    if topic:
        config[kind] = topic
    else:
        config.pop(kind, None)


def set_identity_feedback_forwarding_enabled(self: Any, identity: str, enabled: bool) -> None:
    from moto.ses.exceptions import InvalidParameterValue

    config = self.sns_topics.setdefault(identity, {})
    if not enabled and not (config.get("Bounce") and config.get("Complaint")):
        raise InvalidParameterValue(
            "Feedback forwarding cannot be disabled until both bounce and complaint "
            f"notifications have SNS topics for identity {identity}."
        )
    config[FORWARDING] = enabled


def set_identity_headers_in_notifications_enabled(self: Any, identity: str, kind: str, on: bool) -> None:
    self.sns_topics.setdefault(identity, {})[headers_key(kind)] = on


def response_set_headers(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    self.backend.set_identity_headers_in_notifications_enabled(
        self._get_param("Identity"),
        self._get_param("NotificationType"),
        self._get_bool_param("Enabled", False),
    )
    return EmptyResult()


def patch_notification_attributes() -> None:
    from moto.ses.models import SESBackend
    from moto.ses.responses import EmailResponse

    for name, method in {
        "get_identity_notification_attributes": get_identity_notification_attributes,
        "set_identity_notification_topic": set_identity_notification_topic,
        "set_identity_feedback_forwarding_enabled": set_identity_feedback_forwarding_enabled,
        "set_identity_headers_in_notifications_enabled": set_identity_headers_in_notifications_enabled,
    }.items():
        replace(SESBackend, name, method)
    replace(EmailResponse, "set_identity_headers_in_notifications_enabled", response_set_headers)
