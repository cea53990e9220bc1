"""A configuration set's EventBridge and Firehose channels: the pure plan, then provision ->
status -> break -> status -> teardown against moto in-process."""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
from typing import Any, TypeVar

import boto3
import pytest

from sesops.aws import policies
from sesops.aws.plan import Spec, plan
from sesops.aws.provision import provision
from sesops.aws.state import QueueState, RuleState, State
from sesops.aws.status import status
from sesops.aws.teardown import teardown
from sesops.errors import ProvisionError
from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES
from sesops.sandbox.server import Sandbox
from tests.aws.channel_states import (
    ACCOUNT,
    BOTH,
    EVENTBRIDGE,
    FIREHOSE,
    QUEUE_ARN,
    REGION,
    RULE_ARN,
    provisioned,
)

# -- the pure plan ---------------------------------------------------------------------------


def test_eventbridge_on_an_empty_account_builds_the_path_before_the_destination() -> None:
    steps = plan(State(region=REGION, account=ACCOUNT), EVENTBRIDGE)
    assert [(s.resource, s.op) for s in steps] == [
        ("configuration set", "create_configuration_set"),
        ("queue", "create_queue"),  # the DLQ
        ("queue", "create_queue"),
        ("rule", "put_rule"),
        ("rule target", "put_target"),
        ("event destination", "create_event_destination"),
    ]
    queue = steps[2].params["attributes"]
    (statement,) = json.loads(queue["Policy"])["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": RULE_ARN}}
    assert json.loads(queue["RedrivePolicy"])["deadLetterTargetArn"].endswith(":ses-events-dlq")
    assert json.loads(steps[3].params["pattern"]) == {
        "source": ["aws.ses"],
        "detail-type": ["Email Bounced", "Email Complaint Received", "Email Delivery Delayed"],
        "detail": {"mail": {"tags": {"ses:configuration-set": ["cs"]}}},
    }
    assert steps[4].params == {"rule": "sesops-cs", "id": "sesops-sqs", "arn": QUEUE_ARN}
    assert steps[5].params["destination"] == {
        "Enabled": True,
        "MatchingEventTypes": ["BOUNCE", "COMPLAINT", "DELIVERY_DELAY"],
        "EventBridgeDestination": {"EventBusArn": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"},
    }


def test_firehose_on_an_empty_account_makes_least_privilege_roles() -> None:
    steps = plan(State(region=REGION, account=ACCOUNT), FIREHOSE)
    assert [s.op for s in steps] == [
        "create_configuration_set",
        "create_bucket",
        "create_role",
        "put_role_policy",
        "create_stream",
        "create_role",
        "put_role_policy",
        "create_event_destination",
    ]
    firehose_trust = json.loads(steps[2].params["trust"])["Statement"][0]
    assert firehose_trust["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert firehose_trust["Condition"] == {"StringEquals": {"sts:ExternalId": ACCOUNT}}
    write = json.loads(steps[3].params["document"])["Statement"][0]
    assert write["Resource"] == ["arn:aws:s3:::archive", "arn:aws:s3:::archive/ses/*"]
    assert "s3:PutObject" in write["Action"] and "s3:DeleteObject" not in write["Action"]
    assert steps[4].params["s3"] == {
        "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/sesops-firehose-cs",
        "BucketARN": "arn:aws:s3:::archive",
        "Prefix": "ses/",
        "CompressionFormat": "GZIP",
    }
    ses_trust = json.loads(steps[5].params["trust"])["Statement"][0]
    assert ses_trust["Condition"] == {
        "StringEquals": {
            "aws:SourceAccount": ACCOUNT,
            "aws:SourceArn": f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/cs",
        }
    }
    put = json.loads(steps[6].params["document"])["Statement"][0]
    stream_arn = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/sesops-cs"
    assert (put["Action"], put["Resource"]) == ("firehose:PutRecordBatch", stream_arn)
    assert steps[7].params["destination"]["KinesisFirehoseDestination"] == {
        "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/sesops-ses-cs",
        "DeliveryStreamArn": stream_arn,
    }


def test_no_prefix_leaves_firehose_its_own_dated_one() -> None:
    spec = dataclasses.replace(FIREHOSE, firehose_prefix="")
    stream = next(s for s in plan(State(region=REGION, account=ACCOUNT), spec) if s.op == "create_stream")
    assert "Prefix" not in stream.params["s3"] and "archive/YYYY/MM/DD/HH/" in stream.detail


def test_a_provisioned_account_plans_only_ok_steps() -> None:
    steps = plan(provisioned(), BOTH)
    assert steps and [s for s in steps if s.changes] == []


T = TypeVar("T")


def present(value: T | None) -> T:
    assert value is not None
    return value


def drifted(**changes: Any) -> State:
    return dataclasses.replace(provisioned(), **changes)


def rule(**changes: Any) -> tuple[RuleState, ...]:
    (current,) = provisioned().rules or ()
    return (dataclasses.replace(current, **changes),)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        pytest.param(drifted(rules=rule(enabled=False)), {("rule", "put_rule")}, id="rule disabled"),
        pytest.param(
            drifted(rules=rule(pattern={"source": ["aws.ses"], "detail-type": ["Email Bounced"]})),
            {("rule", "put_rule")},
            id="rule pattern narrower",
        ),
        pytest.param(drifted(rules=rule(targets=())), {("rule target", "put_target")}, id="target gone"),
        pytest.param(
            drifted(rules=()), {("rule", "put_rule"), ("rule target", "put_target")}, id="rule gone"
        ),
        pytest.param(
            drifted(
                queues={
                    **provisioned().queues,
                    "ses-events": QueueState("ses-events", "url", QUEUE_ARN, {"Policy": "{}"}),
                }
            ),
            {("queue policy", "set_queue_attributes"), ("queue redrive", "set_queue_attributes")},
            id="queue policy and redrive gone",
        ),
        pytest.param(
            drifted(
                streams={
                    "sesops-cs": dataclasses.replace(
                        present(provisioned().streams["sesops-cs"]),
                        compression="UNCOMPRESSED",
                        destination_id="d-1",
                    )
                }
            ),
            {("delivery stream", "update_stream")},
            id="stream not gzip",
        ),
        pytest.param(
            drifted(
                roles={
                    **provisioned().roles,
                    "sesops-ses-cs": dataclasses.replace(
                        present(provisioned().roles["sesops-ses-cs"]), trust={}, policies={}
                    ),
                }
            ),
            {("role trust", "update_role_trust"), ("role policy", "put_role_policy")},
            id="ses role emptied",
        ),
        pytest.param(
            drifted(configuration_sets={"cs": ()}),
            {("event destination", "create_event_destination")},
            id="destinations gone",
        ),
    ],
)
def test_plan_fixes_drift(state: State, expected: set[tuple[str, str]]) -> None:
    changes = {(s.resource, s.op) for s in plan(state, BOTH) if s.changes}
    if expected == {("event destination", "create_event_destination")}:
        assert [s.op for s in plan(state, BOTH) if s.changes] == ["create_event_destination"] * 2
    assert changes == expected


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"configuration_set": None}, r"pass --configuration-set NAME"),
        ({"event_types": ("Bounce", "Opened")}, r"unknown event type Opened; SES publishes SEND, "),
        ({"event_types": ()}, r"unknown event type \(none given\)"),
        ({"detail_types": {}}, r"no EventBridge detail-type known for Bounce, Complaint, DeliveryDelay"),
        ({"configuration_set": "c" * 50}, r"use a set name of at most 48 characters"),
        ({"eventbridge_queue": None}, r"nothing to provision"),
    ],
)
def test_spec_refuses_a_channel_it_cannot_make(changes: dict[str, Any], error: str) -> None:
    with pytest.raises(ProvisionError, match=error):
        dataclasses.replace(EVENTBRIDGE, **changes)


def test_identities_with_a_channel_make_no_sns_event_destination() -> None:
    spec = dataclasses.replace(EVENTBRIDGE, identities=("example.com",))
    destinations = [
        s for s in plan(State(region=REGION, account=ACCOUNT), spec) if s.op == "create_event_destination"
    ]
    assert [d.params["name"] for d in destinations] == ["sesops-eventbridge"]
    assert [s.resource for s in plan(State(region=REGION, account=ACCOUNT), spec)].count(
        "configuration set"
    ) == 1


# -- against moto ----------------------------------------------------------------------------


def problems(session: boto3.Session) -> list[str]:
    report = status([], configuration_sets=["cs"], session=session, detail_types=EVENTBRIDGE_DETAIL_TYPES)
    return [p.code for p in report.problems]


def test_provision_twice_then_status_is_clean(mock: boto3.Session) -> None:
    first = provision(BOTH, session=mock)
    assert len(first.applied) == 13
    second = provision(BOTH, session=mock)
    assert second.steps and [s for s in second.steps if s.changes] == [] and not second.applied
    assert problems(mock) == []
    stream = mock.client("firehose").describe_delivery_stream(DeliveryStreamName="sesops-cs")
    s3 = stream["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert (s3["Prefix"], s3["CompressionFormat"]) == ("ses/", "GZIP")


def test_status_names_each_break_and_provision_mends_it(mock: boto3.Session) -> None:
    provision(BOTH, session=mock)
    events, sqs = mock.client("events"), mock.client("sqs")
    url = sqs.get_queue_url(QueueName="ses-events")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert problems(mock) == ["queue-policy-missing-rule"]
    narrower = {"source": ["aws.ses"], "detail-type": ["Email Bounced"]}
    events.put_rule(Name="sesops-cs", EventPattern=json.dumps(narrower))
    assert problems(mock) == ["rule-pattern-mismatch", "queue-policy-missing-rule"]
    events.disable_rule(Name="sesops-cs")
    assert problems(mock) == ["rule-disabled"]
    events.remove_targets(Rule="sesops-cs", Ids=["sesops-sqs"])
    events.delete_rule(Name="sesops-cs")
    assert problems(mock) == ["rule-missing"]
    mock.client("iam").delete_role_policy(RoleName="sesops-ses-cs", PolicyName=policies.SES_FIREHOSE_POLICY)
    assert problems(mock) == ["rule-missing", "role-no-permission"]
    mended = provision(BOTH, session=mock)
    assert [s.op for s in mended.applied] == [
        "set_queue_attributes",
        "put_rule",
        "put_target",
        "put_role_policy",
    ]
    assert problems(mock) == []


def test_a_disabled_destination_and_a_missing_stream(mock: boto3.Session) -> None:
    provision(FIREHOSE, session=mock)
    mock.client("firehose").delete_delivery_stream(DeliveryStreamName="sesops-cs")
    assert problems(mock) == ["stream-missing"]
    mock.client("sesv2").update_configuration_set_event_destination(
        ConfigurationSetName="cs",
        EventDestinationName="sesops-firehose",
        EventDestination={
            "Enabled": False,
            "MatchingEventTypes": ["BOUNCE"],
            "KinesisFirehoseDestination": {
                "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/sesops-ses-cs",
                "DeliveryStreamArn": f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/sesops-cs",
            },
        },
    )
    assert problems(mock) == ["destination-disabled"]


def test_status_warns_when_notifications_and_eventbridge_both_carry_a_type(mock: boto3.Session) -> None:
    provision(EVENTBRIDGE, session=mock)
    mock.client("sesv2").create_email_identity(EmailIdentity="example.com", ConfigurationSetName="cs")
    assert status(["example.com"], session=mock, detail_types=EVENTBRIDGE_DETAIL_TYPES).problems[0].code == (
        "no-topic"
    )
    provision(Spec(identities=("example.com",), sqs_queue="feedback"), session=mock)
    report = status(["example.com"], session=mock, detail_types=EVENTBRIDGE_DETAIL_TYPES)
    (problem,) = report.problems
    assert problem.code == "duplicate-feedback" and "EventBridge" in problem.message
    assert "Bounce, Complaint arrive twice" in problem.message and "keep one" in problem.fix


class WriteRecorder:
    """The names of every state-changing operation a session calls."""

    def __init__(self) -> None:
        self.all: list[str] = []

    def __call__(self, model: Any, **kwargs: Any) -> None:
        self.all.append(model.name)

    @property
    def writes(self) -> list[str]:
        return [n for n in self.all if not n.startswith(("Get", "List", "Describe", "Head"))]


def test_dry_run_reads_only(mock: boto3.Session) -> None:
    recorder = WriteRecorder()
    mock.events.register("before-call.*.*", recorder)
    result = provision(BOTH, session=mock, dry_run=True)
    assert len([s for s in result.steps if s.changes]) == 13 and not result.applied
    assert {"ListRules", "DescribeDeliveryStream", "GetRole", "HeadBucket"} <= set(recorder.all)
    assert recorder.writes == []


def test_teardown_leaves_nothing_but_the_bucket(mock: boto3.Session) -> None:
    provision(BOTH, session=mock)
    planned = teardown([], configuration_set="cs", session=mock, dry_run=True)
    assert not planned.applied
    done = teardown([], configuration_set="cs", session=mock)
    assert [s.op for s in done.applied] == [
        "delete_event_destination",
        "delete_event_destination",
        "remove_targets",
        "delete_rule",
        "delete_queue",
        "delete_queue",
        "delete_stream",
        "delete_role_policy",
        "delete_role",
        "delete_role_policy",
        "delete_role",
    ]
    assert mock.client("events").list_rules()["Rules"] == []
    assert mock.client("sqs").list_queues().get("QueueUrls", []) == []
    assert mock.client("firehose").list_delivery_streams()["DeliveryStreamNames"] == []
    assert mock.client("iam").list_roles()["Roles"] == []
    assert (
        mock.client("sesv2").get_configuration_set_event_destinations(ConfigurationSetName="cs")[
            "EventDestinations"
        ]
        == []
    )
    assert [b["Name"] for b in mock.client("s3").list_buckets()["Buckets"]] == ["archive"]
    assert teardown([], configuration_set="cs", session=mock).applied == []


def test_teardown_needs_something_to_remove() -> None:
    with pytest.raises(ProvisionError, match="nothing to tear down"):
        from sesops.aws.teardown import plan_teardown

        plan_teardown(State(region=REGION, account=ACCOUNT), [])


def test_mail_with_the_set_lands_in_the_archive_as_firehose_writes_it() -> None:
    """Through the sandbox server: the stream provision made writes SES's record gzip under
    PREFIX/YYYY/MM/DD/HH/ (the sandbox routes the set's events to its Firehose destination)."""
    with Sandbox(port=0) as sb:
        session = sb.session()
        provision(FIREHOSE, session=session)
        ses = session.client("ses")
        ses.verify_domain_identity(Domain="example.com")
        message_id = ses.send_email(
            Source="sender@example.com",
            Destination={"ToAddresses": ["bounce@simulator.amazonses.com"]},
            Message={"Subject": {"Data": "archived"}, "Body": {"Text": {"Data": "hello"}}},
            ConfigurationSetName="cs",
        )["MessageId"]
        s3 = session.client("s3")
        (listed,) = s3.list_objects_v2(Bucket="archive")["Contents"]
        body = s3.get_object(Bucket="archive", Key=listed["Key"])["Body"].read()
    assert re.fullmatch(r"ses/\d{4}/\d{2}/\d{2}/\d{2}/sesops-cs-.+\.gz", listed["Key"]), listed["Key"]
    (record,) = [json.loads(line) for line in gzip.decompress(body).splitlines()]
    assert (record["eventType"], record["mail"]["messageId"]) == ("Bounce", message_id)


def test_two_sets_on_the_default_bus_each_get_only_their_own_events() -> None:
    """Every set publishing to EventBridge shares the default bus: each rule takes its own set's
    events only (by the ses:configuration-set tag), so neither queue gets the other's mail."""
    queues = {"cs": "ses-events", "cs2": "ses-events-2"}
    with Sandbox(port=0) as sb:
        session = sb.session()
        for config_set, queue in queues.items():
            provision(
                dataclasses.replace(EVENTBRIDGE, configuration_set=config_set, eventbridge_queue=queue),
                session=session,
            )
        ses = session.client("ses")
        ses.verify_domain_identity(Domain="example.com")
        sent = {
            config_set: ses.send_email(
                Source="sender@example.com",
                Destination={"ToAddresses": ["bounce@simulator.amazonses.com"]},
                Message={"Subject": {"Data": config_set}, "Body": {"Text": {"Data": "hello"}}},
                ConfigurationSetName=config_set,
            )["MessageId"]
            for config_set in queues
        }
        sqs = session.client("sqs")
        for config_set, queue in queues.items():
            url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            ids = {json.loads(m["Body"])["detail"]["mail"]["messageId"] for m in got}
            assert ids == {sent[config_set]}, config_set
