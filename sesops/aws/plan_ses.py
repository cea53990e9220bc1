"""Plan steps for the SES side: each identity's notification topics, headers and email forwarding,
and a configuration set's event destination (pure; :func:`sesops.aws.plan.plan` orders them)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sesops import arns
from sesops.aws.spec import EVENT_DESTINATION_NAME, EVENT_TYPE_NAMES, Change, Spec
from sesops.aws.state import EventDestinationState, State


def identity_steps(state: State, spec: Spec, name: str, topic_arn: str) -> list[Change]:
    """The identity, then each type's notification topic, then each type's headers, then forwarding."""
    identity = state.identity(name)
    topics: Mapping[str, str] = {}
    headers: Mapping[str, bool] = {}
    forwarding = True  # a new identity: nothing wired yet, and SES forwards feedback by email
    if identity is None or not identity.exists:
        kind = "domain" if "@" not in name else "email address"
        first = Change(
            "create",
            "identity",
            name,
            f"new {kind} identity (needs verification)",
            "create_identity",
            {"identity": name},
        )
    else:
        topics, headers, forwarding = identity.topics, identity.headers, identity.forwarding
        status = "verified" if identity.verified else f"verification {identity.verification or 'unknown'}"
        first = Change("ok", "identity", name, f"exists, {status}")
    return [
        first,
        *(_notification_topic_step(spec, name, kind, topics.get(kind), topic_arn) for kind in spec.types),
        *(_headers_step(name, kind, headers.get(kind, False)) for kind in spec.types),
        _forwarding_step(spec, name, topics, forwarding),
    ]


def _notification_topic_step(spec: Spec, name: str, kind: str, current: str | None, topic_arn: str) -> Change:
    if current == topic_arn:
        return Change("ok", f"{kind} topic", name, spec.topic)
    was = f" (was {arns.arn_name(current)})" if current else ""
    return Change(
        "update",
        f"{kind} topic",
        name,
        f"-> {spec.topic}{was}",
        "set_notification_topic",
        {"identity": name, "type": kind, "topic_arn": topic_arn},
    )


def _headers_step(name: str, kind: str, included: bool) -> Change:
    if included:
        return Change("ok", f"{kind} headers", name, "original headers included")
    return Change(
        "update",
        f"{kind} headers",
        name,
        "include original headers",
        "set_headers",
        {"identity": name, "type": kind, "enabled": True},
    )


def _forwarding_step(spec: Spec, name: str, topics: Mapping[str, str], forwarding: bool) -> Change:
    """Email forwarding goes off only once both Bounce and Complaint have a topic (SES requires it)."""
    wired = {kind for kind in ("Bounce", "Complaint") if topics.get(kind) or kind in spec.types}
    if spec.keep_forwarding:
        return Change("ok", "email forwarding", name, f"{'on' if forwarding else 'off'} (kept)")
    if not forwarding:
        return Change("ok", "email forwarding", name, "off")
    if wired == {"Bounce", "Complaint"}:
        return Change(
            "update",
            "email forwarding",
            name,
            "off (Bounce and Complaint go to SNS)",
            "set_forwarding",
            {"identity": name, "enabled": False},
        )
    return Change("ok", "email forwarding", name, "left on: Bounce and Complaint need topics first")


def configuration_set_step(state: State, config_set: str) -> Change:
    if state.configuration_sets.get(config_set) is None:
        return Change(
            "create", "configuration set", config_set, "new", "create_configuration_set", {"name": config_set}
        )
    return Change("ok", "configuration set", config_set, "exists")


def event_destination_steps(state: State, spec: Spec, config_set: str, topic_arn: str) -> list[Change]:
    """The configuration set, then its event destination publishing ``spec.types`` to the topic."""
    wanted_types = tuple(EVENT_TYPE_NAMES[t] for t in spec.types)
    destination = EventDestinationState(
        config_set, EVENT_DESTINATION_NAME, True, wanted_types, topic_arn=topic_arn
    )
    detail = f"{', '.join(wanted_types)} -> {spec.topic}"
    return [configuration_set_step(state, config_set), destination_step(state, destination, detail)]


def destination_step(state: State, wanted: EventDestinationState, detail: str) -> Change:
    """Create, update or keep the event destination ``wanted`` (by its name in its configuration set)."""
    params = {
        "configuration_set": wanted.configuration_set,
        "name": wanted.name,
        "destination": destination_document(wanted),
    }
    name = f"{wanted.configuration_set}/{wanted.name}"
    existing = state.configuration_sets.get(wanted.configuration_set) or ()
    ours = next((d for d in existing if d.name == wanted.name), None)
    if ours is None:
        return Change("create", "event destination", name, detail, "create_event_destination", params)
    same = dataclasses.replace(ours, event_types=tuple(sorted(ours.event_types)))
    if same == dataclasses.replace(wanted, event_types=tuple(sorted(wanted.event_types))):
        return Change("ok", "event destination", name, detail)
    return Change("update", "event destination", name, detail, "update_event_destination", params)


def destination_document(destination: EventDestinationState) -> dict[str, Any]:
    """The SESv2 ``EventDestination`` of ``destination``."""
    document: dict[str, Any] = {
        "Enabled": destination.enabled,
        "MatchingEventTypes": list(destination.event_types),
    }
    if destination.topic_arn:
        document["SnsDestination"] = {"TopicArn": destination.topic_arn}
    if destination.event_bus_arn:
        document["EventBridgeDestination"] = {"EventBusArn": destination.event_bus_arn}
    if destination.stream_arn:
        document["KinesisFirehoseDestination"] = {
            "IamRoleArn": destination.role_arn,
            "DeliveryStreamArn": destination.stream_arn,
        }
    return document
