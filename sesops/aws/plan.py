"""The provisioning plan: observed :class:`State` + wanted :class:`Spec` -> ordered :class:`Change` steps.

Pure. Every ARN a later step needs is computed (not read from a response), so the whole
plan exists before the first call and ``--dry-run`` shows exactly what would happen.
Steps marked ``ok`` carry no operation; a second provision run plans only ``ok`` steps.

The steps themselves come from :mod:`sesops.aws.plan_delivery` (topic, queue, subscriptions),
:mod:`sesops.aws.plan_ses` (identities, SNS event destination) and :mod:`sesops.aws.plan_channels`
(a configuration set's EventBridge and Firehose channels); the vocabulary (``Spec``, ``Change``,
the defaults) lives in :mod:`sesops.aws.spec` and is re-exported here for callers.
"""

from __future__ import annotations

from sesops import arns
from sesops.aws.plan_channels import eventbridge_steps, firehose_steps
from sesops.aws.plan_delivery import queue_steps, subscription_steps, topic_steps
from sesops.aws.plan_ses import configuration_set_step, event_destination_steps, identity_steps
from sesops.aws.spec import (
    DEFAULT_TOPIC,
    EVENT_DESTINATION_NAME,
    EVENT_TYPE_NAMES,
    MARKS,
    MAX_RECEIVE_COUNT,
    Change,
    Mark,
    Spec,
)
from sesops.aws.state import State

__all__ = [
    "DEFAULT_TOPIC",
    "EVENT_DESTINATION_NAME",
    "EVENT_TYPE_NAMES",
    "MARKS",
    "MAX_RECEIVE_COUNT",
    "Change",
    "Mark",
    "Spec",
    "plan",
]


def plan(state: State, spec: Spec) -> list[Change]:
    """The ordered steps that make ``state`` match ``spec`` (``ok`` for what already does).

    With identities: the SNS wiring (and, with a configuration set but no other channel, its SNS
    event destination); then the configuration set's EventBridge and Firehose channels.
    """
    steps: list[Change] = []
    if spec.identities:
        steps += _sns_steps(state, spec)
    if spec.channels and spec.configuration_set:
        steps.append(configuration_set_step(state, spec.configuration_set))
        if spec.eventbridge_queue:
            steps += eventbridge_steps(state, spec, spec.configuration_set, spec.eventbridge_queue)
        if spec.firehose_bucket:
            steps += firehose_steps(state, spec, spec.configuration_set, spec.firehose_bucket)
    return steps


def _sns_steps(state: State, spec: Spec) -> list[Change]:
    topic_arn = arns.topic_arn(state.region, state.account, spec.topic)
    steps = topic_steps(state, spec, topic_arn)
    if spec.sqs_queue:
        steps += queue_steps(state, spec, topic_arn, spec.sqs_queue)
    if spec.https_endpoint:
        protocol = spec.https_endpoint.split(":", 1)[0]
        steps += subscription_steps(state, topic_arn, protocol, spec.https_endpoint)
    for identity in spec.identities:
        steps += identity_steps(state, spec, identity, topic_arn)
    if spec.configuration_set and not spec.channels:
        steps += event_destination_steps(state, spec, spec.configuration_set, topic_arn)
    return steps
