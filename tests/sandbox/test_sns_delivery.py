"""What the sandbox's SNS delivers over HTTP: the envelope moto's Subscription builds (pure, no moto)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sesops.sandbox.sns_delivery import get_post_data

SUBSCRIPTION = "00000000-0000-4000-8000-000000000000"


def subscription(topic_arn: str) -> SimpleNamespace:
    return SimpleNamespace(
        topic=SimpleNamespace(arn=topic_arn, signature_version="2"), arn=f"{topic_arn}:{SUBSCRIPTION}"
    )


@pytest.mark.parametrize(
    ("topic_arn", "host"),
    [
        ("arn:aws:sns:eu-west-2:123456789012:feedback", "sns.eu-west-2.amazonaws.com"),
        ("arn:aws-cn:sns:cn-north-1:123456789012:feedback", "sns.cn-north-1.amazonaws.com.cn"),
        ("arn:aws-us-gov:sns:us-gov-west-1:123456789012:feedback", "sns.us-gov-west-1.amazonaws.com"),
    ],
)
def test_the_unsubscribe_url_is_the_topic_regions_sns_host(topic_arn: str, host: str) -> None:
    sub = subscription(topic_arn)
    envelope = get_post_data(sub, "{}", "m-1", None)
    assert envelope["TopicArn"] == topic_arn
    assert envelope["UnsubscribeURL"] == f"https://{host}/?Action=Unsubscribe&SubscriptionArn={sub.arn}"
