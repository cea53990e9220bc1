"""Plan steps for the delivery side: the SNS topic SES publishes to, the SQS queue and the
subscriptions that carry feedback on (pure; :func:`sesops.aws.plan.plan` orders them)."""

from __future__ import annotations

from dataclasses import dataclass

from sesops import arns
from sesops.aws import policies
from sesops.aws.spec import Change, Spec
from sesops.aws.state import QueueState, State, TopicState

DLQ_RETENTION_SECONDS = "1209600"  # 14 days, the SQS maximum


def topic_steps(state: State, spec: Spec, topic_arn: str) -> list[Change]:
    """The topic: created with SES's publish grant and SignatureVersion 2, or each brought up to that."""
    topic = state.topic(topic_arn)
    if topic is None:
        return [_create_topic_step(state, spec, topic_arn)]
    return [_topic_policy_step(state, spec, topic, topic_arn), _topic_signing_step(spec, topic, topic_arn)]


def _create_topic_step(state: State, spec: Spec, topic_arn: str) -> Change:
    statement = policies.ses_publish_statement(topic_arn, state.account)
    policy = policies.with_statement(_owner_policy(topic_arn, state.account), statement)
    return Change(
        "create",
        "topic",
        spec.topic,
        "Standard topic; SES may publish (scoped to this account); SignatureVersion 2",
        "create_topic",
        {"name": spec.topic, "attributes": {"Policy": policies.dumps(policy), "SignatureVersion": "2"}},
    )


def _topic_policy_step(state: State, spec: Spec, topic: TopicState, topic_arn: str) -> Change:
    current = policies.parse(topic.policy)
    if policies.allows(
        current,
        service="ses.amazonaws.com",
        action="sns:Publish",
        resource=topic_arn,
        source_account=state.account,
    ):
        return Change("ok", "topic", spec.topic, "exists; SES may publish")
    statement = policies.ses_publish_statement(topic_arn, state.account)
    new = policies.with_statement(current or _owner_policy(topic_arn, state.account), statement)
    return Change(
        "update",
        "topic policy",
        spec.topic,
        "let ses.amazonaws.com publish (AWS:SourceAccount)",
        "set_topic_attribute",
        {"arn": topic_arn, "name": "Policy", "value": policies.dumps(new)},
    )


def _topic_signing_step(spec: Spec, topic: TopicState, topic_arn: str) -> Change:
    if topic.signature_version == "2":
        return Change("ok", "topic signing", spec.topic, "SignatureVersion 2 (SHA256)")
    return Change(
        "update",
        "topic signing",
        spec.topic,
        f"SignatureVersion {topic.signature_version} -> 2 (SHA256)",
        "set_topic_attribute",
        {"arn": topic_arn, "name": "SignatureVersion", "value": "2"},
    )


def _owner_policy(topic_arn: str, account: str) -> policies.Policy:
    """The statement AWS puts in every new topic's policy: the owner account may manage it."""
    return {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [
            {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [
                    "SNS:GetTopicAttributes",
                    "SNS:SetTopicAttributes",
                    "SNS:AddPermission",
                    "SNS:RemovePermission",
                    "SNS:DeleteTopic",
                    "SNS:Subscribe",
                    "SNS:ListSubscriptionsByTopic",
                    "SNS:Publish",
                ],
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
            }
        ],
    }


@dataclass(frozen=True)
class Sender:
    """Who sends to a delivery queue: the policy statement that lets it, and how to check for it."""

    service: str  # "sns.amazonaws.com", "events.amazonaws.com"
    source_arn: str  # the topic or rule, named in the statement's aws:SourceArn
    statement: policies.Policy
    label: str  # "topic ses-feedback", "rule sesops-cs"


def queue_steps(state: State, spec: Spec, topic_arn: str, queue: str) -> list[Change]:
    """The dead-letter queue, the queue (the topic may send; redrive to the DLQ), its subscription."""
    queue_arn = arns.queue_arn(state.region, state.account, queue)
    sender = Sender(
        "sns.amazonaws.com",
        topic_arn,
        policies.topic_send_statement(queue_arn, topic_arn),
        f"topic {spec.topic}",
    )
    steps = delivery_queue_steps(state, spec, queue, sender)
    return steps + subscription_steps(state, topic_arn, "sqs", queue_arn, label=queue)


def delivery_queue_steps(state: State, spec: Spec, queue: str, sender: Sender) -> list[Change]:
    """The dead-letter queue, then the queue ``sender`` may send to, redriving to the DLQ."""
    dlq = arns.dlq_name(queue)
    dlq_arn = arns.queue_arn(state.region, state.account, dlq)
    redrive = policies.redrive_policy(dlq_arn, spec.max_receive_count)
    steps = [_dead_letter_queue_step(state, dlq)]
    current = state.queue(queue)
    if current is None:
        policy = policies.with_statement(None, sender.statement)
        steps.append(
            Change(
                "create",
                "queue",
                queue,
                f"{sender.label} may send; redrive to {dlq} after {spec.max_receive_count} receives",
                "create_queue",
                {"name": queue, "attributes": {"Policy": policies.dumps(policy), "RedrivePolicy": redrive}},
            )
        )
    else:
        queue_arn = arns.queue_arn(state.region, state.account, queue)
        steps.append(_queue_policy_step(queue, queue_arn, current, sender))
        steps.append(_queue_redrive_step(spec, queue, current, dlq, dlq_arn, redrive))
    return steps


def _dead_letter_queue_step(state: State, dlq: str) -> Change:
    if state.queue(dlq) is not None:
        return Change("ok", "queue", dlq, "dead-letter queue exists")
    return Change(
        "create",
        "queue",
        dlq,
        "dead-letter queue (14 days retention)",
        "create_queue",
        {"name": dlq, "attributes": {"MessageRetentionPeriod": DLQ_RETENTION_SECONDS}},
    )


def _queue_policy_step(queue: str, queue_arn: str, current: QueueState, sender: Sender) -> Change:
    existing = policies.parse(current.attributes.get("Policy"))
    if policies.allows(
        existing,
        service=sender.service,
        action="sqs:SendMessage",
        resource=queue_arn,
        source_arn=sender.source_arn,
    ):
        return Change("ok", "queue policy", queue, f"{sender.label} may send")
    new = policies.with_statement(existing, sender.statement)
    return Change(
        "update",
        "queue policy",
        queue,
        f"let {sender.label} send (aws:SourceArn)",
        "set_queue_attributes",
        {"name": queue, "attributes": {"Policy": policies.dumps(new)}},
    )


def _queue_redrive_step(
    spec: Spec, queue: str, current: QueueState, dlq: str, dlq_arn: str, redrive: str
) -> Change:
    if policies.redrive_matches(current.attributes.get("RedrivePolicy"), dlq_arn, spec.max_receive_count):
        return Change("ok", "queue redrive", queue, f"to {dlq} after {spec.max_receive_count}")
    return Change(
        "update",
        "queue redrive",
        queue,
        f"to {dlq} after {spec.max_receive_count} receives",
        "set_queue_attributes",
        {"name": queue, "attributes": {"RedrivePolicy": redrive}},
    )


def subscription_steps(
    state: State, topic_arn: str, protocol: str, endpoint: str, label: str | None = None
) -> list[Change]:
    """The endpoint's subscription to the topic, raw message delivery off (the envelope is verified)."""
    name = f"{protocol} {label or endpoint}"
    for sub in state.subscriptions.get(topic_arn, ()):
        if sub.protocol != protocol or sub.endpoint != endpoint:
            continue
        if sub.pending:
            return [Change("ok", "subscription", name, "exists, pending confirmation by the endpoint")]
        if sub.raw_delivery:
            return [
                Change(
                    "update",
                    "subscription",
                    name,
                    "raw message delivery -> off (keep the SNS envelope)",
                    "set_subscription_attribute",
                    {"arn": sub.arn, "name": "RawMessageDelivery", "value": "false"},
                )
            ]
        return [Change("ok", "subscription", name, "exists; raw delivery off")]
    detail = "raw delivery off" + ("; the endpoint must confirm it" if protocol != "sqs" else "")
    return [
        Change(
            "create",
            "subscription",
            name,
            detail,
            "subscribe",
            {
                "topic_arn": topic_arn,
                "protocol": protocol,
                "endpoint": endpoint,
                "attributes": {"RawMessageDelivery": "false"},
            },
        )
    ]
