"""The doctor of EventBridge and Firehose channels (pure): one break at a time, its code and fix;
and the policy builders and checks behind it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from sesops.aws import policies
from sesops.aws.doctor import diagnose
from sesops.aws.state import QueueState, RoleState, State, StreamState
from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES
from tests.aws.channel_states import ACCOUNT, QUEUE_ARN, REGION, RULE_ARN, provisioned

STREAM_ARN = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/sesops-cs"


def problems(state: State) -> list[tuple[str, str]]:
    return [(p.code, p.subject) for p in diagnose(state, detail_types=EVENTBRIDGE_DETAIL_TYPES)]


def test_a_provisioned_set_is_healthy() -> None:
    assert problems(provisioned()) == []


def with_rule(state: State, **changes: Any) -> State:
    (rule,) = state.rules or ()
    return dataclasses.replace(state, rules=(dataclasses.replace(rule, **changes),))


def with_queue(state: State, **attributes: str) -> State:
    queue = state.queues["ses-events"]
    assert queue is not None
    changed = QueueState(queue.name, queue.url, queue.arn, {**queue.attributes, **attributes})
    return dataclasses.replace(state, queues={**state.queues, "ses-events": changed})


def with_destination(state: State, name: str, **changes: Any) -> State:
    destinations = tuple(
        dataclasses.replace(d, **changes) if d.name == name else d
        for d in state.configuration_sets["cs"] or ()
    )
    return dataclasses.replace(state, configuration_sets={"cs": destinations})


def with_stream(state: State, **changes: Any) -> State:
    stream = state.streams["sesops-cs"]
    assert stream is not None
    return dataclasses.replace(state, streams={"sesops-cs": dataclasses.replace(stream, **changes)})


def with_role(state: State, name: str, role: RoleState | None) -> State:
    return dataclasses.replace(state, roles={**state.roles, name: role})


def role(name: str) -> RoleState:
    found = provisioned().roles[name]
    assert found is not None
    return found


EB = "cs/sesops-eventbridge"
FH = "cs/sesops-firehose"
BREAKS: dict[str, tuple[Callable[[State], State], list[tuple[str, str]], str]] = {
    "no rule": (lambda s: dataclasses.replace(s, rules=()), [("rule-missing", EB)], "--eventbridge QUEUE"),
    "rule disabled": (
        lambda s: with_rule(s, enabled=False),
        [("rule-disabled", EB)],
        "aws events enable-rule --name sesops-cs",
    ),
    "rule narrower than the destination": (
        lambda s: with_rule(s, pattern={"source": ["aws.ses"], "detail-type": ["Email Bounced"]}),
        [("rule-pattern-mismatch", EB)],
        "--event-types",
    ),
    "rule with no target": (
        lambda s: with_rule(s, targets=()),
        [("rule-no-target", "rule sesops-cs")],
        "--eventbridge QUEUE",
    ),
    "target queue gone": (
        lambda s: dataclasses.replace(s, queues={}),
        [("target-queue-missing", "rule sesops-cs -> sqs ses-events")],
        "--eventbridge QUEUE",
    ),
    "queue policy for another rule": (
        lambda s: with_queue(
            s,
            Policy=policies.dumps(
                policies.with_statement(None, policies.rule_send_statement(QUEUE_ARN, RULE_ARN + "-other"))
            ),
        ),
        [("queue-policy-missing-rule", "rule sesops-cs -> sqs ses-events")],
        "--eventbridge ses-events adds the statement",
    ),
    "no dead-letter queue": (
        lambda s: with_queue(s, RedrivePolicy=""),
        [("queue-no-dlq", "rule sesops-cs -> sqs ses-events")],
        "adds ses-events-dlq",
    ),
    "EventBridge destination disabled": (
        lambda s: with_destination(s, "sesops-eventbridge", enabled=False),
        [("destination-disabled", EB)],
        "enables it",
    ),
    "stream gone": (
        lambda s: dataclasses.replace(s, streams={"sesops-cs": None}),
        [("stream-missing", FH)],
        "--firehose BUCKET",
    ),
    "stream still creating": (
        lambda s: with_stream(s, status="CREATING"),
        [("stream-not-active", FH)],
        "wait until it is ACTIVE",
    ),
    "stream failed": (
        lambda s: with_stream(s, status="CREATING_FAILED"),
        [("stream-not-active", FH)],
        "delete it, then",
    ),
    "bucket gone": (
        lambda s: dataclasses.replace(s, buckets={"archive": False}),
        [("bucket-missing", "stream sesops-cs")],
        "--firehose BUCKET",
    ),
    "SES role gone": (
        lambda s: with_role(s, "sesops-ses-cs", None),
        [("role-missing", "role sesops-ses-cs")],
        "--firehose BUCKET",
    ),
    "SES role trusts another configuration set": (
        lambda s: with_role(
            s,
            "sesops-ses-cs",
            dataclasses.replace(
                role("sesops-ses-cs"),
                trust=policies.trust_policy(
                    "ses.amazonaws.com",
                    account=ACCOUNT,
                    source_arn=f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/other",
                ),
            ),
        ),
        [("role-trust", "role sesops-ses-cs")],
        "--firehose BUCKET",
    ),
    "SES role may put to another stream": (
        lambda s: with_role(
            s,
            "sesops-ses-cs",
            dataclasses.replace(
                role("sesops-ses-cs"),
                policies={"p": policies.ses_firehose_policy(STREAM_ARN + "-other")},
            ),
        ),
        [("role-no-permission", "role sesops-ses-cs")],
        "--firehose BUCKET",
    ),
    "Firehose role may write another prefix": (
        lambda s: with_role(
            s,
            "sesops-firehose-cs",
            dataclasses.replace(
                role("sesops-firehose-cs"),
                policies={"p": policies.firehose_s3_policy("arn:aws:s3:::archive", "other/")},
            ),
        ),
        [("role-no-permission", "role sesops-firehose-cs")],
        "--firehose BUCKET",
    ),
    "Firehose destination disabled": (
        lambda s: with_destination(s, "sesops-firehose", enabled=False),
        [("destination-disabled", FH)],
        "--firehose BUCKET enables it",
    ),
}


@pytest.mark.parametrize("case", BREAKS.values(), ids=BREAKS.keys())
def test_each_break_is_named_with_its_fix(
    case: tuple[Callable[[State], State], list[tuple[str, str]], str],
) -> None:
    breaks, expected, fix = case
    state = breaks(provisioned())
    assert problems(state) == expected
    assert all(fix in p.fix for p in diagnose(state, detail_types=EVENTBRIDGE_DETAIL_TYPES))


def test_a_managed_policy_on_a_role_is_not_second_guessed() -> None:
    emptied = dataclasses.replace(role("sesops-ses-cs"), policies={}, attached=True)
    assert problems(with_role(provisioned(), "sesops-ses-cs", emptied)) == []


def test_a_rule_matching_every_ses_event_covers_the_destination() -> None:
    assert problems(with_rule(provisioned(), pattern={"source": ["aws.ses"]})) == []


def test_a_rule_limited_to_another_configuration_set_does_not_count() -> None:
    other = {"source": ["aws.ses"], "detail": {"mail": {"tags": {"ses:configuration-set": ["other"]}}}}
    assert problems(with_rule(provisioned(), pattern=other)) == [("rule-missing", EB)]
    own = {**other, "detail": {"mail": {"tags": {"ses:configuration-set": ["other", "cs"]}}}}
    assert problems(with_rule(provisioned(), pattern=own)) == []


def test_without_the_detail_type_table_the_pattern_is_not_judged() -> None:
    narrower = with_rule(provisioned(), pattern={"source": ["aws.ses"], "detail-type": ["Email Sent"]})
    assert diagnose(narrower) == []


def test_rules_not_read_are_not_reported_missing() -> None:
    assert problems(dataclasses.replace(provisioned(), rules=None)) == []


def test_a_stream_on_another_bucket_is_checked_there() -> None:
    stream = StreamState("sesops-cs", STREAM_ARN, "ACTIVE", bucket_arn="arn:aws:s3:::elsewhere")
    state = dataclasses.replace(provisioned(), streams={"sesops-cs": stream})
    assert problems(state) == []  # no role on the stream, and the bucket was not read: nothing claimed


# -- policies ---------------------------------------------------------------------------------


def test_policy_checks() -> None:
    stream_policy = policies.ses_firehose_policy(STREAM_ARN)
    assert policies.grants([stream_policy], "firehose:PutRecordBatch", STREAM_ARN)
    assert not policies.grants([stream_policy], "firehose:DeleteDeliveryStream", STREAM_ARN)
    write = policies.firehose_s3_policy("arn:aws:s3:::archive", "ses/")
    assert policies.grants([write], "s3:PutObject", "arn:aws:s3:::archive/ses/2026/11/01/00/x.gz")
    assert not policies.grants([write], "s3:PutObject", "arn:aws:s3:::archive/other/x")
    assert not policies.grants(
        [{"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}], "s3:PutObject", "x"
    )
    trust = policies.trust_policy("ses.amazonaws.com", account=ACCOUNT, source_arn="arn:cs")
    assert policies.trusts(trust, "ses.amazonaws.com", source_account=ACCOUNT, source_arn="arn:cs")
    assert not policies.trusts(trust, "ses.amazonaws.com", source_account="999999999999", source_arn="arn:cs")
    assert not policies.trusts(trust, "firehose.amazonaws.com", source_account=ACCOUNT, source_arn="arn:cs")
    statement = policies.rule_send_statement(QUEUE_ARN, RULE_ARN)
    assert statement["Sid"] == "AllowEventBridgeRule-sesops-cs"
    granted = policies.with_statement(None, statement)
    assert policies.allows(
        granted,
        service="events.amazonaws.com",
        action="sqs:SendMessage",
        resource=QUEUE_ARN,
        source_arn=RULE_ARN,
    )
    assert not policies.allows(
        granted,
        service="sns.amazonaws.com",
        action="sqs:SendMessage",
        resource=QUEUE_ARN,
        source_arn=RULE_ARN,
    )
