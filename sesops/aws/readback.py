"""Read an account's SES/SNS/SQS feedback wiring into a :class:`~sesops.aws.state.State`.

Only Get/List reads happen here (``--dry-run`` and ``status`` rely on it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import boto3

from sesops import arns
from sesops.aws import clients
from sesops.aws.clients import client
from sesops.aws.errors import aws_call, call
from sesops.aws.identities import identity_attributes, identity_names
from sesops.aws.readback_channels import read_channels
from sesops.aws.state import (
    NOTIFICATION_TYPES,
    EventDestinationState,
    IdentityState,
    QueueState,
    State,
    SubscriptionState,
    TopicState,
)

_MISSING_TOPIC = {"NotFound", "NotFoundException", "InvalidParameter"}
_MISSING = {"NotFoundException", "ConfigurationSetDoesNotExist", "ConfigurationSetDoesNotExistException"}
_MISSING_QUEUE = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}


def account_id(session: boto3.Session | None = None, region: str | None = None) -> str:
    """The caller's account (STS GetCallerIdentity)."""
    with aws_call("sts:GetCallerIdentity"):
        return str(client("sts", session, region).get_caller_identity()["Account"])


def read_state(
    region: str,
    *,
    identities: Sequence[str] | None = None,
    topics: Iterable[str] = (),
    queues: Iterable[str] = (),
    configuration_sets: Iterable[str] = (),
    session: boto3.Session | None = None,
    rules: bool = False,
    streams: Iterable[str] = (),
    roles: Iterable[str] = (),
    buckets: Iterable[str] = (),
) -> State:
    """Read the wiring of ``identities`` (all identities in the region when None).

    ``topics`` are names (in ``region``) read even when no identity points at them;
    every topic an identity points at is read too, in its own region. Email identities
    inside a requested domain are read as well (``requested=False``). The configuration sets'
    EventBridge and Firehose channels are followed (:func:`read_channels`); ``rules``,
    ``streams``, ``roles`` and ``buckets`` are read even when nothing points at them.
    """
    session = session or clients.session()  # one Session: service models load once, not per client
    account = account_id(session, region)
    ses = client("ses", session, region)
    listed = identity_names(ses)
    wanted = list(identities) if identities is not None else listed
    domains = {name.lower() for name in wanted if "@" not in name}
    inside = [n for n in listed if "@" in n and n.rpartition("@")[2].lower() in domains and n not in wanted]
    identity_states = _identities(ses, wanted, inside, set(listed), session, region)

    topic_arns = [arns.topic_arn(region, account, name) for name in topics]
    for identity in identity_states:
        topic_arns += [arn for arn in identity.topics.values() if arn not in topic_arns]
    configuration_set_names = list(configuration_sets)
    for identity in identity_states:
        if identity.configuration_set and identity.configuration_set not in configuration_set_names:
            configuration_set_names.append(identity.configuration_set)

    topic_states: dict[str, TopicState | None] = {}
    subscriptions: dict[str, tuple[SubscriptionState, ...]] = {}
    for arn in dict.fromkeys(topic_arns):
        sns = client("sns", session, arns.arn_region(arn) or region)
        topic_states[arn] = _topic(sns, arn)
        if topic_states[arn] is not None:
            subscriptions[arn] = tuple(_subscriptions(sns, arn))

    sqs = client("sqs", session, region)
    queue_states = {name: _queue(sqs, name) for name in queues}
    sesv2 = client("sesv2", session, region)
    config_states = {name: _event_destinations(sesv2, name) for name in configuration_set_names}
    destinations = [d for found in config_states.values() for d in found or ()]
    channels = read_channels(
        session, region, account, destinations, rules=rules, streams=streams, roles=roles, buckets=buckets
    )
    for name in channels.queues:  # the rules' targets
        if name not in queue_states:
            queue_states[name] = _queue(sqs, name)
    return State(
        region=region,
        account=account,
        identities=tuple(identity_states),
        topics=topic_states,
        subscriptions=subscriptions,
        queues=queue_states,
        configuration_sets=config_states,
        rules=channels.rules,
        streams=channels.streams,
        roles=channels.roles,
        buckets=channels.buckets,
    )


def _identities(
    ses: Any,
    wanted: Sequence[str],
    inside: Sequence[str],
    listed: set[str],
    session: boto3.Session | None,
    region: str,
) -> list[IdentityState]:
    names = [*wanted, *inside]
    verification, notification = identity_attributes(ses, names)
    sesv2 = client("sesv2", session, region)
    out: list[IdentityState] = []
    for name in names:
        exists = name in listed or name in verification
        attrs = notification.get(name, {})
        out.append(
            IdentityState(
                name=name,
                exists=exists,
                verification=verification.get(name, {}).get("VerificationStatus") if exists else None,
                topics={t: attrs[f"{t}Topic"] for t in NOTIFICATION_TYPES if attrs.get(f"{t}Topic")},
                forwarding=bool(attrs.get("ForwardingEnabled", True)),
                headers={t: bool(attrs.get(f"HeadersIn{t}NotificationsEnabled")) for t in NOTIFICATION_TYPES},
                configuration_set=_default_configuration_set(sesv2, name) if exists else None,
                requested=name in wanted,
            )
        )
    return out


def _default_configuration_set(sesv2: Any, identity: str) -> str | None:
    response = call(
        "ses:GetEmailIdentity",
        sesv2.get_email_identity,
        resource=identity,
        absent=_MISSING,
        EmailIdentity=identity,
    )
    name = response.get("ConfigurationSetName") if response is not None else None
    return str(name) if name else None


def _topic(sns: Any, arn: str) -> TopicState | None:
    response = call(
        "sns:GetTopicAttributes", sns.get_topic_attributes, resource=arn, absent=_MISSING_TOPIC, TopicArn=arn
    )
    if response is None:
        return None
    return TopicState(arn=arn, attributes={k: str(v) for k, v in response["Attributes"].items()})


def _subscriptions(sns: Any, topic_arn: str) -> Iterator[SubscriptionState]:
    with aws_call("sns:ListSubscriptionsByTopic", topic_arn):
        pages = list(sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn))
    for page in pages:
        for sub in page.get("Subscriptions", []):
            arn = sub.get("SubscriptionArn", "")
            base = SubscriptionState(topic_arn=topic_arn, protocol=sub["Protocol"], endpoint=sub["Endpoint"])
            if not arn.startswith("arn:"):  # "PendingConfirmation" (or "Deleted")
                yield base
                continue
            attrs = call(
                "sns:GetSubscriptionAttributes",
                sns.get_subscription_attributes,
                resource=arn,
                SubscriptionArn=arn,
            )["Attributes"]
            if str(attrs.get("PendingConfirmation", "false")).lower() == "true":
                yield base
                continue
            raw = str(attrs.get("RawMessageDelivery", "false")).lower() == "true"
            yield SubscriptionState(topic_arn, sub["Protocol"], sub["Endpoint"], arn=arn, raw_delivery=raw)


def _queue(sqs: Any, name: str) -> QueueState | None:
    found = call("sqs:GetQueueUrl", sqs.get_queue_url, resource=name, absent=_MISSING_QUEUE, QueueName=name)
    if found is None:
        return None
    url = found["QueueUrl"]
    response = call(
        "sqs:GetQueueAttributes",
        sqs.get_queue_attributes,
        resource=name,
        absent=_MISSING_QUEUE,  # deleted since GetQueueUrl
        QueueUrl=url,
        AttributeNames=["All"],
    )
    if response is None:
        return None
    attributes = response["Attributes"]
    return QueueState(name=name, url=url, arn=attributes.get("QueueArn", ""), attributes=attributes)


def _event_destinations(sesv2: Any, name: str) -> tuple[EventDestinationState, ...] | None:
    response = call(
        "ses:GetConfigurationSetEventDestinations",
        sesv2.get_configuration_set_event_destinations,
        resource=name,
        absent=_MISSING,
        ConfigurationSetName=name,
    )
    if response is None:
        return None
    return tuple(
        EventDestinationState(
            configuration_set=name,
            name=dest["Name"],
            enabled=bool(dest.get("Enabled", False)),
            event_types=tuple(dest.get("MatchingEventTypes", [])),
            topic_arn=(dest.get("SnsDestination") or {}).get("TopicArn"),
            event_bus_arn=(dest.get("EventBridgeDestination") or {}).get("EventBusArn"),
            stream_arn=(dest.get("KinesisFirehoseDestination") or {}).get("DeliveryStreamArn"),
            role_arn=(dest.get("KinesisFirehoseDestination") or {}).get("IamRoleArn"),
        )
        for dest in response.get("EventDestinations", [])
    )


def read_queues(
    region: str, names: Iterable[str], session: boto3.Session | None = None
) -> dict[str, QueueState | None]:
    """The named queues (None for each that does not exist)."""
    sqs = client("sqs", session, region)
    return {name: _queue(sqs, name) for name in names}
