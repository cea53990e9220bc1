"""Policy documents provision writes, and the checks that read them back (pure)."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sesops import arns

SES_PUBLISH_SID = "AllowSESPublish"
TOPIC_SEND_SID_PREFIX = "AllowSNSTopicSend-"
RULE_SEND_SID_PREFIX = "AllowEventBridgeRule-"
FIREHOSE_S3_POLICY = "sesops-write-bucket"  # inline policy names on the roles sesops makes
SES_FIREHOSE_POLICY = "sesops-put-records"
# What Firehose needs to write objects (multipart uploads included) and nothing more.
FIREHOSE_S3_ACTIONS = (
    "s3:AbortMultipartUpload",
    "s3:GetBucketLocation",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
    "s3:PutObject",
)

Policy = dict[str, Any]


def parse(text: str | Mapping[str, Any] | None) -> Policy | None:
    """A policy document from its JSON text (None when absent or unreadable)."""
    if text is None or text == "":
        return None
    if isinstance(text, Mapping):
        return dict(text)
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def dumps(policy: Policy) -> str:
    return json.dumps(policy, separators=(",", ":"), sort_keys=True)


def ses_publish_statement(topic_arn: str, account: str) -> Policy:
    """Lets SES publish to the topic, only on behalf of ``account`` (confused-deputy guard)."""
    return {
        "Sid": SES_PUBLISH_SID,
        "Effect": "Allow",
        "Principal": {"Service": "ses.amazonaws.com"},
        "Action": "SNS:Publish",
        "Resource": topic_arn,
        "Condition": {"StringEquals": {"AWS:SourceAccount": account}},
    }


def topic_send_statement(queue_arn: str, topic_arn: str) -> Policy:
    """Lets the topic (and only it) send to the queue."""
    return _send_statement(TOPIC_SEND_SID_PREFIX + arns.arn_name(topic_arn), "sns", queue_arn, topic_arn)


def rule_send_statement(queue_arn: str, rule_arn: str) -> Policy:
    """Lets the EventBridge rule (and only it) send to the queue."""
    return _send_statement(RULE_SEND_SID_PREFIX + arns.resource_name(rule_arn), "events", queue_arn, rule_arn)


def _send_statement(sid: str, service: str, queue_arn: str, source_arn: str) -> Policy:
    """Lets ``service`` send to the queue on behalf of ``source_arn`` alone."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": f"{service}.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
    }


def trust_policy(service: str, *, account: str, source_arn: str | None = None) -> Policy:
    """Lets ``service`` assume the role, only on behalf of ``account`` (and ``source_arn``).

    Firehose names the account as its external id; SES sends aws:SourceAccount/SourceArn.
    """
    condition: dict[str, str] = (
        {"sts:ExternalId": account} if service == "firehose.amazonaws.com" else {"aws:SourceAccount": account}
    )
    if source_arn:
        condition["aws:SourceArn"] = source_arn
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": condition},
            }
        ],
    }


def firehose_s3_policy(bucket_arn: str, prefix: str = "") -> Policy:
    """What the Firehose role may do: write objects under ``prefix`` of the bucket."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": list(FIREHOSE_S3_ACTIONS),
                "Resource": [bucket_arn, f"{bucket_arn}/{prefix}*"],
            }
        ],
    }


def ses_firehose_policy(stream_arn: str) -> Policy:
    """What the SES role may do: put record batches to the one stream."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "firehose:PutRecordBatch", "Resource": stream_arn}],
    }


def trusts(policy: Policy | Mapping[str, Any] | None, service: str, **conditions: str) -> bool:
    """Whether a trust policy lets ``service`` assume the role (with matching source conditions)."""
    return allows(parse(policy), service=service, action="sts:AssumeRole", resource="*", **conditions)


def grants(policies: Iterable[Mapping[str, Any]], action: str, resource: str) -> bool:
    """Whether one of the identity ``policies`` allows ``action`` on ``resource`` (``*`` wildcards)."""
    for policy in policies:
        for statement in _statements(dict(policy)):
            if statement.get("Effect") != "Allow":
                continue
            if not any(_action_matches(a, action) for a in _as_list(statement.get("Action"))):
                continue
            if any(fnmatch.fnmatchcase(resource, r) for r in _as_list(statement.get("Resource"))):
                return True
    return False


def with_statement(policy: Policy | None, statement: Policy) -> Policy:
    """``policy`` (or an empty one) with ``statement`` added, replacing one with the same Sid."""
    base = dict(policy or {"Version": "2012-10-17", "Statement": []})
    kept = [s for s in _statements(base) if s.get("Sid") != statement.get("Sid")]
    base["Statement"] = [*kept, statement]
    base.setdefault("Version", "2012-10-17")
    return base


def allows(
    policy: Policy | None,
    *,
    service: str,
    action: str,
    resource: str,
    source_arn: str | None = None,
    source_account: str | None = None,
) -> bool:
    """Whether an Allow statement grants ``service`` the ``action`` on ``resource``.

    When the statement has conditions on aws:SourceArn / aws:SourceAccount, they must name
    ``source_arn`` / ``source_account``. Deny statements are not evaluated (a deny that
    overrides the allow is a hand-made policy sesops leaves to its author).
    """
    for statement in _statements(policy):
        if statement.get("Effect") != "Allow":
            continue
        if service not in _principal_services(statement.get("Principal")):
            continue
        if not any(_action_matches(a, action) for a in _as_list(statement.get("Action"))):
            continue
        if not any(r in ("*", resource) for r in _as_list(statement.get("Resource", "*"))):
            continue
        conditions = _conditions(statement.get("Condition"))
        if "aws:sourcearn" in conditions and (
            source_arn is None or source_arn not in conditions["aws:sourcearn"]
        ):
            continue
        if "aws:sourceaccount" in conditions and (
            source_account is None or source_account not in conditions["aws:sourceaccount"]
        ):
            continue
        return True
    return False


def _statements(policy: Policy | None) -> list[Policy]:
    if not policy:
        return []
    value = policy.get("Statement", [])
    items = value if isinstance(value, list) else [value]
    return [s for s in items if isinstance(s, dict)]


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return []


def _principal_services(principal: Any) -> set[str]:
    if principal == "*":
        return {"*"}
    if isinstance(principal, Mapping):
        return set(_as_list(principal.get("Service")))
    return set()


def _action_matches(granted: str, wanted: str) -> bool:
    granted, wanted = granted.lower(), wanted.lower()
    if granted in ("*", wanted):
        return True
    return granted.endswith(":*") and wanted.startswith(granted[:-1])


def _conditions(condition: Any) -> dict[str, set[str]]:
    """Condition keys (lower-cased) → the values any operator compares them with."""
    out: dict[str, set[str]] = {}
    if not isinstance(condition, Mapping):
        return out
    for clauses in condition.values():
        if isinstance(clauses, Mapping):
            for key, values in clauses.items():
                out.setdefault(str(key).lower(), set()).update(_as_list(values))
    return out


def redrive_policy(dlq_arn: str, max_receive_count: int) -> str:
    return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})


def redrive_matches(text: str | None, dlq_arn: str, max_receive_count: int) -> bool:
    policy = parse(text)
    if policy is None:
        return False
    try:
        count = int(policy.get("maxReceiveCount", 0))
    except (TypeError, ValueError):
        return False
    return policy.get("deadLetterTargetArn") == dlq_arn and count == max_receive_count
