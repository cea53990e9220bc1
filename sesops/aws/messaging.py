"""SNS subscription confirmation and the SQS calls of the drain.

Subscriptions are confirmed with the ``ConfirmSubscription`` API (never by fetching the
SubscribeURL a message names), in the topic's own region, with
``AuthenticateOnUnsubscribe`` so nobody but the topic owner can unsubscribe us.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from sesops.aws.clients import client, describe_error
from sesops.errors import AwsError, InputError

SQS_MAX_BATCH = 10
_TOPIC_ARN = re.compile(
    r"arn:aws[a-z-]*:sns:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:[A-Za-z0-9_.-]{1,256}"
)
_QUEUE_URL_REGION = re.compile(r"^https?://sqs[.-](?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.")

# boto3 clients are expensive to build and thread-safe to share: one per (session, service, region).
_clients: weakref.WeakKeyDictionary[boto3.Session, dict[tuple[str, str | None], Any]] = (
    weakref.WeakKeyDictionary()
)


def _client(service: str, session: boto3.Session | None, region: str | None) -> Any:
    if session is None:  # a fresh default session: nothing to key a cache on
        return client(service, None, region)
    per_session = _clients.setdefault(session, {})
    key = (service, region)
    if key not in per_session:
        per_session[key] = client(service, session, region)
    return per_session[key]


def topic_arn_region(topic_arn: str) -> str:
    match = _TOPIC_ARN.fullmatch(topic_arn)
    if match is None:
        raise InputError(f"{topic_arn!r} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)")
    return match["region"]


def confirm_subscription(topic_arn: str, token: str, *, session: boto3.Session | None = None) -> str:
    """Confirm a pending subscription to ``topic_arn``; returns the subscription ARN."""
    sns = _client("sns", session, topic_arn_region(topic_arn))
    try:
        response = sns.confirm_subscription(TopicArn=topic_arn, Token=token, AuthenticateOnUnsubscribe="true")
    except (BotoCoreError, ClientError) as err:
        raise describe_error(err, f"ConfirmSubscription for {topic_arn}") from None
    return str(response.get("SubscriptionArn", ""))


def queue_url(name_or_url: str, *, session: boto3.Session | None = None, region: str | None = None) -> str:
    """The URL of a queue given by name or URL (a URL is returned as is)."""
    if name_or_url.startswith(("https://", "http://")):
        return name_or_url
    if not name_or_url or "/" in name_or_url:
        raise InputError(f"--queue {name_or_url!r}: give a queue name or its https:// URL")
    sqs = _client("sqs", session, region)
    try:
        return str(sqs.get_queue_url(QueueName=name_or_url)["QueueUrl"])
    except (BotoCoreError, ClientError) as err:
        raise describe_error(err, f"GetQueueUrl {name_or_url}") from None


def region_of_queue_url(url: str) -> str | None:
    """The region in an AWS SQS queue URL (``https://sqs.<region>.amazonaws.com/...``), if any."""
    match = _QUEUE_URL_REGION.match(url)
    return match["region"] if match else None


def receive_batch(
    url: str,
    *,
    session: boto3.Session | None = None,
    region: str | None = None,
    max_messages: int = SQS_MAX_BATCH,
    wait_seconds: int = 20,
    visibility_timeout: int | None = None,
) -> list[dict[str, Any]]:
    """Long-poll up to ``max_messages`` (1..10) messages; an empty list when none arrived."""
    sqs = _client("sqs", session, region)
    kwargs: dict[str, Any] = {
        "QueueUrl": url,
        "MaxNumberOfMessages": max(1, min(SQS_MAX_BATCH, max_messages)),
        "WaitTimeSeconds": max(0, min(20, wait_seconds)),
        "MessageSystemAttributeNames": ["ApproximateReceiveCount", "SentTimestamp"],
    }
    if visibility_timeout is not None:
        kwargs["VisibilityTimeout"] = visibility_timeout
    try:
        response = sqs.receive_message(**kwargs)
    except (BotoCoreError, ClientError) as err:
        raise describe_error(err, f"ReceiveMessage from {url}") from None
    return list(response.get("Messages", []))


def delete_batch(
    url: str,
    receipts: Sequence[tuple[str, str]],
    *,
    session: boto3.Session | None = None,
    region: str | None = None,
) -> list[str]:
    """Delete messages given as ``(message_id, receipt_handle)``; returns the ids that failed."""
    if not receipts:
        return []
    if len(receipts) > SQS_MAX_BATCH:
        raise AwsError(f"DeleteMessageBatch takes at most {SQS_MAX_BATCH} messages, not {len(receipts)}")
    sqs = _client("sqs", session, region)
    entries = [{"Id": str(i), "ReceiptHandle": handle} for i, (_, handle) in enumerate(receipts)]
    try:
        response = sqs.delete_message_batch(QueueUrl=url, Entries=entries)
    except (BotoCoreError, ClientError) as err:
        raise describe_error(err, f"DeleteMessageBatch on {url}") from None
    return [receipts[int(failed["Id"])][0] for failed in response.get("Failed", [])]
