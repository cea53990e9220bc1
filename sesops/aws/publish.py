"""Publishing to SNS: feeds synthetic (or replayed) SES feedback through a real or sandbox topic."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

import boto3

from sesops.aws.clients import client
from sesops.aws.errors import aws_call
from sesops.aws.messaging import topic_arn_region
from sesops.errors import AwsError

BATCH_SIZE = 10  # the PublishBatch maximum


def publish_messages(
    topic_arn: str,
    messages: Iterable[tuple[str, str | None]],
    *,
    session: boto3.Session | None = None,
    region: str | None = None,
) -> int:
    """Publish (message text, subject or None) pairs to ``topic_arn`` in batches of 10.

    Returns the number published. Raises :class:`AwsError` naming the first entry SNS refused.
    """
    sns = client("sns", session, region or topic_arn_region(topic_arn))
    published = 0
    items = iter(messages)
    while batch := list(islice(items, BATCH_SIZE)):
        entries: list[dict[str, Any]] = []
        for index, (message, subject) in enumerate(batch):
            entry: dict[str, Any] = {"Id": str(index), "Message": message}
            if subject:
                entry["Subject"] = subject
            entries.append(entry)
        with aws_call("sns:PublishBatch", topic_arn):
            response = sns.publish_batch(TopicArn=topic_arn, PublishBatchRequestEntries=entries)
        failed = response.get("Failed") or []
        if failed:
            first = failed[0]
            raise AwsError(
                f"sns:PublishBatch {topic_arn}: {len(failed)} of {len(entries)} refused; first: "
                f"{first.get('Code', 'Error')}: {first.get('Message', '')}".rstrip(": ")
            )
        published += len(response.get("Successful") or [])
    return published
