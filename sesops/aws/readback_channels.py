"""Read back a configuration set's EventBridge and Firehose channels (Get/List/Describe/Head only).

:func:`read_channels` starts from the event destinations already read and follows them: an
EventBridge destination -> the default bus's rules that match SES events -> their targets'
queues; a Firehose destination -> its stream and SES's role -> the stream's role and bucket.
Names given explicitly (what provision is about to make) are read even when nothing points at them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from sesops import arns
from sesops.aws.clients import client
from sesops.aws.errors import aws_call, call, describe_error, error_code
from sesops.aws.state import EventDestinationState, RoleState, RuleState, StreamState, TargetState
from sesops.errors import AwsError

_MISSING_STREAM = {"ResourceNotFoundException"}
_MISSING_ROLE = {"NoSuchEntity"}
_MISSING_BUCKET = {"404", "NoSuchBucket", "NotFound"}


@dataclass
class Channels:
    """What :func:`read_channels` found; ``queues`` are the rules' SQS targets in this account."""

    rules: tuple[RuleState, ...] | None = None
    streams: dict[str, StreamState | None] = field(default_factory=dict)
    roles: dict[str, RoleState | None] = field(default_factory=dict)
    buckets: dict[str, bool] = field(default_factory=dict)
    queues: list[str] = field(default_factory=list)


def read_channels(
    session: boto3.Session | None,
    region: str,
    account: str,
    destinations: Iterable[EventDestinationState],
    *,
    rules: bool = False,
    streams: Iterable[str] = (),
    roles: Iterable[str] = (),
    buckets: Iterable[str] = (),
) -> Channels:
    """The rules (when ``rules`` or an EventBridge destination), streams, roles and buckets."""
    destinations = list(destinations)
    found = Channels()
    stream_names = list(streams)
    role_names = list(roles)
    for destination in destinations:
        if destination.stream_arn:
            stream_names.append(arns.resource_name(destination.stream_arn))
        if destination.role_arn:
            role_names.append(arns.resource_name(destination.role_arn))
    if rules or any(d.event_bus_arn for d in destinations):
        found.rules = ses_rules(client("events", session, region))
        own = arns.queue_arn(region, account, "")
        found.queues = [arns.arn_name(t.arn) for r in found.rules for t in r.targets if t.arn.startswith(own)]
    if stream_names:
        firehose = client("firehose", session, region)
        found.streams = {name: read_stream(firehose, name) for name in dict.fromkeys(stream_names)}
    bucket_names = list(buckets)
    for stream in found.streams.values():
        if stream is not None and stream.role_arn:
            role_names.append(arns.resource_name(stream.role_arn))
        if stream is not None and stream.bucket_arn:
            bucket_names.append(arns.resource_name(stream.bucket_arn))
    if role_names:
        iam = client("iam", session, region)
        found.roles = {name: read_role(iam, name) for name in dict.fromkeys(role_names)}
    if bucket_names:
        s3 = client("s3", session, region)
        found.buckets = {name: bucket_exists(s3, name) for name in dict.fromkeys(bucket_names)}
    return found


def ses_rules(events: Any) -> tuple[RuleState, ...]:
    """The default bus's rules whose pattern can match SES events, each with its targets."""
    with aws_call("events:ListRules", "default event bus"):
        pages = list(events.get_paginator("list_rules").paginate(EventBusName="default"))
    out: list[RuleState] = []
    for page in pages:
        for rule in page.get("Rules", []):
            pattern = _pattern(rule.get("EventPattern"))
            if pattern is None or not _matches_ses(pattern):
                continue
            out.append(
                RuleState(
                    name=rule["Name"],
                    arn=rule["Arn"],
                    enabled=rule.get("State") == "ENABLED",
                    pattern=pattern,
                    targets=_targets(events, rule["Name"]),
                )
            )
    return tuple(out)


def _pattern(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None  # a scheduled rule
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _matches_ses(pattern: Mapping[str, Any]) -> bool:
    source = pattern.get("source")
    return source is None or "aws.ses" in (source if isinstance(source, list) else [source])


def _targets(events: Any, rule: str) -> tuple[TargetState, ...]:
    with aws_call("events:ListTargetsByRule", rule):
        pages = list(events.get_paginator("list_targets_by_rule").paginate(Rule=rule, EventBusName="default"))
    return tuple(TargetState(t["Id"], t["Arn"]) for page in pages for t in page.get("Targets", []))


def read_stream(firehose: Any, name: str) -> StreamState | None:
    response = call(
        "firehose:DescribeDeliveryStream",
        firehose.describe_delivery_stream,
        resource=name,
        absent=_MISSING_STREAM,
        DeliveryStreamName=name,
    )
    if response is None:
        return None
    description = response["DeliveryStreamDescription"]
    s3: Mapping[str, Any] = {}
    destination_id = ""
    for destination in description.get("Destinations", []):
        s3 = destination.get("ExtendedS3DestinationDescription") or destination.get(
            "S3DestinationDescription"
        )
        if s3:
            destination_id = destination.get("DestinationId", "")
            break
    return StreamState(
        name=name,
        arn=description.get("DeliveryStreamARN", ""),
        status=description.get("DeliveryStreamStatus", ""),
        version_id=str(description.get("VersionId", "1")),
        destination_id=destination_id,
        bucket_arn=(s3 or {}).get("BucketARN"),
        role_arn=(s3 or {}).get("RoleARN"),
        prefix=(s3 or {}).get("Prefix") or "",
        compression=(s3 or {}).get("CompressionFormat", "UNCOMPRESSED"),
    )


def read_role(iam: Any, name: str) -> RoleState | None:
    """The role, its trust policy and inline policies (and whether managed policies are attached)."""
    response = call("iam:GetRole", iam.get_role, resource=name, absent=_MISSING_ROLE, RoleName=name)
    if response is None:
        return None
    role = response["Role"]
    with aws_call("iam:ListRolePolicies", name):
        names = [
            n
            for page in iam.get_paginator("list_role_policies").paginate(RoleName=name)
            for n in page["PolicyNames"]
        ]
    documents: dict[str, Mapping[str, Any]] = {}
    for policy in names:
        got = call(
            "iam:GetRolePolicy",
            iam.get_role_policy,
            resource=f"{name}/{policy}",
            RoleName=name,
            PolicyName=policy,
        )
        documents[policy] = _document(got["PolicyDocument"])
    attached = call(
        "iam:ListAttachedRolePolicies", iam.list_attached_role_policies, resource=name, RoleName=name
    )
    return RoleState(
        name=name,
        arn=role["Arn"],
        trust=_document(role.get("AssumeRolePolicyDocument", {})),
        policies=documents,
        attached=bool(attached.get("AttachedPolicies")),
    )


def _document(value: Any) -> dict[str, Any]:
    """A policy document as boto3 returns it (decoded), or as JSON text (URL-decoded first)."""
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(unquote(str(value)))
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def bucket_exists(s3: Any, name: str) -> bool:
    """Whether the bucket exists (HeadBucket); one these credentials may not use is an error."""
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as err:
        if error_code(err) in _MISSING_BUCKET:
            return False
        if error_code(err) == "403":  # HeadBucket answers a bare 403, with no code to tell why
            raise AwsError(
                f"s3:HeadBucket {name}: 403: the bucket exists but these credentials may not use it "
                "(bucket names are global: another account may own it). Pick another bucket name, or "
                "allow s3:ListBucket on it."
            ) from None
        raise describe_error(err, "s3:HeadBucket", name) from None
    except BotoCoreError as err:
        raise describe_error(err, "s3:HeadBucket", name) from None
    return True
