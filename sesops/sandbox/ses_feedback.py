"""Patch ``ses-feedback``: mail to the SES mailbox simulator produces SES's real notifications.

Every send (SendEmail, SendRawEmail, SendTemplatedEmail, and SESv2 SendEmail through them)
publishes one notification per recipient and kind to the topic the sending identity has for
that kind, shaped like the simulator's (see :data:`SIMULATOR`); other recipients get a
Delivery, or an ``OnAccountSuppressionList`` bounce when they are on the account suppression
list. This replaces moto's canned 2012 example (``SESBackend.__process_sns_feedback__``).
A topic that no longer exists drops the notification, as SES does; the sandbox also reports
it (:mod:`sesops.sandbox.failures`). The same feedback (same ``feedbackId``) also goes to the
configuration set's event destinations, with a ``Send`` event first (:mod:`sesops.sandbox.ses_events`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.utils import getaddresses, parseaddr
from typing import Any

from sesops import arns
from sesops.sandbox.destinations import publish_to_topic
from sesops.sandbox.patch_state import replace
from sesops.sandbox.ses_events import publish_events, rejected, rendering_failure
from sesops.sandbox.ses_identity import headers_key
from sesops.sandbox.ses_statistics import record_outcome
from sesops.sandbox.sesv2 import suppressed_addresses
from sesops.sns.signing import sns_timestamp

SIMULATOR_DOMAIN = "simulator.amazonses.com"

# What the simulator answers, per local part: the notifications SES publishes, in order.
SIMULATOR: dict[str, tuple[str, ...]] = {
    "success": ("Delivery",),
    "bounce": ("Bounce",),
    "ooto": ("Delivery", "AutoReply"),
    "complaint": ("Delivery", "Complaint"),
    "suppressionlist": ("SuppressionListBounce",),
}


def simulator_outcome(address: str, suppressed: bool = False) -> tuple[str, ...]:
    """The feedback kinds SES produces for mail to ``address`` (pure)."""
    local, _, domain = parseaddr(address)[1].lower().rpartition("@")
    if domain == SIMULATOR_DOMAIN:
        return SIMULATOR.get(local.split("+", 1)[0], ("Delivery",))
    return ("AccountSuppressedBounce",) if suppressed else ("Delivery",)


def patch_feedback() -> None:
    from moto.ses.models import SESBackend

    def no_canned_feedback(self: Any, source: str, destinations: Any) -> None:
        """moto's canned 2012 example is replaced by :func:`publish_feedback`."""

    # moto's originals, called with what moto's responses pass them.
    send_email: Any = SESBackend.send_email
    send_raw_email: Any = SESBackend.send_raw_email
    send_templated_email: Any = SESBackend.send_templated_email

    def patched_send_email(self: Any, source: str, subject: str, body: str, destinations: Any) -> Any:
        message = send_email(self, source, subject, body, destinations)
        to, cc, bcc = _destinations(destinations)
        headers = _simple_headers(source, to, cc, subject, message.id)
        publish_feedback(self, message.id, source, [*to, *cc, *bcc], headers, rejected(subject, body))
        return message

    def patched_send_templated_email(
        self: Any, source: str, template: str, template_data: str, destinations: Any
    ) -> Any:
        message = send_templated_email(self, source, template, template_data, destinations)
        to, cc, bcc = _destinations(destinations)
        parts = self.templates.get(template, {})
        subject = str(parts.get("subject_part", ""))
        headers = _simple_headers(source, to, cc, subject, message.id)
        failure = rendering_failure(template, parts, template_data)
        publish_feedback(self, message.id, source, [*to, *cc, *bcc], headers, failure)
        return message

    def patched_send_raw_email(self: Any, source: str | None, destinations: list[str], raw_data: str) -> Any:
        given = list(destinations or [])
        message = send_raw_email(self, source, destinations, raw_data)
        parsed = message_from_string(raw_data)
        recipients = given or [
            a for _, a in getaddresses([str(parsed[h]) for h in ("To", "Cc", "Bcc") if parsed[h]]) if a
        ]
        headers = [(str(k), str(v)) for k, v in parsed.items()]
        publish_feedback(self, message.id, message.source, recipients, headers, rejected(raw_data))
        return message

    replace(SESBackend, "__process_sns_feedback__", no_canned_feedback)
    replace(SESBackend, "send_email", patched_send_email)
    replace(SESBackend, "send_raw_email", patched_send_raw_email)
    replace(SESBackend, "send_templated_email", patched_send_templated_email)


def _destinations(destinations: Any) -> tuple[list[str], list[str], list[str]]:
    to, cc, bcc = (list(destinations.get(k, [])) for k in ("ToAddresses", "CcAddresses", "BccAddresses"))
    return to, cc, bcc


def _simple_headers(
    source: str, to: Sequence[str], cc: Sequence[str], subject: str, message_id: str
) -> list[tuple[str, str]]:
    """The headers SES writes for a Simple (non-raw) message."""
    headers = [("From", source)]
    if to:
        headers.append(("To", ", ".join(to)))
    if cc:
        headers.append(("Cc", ", ".join(cc)))
    headers += [
        ("Subject", subject or ""),
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="UTF-8"'),
        ("Content-Transfer-Encoding", "7bit"),
        ("Date", datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")),
        ("Message-ID", f"<{message_id}@email.amazonses.com>"),
    ]
    return headers


def _common_headers(headers: Iterable[tuple[str, str]]) -> dict[str, Any]:
    found: dict[str, str] = {}
    for name, value in headers:
        found.setdefault(name.lower(), value)
    common: dict[str, Any] = {}
    for key in ("from", "to", "cc", "reply-to"):
        if key in found:
            common["replyTo" if key == "reply-to" else key] = [
                a.strip() for a in found[key].split(",") if a.strip()
            ]
    if "date" in found:
        common["date"] = found["date"]
    if "message-id" in found:
        common["messageId"] = found["message-id"]
    common["subject"] = found.get("subject", "")
    return common


def _sending_identity(backend: Any, source: str) -> str:
    """The identity whose settings SES applies: the address if it is verified, else its domain."""
    address = parseaddr(source)[1]
    return address if address in backend.email_identities else address.rpartition("@")[2]


def publish_feedback(
    backend: Any,
    message_id: str,
    source: str,
    recipients: Sequence[str],
    headers: list[tuple[str, str]],
    unsent: tuple[str, dict[str, Any]] | None = None,
) -> None:
    """Publish what SES would for one sent message: per recipient, each kind to the identity's
    topic for it, and every event to the configuration set's destinations (:mod:`~sesops.sandbox.ses_events`).

    ``unsent`` is the event of a message SES accepted but did not send (a virus: ``Reject``; a
    template it could not render: ``Rendering Failure``): then only ``Send`` and that event.
    """
    identity = _sending_identity(backend, source)
    addresses = list(dict.fromkeys(parseaddr(r)[1] for r in recipients if parseaddr(r)[1]))
    suppressed = suppressed_addresses(backend.account_id, backend.region_name)
    sent = datetime.now(UTC)
    base_mail = {
        "timestamp": sns_timestamp(sent),
        "source": source,
        "sourceArn": arns.identity_arn(backend.region_name, backend.account_id, identity),
        "sourceIp": "127.0.0.1",
        "callerIdentity": "sesops-sandbox",
        "sendingAccountId": backend.account_id,
        "messageId": message_id,
        "destination": addresses,
    }
    events: list[tuple[str, dict[str, Any]]] = [("Send", {"send": {}})]
    if unsent is not None:
        events.append(unsent)
        addresses_sent: list[str] = []
    else:
        addresses_sent = addresses
    for address in addresses_sent:
        kinds = simulator_outcome(address, address.lower() in suppressed)
        record_outcome(backend, identity, kinds, sent)  # SES counts it, heard or not
        for kind in kinds:
            detail = _detail(kind, address, sent)
            _notify_identity(backend, identity, base_mail, headers, _notification_type(kind), detail, address)
            events.append((_notification_type(kind), detail))
    with_headers = {**base_mail, **_headers_fields(headers)}
    publish_events(backend, [parseaddr(source)[1], identity], with_headers, events)


def _headers_fields(headers: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "headersTruncated": False,
        "headers": [{"name": n, "value": v} for n, v in headers],
        "commonHeaders": _common_headers(headers),
    }


def _notify_identity(
    backend: Any,
    identity: str,
    base_mail: dict[str, Any],
    headers: list[tuple[str, str]],
    notification_type: str,
    detail: dict[str, Any],
    address: str,
) -> None:
    """Publish one notification to the identity's topic for its type; nothing without a topic."""
    config = backend.sns_topics.get(identity, {})
    topic = config.get(notification_type)
    if not topic:
        return  # SES publishes nothing for a type without a topic
    mail = dict(base_mail)
    if config.get(headers_key(notification_type)):
        mail.update(_headers_fields(headers))
    # Key order as SES writes it: deliveries put mail first, bounces and complaints last.
    body = (
        {"notificationType": notification_type, "mail": mail, **detail}
        if notification_type == "Delivery"
        else {"notificationType": notification_type, **detail, "mail": mail}
    )
    publish_to_topic(backend.account_id, topic, json.dumps(body), f"{notification_type} for {address}")


def _notification_type(kind: str) -> str:
    return "Delivery" if kind == "Delivery" else "Complaint" if kind == "Complaint" else "Bounce"


def _feedback_id(when: datetime) -> str:
    return f"{int(when.timestamp() * 1000):016x}-{_uuid()}-000000"


def _uuid() -> str:
    return str(uuid.uuid4())


_BOUNCE_551 = "smtp; 550 5.1.1 user unknown"
_ACCOUNT_SUPPRESSED = (
    "Amazon SES did not send the message to this address because it is on the suppression list "
    "for your account. For more information about removing addresses from the suppression list, "
    "see the Amazon SES Developer Guide at "
    "https://docs.aws.amazon.com/ses/latest/DeveloperGuide/remove-from-suppression-list.html"
)


def _detail(kind: str, address: str, sent: datetime) -> dict[str, Any]:
    """The type-specific object of one notification, shaped like the simulator's (pure)."""
    later = sent + timedelta(milliseconds=450)
    second = sns_timestamp(later.replace(microsecond=0))
    if kind == "Delivery":
        return {
            "delivery": {
                "timestamp": sns_timestamp(later),
                "processingTimeMillis": 450,
                "recipients": [address],
                "smtpResponse": "250 2.6.0 Message received",
                "remoteMtaIp": "127.0.0.1",
                "reportingMTA": "a48-111.smtp-out.amazonses.com",
            }
        }
    if kind == "Complaint":
        return {
            "complaint": {
                "feedbackId": _feedback_id(later),
                "complaintSubType": None,
                "complainedRecipients": [{"emailAddress": address}],
                "timestamp": second,
                "userAgent": "Amazon SES Mailbox Simulator",
                "complaintFeedbackType": "abuse",
                "arrivalDate": sns_timestamp(later),
            }
        }
    if kind == "AutoReply":  # out of the office: a Transient bounce without DSN fields
        return {
            "bounce": {
                "feedbackId": _feedback_id(later),
                "bounceType": "Transient",
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": address}],
                "timestamp": second,
            }
        }
    subtype, diagnostic, mta = "General", _BOUNCE_551, "dns; a8-43.smtp-out.amazonses.com"
    if kind == "SuppressionListBounce":
        diagnostic = f"{_BOUNCE_551} ( blacklisted address: {address} )"
    elif kind == "AccountSuppressedBounce":
        subtype, diagnostic, mta = "OnAccountSuppressionList", _ACCOUNT_SUPPRESSED, "dns; amazonses.com"
    return {
        "bounce": {
            "feedbackId": _feedback_id(later),
            "bounceType": "Permanent",
            "bounceSubType": subtype,
            "bouncedRecipients": [
                {"emailAddress": address, "action": "failed", "status": "5.1.1", "diagnosticCode": diagnostic}
            ],
            "timestamp": second,
            "remoteMtaIp": "127.0.0.1",
            "reportingMTA": mta,
        }
    }
