"""The provisioning plan: observed :class:`State` + wanted :class:`Spec` -> ordered :class:`Change` steps.

Pure. Every ARN a later step needs is computed (not read from a response), so the whole
plan exists before the first call and ``--dry-run`` shows exactly what would happen.
Steps marked ``ok`` carry no operation; a second provision run plans only ``ok`` steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sesops import arns
from sesops.aws import policies
from sesops.aws.state import DEFAULT_TYPES, NOTIFICATION_TYPES, State
from sesops.errors import ProvisionError

Mark = Literal["ok", "create", "update", "delete"]
MARKS: Mapping[str, str] = {"ok": "✓", "create": "+", "update": "~", "delete": "-"}

DEFAULT_TOPIC = "ses-feedback"
EVENT_DESTINATION_NAME = "sesops-feedback"
MAX_RECEIVE_COUNT = 5
# SESv2 event-publishing names of the notification types.
EVENT_TYPE_NAMES: Mapping[str, str] = {"Bounce": "BOUNCE", "Complaint": "COMPLAINT", "Delivery": "DELIVERY"}


@dataclass(frozen=True)
class Change:
    """One step: what it is about, whether it changes anything, and the call that does it."""

    mark: Mark
    resource: str  # kind of thing: "topic", "queue", "subscription", "identity", ...
    name: str
    detail: str
    op: str | None = None  # operation name in sesops.aws.apply; None for "ok"
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return self.mark != "ok"


@dataclass(frozen=True)
class Spec:
    """What provision should make true."""

    identities: tuple[str, ...]
    topic: str = DEFAULT_TOPIC
    sqs_queue: str | None = None
    https_endpoint: str | None = None
    types: tuple[str, ...] = DEFAULT_TYPES
    configuration_set: str | None = None
    keep_forwarding: bool = False
    max_receive_count: int = MAX_RECEIVE_COUNT

    def __post_init__(self) -> None:
        unknown = [t for t in self.types if t not in NOTIFICATION_TYPES]
        if unknown:
            raise ProvisionError(
                f"unknown notification type {', '.join(unknown)}; use {', '.join(NOTIFICATION_TYPES)}"
            )
        if not self.identities:
            raise ProvisionError("no identity given; pass --identity DOMAIN_OR_ADDRESS")
        if self.https_endpoint is not None and not self.https_endpoint.startswith(("https://", "http://")):
            raise ProvisionError(f"--https-endpoint {self.https_endpoint}: must start with https://")


def plan(state: State, spec: Spec) -> list[Change]:
    """The ordered steps that make ``state`` match ``spec`` (``ok`` for what already does)."""
    topic_arn = arns.topic_arn(state.region, state.account, spec.topic)
    steps = _topic_steps(state, spec, topic_arn)
    if spec.sqs_queue:
        steps += _queue_steps(state, spec, topic_arn, spec.sqs_queue)
    if spec.https_endpoint:
        protocol = spec.https_endpoint.split(":", 1)[0]
        steps += _subscription_steps(state, topic_arn, protocol, spec.https_endpoint)
    for identity in spec.identities:
        steps += _identity_steps(state, spec, identity, topic_arn)
    if spec.configuration_set:
        steps += _event_destination_steps(state, spec, spec.configuration_set, topic_arn)
    return steps


def _topic_steps(state: State, spec: Spec, topic_arn: str) -> list[Change]:
    statement = policies.ses_publish_statement(topic_arn, state.account)
    topic = state.topic(topic_arn)
    if topic is None:
        policy = policies.with_statement(_owner_policy(topic_arn, state.account), statement)
        return [
            Change(
                "create",
                "topic",
                spec.topic,
                "Standard topic; SES may publish (scoped to this account); SignatureVersion 2",
                "create_topic",
                {
                    "name": spec.topic,
                    "attributes": {"Policy": policies.dumps(policy), "SignatureVersion": "2"},
                },
            )
        ]
    steps: list[Change] = []
    current = policies.parse(topic.policy)
    if policies.allows(
        current,
        service="ses.amazonaws.com",
        action="sns:Publish",
        resource=topic_arn,
        source_account=state.account,
    ):
        steps.append(Change("ok", "topic", spec.topic, "exists; SES may publish"))
    else:
        new = policies.with_statement(current or _owner_policy(topic_arn, state.account), statement)
        steps.append(
            Change(
                "update",
                "topic policy",
                spec.topic,
                "let ses.amazonaws.com publish (AWS:SourceAccount)",
                "set_topic_attribute",
                {"arn": topic_arn, "name": "Policy", "value": policies.dumps(new)},
            )
        )
    if topic.signature_version == "2":
        steps.append(Change("ok", "topic signing", spec.topic, "SignatureVersion 2 (SHA256)"))
    else:
        steps.append(
            Change(
                "update",
                "topic signing",
                spec.topic,
                f"SignatureVersion {topic.signature_version} -> 2 (SHA256)",
                "set_topic_attribute",
                {"arn": topic_arn, "name": "SignatureVersion", "value": "2"},
            )
        )
    return steps


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


def _queue_steps(state: State, spec: Spec, topic_arn: str, queue: str) -> list[Change]:
    dlq = arns.dlq_name(queue)
    dlq_arn = arns.queue_arn(state.region, state.account, dlq)
    queue_arn = arns.queue_arn(state.region, state.account, queue)
    statement = policies.topic_send_statement(queue_arn, topic_arn)
    redrive = policies.redrive_policy(dlq_arn, spec.max_receive_count)
    steps: list[Change] = []

    if state.queue(dlq) is None:
        steps.append(
            Change(
                "create",
                "queue",
                dlq,
                "dead-letter queue (14 days retention)",
                "create_queue",
                {"name": dlq, "attributes": {"MessageRetentionPeriod": "1209600"}},
            )
        )
    else:
        steps.append(Change("ok", "queue", dlq, "dead-letter queue exists"))

    current = state.queue(queue)
    if current is None:
        policy = policies.with_statement(None, statement)
        steps.append(
            Change(
                "create",
                "queue",
                queue,
                f"topic may send; redrive to {dlq} after {spec.max_receive_count} receives",
                "create_queue",
                {"name": queue, "attributes": {"Policy": policies.dumps(policy), "RedrivePolicy": redrive}},
            )
        )
    else:
        existing = policies.parse(current.attributes.get("Policy"))
        if policies.allows(
            existing,
            service="sns.amazonaws.com",
            action="sqs:SendMessage",
            resource=queue_arn,
            source_arn=topic_arn,
        ):
            steps.append(Change("ok", "queue policy", queue, f"topic {spec.topic} may send"))
        else:
            new = policies.with_statement(existing, statement)
            steps.append(
                Change(
                    "update",
                    "queue policy",
                    queue,
                    f"let topic {spec.topic} send (aws:SourceArn)",
                    "set_queue_attributes",
                    {"name": queue, "attributes": {"Policy": policies.dumps(new)}},
                )
            )
        if policies.redrive_matches(current.attributes.get("RedrivePolicy"), dlq_arn, spec.max_receive_count):
            steps.append(Change("ok", "queue redrive", queue, f"to {dlq} after {spec.max_receive_count}"))
        else:
            steps.append(
                Change(
                    "update",
                    "queue redrive",
                    queue,
                    f"to {dlq} after {spec.max_receive_count} receives",
                    "set_queue_attributes",
                    {"name": queue, "attributes": {"RedrivePolicy": redrive}},
                )
            )
    return steps + _subscription_steps(state, topic_arn, "sqs", queue_arn, label=queue)


def _subscription_steps(
    state: State, topic_arn: str, protocol: str, endpoint: str, label: str | None = None
) -> list[Change]:
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


def _identity_steps(state: State, spec: Spec, name: str, topic_arn: str) -> list[Change]:
    identity = state.identity(name)
    steps: list[Change] = []
    topics: Mapping[str, str] = {}
    headers: Mapping[str, bool] = {}
    forwarding = True
    if identity is None or not identity.exists:
        kind = "domain" if "@" not in name else "email address"
        steps.append(
            Change(
                "create",
                "identity",
                name,
                f"new {kind} identity (needs verification)",
                "create_identity",
                {"identity": name},
            )
        )
    else:
        topics, headers, forwarding = identity.topics, identity.headers, identity.forwarding
        status = "verified" if identity.verified else f"verification {identity.verification or 'unknown'}"
        steps.append(Change("ok", "identity", name, f"exists, {status}"))

    for kind in spec.types:
        current = topics.get(kind)
        if current == topic_arn:
            steps.append(Change("ok", f"{kind} topic", name, spec.topic))
        else:
            was = f" (was {arns.arn_name(current)})" if current else ""
            steps.append(
                Change(
                    "update",
                    f"{kind} topic",
                    name,
                    f"-> {spec.topic}{was}",
                    "set_notification_topic",
                    {"identity": name, "type": kind, "topic_arn": topic_arn},
                )
            )
    for kind in spec.types:
        if headers.get(kind):
            steps.append(Change("ok", f"{kind} headers", name, "original headers included"))
        else:
            steps.append(
                Change(
                    "update",
                    f"{kind} headers",
                    name,
                    "include original headers",
                    "set_headers",
                    {"identity": name, "type": kind, "enabled": True},
                )
            )

    wired = {kind for kind in ("Bounce", "Complaint") if topics.get(kind) or kind in spec.types}
    if spec.keep_forwarding:
        steps.append(Change("ok", "email forwarding", name, f"{'on' if forwarding else 'off'} (kept)"))
    elif not forwarding:
        steps.append(Change("ok", "email forwarding", name, "off"))
    elif wired == {"Bounce", "Complaint"}:
        steps.append(
            Change(
                "update",
                "email forwarding",
                name,
                "off (Bounce and Complaint go to SNS)",
                "set_forwarding",
                {"identity": name, "enabled": False},
            )
        )
    else:
        steps.append(
            Change("ok", "email forwarding", name, "left on: Bounce and Complaint need topics first")
        )
    return steps


def _event_destination_steps(state: State, spec: Spec, config_set: str, topic_arn: str) -> list[Change]:
    wanted_types = tuple(EVENT_TYPE_NAMES[t] for t in spec.types)
    destination = {
        "Enabled": True,
        "MatchingEventTypes": list(wanted_types),
        "SnsDestination": {"TopicArn": topic_arn},
    }
    params = {"configuration_set": config_set, "name": EVENT_DESTINATION_NAME, "destination": destination}
    destinations = state.configuration_sets.get(config_set)
    steps: list[Change] = []
    if destinations is None:
        steps.append(
            Change(
                "create",
                "configuration set",
                config_set,
                "new",
                "create_configuration_set",
                {"name": config_set},
            )
        )
        destinations = ()
    else:
        steps.append(Change("ok", "configuration set", config_set, "exists"))
    name = f"{config_set}/{EVENT_DESTINATION_NAME}"
    for dest in destinations:
        if dest.name != EVENT_DESTINATION_NAME:
            continue
        if dest.enabled and dest.topic_arn == topic_arn and set(dest.event_types) == set(wanted_types):
            return [
                *steps,
                Change("ok", "event destination", name, f"{', '.join(wanted_types)} -> {spec.topic}"),
            ]
        return [
            *steps,
            Change(
                "update",
                "event destination",
                name,
                f"{', '.join(wanted_types)} -> {spec.topic}",
                "update_event_destination",
                params,
            ),
        ]
    return [
        *steps,
        Change(
            "create",
            "event destination",
            name,
            f"{', '.join(wanted_types)} -> {spec.topic}",
            "create_event_destination",
            params,
        ),
    ]
