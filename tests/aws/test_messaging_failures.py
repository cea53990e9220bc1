"""messaging and publish under failing AWS (Stubber): each message names the call and the fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from sesops.aws.messaging import (
    confirm_subscription,
    delete_batch,
    queue_url,
    receive_batch,
    region_of_queue_url,
    topic_arn_region,
)
from sesops.aws.publish import publish_messages
from sesops.errors import AwsError, InputError
from tests.aws.stubbing import (
    DENIED,
    MISSING_QUEUE,
    MISSING_TOPIC,
    QUEUE_URL,
    THROTTLED,
    TOPIC,
    Failure,
    Stubs,
)

Run = Callable[[boto3.Session], object]

# function -> (service, boto3 method, IAM action, resource named, how to call it)
CALLS: dict[str, tuple[str, str, str, str, Run]] = {
    "confirm_subscription": (
        "sns",
        "confirm_subscription",
        "sns:ConfirmSubscription",
        TOPIC,
        lambda s: confirm_subscription(TOPIC, "token", session=s),
    ),
    "queue_url": (
        "sqs",
        "get_queue_url",
        "sqs:GetQueueUrl",
        "feedback",
        lambda s: queue_url("feedback", session=s),
    ),
    "receive_batch": (
        "sqs",
        "receive_message",
        "sqs:ReceiveMessage",
        QUEUE_URL,
        lambda s: receive_batch(QUEUE_URL, session=s, wait_seconds=0),
    ),
    "delete_batch": (
        "sqs",
        "delete_message_batch",
        "sqs:DeleteMessageBatch",
        QUEUE_URL,
        lambda s: delete_batch(QUEUE_URL, [("m-1", "receipt-1")], session=s),
    ),
    "publish_messages": (
        "sns",
        "publish_batch",
        "sns:PublishBatch",
        TOPIC,
        lambda s: publish_messages(TOPIC, [("hello", None)], session=s),
    ),
}
MISSING = {"sns": MISSING_TOPIC, "sqs": MISSING_QUEUE}
TABLE = [
    pytest.param(name, failure, id=f"{name}-{failure.code}")
    for name, (service, *_) in CALLS.items()
    for failure in (THROTTLED, DENIED, MISSING[service])
]


@pytest.mark.parametrize(("name", "failure"), TABLE)
def test_failures_name_the_call_and_the_fix(stubs: Stubs, name: str, failure: Failure) -> None:
    service, method, action, resource, run = CALLS[name]
    stubs.fail(service, method, failure)
    with pytest.raises(AwsError, match=failure.expected(action, resource)):
        run(stubs.session)


def test_publish_names_the_first_entry_sns_refused(stubs: Stubs) -> None:
    refused = {"Id": "1", "Code": "InvalidParameter", "Message": "too big", "SenderFault": True}
    stubs.ok("sns", "publish_batch", {"Successful": [{"Id": "0", "MessageId": "m"}], "Failed": [refused]})
    with pytest.raises(
        AwsError, match=rf"^sns:PublishBatch {TOPIC}: 1 of 2 refused; first: InvalidParameter: too big$"
    ):
        publish_messages(TOPIC, [("a", None), ("b", "subject")], session=stubs.session)


def test_delete_batch_refuses_more_than_ten_before_calling() -> None:
    with pytest.raises(AwsError, match="DeleteMessageBatch takes at most 10 messages, not 11"):
        delete_batch(QUEUE_URL, [(str(i), "r") for i in range(11)], session=boto3.Session())


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "not an SNS topic ARN"),
        ("arn:nope", "not an SNS topic ARN"),
        ("arn:aws:sns:us-east-1:123456789012:a.b", "not an SNS topic ARN"),
        ("arn:aws:sns:cn-north-1:123456789012:t", "partition does not match region"),
    ],
)
def test_topic_arn_region_failures(value: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        topic_arn_region(value)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://sqs.cn-north-1.amazonaws.com/1/q", "host must end in amazonaws.com.cn"),
        ("https://sqs.us-iso-east-1.amazonaws.com/1/q", "isolated partition"),
    ],
)
def test_region_of_queue_url_failures(url: str, reason: str) -> None:
    with pytest.raises(InputError, match=f"^--queue .*{reason}"):
        region_of_queue_url(url)


@pytest.mark.parametrize("value", ["", "a/b"])
def test_queue_url_refuses_a_path_before_calling(value: str, stubs: Stubs) -> None:
    stubs("sqs")  # stubbed with no answers: any call would fail the test
    with pytest.raises(InputError, match="give a queue name or its https:// URL"):
        queue_url(value, session=stubs.session)


def test_happy_paths_pass_the_parameters(stubs: Stubs) -> None:
    expected: dict[str, Any] = {"TopicArn": TOPIC, "Token": "token", "AuthenticateOnUnsubscribe": "true"}
    stubs("sns").add_response("confirm_subscription", {"SubscriptionArn": f"{TOPIC}:s"}, expected)
    assert confirm_subscription(TOPIC, "token", session=stubs.session) == f"{TOPIC}:s"
    stubs("sqs").add_response("get_queue_url", {"QueueUrl": QUEUE_URL}, {"QueueName": "feedback"})
    assert queue_url("feedback", session=stubs.session) == QUEUE_URL
    stubs.ok(
        "sqs",
        "delete_message_batch",
        {"Successful": [], "Failed": [{"Id": "0", "SenderFault": False, "Code": "InternalError"}]},
    )
    assert delete_batch(QUEUE_URL, [("m-1", "r-1")], session=stubs.session) == ["m-1"]
