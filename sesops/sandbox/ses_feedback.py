"""SES fidelity for moto: the one module that touches moto's internals (pinned at 5.2.5).

:func:`install` monkeypatches moto's classes in this process, so it applies both to
``moto.mock_aws`` and to a ``ThreadedMotoServer`` started here. Each patch is listed
in :data:`PATCHES` and has a test in ``tests/sandbox/test_server.py`` that fails with a clear
message when a moto upgrade moves what it patches:

* ``ses-notification-attributes``: GetIdentityNotificationAttributes reads back the
  Bounce/Complaint/Delivery topics, ForwardingEnabled and HeadersIn*NotificationsEnabled;
  SetIdentityHeadersInNotificationsEnabled works; unsetting a topic works; forwarding
  cannot be turned off before Bounce and Complaint both have topics (as in SES).
* ``ses-feedback``: mail to the mailbox simulator (and Delivery for other recipients)
  produces the real per-recipient notifications, replacing moto's canned example
  (``SESBackend.__process_sns_feedback__``).
* ``sns-signing``: envelopes SNS delivers (HTTP and SQS) are signed by the sandbox's
  :class:`~sesops.sns.signing.SigningAuthority` (``Subscription.get_post_data``), HTTP
  deliveries carry SNS's ``x-amz-sns-*`` headers, and GetTopicAttributes returns
  SignatureVersion.
* ``sns-confirmation``: http/https subscriptions start PendingConfirmation and receive a
  signed SubscriptionConfirmation; ConfirmSubscription checks the token.
* ``sesv2-suppression``: the account suppression list (put/get/list/delete).
* ``sesv2-event-destinations``: configuration-set event destinations (create/get/update/delete).

The patches last from the first :func:`install` to the matching last :func:`uninstall`
(:class:`sesops.sandbox.server.Sandbox` and :func:`sesops.sandbox.server.mocked` pair them).
"""

from __future__ import annotations

import functools
import json
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.utils import getaddresses, parseaddr
from typing import Any, cast

from sesops.sns.signing import SigningAuthority, sns_timestamp

MOTO_VERSION = "5.2.5"
SIMULATOR_DOMAIN = "simulator.amazonses.com"
PATCHES: tuple[str, ...] = (
    "ses-notification-attributes",
    "ses-feedback",
    "sns-signing",
    "sns-confirmation",
    "sesv2-suppression",
    "sesv2-event-destinations",
)

_lock = threading.RLock()
_users: list[SigningAuthority | None] = []  # one entry per active install(); the last signer wins
_default: SigningAuthority | None = None
_undo: list[Callable[[], None]] = []  # restores moto's originals, in reverse order


def authority() -> SigningAuthority:
    """The authority signing what SNS delivers in this process (made on first use)."""
    global _default
    with _lock:
        for signer in reversed(_users):
            if signer is not None:
                return signer
        if _default is None:
            _default = SigningAuthority.generate()
        return _default


def install(signer: SigningAuthority | None = None) -> SigningAuthority:
    """Patch moto (on the first of nested calls) and return the signer in use.

    Pair every call with :func:`uninstall`; moto is restored when the last user leaves,
    so plain ``mock_aws`` elsewhere in the process sees moto's own behaviour.
    """
    import moto

    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(
            f"sesops.sandbox.moto_patches patches moto {MOTO_VERSION}, found {moto.__version__}; "
            "run tests/sandbox/test_server.py and update the patches before changing the pin"
        )
    with _lock:
        if not _users:
            _patch_ses_notification_attributes()
            _patch_ses_feedback()
            _patch_sns_signing()
            _patch_sns_confirmation()
            _patch_sesv2()
        _users.append(signer)
        return authority()


def uninstall() -> None:
    """Undo one :func:`install`; the last one restores moto's originals."""
    with _lock:
        if not _users:
            return
        _users.pop()
        if not _users:
            while _undo:
                _undo.pop()()


def installed() -> bool:
    return bool(_users)


def _set(owner: Any, name: str, value: Any) -> None:
    """setattr, remembering how to undo it."""
    if name in vars(owner):
        original = vars(owner)[name]
        _undo.append(lambda: setattr(owner, name, original))
    else:
        _undo.append(lambda: delattr(owner, name))
    setattr(owner, name, value)


def _get(owner: Any, name: str) -> Any:
    return getattr(owner, name)


# -- SES identity notification attributes ------------------------------------------------

_FORWARDING = "feedback_forwarding_enabled"  # moto's key in SESBackend.sns_topics[identity]
_TYPES = ("Bounce", "Complaint", "Delivery")


def _headers_key(kind: str) -> str:
    return f"sesops_headers_{kind}"


def _patch_ses_notification_attributes() -> None:
    from moto.ses.exceptions import InvalidParameterValue
    from moto.ses.models import SESBackend
    from moto.ses.responses import EmailResponse

    def get_identity_notification_attributes(self: Any, identities: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for identity in identities:
            config = self.sns_topics.get(identity, {})
            attrs: dict[str, Any] = {"ForwardingEnabled": config.get(_FORWARDING, True)}
            for kind in _TYPES:
                if config.get(kind):
                    attrs[f"{kind}Topic"] = config[kind]
                attrs[f"HeadersIn{kind}NotificationsEnabled"] = bool(config.get(_headers_key(kind), False))
            out[identity] = attrs
        return out

    def set_identity_notification_topic(self: Any, identity: str, kind: str, topic: str | None) -> None:
        config = self.sns_topics.setdefault(identity, {})
        if topic:
            config[kind] = topic
        else:
            config.pop(kind, None)

    def set_identity_feedback_forwarding_enabled(self: Any, identity: str, enabled: bool) -> None:
        config = self.sns_topics.setdefault(identity, {})
        if not enabled and not (config.get("Bounce") and config.get("Complaint")):
            raise InvalidParameterValue(
                "Feedback forwarding cannot be disabled until both bounce and complaint "
                f"notifications have SNS topics for identity {identity}."
            )
        config[_FORWARDING] = enabled

    def set_identity_headers_in_notifications_enabled(self: Any, identity: str, kind: str, on: bool) -> None:
        self.sns_topics.setdefault(identity, {})[_headers_key(kind)] = on

    def response_set_headers(self: Any) -> Any:
        from moto.core.responses import EmptyResult

        self.backend.set_identity_headers_in_notifications_enabled(
            self._get_param("Identity"),
            self._get_param("NotificationType"),
            self._get_bool_param("Enabled", False),
        )
        return EmptyResult()

    _set(SESBackend, "get_identity_notification_attributes", get_identity_notification_attributes)
    _set(SESBackend, "set_identity_notification_topic", set_identity_notification_topic)
    _set(SESBackend, "set_identity_feedback_forwarding_enabled", set_identity_feedback_forwarding_enabled)
    _set(
        SESBackend,
        "set_identity_headers_in_notifications_enabled",
        set_identity_headers_in_notifications_enabled,
    )
    _set(EmailResponse, "set_identity_headers_in_notifications_enabled", response_set_headers)


# -- SES feedback from the mailbox simulator ---------------------------------------------

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


def _patch_ses_feedback() -> None:
    from moto.ses.models import SESBackend

    def no_canned_feedback(self: Any, source: str, destinations: Any) -> None:
        """moto's canned 2012 example is replaced by :func:`_publish_feedback`."""

    send_email = _get(SESBackend, "send_email")
    send_raw_email = _get(SESBackend, "send_raw_email")
    send_templated_email = _get(SESBackend, "send_templated_email")

    def patched_send_email(self: Any, source: str, subject: str, body: str, destinations: Any) -> Any:
        message = send_email(self, source, subject, body, destinations)
        to, cc, bcc = (list(destinations.get(k, [])) for k in ("ToAddresses", "CcAddresses", "BccAddresses"))
        headers = _simple_headers(source, to, cc, subject, message.id)
        _publish_feedback(self, message.id, source, [*to, *cc, *bcc], headers)
        return message

    def patched_send_templated_email(
        self: Any, source: str, template: str, template_data: str, destinations: Any
    ) -> Any:
        message = send_templated_email(self, source, template, template_data, destinations)
        to, cc, bcc = (list(destinations.get(k, [])) for k in ("ToAddresses", "CcAddresses", "BccAddresses"))
        subject = str(self.templates.get(template, {}).get("subject_part", ""))
        headers = _simple_headers(source, to, cc, subject, message.id)
        _publish_feedback(self, message.id, source, [*to, *cc, *bcc], headers)
        return message

    def patched_send_raw_email(self: Any, source: str | None, destinations: list[str], raw_data: str) -> Any:
        given = list(destinations or [])
        message = send_raw_email(self, source, destinations, raw_data)
        parsed = message_from_string(raw_data)
        recipients = given or [
            a for _, a in getaddresses([str(parsed[h]) for h in ("To", "Cc", "Bcc") if parsed[h]]) if a
        ]
        headers = [(str(k), str(v)) for k, v in parsed.items()]
        _publish_feedback(self, message.id, message.source, recipients, headers)
        return message

    _set(SESBackend, "__process_sns_feedback__", no_canned_feedback)
    _set(SESBackend, "send_email", patched_send_email)
    _set(SESBackend, "send_raw_email", patched_send_raw_email)
    _set(SESBackend, "send_templated_email", patched_send_templated_email)


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


def _publish_feedback(
    backend: Any, message_id: str, source: str, recipients: Sequence[str], headers: list[tuple[str, str]]
) -> None:
    from moto.sns.models import sns_backends

    identity = _sending_identity(backend, source)
    config = backend.sns_topics.get(identity, {})
    addresses = list(dict.fromkeys(parseaddr(r)[1] for r in recipients if parseaddr(r)[1]))
    suppressed = _suppressed_addresses(backend.account_id, backend.region_name)
    sent = datetime.now(UTC)
    region, account = backend.region_name, backend.account_id
    base_mail = {
        "timestamp": sns_timestamp(sent),
        "source": source,
        "sourceArn": f"arn:{backend.partition}:ses:{region}:{account}:identity/{identity}",
        "sourceIp": "127.0.0.1",
        "callerIdentity": "sesops-sandbox",
        "sendingAccountId": backend.account_id,
        "messageId": message_id,
        "destination": addresses,
    }
    for address in addresses:
        for kind in simulator_outcome(address, address.lower() in suppressed):
            notification_type = (
                "Delivery" if kind == "Delivery" else "Complaint" if kind == "Complaint" else "Bounce"
            )
            topic = config.get(notification_type)
            if not topic:
                continue
            mail = dict(base_mail)
            if config.get(_headers_key(notification_type)):
                mail["headersTruncated"] = False
                mail["headers"] = [{"name": n, "value": v} for n, v in headers]
                mail["commonHeaders"] = _common_headers(headers)
            detail = _detail(kind, address, sent)
            # Key order as SES writes it: deliveries put mail first, bounces and complaints last.
            body = (
                {"notificationType": notification_type, "mail": mail, **detail}
                if notification_type == "Delivery"
                else {"notificationType": notification_type, **detail, "mail": mail}
            )
            region = topic.split(":")[3]
            try:
                sns_backends[backend.account_id][region].publish(json.dumps(body), arn=topic)
            except Exception:  # a deleted topic: SES drops the notification, and so do we
                continue


def _feedback_id(when: datetime) -> str:
    return f"{int(when.timestamp() * 1000):016x}-{_uuid()}-000000"


def _uuid() -> str:
    import uuid

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


# -- SNS: signing, HTTP delivery, confirmation -------------------------------------------

_TOKEN = "_sesops_token"


def _patch_sns_signing() -> None:
    from moto.sns.models import Subscription
    from moto.sns.responses import SNSResponse

    original_publish = _get(Subscription, "publish")
    original_get_topic_attributes = _get(SNSResponse, "get_topic_attributes")

    def get_post_data(
        self: Any, message: str, message_id: str, subject: str | None, message_attributes: Any = None
    ) -> dict[str, Any]:
        envelope: dict[str, Any] = {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": self.topic.arn,
        }
        if subject:
            envelope["Subject"] = subject
        envelope["Message"] = message
        envelope["Timestamp"] = sns_timestamp()
        signed = authority().sign(envelope, _signature_version(self.topic))
        region = self.topic.arn.split(":")[3]
        signed["UnsubscribeURL"] = (
            f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={self.arn}"
        )
        if message_attributes:
            signed["MessageAttributes"] = message_attributes
        return signed

    def publish(self: Any, message: str, message_id: str, subject: str | None = None, **kwargs: Any) -> None:
        if self.protocol not in ("http", "https"):
            original_publish(self, message, message_id, subject=subject, **kwargs)
            return
        if _pending(self):
            return  # SNS delivers nothing to an unconfirmed subscription
        if self._filter_policy_matcher is not None and not self._filter_policy_matcher.matches(
            kwargs.get("message_attributes"), message
        ):
            return
        if kwargs.get("message_structure") == "json":
            message = self._parse_message_structure(message, self.protocol)
        envelope = self.get_post_data(message, message_id, subject)
        if self.attributes.get("RawMessageDelivery") in (True, "true", "True"):
            _post(self, "Notification", message_id, message)
        else:
            _post(self, "Notification", message_id, json.dumps(envelope))

    def get_topic_attributes(self: Any) -> Any:
        result = original_get_topic_attributes(self)
        topic = self.backend.get_topic(self._get_param("TopicArn"))
        cast(Any, result.result)["Attributes"]["SignatureVersion"] = _signature_version(topic)
        return result

    _set(Subscription, "get_post_data", get_post_data)
    _set(Subscription, "publish", publish)
    _set(SNSResponse, "get_topic_attributes", get_topic_attributes)


def _signature_version(topic: Any) -> str:
    """The topic's SignatureVersion attribute; SNS's default is 1 (SHA1)."""
    return str(getattr(topic, "signature_version", "") or "1")


def _pending(subscription: Any) -> bool:
    return str(subscription.attributes.get("PendingConfirmation", "false")).lower() == "true"


def _post(subscription: Any, kind: str, message_id: str, body: str) -> None:
    """POST one SNS message to an http(s) endpoint the way SNS does (no retries)."""
    headers = {
        "Content-Type": "text/plain; charset=UTF-8",
        "User-Agent": "Amazon Simple Notification Service Agent",
        "x-amz-sns-message-type": kind,
        "x-amz-sns-message-id": message_id,
        "x-amz-sns-topic-arn": subscription.topic.arn,
    }
    if kind != "SubscriptionConfirmation":
        headers["x-amz-sns-subscription-arn"] = subscription.arn
    if subscription.attributes.get("RawMessageDelivery") in (True, "true", "True"):
        headers["x-amz-sns-rawdelivery"] = "true"
    request = urllib.request.Request(subscription.endpoint, data=body.encode("utf-8"), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    except (urllib.error.URLError, OSError, ValueError):
        pass  # SNS would retry later; the sandbox drops it


def _patch_sns_confirmation() -> None:
    from moto.core.responses import ActionResult
    from moto.sns.exceptions import SNSInvalidParameter, SNSNotFoundError
    from moto.sns.models import SNSBackend, Subscription
    from moto.sns.responses import SNSResponse

    original_subscribe = _get(SNSBackend, "subscribe")
    original_subscribe_response = _get(SNSResponse, "subscribe")

    def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        known = set(self.subscriptions)
        subscription = original_subscribe(self, topic_arn, endpoint, protocol)
        if protocol in ("http", "https") and subscription.arn not in known:
            subscription.attributes["PendingConfirmation"] = "true"
            subscription.attributes["ConfirmationWasAuthenticated"] = "false"
            token = secrets.token_hex(64)
            setattr(subscription, _TOKEN, token)
            confirmation = authority().subscription_confirmation(
                topic_arn, token=token, version=_signature_version(subscription.topic)
            )
            # After the Subscribe call returns, as SNS does, so the endpoint can confirm at once.
            timer = threading.Timer(
                0.05,
                _post,
                (
                    subscription,
                    "SubscriptionConfirmation",
                    confirmation["MessageId"],
                    json.dumps(confirmation),
                ),
            )
            timer.daemon = True
            timer.start()
        return subscription

    def subscribe_response(self: Any) -> Any:
        result = original_subscribe_response(self)
        subscription = self.backend.subscriptions.get(cast(Any, result.result)["SubscriptionArn"])
        wants_arn = str(self._get_param("ReturnSubscriptionArn", "false")).lower() == "true"
        if subscription is not None and _pending(subscription) and not wants_arn:
            return ActionResult({"SubscriptionArn": "pending confirmation"})
        return result

    def confirm_subscription(self: Any) -> Any:
        topic_arn = self._get_param("TopicArn")
        token = self._get_param("Token")
        if topic_arn not in self.backend.topics:
            raise SNSNotFoundError("Topic does not exist")
        for subscription in self.backend.subscriptions.values():
            if subscription.topic.arn == topic_arn and getattr(subscription, _TOKEN, None) == token:
                subscription.attributes["PendingConfirmation"] = "false"
                subscription.attributes["ConfirmationWasAuthenticated"] = "true"
                return ActionResult({"SubscriptionArn": subscription.arn})
        raise SNSInvalidParameter("Invalid token")

    def listed_arn(self: Any) -> str:
        # ListSubscriptions(ByTopic) shows "PendingConfirmation" instead of the ARN, as SNS does.
        return "PendingConfirmation" if _pending(self) else str(self.arn)

    _set(SNSBackend, "subscribe", subscribe)
    _set(SNSResponse, "subscribe", subscribe_response)
    _set(SNSResponse, "confirm_subscription", confirm_subscription)
    _set(Subscription, "subscription_arn", property(listed_arn))


# -- SESv2: the account suppression list and configuration-set event destinations ---------

_SUPPRESSED = "_sesops_suppressed"
_DESTINATIONS = "_sesops_event_destinations"
_REASONS = ("BOUNCE", "COMPLAINT")


def _suppressed_addresses(account: str, region: str) -> set[str]:
    from moto.ses.models import ses_backends

    return set(getattr(ses_backends[account][region], _SUPPRESSED, {}))


def _patch_sesv2() -> None:
    from moto.ses.exceptions import NotFoundException
    from moto.sesv2.responses import SESV2Response

    def store(self: Any, name: str) -> dict[str, Any]:
        core = self.sesv2_backend.core_backend
        if not hasattr(core, name):
            setattr(core, name, {})
        value: dict[str, Any] = getattr(core, name)
        return value

    def body(self: Any) -> dict[str, Any]:
        if not self.body:
            return {}
        data = json.loads(self.body)
        return data if isinstance(data, dict) else {}

    def bad_request(message: str) -> Any:
        from moto.core.exceptions import JsonRESTError

        return JsonRESTError("BadRequestException", message)

    def put_suppressed_destination(self: Any) -> str:
        params = body(self)
        email, reason = params.get("EmailAddress"), params.get("Reason")
        if not email or reason not in _REASONS:
            raise bad_request("EmailAddress and Reason (BOUNCE or COMPLAINT) are required")
        store(self, _SUPPRESSED)[str(email).lower()] = (str(email), reason, datetime.now(UTC).timestamp())
        return "{}"

    def get_suppressed_destination(self: Any) -> str:
        email = _unquote(self._get_param("EmailAddress"))
        found = store(self, _SUPPRESSED).get(email.lower())
        if found is None:
            raise NotFoundException(f"Email address {email} does not exist on your suppression list.")
        address, reason, when = found
        item = {"EmailAddress": address, "Reason": reason, "LastUpdateTime": when, "Attributes": {}}
        return json.dumps({"SuppressedDestination": item})

    def delete_suppressed_destination(self: Any) -> str:
        email = _unquote(self._get_param("EmailAddress"))
        if store(self, _SUPPRESSED).pop(email.lower(), None) is None:
            raise NotFoundException(f"Email address {email} does not exist on your suppression list.")
        return "{}"

    def list_suppressed_destinations(self: Any) -> str:
        reasons = self.querystring.get("Reason") or list(_REASONS)
        start = _epoch(self.querystring.get("StartDate"))
        end = _epoch(self.querystring.get("EndDate"))
        size = int((self.querystring.get("PageSize") or ["1000"])[0])
        offset = int((self.querystring.get("NextToken") or ["0"])[0])
        items = [
            {"EmailAddress": a, "Reason": r, "LastUpdateTime": t}
            for a, r, t in sorted(store(self, _SUPPRESSED).values(), key=lambda v: (v[2], v[0]))
            if r in reasons and (start is None or t >= start) and (end is None or t <= end)
        ]
        page: dict[str, Any] = {"SuppressedDestinationSummaries": items[offset : offset + size]}
        if offset + size < len(items):
            page["NextToken"] = str(offset + size)
        return json.dumps(page)

    def config_set(self: Any) -> dict[str, Any]:
        name = _unquote(self._get_param("ConfigurationSetName"))
        if name not in self.sesv2_backend.core_backend.config_sets:
            raise NotFoundException(f"Configuration set <{name}> does not exist.")
        result: dict[str, Any] = store(self, _DESTINATIONS).setdefault(name, {})
        return result

    def create_configuration_set_event_destination(self: Any) -> str:
        destinations = config_set(self)
        params = body(self)
        name = params.get("EventDestinationName")
        if not name:
            raise bad_request("EventDestinationName is required")
        if name in destinations:
            from moto.core.exceptions import JsonRESTError

            raise JsonRESTError("AlreadyExistsException", f"Event destination {name} already exists.")
        destinations[name] = {"Name": name, **params.get("EventDestination", {})}
        return "{}"

    def update_configuration_set_event_destination(self: Any) -> str:
        destinations = config_set(self)
        name = _unquote(self._get_param("EventDestinationName"))
        if name not in destinations:
            raise NotFoundException(f"Event destination {name} does not exist.")
        destinations[name] = {"Name": name, **body(self).get("EventDestination", {})}
        return "{}"

    def delete_configuration_set_event_destination(self: Any) -> str:
        destinations = config_set(self)
        name = _unquote(self._get_param("EventDestinationName"))
        if destinations.pop(name, None) is None:
            raise NotFoundException(f"Event destination {name} does not exist.")
        return "{}"

    def get_configuration_set_event_destinations(self: Any) -> str:
        return json.dumps({"EventDestinations": list(config_set(self).values())})

    methods: dict[str, Callable[[Any], str]] = {
        "put_suppressed_destination": put_suppressed_destination,
        "get_suppressed_destination": get_suppressed_destination,
        "delete_suppressed_destination": delete_suppressed_destination,
        "list_suppressed_destinations": list_suppressed_destinations,
        "create_configuration_set_event_destination": create_configuration_set_event_destination,
        "update_configuration_set_event_destination": update_configuration_set_event_destination,
        "delete_configuration_set_event_destination": delete_configuration_set_event_destination,
        "get_configuration_set_event_destinations": get_configuration_set_event_destinations,
    }
    for name, method in methods.items():
        _set(SESV2Response, name, method)
    # The server routes only the paths listed in moto.sesv2.urls (read when its app is built).
    from moto.sesv2 import urls

    configuration_set = "{0}/v2/email/configuration-sets/(?P<ConfigurationSetName>[^/]+)"
    for path in (
        "{0}/v2/email/suppression/addresses$",
        "{0}/v2/email/suppression/addresses/(?P<EmailAddress>[^/]+)$",
        configuration_set + "/event-destinations$",
        configuration_set + "/event-destinations/(?P<EventDestinationName>[^/]+)$",
    ):
        if path not in urls.url_paths:
            urls.url_paths[path] = SESV2Response.dispatch
            _undo.append(functools.partial(_drop_path, urls.url_paths, path))


def _drop_path(paths: dict[str, Any], path: str) -> None:
    paths.pop(path, None)


def _unquote(value: Any) -> str:
    from urllib.parse import unquote

    return unquote(str(value or ""))


def _epoch(values: Any) -> float | None:
    if not values:
        return None
    text = str(values[0])
    try:
        return float(text)
    except ValueError:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
