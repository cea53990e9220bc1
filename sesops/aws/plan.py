"""The provisioning plan: observed :class:`State` + wanted :class:`Spec` -> ordered :class:`Change` steps.

Pure. Every ARN a later step needs is computed (not read from a response), so the whole
plan exists before the first call and ``--dry-run`` shows exactly what would happen.
Steps marked ``ok`` carry no operation; a second provision run plans only ``ok`` steps.

The steps themselves come from :mod:`sesops.aws.plan_delivery` (topic, queue, subscriptions) and
:mod:`sesops.aws.plan_ses` (identities, event destination); the vocabulary (``Spec``, ``Change``,
the defaults) lives in :mod:`sesops.aws.spec` and is re-exported here for callers.
"""

from __future__ import annotations

from sesops import arns
from sesops.aws.plan_delivery import queue_steps, subscription_steps, topic_steps
from sesops.aws.plan_ses import event_destination_steps, identity_steps
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
    """The ordered steps that make ``state`` match ``spec`` (``ok`` for what already does)."""
    topic_arn = arns.topic_arn(state.region, state.account, spec.topic)
    steps = topic_steps(state, spec, topic_arn)
    if spec.sqs_queue:
        steps += queue_steps(state, spec, topic_arn, spec.sqs_queue)
    if spec.https_endpoint:
        protocol = spec.https_endpoint.split(":", 1)[0]
        steps += subscription_steps(state, topic_arn, protocol, spec.https_endpoint)
    for identity in spec.identities:
        steps += identity_steps(state, spec, identity, topic_arn)
    if spec.configuration_set:
        steps += event_destination_steps(state, spec, spec.configuration_set, topic_arn)
    return steps
