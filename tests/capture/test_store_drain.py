"""The drain against moto's SQS on both store backends: a junk message is recorded once however
many runs receive it, and a store that cannot take the write leaves every message on the queue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import orjson
import pytest
from moto import mock_aws

from sesops.capture.drain import drain
from sesops.capture.store import open_store
from sesops.errors import StoreUnavailable
from tests.capture_samples import ses_bounce, unsigned_envelope

REGION = "us-east-1"


@pytest.fixture
def sqs() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("sqs", region_name=REGION)


def _queue_with(sqs: Any, bodies: list[str]) -> str:
    # Visibility 0: what is received and not deleted is handed out again at once, as on a later run.
    url: str = sqs.create_queue(QueueName="feedback", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    return url


def _on_queue(sqs: Any, url: str) -> int:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def test_a_junk_message_is_recorded_once_across_drains(store_url: str, sqs: Any) -> None:
    good = [unsigned_envelope(ses_bounce(), message_id=f"m-{i}") for i in range(3)]
    url = _queue_with(sqs, ["not json", '{"hello": "world"}', *good])
    for run in range(2):  # two runs of `sesops drain`, each with its own store object
        with open_store(store_url) as store:
            result = drain(store, url, region=REGION, wait_seconds=0)
            assert result.rejected == 2 and result.stored == (3 if run == 0 else 0)
            rejects = list(store.iter_rejects())
        assert sorted(r["body"] for r in rejects) == ["not json", '{"hello": "world"}']
        assert all(r["key"].startswith("sqs:") for r in rejects)
    assert _on_queue(sqs, url) == 2  # left for the dead-letter queue


def test_a_removed_store_leaves_every_message_on_the_queue(tmp_path: Path, sqs: Any) -> None:
    path = tmp_path / "capture.sqlite"
    bodies = [orjson.dumps(ses_bounce(f"u{i}@example.com")).decode() for i in range(4)]
    url = _queue_with(sqs, [*bodies, "junk"])
    with open_store(path) as store:
        path.unlink()
        with pytest.raises(StoreUnavailable, match="was removed"):
            drain(store, url, region=REGION, wait_seconds=0)
    assert _on_queue(sqs, url) == 5
