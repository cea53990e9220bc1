"""sesops.arns: every parser and builder, with a failure table per function."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sesops import arns

ACCOUNT = "123456789012"


# -- regions and partitions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "partition", "suffix"),
    [
        ("us-east-1", "aws", "amazonaws.com"),
        ("eu-central-2", "aws", "amazonaws.com"),
        ("ap-southeast-7", "aws", "amazonaws.com"),
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("cn-northwest-1", "aws-cn", "amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
    ],
)
def test_partition_and_dns_suffix(region: str, partition: str, suffix: str) -> None:
    assert arns.check_region(region) == region
    assert arns.partition(region) == partition
    assert arns.dns_suffix(region) == suffix
    assert arns.sns_host(region) == f"sns.{region}.{suffix}"


BAD_REGIONS = {
    "empty": ("", "is not an AWS region name"),
    "upper case": ("US-EAST-1", "is not an AWS region name"),
    "no number": ("us-east", "is not an AWS region name"),
    "one part": ("useast1", "is not an AWS region name"),
    "trailing dot": ("us-east-1.", "is not an AWS region name"),
    "host injection": ("us-east-1.evil.com/x", "is not an AWS region name"),
    "trailing newline": ("us-east-1\n", "is not an AWS region name"),
    "non-ASCII digit": ("us-east-١", "is not an AWS region name"),
    "isolated partition": ("us-iso-east-1", "isolated partition"),
    "isolated b": ("us-isob-east-1", "isolated partition"),
}


@pytest.mark.parametrize(("region", "reason"), BAD_REGIONS.values(), ids=BAD_REGIONS.keys())
@pytest.mark.parametrize("function", [arns.partition, arns.dns_suffix, arns.sns_host])
def test_region_failures(function: Callable[[str], object], region: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        function(region)


@pytest.mark.parametrize("region", ["", "Us-east-1", "us_east_1", "us-east-123"])
def test_check_region_failures(region: str) -> None:
    with pytest.raises(ValueError, match=r"is not an AWS region name \(like us-east-1"):
        arns.check_region(region)


# -- whole ARNs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        (f"arn:aws:sns:us-east-1:{ACCOUNT}:t", arns.Arn("aws", "sns", "us-east-1", ACCOUNT, "t")),
        (
            f"arn:aws:sns:us-east-1:{ACCOUNT}:t:0f1e2d3c",  # a subscription: the resource keeps its ':'
            arns.Arn("aws", "sns", "us-east-1", ACCOUNT, "t:0f1e2d3c"),
        ),
        (
            f"arn:aws-cn:ses:cn-north-1:{ACCOUNT}:identity/example.com",
            arns.Arn("aws-cn", "ses", "cn-north-1", ACCOUNT, "identity/example.com"),
        ),
        ("arn:aws:s3:::bucket", arns.Arn("aws", "s3", "", "", "bucket")),
        (f"arn:aws:iam::{ACCOUNT}:role/x", arns.Arn("aws", "iam", "", ACCOUNT, "role/x")),
    ],
)
def test_parse(arn: str, expected: arns.Arn) -> None:
    assert arns.parse(arn) == expected


BAD_ARNS = {
    "empty": ("", "is not an ARN"),
    "a name": ("ses-feedback", "is not an ARN"),
    "five fields": (f"arn:aws:sns:us-east-1:{ACCOUNT}", "is not an ARN"),
    "not arn": (f"urn:aws:sns:us-east-1:{ACCOUNT}:t", "is not an ARN"),
    "unknown partition": (f"arn:aws-iso:sns:us-east-1:{ACCOUNT}:t", "unknown partition 'aws-iso'"),
    "empty partition": (f"arn::sns:us-east-1:{ACCOUNT}:t", "unknown partition ''"),
    "bad service": (f"arn:aws:SNS:us-east-1:{ACCOUNT}:t", "service 'SNS' is not a service name"),
    "empty service": (f"arn:aws::us-east-1:{ACCOUNT}:t", "service '' is not a service name"),
    "bad region": (f"arn:aws:sns:useast1:{ACCOUNT}:t", "is not an AWS region name"),
    "cn region in aws": (f"arn:aws:sns:cn-north-1:{ACCOUNT}:t", "partition aws does not match region"),
    "aws region in cn": (f"arn:aws-cn:sns:us-east-1:{ACCOUNT}:t", "partition aws-cn does not match"),
    "gov region in aws": (f"arn:aws:sns:us-gov-west-1:{ACCOUNT}:t", "which is in aws-us-gov"),
    "short account": ("arn:aws:sns:us-east-1:12345:t", "account '12345' is not 12 digits"),
    "letters in account": ("arn:aws:sns:us-east-1:12345678901x:t", "is not 12 digits"),
    "no resource": (f"arn:aws:sns:us-east-1:{ACCOUNT}:", "no resource"),
}


@pytest.mark.parametrize(("arn", "reason"), BAD_ARNS.values(), ids=BAD_ARNS.keys())
@pytest.mark.parametrize("function", [arns.parse, arns.arn_region, arns.arn_account, arns.arn_name])
def test_arn_failures(function: Callable[[str], object], arn: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        function(arn)


def test_field_readers() -> None:
    topic = f"arn:aws-us-gov:sns:us-gov-west-1:{ACCOUNT}:ses-feedback"
    assert arns.arn_region(topic) == "us-gov-west-1"
    assert arns.arn_account(topic) == ACCOUNT
    assert arns.arn_name(topic) == "ses-feedback"
    assert arns.arn_region("arn:aws:s3:::bucket") == ""


# -- SNS topic ARNs (they decide which host may sign a message) ----------------------------


@pytest.mark.parametrize(
    ("arn", "region"),
    [
        (f"arn:aws:sns:us-east-1:{ACCOUNT}:ses-feedback", "us-east-1"),
        (f"arn:aws:sns:eu-central-2:{ACCOUNT}:orders.fifo", "eu-central-2"),
        (f"arn:aws-cn:sns:cn-north-1:{ACCOUNT}:t", "cn-north-1"),
        (f"arn:aws-us-gov:sns:us-gov-west-1:{ACCOUNT}:t", "us-gov-west-1"),
        (f"arn:aws:sns:us-east-1:{ACCOUNT}:{'a' * 256}", "us-east-1"),
    ],
)
def test_topic_region(arn: str, region: str) -> None:
    assert arns.topic_region(arn) == region


BAD_TOPICS = {
    "empty": ("", "not an SNS topic ARN"),
    "a queue": (f"arn:aws:sqs:us-east-1:{ACCOUNT}:q", "not an SNS topic ARN"),
    "a subscription": (f"arn:aws:sns:us-east-1:{ACCOUNT}:t:0f1e", "not an SNS topic ARN"),
    "short account": ("arn:aws:sns:us-east-1:12345:t", "not an SNS topic ARN"),
    "dot in name": (f"arn:aws:sns:us-east-1:{ACCOUNT}:a.b", "not an SNS topic ARN"),
    "name too long": (f"arn:aws:sns:us-east-1:{ACCOUNT}:{'a' * 257}", "not an SNS topic ARN"),
    "empty name": (f"arn:aws:sns:us-east-1:{ACCOUNT}:", "not an SNS topic ARN"),
    "unknown partition": (f"arn:aws-iso:sns:us-east-1:{ACCOUNT}:t", "not an SNS topic ARN"),
    "host in region": (f"arn:aws:sns:us-east-1.evil.com:{ACCOUNT}:t", "not an SNS topic ARN"),
    "trailing newline": (f"arn:aws:sns:us-east-1:{ACCOUNT}:t\n", "not an SNS topic ARN"),
    "non-ASCII digits": ("arn:aws:sns:us-east-1:١٢٣٤٥٦٧٨٩٠١٢:t", "not an SNS topic ARN"),
    "aws region in cn": (f"arn:aws-cn:sns:us-east-1:{ACCOUNT}:t", "partition does not match region"),
    "cn region in aws": (f"arn:aws:sns:cn-north-1:{ACCOUNT}:t", r"cn-north-1 is in aws-cn"),
    "gov region in aws": (f"arn:aws:sns:us-gov-west-1:{ACCOUNT}:t", "partition does not match"),
    "isolated region": (f"arn:aws:sns:us-iso-east-1:{ACCOUNT}:t", "isolated partition"),
}


@pytest.mark.parametrize(("arn", "reason"), BAD_TOPICS.values(), ids=BAD_TOPICS.keys())
def test_topic_region_failures(arn: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        arns.topic_region(arn)


# -- SQS queue URLs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "region"),
    [
        (f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/feedback", "eu-west-1"),
        (f"https://sqs-fips.us-gov-west-1.amazonaws.com/{ACCOUNT}/q", "us-gov-west-1"),
        (f"https://sqs.cn-north-1.amazonaws.com.cn/{ACCOUNT}/q", "cn-north-1"),
        (f"https://ap-south-1.queue.amazonaws.com/{ACCOUNT}/q", "ap-south-1"),
        (f"http://sqs.us-east-1.amazonaws.com/{ACCOUNT}/q", "us-east-1"),
        # not AWS's: the caller's endpoint decides the region
        (f"http://127.0.0.1:4566/{ACCOUNT}/q", None),
        (f"https://sqs.us-east-1.amazonaws.com.evil.com/{ACCOUNT}/q", None),
        (f"https://sqs.example.com/{ACCOUNT}/q", None),
    ],
)
def test_queue_url_region(url: str, region: str | None) -> None:
    assert arns.queue_url_region(url) == region


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"https://sqs.cn-north-1.amazonaws.com/{ACCOUNT}/q", "host must end in amazonaws.com.cn"),
        (f"https://sqs.us-east-1.amazonaws.com.cn/{ACCOUNT}/q", r"must end in amazonaws.com for region"),
        (f"https://sqs.us-iso-east-1.amazonaws.com/{ACCOUNT}/q", "isolated partition"),
    ],
)
def test_queue_url_region_failures(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        arns.queue_url_region(url)


# -- builders -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "partition"), [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-east-1", "aws-us-gov")]
)
def test_builders_round_trip(region: str, partition: str) -> None:
    topic = arns.topic_arn(region, ACCOUNT, "ses-feedback")
    assert topic == f"arn:{partition}:sns:{region}:{ACCOUNT}:ses-feedback"
    assert arns.topic_region(topic) == region
    queue = arns.queue_arn(region, ACCOUNT, "feedback")
    assert arns.parse(queue) == arns.Arn(partition, "sqs", region, ACCOUNT, "feedback")
    identity = arns.identity_arn(region, ACCOUNT, "example.com")
    assert arns.parse(identity).resource == "identity/example.com"
    assert arns.dlq_name("feedback") == "feedback-dlq"


@pytest.mark.parametrize(
    ("region", "reason"), [("", "is not an AWS region name"), ("us-iso-east-1", "isolated partition")]
)
@pytest.mark.parametrize("builder", [arns.topic_arn, arns.queue_arn, arns.identity_arn])
def test_builder_failures(builder: Callable[[str, str, str], str], region: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        builder(region, ACCOUNT, "x")
