"""Reading and applying a configuration set's EventBridge and Firehose channels under failing AWS
(Stubber): every call of read_channels, the absent answers, and the Applier's waits."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from sesops.aws.apply import Applier
from sesops.aws.plan import Change
from sesops.aws.readback_channels import Channels, read_channels
from sesops.aws.state import EventDestinationState, RuleState, StreamState, TargetState
from sesops.errors import AwsError, ProvisionError
from tests.aws.stubbing import (
    ACCOUNT,
    DENIED,
    QUEUE_ARN,
    REGION,
    ROLE_ARN,
    RULE_ARN,
    STREAM_ARN,
    THROTTLED,
    Failure,
    Stubs,
)

PATTERN = {"source": ["aws.ses"], "detail-type": ["Email Bounced"]}
TRUST = {"Version": "2012-10-17", "Statement": []}
ROLE = {
    "Path": "/",
    "RoleName": "sesops-firehose-cs",
    "RoleId": "AROA0000000000EXAMPLE",
    "Arn": ROLE_ARN,
    "CreateDate": "2026-11-01T00:00:00Z",
    "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D",
}
STREAM = {
    "DeliveryStreamDescription": {
        "DeliveryStreamName": "sesops-cs",
        "DeliveryStreamARN": STREAM_ARN,
        "DeliveryStreamStatus": "ACTIVE",
        "DeliveryStreamType": "DirectPut",
        "VersionId": "3",
        "Destinations": [
            {
                "DestinationId": "destinationId-000000000001",
                "ExtendedS3DestinationDescription": {
                    "RoleARN": ROLE_ARN,
                    "BucketARN": "arn:aws:s3:::archive",
                    "Prefix": "ses/",
                    "CompressionFormat": "GZIP",
                    "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 300},
                    "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
                },
            }
        ],
        "HasMoreDestinations": False,
    }
}
# Every call read_channels makes for one EventBridge and one Firehose destination, in order:
# (service, boto3 method, its answer, the IAM action, the resource named).
CHANNEL_CALLS: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "events",
        "list_rules",
        {
            "Rules": [
                {
                    "Name": "sesops-cs",
                    "Arn": RULE_ARN,
                    "EventPattern": json.dumps(PATTERN),
                    "State": "ENABLED",
                },
                {"Name": "nightly", "Arn": RULE_ARN + "-n", "ScheduleExpression": "rate(1 day)"},
                {"Name": "ec2", "Arn": RULE_ARN + "-e", "EventPattern": '{"source":["aws.ec2"]}'},
            ]
        },
        "events:ListRules",
        "default event bus",
    ),
    (
        "events",
        "list_targets_by_rule",
        {"Targets": [{"Id": "sesops-sqs", "Arn": QUEUE_ARN}]},
        "events:ListTargetsByRule",
        "sesops-cs",
    ),
    ("firehose", "describe_delivery_stream", STREAM, "firehose:DescribeDeliveryStream", "sesops-cs"),
    ("iam", "get_role", {"Role": ROLE}, "iam:GetRole", "sesops-firehose-cs"),
    ("iam", "list_role_policies", {"PolicyNames": ["write"]}, "iam:ListRolePolicies", "sesops-firehose-cs"),
    (
        "iam",
        "get_role_policy",
        {"RoleName": "sesops-firehose-cs", "PolicyName": "write", "PolicyDocument": json.dumps(TRUST)},
        "iam:GetRolePolicy",
        "sesops-firehose-cs/write",
    ),
    (
        "iam",
        "list_attached_role_policies",
        {"AttachedPolicies": []},
        "iam:ListAttachedRolePolicies",
        "sesops-firehose-cs",
    ),
    ("s3", "head_bucket", {}, "s3:HeadBucket", "archive"),
]
DESTINATIONS = [
    EventDestinationState("cs", "eb", True, ("BOUNCE",), event_bus_arn="arn:aws:events:::event-bus/default"),
    EventDestinationState("cs", "fh", True, ("BOUNCE",), stream_arn=STREAM_ARN, role_arn=ROLE_ARN),
]


def answer_until(stubs: Stubs, failing: int, failure: Failure | None) -> None:
    for service, method, response, *_ in CHANNEL_CALLS[:failing]:
        stubs(service).add_response(method, copy.deepcopy(response))  # botocore decodes IAM's in place
    if failure is not None:
        stubs.fail(*CHANNEL_CALLS[failing][:2], failure)


def read(stubs: Stubs) -> Channels:
    return read_channels(stubs.session, REGION, ACCOUNT, DESTINATIONS)


def test_the_table_is_every_call_read_channels_makes(stubs: Stubs) -> None:
    answer_until(stubs, len(CHANNEL_CALLS), None)
    found = read(stubs)
    assert found.rules == (
        RuleState("sesops-cs", RULE_ARN, True, PATTERN, (TargetState("sesops-sqs", QUEUE_ARN),)),
    )
    assert found.queues == ["feedback"]
    assert found.streams == {
        "sesops-cs": StreamState(
            "sesops-cs",
            STREAM_ARN,
            "ACTIVE",
            "3",
            "destinationId-000000000001",
            "arn:aws:s3:::archive",
            ROLE_ARN,
            "ses/",
            "GZIP",
        )
    }
    role = found.roles["sesops-firehose-cs"]
    assert role is not None and role.trust == TRUST and role.policies == {"write": TRUST}
    assert found.buckets == {"archive": True}


@pytest.mark.parametrize(
    ("failing", "failure"),
    [
        pytest.param(index, failure, id=f"{call[1]}-{failure.code}")
        for index, call in enumerate(CHANNEL_CALLS)
        for failure in (THROTTLED, DENIED)
    ],
)
def test_read_channels_failures(stubs: Stubs, failing: int, failure: Failure) -> None:
    answer_until(stubs, failing, failure)
    *_, action, resource = CHANNEL_CALLS[failing]
    with pytest.raises(AwsError, match=failure.expected(action, resource)):
        read(stubs)


# (failing call, its "does not exist" answer, the calls then not made, what reads back)
ABSENT: dict[str, tuple[int, Failure, tuple[int, ...], Any]] = {
    "stream": (
        2,
        Failure("ResourceNotFoundException", 400, ""),
        (7,),  # no stream: no bucket to look at; the destination's role is still read
        lambda c: c.streams == {"sesops-cs": None} and c.buckets == {},
    ),
    "role": (
        3,
        Failure("NoSuchEntity", 404, ""),
        (4, 5, 6),
        lambda c: c.roles == {"sesops-firehose-cs": None},
    ),
    "bucket": (7, Failure("404", 404, ""), (), lambda c: c.buckets == {"archive": False}),
}


@pytest.mark.parametrize("case", ABSENT.values(), ids=ABSENT.keys())
def test_missing_resources_read_back_as_absent(
    stubs: Stubs, case: tuple[int, Failure, tuple[int, ...], Any]
) -> None:
    failing, failure, skipped, absent = case
    answer_until(stubs, failing, failure)
    for index in range(failing + 1, len(CHANNEL_CALLS)):
        if index not in skipped:
            service, method, response, *_ = CHANNEL_CALLS[index]
            stubs(service).add_response(method, copy.deepcopy(response))
    assert absent(read(stubs))


def test_nothing_to_follow_makes_no_call(stubs: Stubs) -> None:
    assert read_channels(stubs.session, REGION, ACCOUNT, []) == Channels()


# -- the Applier: retries while a new role propagates, waits for a stream ----------------------

S3 = {"RoleARN": ROLE_ARN, "BucketARN": "arn:aws:s3:::archive", "CompressionFormat": "GZIP"}
CREATE_STREAM = Change(
    "create", "delivery stream", "sesops-cs", "", "create_stream", {"name": "sesops-cs", "s3": S3}
)
NOT_ASSUMABLE = "Firehose is unable to assume role arn:aws:iam::123456789012:role/sesops-firehose-cs."


def status_answer(status: str) -> dict[str, Any]:
    description = dict(STREAM["DeliveryStreamDescription"], DeliveryStreamStatus=status)
    return {"DeliveryStreamDescription": description}


def applier(stubs: Stubs, slept: list[float]) -> Applier:
    applier = Applier(REGION, stubs.session)
    applier.sleep = slept.append
    return applier


def test_a_new_role_is_retried_until_assumable_then_the_stream_awaited(stubs: Stubs) -> None:
    firehose = stubs("firehose")
    for _ in range(2):
        firehose.add_client_error("create_delivery_stream", "InvalidArgumentException", NOT_ASSUMABLE)
    firehose.add_response("create_delivery_stream", {"DeliveryStreamARN": STREAM_ARN})
    firehose.add_response("describe_delivery_stream", status_answer("CREATING"))
    firehose.add_response("describe_delivery_stream", status_answer("ACTIVE"))
    slept: list[float] = []
    assert applier(stubs, slept).run([CREATE_STREAM]) == [CREATE_STREAM]
    assert slept == [5.0, 5.0, 5.0]


def test_a_role_never_assumable_fails_naming_the_call(stubs: Stubs) -> None:
    firehose = stubs("firehose")
    for _ in range(3):
        firehose.add_client_error("create_delivery_stream", "InvalidArgumentException", NOT_ASSUMABLE)
    slept: list[float] = []
    run = applier(stubs, slept)
    run.role_wait = 10.0
    with pytest.raises(AwsError, match=r"^firehose:CreateDeliveryStream delivery stream sesops-cs: Invalid"):
        run.run([CREATE_STREAM])
    assert slept == [5.0, 5.0]


def test_another_invalid_argument_is_not_retried(stubs: Stubs) -> None:
    stubs("firehose").add_client_error("create_delivery_stream", "InvalidArgumentException", "bad prefix")
    slept: list[float] = []
    with pytest.raises(AwsError, match="bad prefix"):
        applier(stubs, slept).run([CREATE_STREAM])
    assert slept == []


@pytest.mark.parametrize(
    ("statuses", "error"),
    [
        (["CREATING"] * 3, r"sesops-cs is CREATING after 10 s; rerun provision once it is ACTIVE"),
        (["CREATING_FAILED"], r"sesops-cs is CREATING_FAILED after 0 s; delete it and rerun"),
    ],
)
def test_a_stream_that_does_not_become_active(stubs: Stubs, statuses: list[str], error: str) -> None:
    firehose = stubs("firehose")
    firehose.add_response("create_delivery_stream", {"DeliveryStreamARN": STREAM_ARN})
    for status in statuses:
        firehose.add_response("describe_delivery_stream", status_answer(status))
    run = applier(stubs, [])
    run.stream_wait = 10.0
    with pytest.raises(ProvisionError, match=error):
        run.run([CREATE_STREAM])


def test_a_refused_target_is_an_error_not_a_silent_success(stubs: Stubs) -> None:
    stubs("events").add_response(
        "put_targets",
        {
            "FailedEntryCount": 1,
            "FailedEntries": [
                {"TargetId": "sesops-sqs", "ErrorCode": "ValidationException", "ErrorMessage": "no"}
            ],
        },
    )
    step = Change(
        "create",
        "rule target",
        "r",
        "",
        "put_target",
        {"rule": "sesops-cs", "id": "sesops-sqs", "arn": QUEUE_ARN},
    )
    with pytest.raises(
        AwsError, match=r"^events:PutTargets sesops-cs: target sesops-sqs refused: Validation"
    ):
        Applier(REGION, stubs.session).run([step])


def test_a_bucket_outside_us_east_1_names_its_region(stubs: Stubs) -> None:
    stubs("s3", "eu-west-1").add_response(
        "create_bucket",
        {},
        {"Bucket": "archive", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}},
    )
    step = Change("create", "bucket", "archive", "", "create_bucket", {"name": "archive"})
    assert Applier("eu-west-1", stubs.session).run([step]) == [step]


def test_a_bucket_of_another_account_says_so(stubs: Stubs) -> None:
    stubs("s3").add_client_error("head_bucket", "403", "Forbidden", http_status_code=403)
    with pytest.raises(
        AwsError, match=r"^s3:HeadBucket archive: 403: .*another account may own it\)\. Pick another"
    ):
        read_channels(stubs.session, REGION, ACCOUNT, [], buckets=["archive"])
