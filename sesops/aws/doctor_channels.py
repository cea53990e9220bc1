"""The doctor of a configuration set's EventBridge and Firehose channels (pure).

Each enabled destination is followed to where its events end up: EventBridge -> an enabled
rule on the default bus matching the destination's detail-types -> a target queue that lets
the rule send and has a dead-letter queue; Firehose -> an ACTIVE stream writing a bucket that
exists, through roles that exist, trust the right service and may do their one job.
"""

from __future__ import annotations

from collections.abc import Mapping

from sesops import arns
from sesops.aws import policies
from sesops.aws.problem import Problem
from sesops.aws.spec import sesv2_type
from sesops.aws.state import EventDestinationState, RuleState, State


def channel_problems(state: State, detail_types: Mapping[str, str]) -> list[Problem]:
    """Every problem of every EventBridge and Firehose destination read back in ``state``."""
    problems: list[Problem] = []
    for destinations in state.configuration_sets.values():
        for destination in destinations or ():
            if destination.kind not in ("EventBridge", "Firehose"):
                continue
            if not destination.enabled:
                problems.append(_disabled(state, destination))
            elif destination.kind == "EventBridge":
                problems += eventbridge_problems(state, destination, detail_types)
            elif destination.stream_arn:
                problems += firehose_problems(state, destination, destination.stream_arn)
    return problems


def _subject(destination: EventDestinationState) -> str:
    return f"{destination.configuration_set}/{destination.name}"


def _hint(state: State, destination: EventDestinationState, channel: str) -> str:
    return f"sesops provision --region {state.region} --configuration-set {destination.configuration_set} {channel}"


def _disabled(state: State, destination: EventDestinationState) -> Problem:
    return Problem(
        "destination-disabled",
        _subject(destination),
        f"{destination.kind} event destination is disabled: SES publishes nothing to it",
        f"{_hint(state, destination, '--eventbridge QUEUE' if destination.kind == 'EventBridge' else '--firehose BUCKET')}"
        " enables it (or delete the destination)",
    )


def eventbridge_problems(
    state: State, destination: EventDestinationState, detail_types: Mapping[str, str]
) -> list[Problem]:
    """Rule missing, disabled or not matching the destination's types; then each matching rule's targets."""
    if state.rules is None:
        return []  # not read
    subject = _subject(destination)
    fix = _hint(state, destination, "--eventbridge QUEUE")
    rules = [r for r in state.rules if r.takes(destination.configuration_set)]
    if not rules:
        return [
            Problem(
                "rule-missing",
                subject,
                f"SES publishes to the default event bus but no rule there takes set "
                f"{destination.configuration_set}'s events (source aws.ses): the events are dropped",
                fix,
            )
        ]
    enabled = [r for r in rules if r.enabled]
    if not enabled:
        names = ", ".join(r.name for r in rules)
        return [
            Problem(
                "rule-disabled",
                subject,
                f"the rule(s) matching SES events ({names}) are disabled: the events are dropped",
                f"aws events enable-rule --name {rules[0].name} (or {fix})",
            )
        ]
    wanted = {name for name, kind in detail_types.items() if sesv2_type(kind) in destination.event_types}
    matching = [r for r in enabled if r.detail_types is None or r.detail_types & wanted]
    covered = set().union(*(r.detail_types or wanted for r in matching))
    problems: list[Problem] = []
    if wanted - covered:
        problems.append(
            Problem(
                "rule-pattern-mismatch",
                subject,
                f"no enabled rule matches {', '.join(sorted(wanted - covered))}, which the destination "
                "publishes: those events are dropped",
                f"{fix} --event-types ... (the destination's types)",
            )
        )
    for rule in matching:
        problems += _target_problems(state, rule, fix)
    return problems


def _target_problems(state: State, rule: RuleState, fix: str) -> list[Problem]:
    if not rule.targets:
        return [
            Problem("rule-no-target", f"rule {rule.name}", "has no target: what it matches goes nowhere", fix)
        ]
    own = arns.queue_arn(state.region, state.account, "")
    problems: list[Problem] = []
    for target in rule.targets:
        if not target.arn.startswith(own):
            continue  # another kind of target (or another account's queue): not sesops' to judge
        name = arns.arn_name(target.arn)
        queue = state.queue(name)
        subject = f"rule {rule.name} -> sqs {name}"
        if queue is None:
            problems.append(Problem("target-queue-missing", subject, "the target queue does not exist", fix))
            continue
        if not policies.allows(
            policies.parse(queue.attributes.get("Policy")),
            service="events.amazonaws.com",
            action="sqs:SendMessage",
            resource=target.arn,
            source_arn=rule.arn,
        ):
            problems.append(
                Problem(
                    "queue-policy-missing-rule",
                    subject,
                    "the queue policy does not let the rule send (events.amazonaws.com, aws:SourceArn): "
                    "EventBridge drops every event",
                    f"{fix.replace('QUEUE', name)} adds the statement",
                )
            )
        if not queue.attributes.get("RedrivePolicy"):
            problems.append(
                Problem(
                    "queue-no-dlq",
                    subject,
                    "no dead-letter queue: a message the drain cannot handle is retried forever",
                    f"{fix.replace('QUEUE', name)} adds {arns.dlq_name(name)} and the redrive",
                )
            )
    return problems


def firehose_problems(state: State, destination: EventDestinationState, stream_arn: str) -> list[Problem]:
    """The stream (exists, ACTIVE, its role and bucket), then the role SES puts records with."""
    subject = _subject(destination)
    fix = _hint(state, destination, "--firehose BUCKET")
    stream_name = arns.resource_name(stream_arn)
    stream = state.streams.get(stream_name)
    problems: list[Problem] = []
    if stream is None:
        problems.append(
            Problem("stream-missing", subject, f"delivery stream {stream_name} does not exist", fix)
        )
    elif stream.status != "ACTIVE":
        wait = "wait until it is ACTIVE" if stream.status == "CREATING" else f"delete it, then {fix}"
        problems.append(
            Problem("stream-not-active", subject, f"delivery stream {stream_name} is {stream.status}", wait)
        )
    if stream is not None and stream.role_arn:
        bucket_arn = stream.bucket_arn or ""
        problems += _role_problems(
            state,
            arns.resource_name(stream.role_arn),
            "firehose.amazonaws.com",
            ("s3:PutObject", f"{bucket_arn}/{stream.prefix}YYYY/MM/DD/HH/object"),
            {"source_account": state.account},
            fix,
        )
        bucket = arns.resource_name(bucket_arn) if bucket_arn else ""
        if bucket and not state.buckets.get(bucket, True):
            problems.append(
                Problem("bucket-missing", f"stream {stream_name}", f"bucket {bucket} does not exist", fix)
            )
    if destination.role_arn:
        source = arns.configuration_set_arn(state.region, state.account, destination.configuration_set)
        problems += _role_problems(
            state,
            arns.resource_name(destination.role_arn),
            "ses.amazonaws.com",
            ("firehose:PutRecordBatch", stream_arn),
            {"source_account": state.account, "source_arn": source},
            fix,
        )
    return problems


def _role_problems(
    state: State,
    name: str,
    service: str,
    needs: tuple[str, str],
    conditions: Mapping[str, str],
    fix: str,
) -> list[Problem]:
    """The role exists, lets ``service`` assume it, and (inline) allows ``needs`` (action, resource)."""
    role = state.roles.get(name)
    subject = f"role {name}"
    if role is None:
        return [Problem("role-missing", subject, f"does not exist: {service} cannot deliver", fix)]
    problems: list[Problem] = []
    if not policies.trusts(role.trust, service, **conditions):
        problems.append(
            Problem("role-trust", subject, f"its trust policy does not let {service} assume it", fix)
        )
    action, resource = needs
    if not role.attached and not policies.grants(role.policies.values(), action, resource):
        problems.append(
            Problem("role-no-permission", subject, f"no policy allows {action} on {resource}", fix)
        )
    return problems
