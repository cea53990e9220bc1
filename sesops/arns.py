"""ARNs sesops can compute without asking AWS (pure)."""

from __future__ import annotations


def partition(region: str) -> str:
    """The ARN partition of ``region`` (``aws``, ``aws-cn`` or ``aws-us-gov``)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def topic_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition(region)}:sns:{region}:{account}:{name}"


def queue_arn(region: str, account: str, name: str) -> str:
    return f"arn:{partition(region)}:sqs:{region}:{account}:{name}"


def identity_arn(region: str, account: str, identity: str) -> str:
    return f"arn:{partition(region)}:ses:{region}:{account}:identity/{identity}"


def arn_region(arn: str) -> str:
    """The region field of an ARN (empty when ``arn`` is not one)."""
    parts = arn.split(":", 5)
    return parts[3] if len(parts) == 6 and parts[0] == "arn" else ""


def arn_name(arn: str) -> str:
    """The last field of an ARN: a topic's or queue's name."""
    return arn.rsplit(":", 1)[-1]


def dlq_name(queue: str) -> str:
    """The dead-letter queue provision pairs with ``queue``."""
    return f"{queue}-dlq"
