"""SNS subscription confirmation and the SQS calls of the drain.

Subscriptions are confirmed with the ``ConfirmSubscription`` API (never by fetching the
SubscribeURL a message names), in the topic's own region, with
``AuthenticateOnUnsubscribe`` so nobody but the topic owner can unsubscribe us.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import boto3

from sesops import arns
from sesops.aws.clients import client
from sesops.aws.errors import aws_call
from sesops.errors import AwsError, InputError

SQS_MAX_BATCH = 10


def topic_arn_region(topic_arn: str) -> str:
    """The region of ``topic_arn``; raises :class:`InputError` when it is not an SNS topic ARN."""
    try:
        return arns.topic_region(topic_arn)
    except ValueError as err:
        raise InputError(f"{topic_arn!r}: {err}") from None


def confirm_subscription(topic_arn: str, token: str, *, session: boto3.Session | None = None) -> str:
    """Confirm a pending subscription to ``topic_arn``; returns the subscription ARN."""
    sns = client("sns", session, topic_arn_region(topic_arn))
    with aws_call("sns:ConfirmSubscription", topic_arn):
        response = sns.confirm_subscription(TopicArn=topic_arn, Token=token, AuthenticateOnUnsubscribe="true")
    return str(response.get("SubscriptionArn", ""))


def queue_url(name_or_url: str, *, session: boto3.Session | None = None, region: str | None = None) -> str:
    """The URL of a queue given by name or URL (a URL is returned as is)."""
    if name_or_url.startswith(("https://", "http://")):
        return name_or_url
    if not name_or_url or "/" in name_or_url:
        raise InputError(f"--queue {name_or_url!r}: give a queue name or its https:// URL")
    sqs = client("sqs", session, region)
    with aws_call("sqs:GetQueueUrl", name_or_url):
        return str(sqs.get_queue_url(QueueName=name_or_url)["QueueUrl"])


def region_of_queue_url(url: str) -> str | None:
    """The region in an AWS SQS queue URL (``https://sqs.<region>.amazonaws.com/...``), if any."""
    try:
        return arns.queue_url_region(url)
    except ValueError as err:
        raise InputError(f"--queue {err}") from None


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
    sqs = client("sqs", session, region)
    kwargs: dict[str, Any] = {
        "QueueUrl": url,
        "MaxNumberOfMessages": max(1, min(SQS_MAX_BATCH, max_messages)),
        "WaitTimeSeconds": max(0, min(20, wait_seconds)),
        "MessageSystemAttributeNames": ["ApproximateReceiveCount", "SentTimestamp"],
    }
    if visibility_timeout is not None:
        kwargs["VisibilityTimeout"] = visibility_timeout
    with aws_call("sqs:ReceiveMessage", url):
        response = sqs.receive_message(**kwargs)
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
    sqs = client("sqs", session, region)
    entries = [{"Id": str(i), "ReceiptHandle": handle} for i, (_, handle) in enumerate(receipts)]
    with aws_call("sqs:DeleteMessageBatch", url):
        response = sqs.delete_message_batch(QueueUrl=url, Entries=entries)
    return [receipts[int(failed["Id"])][0] for failed in response.get("Failed", [])]
