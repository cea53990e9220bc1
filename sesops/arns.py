"""The one place sesops parses or builds ARNs, regions, partitions and AWS hosts (pure).

Three partitions are known: ``aws``, ``aws-cn`` (hosts end in ``amazonaws.com.cn``) and
``aws-us-gov``. Parsers are strict and raise :class:`ValueError` saying what is wrong and
what shape was expected; this module imports nothing from sesops, so each caller turns the
ValueError into its own :mod:`sesops.errors` type (``InvalidMessage`` for a signed SNS
envelope, ``InputError`` for a user's argument).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

# partition -> the DNS suffix of its service endpoints
DNS_SUFFIXES: Mapping[str, str] = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
}

_REGION = r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}"
_REGION_RE = re.compile(_REGION, re.ASCII)
_SERVICE_RE = re.compile(r"[a-z0-9][a-z0-9-]*", re.ASCII)
_ACCOUNT_RE = re.compile(r"[0-9]{12}", re.ASCII)
# SNS topic names: letters, digits, '_' and '-', 1..256 of them, FIFO topics end in ".fifo".
_TOPIC_ARN_RE = re.compile(
    rf"arn:(?P<partition>aws|aws-cn|aws-us-gov):sns:(?P<region>{_REGION})"
    r":[0-9]{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?",
    re.ASCII,
)
# https://sqs.<region>.<suffix>/... (also sqs-fips.) or the legacy https://<region>.queue.<suffix>/...
_QUEUE_URL_RE = re.compile(
    rf"https?://(?:sqs(?:-fips)?\.(?P<region>{_REGION})|(?P<legacy>{_REGION})\.queue)"
    r"\.(?P<suffix>amazonaws\.com(?:\.cn)?)(?:/|$)",
    re.ASCII,
)


class Arn(NamedTuple):
    """The six fields of ``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``."""

    partition: str
    service: str
    region: str  # empty for global resources (IAM, S3 buckets)
    account: str  # empty for resources without an owner account (S3 buckets)
    resource: str  # "NAME", "TYPE/NAME" or "TYPE:NAME"


def check_region(region: str) -> str:
    """``region`` itself when it is shaped like an AWS region name (``us-east-1``)."""
    if not _REGION_RE.fullmatch(region):
        raise ValueError(f"{region!r} is not an AWS region name (like us-east-1 or eu-west-2)")
    return region


def partition(region: str) -> str:
    """The partition of ``region``: ``aws``, ``aws-cn`` or ``aws-us-gov``."""
    check_region(region)
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if "-iso" in region:
        raise ValueError(
            f"region {region} is in an isolated partition; sesops knows {', '.join(DNS_SUFFIXES)}"
        )
    return "aws"


def dns_suffix(region: str) -> str:
    """The DNS suffix of service endpoints in ``region`` (``amazonaws.com`` or ``amazonaws.com.cn``)."""
    return DNS_SUFFIXES[partition(region)]


def sns_host(region: str) -> str:
    """The SNS endpoint host of ``region``, which also serves its signing certificates."""
    return f"sns.{region}.{dns_suffix(region)}"


def parse(arn: str) -> Arn:
    """Split an ARN into its fields, checking each; the partition must agree with the region."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ValueError(f"{arn!r} is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)")
    found = Arn(*parts[1:])
    if found.partition not in DNS_SUFFIXES:
        raise ValueError(f"{arn!r}: unknown partition {found.partition!r}; use {', '.join(DNS_SUFFIXES)}")
    if not _SERVICE_RE.fullmatch(found.service):
        raise ValueError(f"{arn!r}: service {found.service!r} is not a service name (like sns)")
    if found.region and partition(found.region) != found.partition:
        raise ValueError(
            f"{arn!r}: partition {found.partition} does not match region {found.region} "
            f"(which is in {partition(found.region)})"
        )
    if found.account and not _ACCOUNT_RE.fullmatch(found.account):
        raise ValueError(f"{arn!r}: account {found.account!r} is not 12 digits")
    if not found.resource:
        raise ValueError(f"{arn!r}: no resource after the account")
    return found


def topic_region(topic_arn: str) -> str:
    """The region of an SNS topic ARN, parsed strictly (it decides which host may sign for it)."""
    match = _TOPIC_ARN_RE.fullmatch(topic_arn)
    if match is None:
        raise ValueError("not an SNS topic ARN (arn:PARTITION:sns:REGION:ACCOUNT:NAME)")
    region = match["region"]
    expected = partition(region)
    if match["partition"] != expected:
        raise ValueError(f"partition does not match region ({region} is in {expected})")
    return region


def arn_region(arn: str) -> str:
    """The region field of ``arn`` (empty for global resources)."""
    return parse(arn).region


def arn_account(arn: str) -> str:
    """The account field of ``arn``."""
    return parse(arn).account


def arn_name(arn: str) -> str:
    """The resource of a topic or queue ARN: the topic's or queue's name."""
    return parse(arn).resource


def queue_url_region(url: str) -> str | None:
    """The region of an AWS SQS queue URL; None for a URL that is not AWS's (a local endpoint)."""
    match = _QUEUE_URL_RE.match(url)
    if match is None:
        return None
    region = match["region"] or match["legacy"]
    if match["suffix"] != dns_suffix(region):
        raise ValueError(f"queue URL {url}: host must end in {dns_suffix(region)} for region {region}")
    return region


def topic_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition(region)}:sns:{region}:{account}:{name}"


def queue_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition(region)}:sqs:{region}:{account}:{name}"


def identity_arn(region: str, account: str, identity: str) -> str:
    return f"arn:{partition(region)}:ses:{region}:{account}:identity/{identity}"


def dlq_name(queue: str) -> str:
    """The dead-letter queue provision pairs with ``queue``."""
    return f"{queue}-dlq"


def configuration_set_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition(region)}:ses:{region}:{account}:configuration-set/{name}"


def event_bus_arn(region: str, account: str, name: str = "default") -> str:
    """An EventBridge bus; SES event destinations publish to the account's ``default`` bus."""
    return f"arn:{partition(region)}:events:{region}:{account}:event-bus/{name}"


def rule_arn(region: str, account: str, name: str) -> str:
    """An EventBridge rule on the default bus."""
    return f"arn:{partition(region)}:events:{region}:{account}:rule/{name}"


def delivery_stream_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition(region)}:firehose:{region}:{account}:deliverystream/{name}"


def role_arn(region: str, account: str, name: str) -> str:
    """An IAM role (global: the region only decides the partition)."""
    return f"arn:{partition(region)}:iam::{account}:role/{name}"


def bucket_arn(region: str, bucket: str) -> str:
    """An S3 bucket (no region or account in its ARN; the region decides the partition)."""
    return f"arn:{partition(region)}:s3:::{bucket}"


def resource_name(arn: str) -> str:
    """The name at the end of a ``TYPE/NAME`` resource (role, delivery stream, rule, bucket)."""
    return parse(arn).resource.rpartition("/")[2]
