"""Plan steps for a configuration set's EventBridge and Firehose channels (pure).

EventBridge: the queue (with its DLQ) the rule may send to, the rule on the default bus
matching ``source: aws.ses`` and the chosen detail-types, its queue target, then the event
destination, so nothing SES publishes meets a half-built path. Firehose: the bucket, the role
Firehose writes it with, the stream, the role SES puts records with, then the event destination.
"""

from __future__ import annotations

import json
from typing import Any

from sesops import arns
from sesops.aws import policies
from sesops.aws.plan_delivery import Sender, delivery_queue_steps
from sesops.aws.plan_ses import destination_step
from sesops.aws.spec import (
    EVENTBRIDGE_DESTINATION_NAME,
    FIREHOSE_DESTINATION_NAME,
    QUEUE_TARGET_ID,
    Change,
    Mark,
    Spec,
    firehose_role_name,
    rule_name,
    ses_role_name,
    stream_name,
)
from sesops.aws.state import CONFIGURATION_SET_TAG, EventDestinationState, RoleState, State

COMPRESSION = "GZIP"


def rule_pattern(detail_types: tuple[str, ...], config_set: str) -> dict[str, Any]:
    """The event pattern of sesops' rule: SES's events of the chosen detail-types that came through
    ``config_set`` (every set publishing to EventBridge shares the default bus, so without the tag
    filter each set's queue would also get every other set's events)."""
    return {
        "source": ["aws.ses"],
        "detail-type": list(detail_types),
        "detail": {"mail": {"tags": {CONFIGURATION_SET_TAG: [config_set]}}},
    }


def eventbridge_steps(state: State, spec: Spec, config_set: str, queue: str) -> list[Change]:
    """Queue and DLQ, rule, target, then the configuration set's EventBridge destination."""
    rule = rule_name(config_set)
    rule_arn = arns.rule_arn(state.region, state.account, rule)
    queue_arn = arns.queue_arn(state.region, state.account, queue)
    sender = Sender(
        "events.amazonaws.com", rule_arn, policies.rule_send_statement(queue_arn, rule_arn), f"rule {rule}"
    )
    destination = EventDestinationState(
        config_set,
        EVENTBRIDGE_DESTINATION_NAME,
        True,
        spec.sesv2_types,
        event_bus_arn=arns.event_bus_arn(state.region, state.account),
    )
    return [
        *delivery_queue_steps(state, spec, queue, sender),
        _rule_step(state, spec, rule, config_set),
        _target_step(state, rule, queue, queue_arn),
        destination_step(state, destination, f"{', '.join(spec.sesv2_types)} -> default event bus"),
    ]


def _rule_step(state: State, spec: Spec, rule: str, config_set: str) -> Change:
    wanted = spec.wanted_detail_types()
    detail = f"source aws.ses, set {config_set}, {', '.join(wanted)}"
    pattern = rule_pattern(wanted, config_set)
    params = {"name": rule, "pattern": json.dumps(pattern), "description": "sesops: SES events"}
    current = state.rule(rule)
    if current is None:
        return Change("create", "rule", rule, detail, "put_rule", params)
    same_pattern = current.detail_types == frozenset(wanted) and current.pattern == pattern
    if current.enabled and same_pattern:
        return Change("ok", "rule", rule, detail)
    why = "enable" if same_pattern else "match"
    return Change("update", "rule", rule, f"{why}: {detail}", "put_rule", params)


def _target_step(state: State, rule: str, queue: str, queue_arn: str) -> Change:
    current = state.rule(rule)
    if current is not None and any(t.arn == queue_arn for t in current.targets):
        return Change("ok", "rule target", f"{rule} -> {queue}", "sqs")
    return Change(
        "create",
        "rule target",
        f"{rule} -> {queue}",
        "sqs",
        "put_target",
        {"rule": rule, "id": QUEUE_TARGET_ID, "arn": queue_arn},
    )


def firehose_steps(state: State, spec: Spec, config_set: str, bucket: str) -> list[Change]:
    """Bucket, Firehose's role, the stream, SES's role, then the Firehose event destination."""
    stream = stream_name(config_set)
    stream_arn = arns.delivery_stream_arn(state.region, state.account, stream)
    bucket_arn = arns.bucket_arn(state.region, bucket)
    firehose_role = firehose_role_name(config_set)
    ses_role = ses_role_name(config_set)
    account = state.account
    config_set_arn = arns.configuration_set_arn(state.region, account, config_set)
    destination = EventDestinationState(
        config_set,
        FIREHOSE_DESTINATION_NAME,
        True,
        spec.sesv2_types,
        stream_arn=stream_arn,
        role_arn=arns.role_arn(state.region, account, ses_role),
    )
    return [
        _bucket_step(state, bucket),
        *_role_steps(
            state,
            firehose_role,
            policies.trust_policy("firehose.amazonaws.com", account=account),
            policies.FIREHOSE_S3_POLICY,
            policies.firehose_s3_policy(bucket_arn, spec.firehose_prefix),
            f"Firehose may write s3://{bucket}/{spec.firehose_prefix}",
        ),
        _stream_step(state, spec, stream, bucket, arns.role_arn(state.region, account, firehose_role)),
        *_role_steps(
            state,
            ses_role,
            policies.trust_policy("ses.amazonaws.com", account=account, source_arn=config_set_arn),
            policies.SES_FIREHOSE_POLICY,
            policies.ses_firehose_policy(stream_arn),
            f"SES ({config_set}) may put records to {stream}",
        ),
        destination_step(state, destination, f"{', '.join(spec.sesv2_types)} -> Firehose {stream}"),
    ]


def _bucket_step(state: State, bucket: str) -> Change:
    if state.buckets.get(bucket):
        return Change("ok", "bucket", bucket, "exists")
    return Change("create", "bucket", bucket, f"new, in {state.region}", "create_bucket", {"name": bucket})


def _role_steps(
    state: State,
    name: str,
    trust: policies.Policy,
    policy_name: str,
    policy: policies.Policy,
    detail: str,
) -> list[Change]:
    """The role (who may assume it), then its one inline policy (what it may do)."""
    current = state.roles.get(name)
    policy_step = _role_policy_step(current, name, policy_name, policy, detail)
    if current is None:
        create = {"name": name, "trust": policies.dumps(trust), "description": "sesops: " + detail}
        return [Change("create", "role", name, detail, "create_role", create), policy_step]
    if dict(current.trust) == trust:
        return [Change("ok", "role", name, "exists; trust as sesops makes it"), policy_step]
    update = {"name": name, "trust": policies.dumps(trust)}
    return [Change("update", "role trust", name, detail, "update_role_trust", update), policy_step]


def _role_policy_step(
    current: RoleState | None, name: str, policy_name: str, policy: policies.Policy, detail: str
) -> Change:
    if current is not None and dict(current.policies.get(policy_name) or {}) == policy:
        return Change("ok", "role policy", f"{name}/{policy_name}", detail)
    params = {"role": name, "name": policy_name, "document": policies.dumps(policy)}
    mark: Mark = "create" if current is None or policy_name not in current.policies else "update"
    return Change(mark, "role policy", f"{name}/{policy_name}", detail, "put_role_policy", params)


def _stream_step(state: State, spec: Spec, stream: str, bucket: str, role_arn: str) -> Change:
    where = f"s3://{bucket}/{spec.firehose_prefix}YYYY/MM/DD/HH/, {COMPRESSION}"
    bucket_arn = arns.bucket_arn(state.region, bucket)
    s3 = {"RoleARN": role_arn, "BucketARN": bucket_arn, "CompressionFormat": COMPRESSION}
    if spec.firehose_prefix:  # Firehose adds YYYY/MM/DD/HH/ after it (or alone, without one)
        s3["Prefix"] = spec.firehose_prefix
    current = state.streams.get(stream)
    if current is None:
        return Change("create", "delivery stream", stream, where, "create_stream", {"name": stream, "s3": s3})
    wanted = (bucket_arn, role_arn, spec.firehose_prefix, COMPRESSION)
    if (current.bucket_arn, current.role_arn, current.prefix, current.compression) == wanted:
        return Change("ok", "delivery stream", stream, f"{current.status}; {where}")
    params = {
        "name": stream,
        "version_id": current.version_id,
        "destination_id": current.destination_id,
        "s3": s3,
    }
    return Change("update", "delivery stream", stream, where, "update_stream", params)
