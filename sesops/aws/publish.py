"""Publishing to SNS: feeds synthetic (or replayed) SES feedback through a real or sandbox topic."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from sesops.aws.clients import client, describe_error
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
    sns = client("sns", session, region or _region_of(topic_arn))
    published = 0
    items = iter(messages)
    while batch := list(islice(items, BATCH_SIZE)):
        entries: list[dict[str, Any]] = []
        for index, (message, subject) in enumerate(batch):
            entry: dict[str, Any] = {"Id": str(index), "Message": message}
            if subject:
                entry["Subject"] = subject
            entries.append(entry)
        try:
            response = sns.publish_batch(TopicArn=topic_arn, PublishBatchRequestEntries=entries)
        except (BotoCoreError, ClientError) as err:
            raise describe_error(err, f"SNS PublishBatch to {topic_arn}") from None
        failed = response.get("Failed") or []
        if failed:
            first = failed[0]
            raise AwsError(
                f"SNS PublishBatch to {topic_arn}: {len(failed)} of {len(entries)} refused; first: "
                f"{first.get('Code', 'Error')}: {first.get('Message', '')}".rstrip(": ")
            )
        published += len(response.get("Successful") or [])
    return published


def _region_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) >= 6 and parts[3] else None
