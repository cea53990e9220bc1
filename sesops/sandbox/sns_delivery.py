"""Patches ``sns-signing`` and ``sns-confirmation``: SNS deliveries as SNS makes them.

* ``sns-signing``: envelopes SNS delivers (HTTP and SQS) are signed by the sandbox's
  :class:`~sesops.sns.signing.SigningAuthority` (``Subscription.get_post_data``), HTTP
  deliveries carry SNS's ``x-amz-sns-*`` headers, and GetTopicAttributes returns
  SignatureVersion.
* ``sns-confirmation``: http/https subscriptions start PendingConfirmation and receive a
  signed SubscriptionConfirmation; ConfirmSubscription checks the token.

A delivery that fails (an endpoint that refuses the connection or answers an HTTP error, a
queue that was deleted) does not fail the Publish, as in SNS; the sandbox does not retry
it either, but reports it (:mod:`sesops.sandbox.failures`).
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import urllib.error
import urllib.request
from typing import Any, cast

from sesops import arns
from sesops.sandbox import failures
from sesops.sandbox.patch_state import authority, replace
from sesops.sns.signing import sns_timestamp

LOG = logging.getLogger("sesops.sandbox")
POST_TIMEOUT = 10.0  # seconds an HTTP endpoint has to answer
CONFIRMATION_DELAY = 0.05  # the confirmation is POSTed after Subscribe returns, as SNS does
_TOKEN = "_sesops_token"


def signature_version(topic: Any) -> str:
    """The topic's SignatureVersion attribute; SNS's default is 1 (SHA1)."""
    return str(getattr(topic, "signature_version", "") or "1")


def pending(subscription: Any) -> bool:
    return str(subscription.attributes.get("PendingConfirmation", "false")).lower() == "true"


def _raw(subscription: Any) -> bool:
    return subscription.attributes.get("RawMessageDelivery") in (True, "true", "True")


def post(subscription: Any, kind: str, message_id: str, body: str) -> bool:
    """POST one SNS message to an http(s) endpoint the way SNS does; False (reported) if it failed."""
    headers = {
        "Content-Type": "text/plain; charset=UTF-8",
        "User-Agent": "Amazon Simple Notification Service Agent",
        "x-amz-sns-message-type": kind,
        "x-amz-sns-message-id": message_id,
        "x-amz-sns-topic-arn": subscription.topic.arn,
    }
    if kind != "SubscriptionConfirmation":
        headers["x-amz-sns-subscription-arn"] = subscription.arn
    if _raw(subscription):
        headers["x-amz-sns-rawdelivery"] = "true"
    try:
        request = urllib.request.Request(subscription.endpoint, data=body.encode("utf-8"), headers=headers)
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT) as response:
            response.read()
    except (urllib.error.URLError, OSError, ValueError) as err:
        failures.report(subscription.endpoint, failures.describe_message(kind, message_id), post_error(err))
        return False
    return True


def post_error(err: BaseException) -> str:
    """Why a POST failed, in a few words (pure)."""
    if isinstance(err, urllib.error.HTTPError):
        said = err.read(300).decode("utf-8", "replace").strip() if err.fp is not None else ""
        return f"HTTP {err.code} {err.reason}" + (f" ({said})" if said else "")
    reason: object = err.reason if isinstance(err, urllib.error.URLError) else err
    if isinstance(reason, TimeoutError):
        return f"no answer within {POST_TIMEOUT:g} s"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    if isinstance(err, ValueError):
        return f"not a URL the sandbox can POST to ({err})"
    return str(reason)


def moto_errors() -> tuple[type[Exception], ...]:
    """The bases of moto's service errors (a queue, bus, stream or bucket that is gone)."""
    from moto.core.exceptions import ServiceException
    from werkzeug.exceptions import HTTPException

    return (ServiceException, HTTPException)


def service_error(err: BaseException) -> str:
    """``Code: message`` of a moto service error, whichever of moto's two error bases it has."""
    error_type, message = getattr(err, "error_type", None), getattr(err, "message", None)
    return f"{error_type}: {message}" if error_type and message else str(err)


def get_post_data(
    self: Any, message: str, message_id: str, subject: str | None, message_attributes: Any = None
) -> dict[str, Any]:
    envelope: dict[str, Any] = {"Type": "Notification", "MessageId": message_id, "TopicArn": self.topic.arn}
    if subject:
        envelope["Subject"] = subject
    envelope["Message"] = message
    envelope["Timestamp"] = sns_timestamp()
    signed = authority().sign(envelope, signature_version(self.topic))
    region = arns.topic_region(self.topic.arn)
    signed["UnsubscribeURL"] = (
        f"https://{arns.sns_host(region)}/?Action=Unsubscribe&SubscriptionArn={self.arn}"
    )
    if message_attributes:
        signed["MessageAttributes"] = message_attributes
    return signed


def patch_signing() -> None:
    from moto.sns.models import Subscription
    from moto.sns.responses import SNSResponse

    original_publish = Subscription.publish
    original_get_topic_attributes = SNSResponse.get_topic_attributes

    def publish(self: Any, message: str, message_id: str, subject: str | None = None, **kwargs: Any) -> None:
        if self.protocol not in ("http", "https"):
            try:
                original_publish(self, message, message_id, subject=subject, **kwargs)
            except moto_errors() as err:  # moto's service errors: the queue is gone…
                what = failures.describe_message("Notification", message_id)
                failures.report(self.endpoint, what, service_error(err))
            return
        if pending(self):
            LOG.debug("not delivered to %s: the subscription is not confirmed yet", self.endpoint)
            return  # SNS delivers nothing to an unconfirmed subscription
        if self._filter_policy_matcher is not None and not self._filter_policy_matcher.matches(
            kwargs.get("message_attributes"), message
        ):
            return
        if kwargs.get("message_structure") == "json":
            message = self._parse_message_structure(message, self.protocol)
        if _raw(self):
            post(self, "Notification", message_id, message)
        else:
            post(
                self, "Notification", message_id, json.dumps(self.get_post_data(message, message_id, subject))
            )

    def get_topic_attributes(self: Any) -> Any:
        result = original_get_topic_attributes(self)
        topic = self.backend.get_topic(self._get_param("TopicArn"))
        cast(Any, result.result)["Attributes"]["SignatureVersion"] = signature_version(topic)
        return result

    replace(Subscription, "get_post_data", get_post_data)
    replace(Subscription, "publish", publish)
    replace(SNSResponse, "get_topic_attributes", get_topic_attributes)


def _send_confirmation(subscription: Any, topic_arn: str) -> None:
    """Mark a new http(s) subscription pending and POST it a signed SubscriptionConfirmation."""
    subscription.attributes["PendingConfirmation"] = "true"
    subscription.attributes["ConfirmationWasAuthenticated"] = "false"
    token = secrets.token_hex(64)
    setattr(subscription, _TOKEN, token)
    confirmation = authority().subscription_confirmation(
        topic_arn, token=token, version=signature_version(subscription.topic)
    )
    args = (subscription, "SubscriptionConfirmation", confirmation["MessageId"], json.dumps(confirmation))
    timer = threading.Timer(CONFIRMATION_DELAY, post, args)
    timer.daemon = True
    timer.start()


def patch_confirmation() -> None:
    from moto.core.responses import ActionResult
    from moto.sns.exceptions import SNSInvalidParameter, SNSNotFoundError
    from moto.sns.models import SNSBackend, Subscription
    from moto.sns.responses import SNSResponse

    original_subscribe = SNSBackend.subscribe
    original_subscribe_response = SNSResponse.subscribe

    def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        known = set(self.subscriptions)
        subscription = original_subscribe(self, topic_arn, endpoint, protocol)
        if protocol in ("http", "https") and subscription.arn not in known:
            _send_confirmation(subscription, topic_arn)
        return subscription

    def subscribe_response(self: Any) -> Any:
        result = original_subscribe_response(self)
        subscription = self.backend.subscriptions.get(cast(Any, result.result)["SubscriptionArn"])
        wants_arn = str(self._get_param("ReturnSubscriptionArn", "false")).lower() == "true"
        if subscription is not None and pending(subscription) and not wants_arn:
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
        return "PendingConfirmation" if pending(self) else str(self.arn)

    replace(SNSBackend, "subscribe", subscribe)
    replace(SNSResponse, "subscribe", subscribe_response)
    replace(SNSResponse, "confirm_subscription", confirm_subscription)
    replace(Subscription, "subscription_arn", property(listed_arn))
