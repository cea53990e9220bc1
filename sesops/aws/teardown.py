"""``teardown``: undo what provision made, in an order SES accepts.

Forwarding goes back on before the topics are unset (SES refuses to leave an identity
with neither), then the configuration set's event destinations (SES stops publishing), the
EventBridge rule's targets, the rule and the queues it targeted (with their dead-letter
queues), the Firehose stream and the two roles, then the topic's subscriptions, the queues
subscribed to it (and their dead-letter queues), and the topic. The bucket stays: it holds
the archive.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import boto3

from sesops import arns
from sesops.aws import clients
from sesops.aws.apply import Applier
from sesops.aws.provision import resolve_region
from sesops.aws.readback import read_queues, read_state
from sesops.aws.spec import (
    DEFAULT_TOPIC,
    EVENT_DESTINATION_NAME,
    EVENTBRIDGE_DESTINATION_NAME,
    FIREHOSE_DESTINATION_NAME,
    Change,
)
from sesops.aws.state import NOTIFICATION_TYPES, State
from sesops.aws.teardown_channels import (
    channel_names,
    channel_teardown_steps,
    delete_queue_steps,
    rule_queues,
)
from sesops.errors import ProvisionError


@dataclass(frozen=True)
class TeardownResult:
    region: str
    steps: list[Change]
    applied: list[Change]


def plan_teardown(
    state: State,
    identities: Sequence[str],
    topic: str = DEFAULT_TOPIC,
    configuration_set: str | None = None,
) -> list[Change]:
    """The steps that remove the wiring of ``identities`` to ``topic`` and the topic itself, and
    ``configuration_set``'s event destinations and channels (pure)."""
    topic_arn = arns.topic_arn(state.region, state.account, topic)
    if not identities and not configuration_set:
        raise ProvisionError("nothing to tear down: pass --identity ID and/or --configuration-set NAME")
    steps: list[Change] = []
    if identities:
        _refuse_shared_topic(state, identities, topic, topic_arn)
        steps += [step for name in identities for step in _unwire_steps(state, name, topic, topic_arn)]
    if configuration_set:
        steps += _event_destination_steps(state, configuration_set)
        steps += channel_teardown_steps(state, configuration_set)
    if identities:
        steps += _topic_steps(state, topic, topic_arn)
    return _once(steps)


def _once(steps: list[Change]) -> list[Change]:
    """Each deletion once (a queue both subscribed to the topic and targeted by the rule)."""
    seen: set[tuple[str | None, str]] = set()
    out: list[Change] = []
    for step in steps:
        key = (step.op, repr(sorted(step.params.items())))
        if step.changes and key in seen:
            continue
        seen.add(key)
        out.append(step)
    return out


def _refuse_shared_topic(state: State, identities: Sequence[str], topic: str, topic_arn: str) -> None:
    """Deleting a topic another identity still publishes to would silently drop its feedback."""
    others = sorted(
        i.name for i in state.identities if i.name not in identities and topic_arn in i.topics.values()
    )
    if others:
        raise ProvisionError(
            f"topic {topic} also receives feedback of {', '.join(others)}; "
            "add them with --identity, or leave the topic in place"
        )


def _unwire_steps(state: State, name: str, topic: str, topic_arn: str) -> list[Change]:
    """Forwarding back on first (SES refuses an identity with neither), then each of its topics unset."""
    identity = state.identity(name)
    if identity is None or not identity.exists:
        return [Change("ok", "identity", name, "not found; nothing to unwire")]
    steps: list[Change] = []
    if not identity.forwarding:
        steps.append(
            Change(
                "update",
                "email forwarding",
                name,
                "back on",
                "set_forwarding",
                {"identity": name, "enabled": True},
            )
        )
    ours = [t for t in NOTIFICATION_TYPES if identity.topics.get(t) == topic_arn]
    steps += [
        Change(
            "update",
            f"{kind} topic",
            name,
            f"unset (was {topic})",
            "set_notification_topic",
            {"identity": name, "type": kind, "topic_arn": None},
        )
        for kind in ours
    ]
    if not ours:
        steps.append(Change("ok", "identity", name, f"not wired to {topic}"))
    return steps


def _event_destination_steps(state: State, configuration_set: str) -> list[Change]:
    """sesops' SNS, EventBridge and Firehose destinations of the set, whichever exist."""
    destinations = state.configuration_sets.get(configuration_set) or ()
    names = (EVENT_DESTINATION_NAME, EVENTBRIDGE_DESTINATION_NAME, FIREHOSE_DESTINATION_NAME)
    return [
        Change(
            "delete",
            "event destination",
            f"{configuration_set}/{d.name}",
            f"remove ({d.kind})",
            "delete_event_destination",
            {"configuration_set": configuration_set, "name": d.name},
        )
        for d in destinations
        if d.name in names
    ]


def _topic_steps(state: State, topic: str, topic_arn: str) -> list[Change]:
    """Its subscriptions, the queues subscribed to it (``state.queues``), then the topic itself."""
    if state.topic(topic_arn) is None:
        return [Change("ok", "topic", topic, "already gone")]
    steps: list[Change] = []
    for sub in state.subscriptions.get(topic_arn, ()):
        label = f"{sub.protocol} {arns.arn_name(sub.endpoint) if sub.protocol == 'sqs' else sub.endpoint}"
        if sub.pending:
            steps.append(Change("ok", "subscription", label, "pending; goes with the topic"))
        else:
            steps.append(
                Change("delete", "subscription", label, "unsubscribe", "unsubscribe", {"arn": sub.arn})
            )
    steps += delete_queue_steps(state, subscribed_queues(state, topic))
    steps.append(Change("delete", "topic", topic, "delete", "delete_topic", {"arn": topic_arn}))
    return steps


def subscribed_queues(state: State, topic: str) -> list[str]:
    """Names of this account's queues in the region subscribed to ``topic``, each with its DLQ."""
    topic_arn = arns.topic_arn(state.region, state.account, topic)
    prefix = arns.queue_arn(state.region, state.account, "")
    names: list[str] = []
    for sub in state.subscriptions.get(topic_arn, ()):
        if sub.protocol == "sqs" and sub.endpoint.startswith(prefix):
            name = arns.arn_name(sub.endpoint)
            names += [name, arns.dlq_name(name)]
    return names


def teardown(
    identities: Sequence[str],
    *,
    topic: str = DEFAULT_TOPIC,
    configuration_set: str | None = None,
    region: str | None = None,
    session: boto3.Session | None = None,
    dry_run: bool = False,
) -> TeardownResult:
    region = resolve_region(region, session)
    session = session or clients.session()  # one Session: models load once, not per client
    state = read_state(
        region,
        identities=identities,
        topics=(topic,) if identities else (),
        configuration_sets=(configuration_set,) if configuration_set else (),
        session=session,
        **(channel_names(configuration_set) if configuration_set else {}),
    )
    queues = subscribed_queues(state, topic) if identities else []
    queues += rule_queues(state, configuration_set) if configuration_set else []
    state = dataclasses.replace(state, queues=read_queues(region, dict.fromkeys(queues), session))
    steps = plan_teardown(state, identities, topic, configuration_set)
    applied = [] if dry_run else Applier(region, session).run(steps)
    return TeardownResult(region=region, steps=steps, applied=applied)
