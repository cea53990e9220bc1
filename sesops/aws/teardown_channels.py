"""Teardown steps for a configuration set's EventBridge and Firehose channels (pure).

Only what sesops names after the set is removed: the rule ``sesops-<set>`` (its targets first)
and the queues it targets in this account with their dead-letter queues, the stream
``sesops-<set>``, and the roles ``sesops-firehose-<set>`` and ``sesops-ses-<set>`` (their inline
policies first, as IAM requires). The bucket is kept: it holds the archive.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sesops import arns
from sesops.aws.spec import Change, firehose_role_name, rule_name, ses_role_name, stream_name
from sesops.aws.state import State


def channel_names(configuration_set: str) -> dict[str, Any]:
    """What to read back before planning the teardown of the set's channels."""
    return {
        "rules": True,
        "streams": (stream_name(configuration_set),),
        "roles": (ses_role_name(configuration_set), firehose_role_name(configuration_set)),
    }


def rule_queues(state: State, configuration_set: str) -> list[str]:
    """The queues in this account that sesops' rule targets, each with its dead-letter queue."""
    rule = state.rule(rule_name(configuration_set))
    own = arns.queue_arn(state.region, state.account, "")
    names: list[str] = []
    for target in rule.targets if rule else ():
        if target.arn.startswith(own):
            names += [arns.arn_name(target.arn), arns.dlq_name(arns.arn_name(target.arn))]
    return names


def channel_teardown_steps(state: State, configuration_set: str) -> list[Change]:
    """Rule targets, rule, targeted queues; then stream, then each role's policies and the role."""
    steps = _rule_steps(state, configuration_set)
    stream = state.streams.get(stream_name(configuration_set))
    if stream is not None:
        steps.append(
            Change("delete", "delivery stream", stream.name, "delete", "delete_stream", {"name": stream.name})
        )
        if stream.bucket_arn:
            bucket = arns.resource_name(stream.bucket_arn)
            steps.append(Change("ok", "bucket", bucket, "kept: it holds the archive"))
    for name in (ses_role_name(configuration_set), firehose_role_name(configuration_set)):
        role = state.roles.get(name)
        if role is None:
            continue
        steps += [
            Change(
                "delete",
                "role policy",
                f"{name}/{policy}",
                "delete",
                "delete_role_policy",
                {"role": name, "name": policy},
            )
            for policy in role.policies
        ]
        steps.append(Change("delete", "role", name, "delete", "delete_role", {"name": name}))
    return steps


def _rule_steps(state: State, configuration_set: str) -> list[Change]:
    rule = state.rule(rule_name(configuration_set))
    if rule is None:
        return []
    steps: list[Change] = []
    if rule.targets:
        ids = [t.id for t in rule.targets]
        steps.append(
            Change(
                "delete",
                "rule targets",
                rule.name,
                ", ".join(ids),
                "remove_targets",
                {"rule": rule.name, "ids": ids},
            )
        )
    steps.append(Change("delete", "rule", rule.name, "delete", "delete_rule", {"name": rule.name}))
    return steps + delete_queue_steps(state, rule_queues(state, configuration_set))


def delete_queue_steps(state: State, names: Iterable[str]) -> list[Change]:
    """Delete each of ``names`` that exists (read back in ``state.queues``)."""
    return [
        Change("delete", "queue", name, "delete (its messages too)", "delete_queue", {"name": name})
        for name in names
        if state.queue(name) is not None
    ]
