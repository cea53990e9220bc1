"""Applier.run under failing AWS (Stubber): every operation a plan step can carry."""

from __future__ import annotations

from typing import Any

import pytest

from sesops.aws.apply import Applier
from sesops.aws.plan import Change
from sesops.errors import AwsError, ProvisionError
from tests.aws.stubbing import (
    DENIED,
    MISSING_QUEUE,
    MISSING_RESOURCE,
    MISSING_ROLE,
    MISSING_TOPIC,
    MISSING_V2,
    QUEUE_ARN,
    QUEUE_URL,
    REGION,
    ROLE_ARN,
    SUBSCRIPTION,
    THROTTLED,
    TOPIC,
    Failure,
    Stubs,
)

S3 = {"RoleARN": ROLE_ARN, "BucketARN": "arn:aws:s3:::archive", "CompressionFormat": "GZIP"}
DESTINATION = {"Enabled": True, "MatchingEventTypes": ["BOUNCE"], "SnsDestination": {"TopicArn": TOPIC}}
# op -> (params, (service, boto3 method, IAM action), the "does not exist" answer or None)
OPS: dict[str, tuple[dict[str, Any], tuple[str, str, str], Failure | None]] = {
    "create_topic": ({"name": "t", "attributes": {}}, ("sns", "create_topic", "sns:CreateTopic"), None),
    "set_topic_attribute": (
        {"arn": TOPIC, "name": "SignatureVersion", "value": "2"},
        ("sns", "set_topic_attributes", "sns:SetTopicAttributes"),
        MISSING_TOPIC,
    ),
    "delete_topic": ({"arn": TOPIC}, ("sns", "delete_topic", "sns:DeleteTopic"), MISSING_TOPIC),
    "create_queue": ({"name": "q", "attributes": {}}, ("sqs", "create_queue", "sqs:CreateQueue"), None),
    "set_queue_attributes": (
        {"name": "q", "attributes": {"RedrivePolicy": "{}"}},
        ("sqs", "get_queue_url", "sqs:GetQueueUrl"),  # its first call
        MISSING_QUEUE,
    ),
    "delete_queue": ({"name": "q"}, ("sqs", "get_queue_url", "sqs:GetQueueUrl"), MISSING_QUEUE),
    "subscribe": (
        {"topic_arn": TOPIC, "protocol": "sqs", "endpoint": QUEUE_ARN, "attributes": {}},
        ("sns", "subscribe", "sns:Subscribe"),
        MISSING_TOPIC,
    ),
    "set_subscription_attribute": (
        {"arn": SUBSCRIPTION, "name": "RawMessageDelivery", "value": "false"},
        ("sns", "set_subscription_attributes", "sns:SetSubscriptionAttributes"),
        MISSING_TOPIC,
    ),
    "unsubscribe": ({"arn": SUBSCRIPTION}, ("sns", "unsubscribe", "sns:Unsubscribe"), MISSING_TOPIC),
    "create_identity": (
        {"identity": "example.com"},
        ("ses", "verify_domain_identity", "ses:VerifyDomainIdentity"),
        None,
    ),
    "set_notification_topic": (
        {"identity": "example.com", "type": "Bounce", "topic_arn": TOPIC},
        ("ses", "set_identity_notification_topic", "ses:SetIdentityNotificationTopic"),
        None,
    ),
    "set_headers": (
        {"identity": "example.com", "type": "Bounce", "enabled": True},
        (
            "ses",
            "set_identity_headers_in_notifications_enabled",
            "ses:SetIdentityHeadersInNotificationsEnabled",
        ),
        None,
    ),
    "set_forwarding": (
        {"identity": "example.com", "enabled": False},
        ("ses", "set_identity_feedback_forwarding_enabled", "ses:SetIdentityFeedbackForwardingEnabled"),
        None,
    ),
    "create_configuration_set": (
        {"name": "cs"},
        ("sesv2", "create_configuration_set", "ses:CreateConfigurationSet"),
        None,
    ),
    "create_event_destination": (
        {"configuration_set": "cs", "name": "d", "destination": DESTINATION},
        ("sesv2", "create_configuration_set_event_destination", "ses:CreateConfigurationSetEventDestination"),
        MISSING_V2,
    ),
    "update_event_destination": (
        {"configuration_set": "cs", "name": "d", "destination": DESTINATION},
        ("sesv2", "update_configuration_set_event_destination", "ses:UpdateConfigurationSetEventDestination"),
        MISSING_V2,
    ),
    "delete_event_destination": (
        {"configuration_set": "cs", "name": "d"},
        ("sesv2", "delete_configuration_set_event_destination", "ses:DeleteConfigurationSetEventDestination"),
        MISSING_V2,
    ),
    "put_rule": (
        {"name": "sesops-cs", "pattern": '{"source":["aws.ses"]}', "description": "d"},
        ("events", "put_rule", "events:PutRule"),
        None,
    ),
    "put_target": (
        {"rule": "sesops-cs", "id": "sesops-sqs", "arn": QUEUE_ARN},
        ("events", "put_targets", "events:PutTargets"),
        MISSING_RESOURCE,
    ),
    "remove_targets": (
        {"rule": "sesops-cs", "ids": ["sesops-sqs"]},
        ("events", "remove_targets", "events:RemoveTargets"),
        MISSING_RESOURCE,
    ),
    "delete_rule": ({"name": "sesops-cs"}, ("events", "delete_rule", "events:DeleteRule"), None),
    "create_bucket": ({"name": "archive"}, ("s3", "create_bucket", "s3:CreateBucket"), None),
    "create_role": (
        {"name": "r", "trust": "{}", "description": "d"},
        ("iam", "create_role", "iam:CreateRole"),
        None,
    ),
    "update_role_trust": (
        {"name": "r", "trust": "{}"},
        ("iam", "update_assume_role_policy", "iam:UpdateAssumeRolePolicy"),
        MISSING_ROLE,
    ),
    "put_role_policy": (
        {"role": "r", "name": "p", "document": "{}"},
        ("iam", "put_role_policy", "iam:PutRolePolicy"),
        MISSING_ROLE,
    ),
    "delete_role_policy": (
        {"role": "r", "name": "p"},
        ("iam", "delete_role_policy", "iam:DeleteRolePolicy"),
        MISSING_ROLE,
    ),
    "delete_role": ({"name": "r"}, ("iam", "delete_role", "iam:DeleteRole"), MISSING_ROLE),
    "create_stream": (
        {"name": "s", "s3": S3},
        ("firehose", "create_delivery_stream", "firehose:CreateDeliveryStream"),
        None,
    ),
    "update_stream": (
        {"name": "s", "version_id": "1", "destination_id": "d-1", "s3": S3},
        ("firehose", "update_destination", "firehose:UpdateDestination"),
        MISSING_RESOURCE,
    ),
    "delete_stream": (
        {"name": "s"},
        ("firehose", "delete_delivery_stream", "firehose:DeleteDeliveryStream"),
        MISSING_RESOURCE,
    ),
}
TABLE = [
    pytest.param(op, failure, id=f"{op}-{failure.code}")
    for op, (_, _, missing) in OPS.items()
    for failure in (THROTTLED, DENIED, *([missing] if missing else []))
]


def step(op: str, name: str = "x") -> Change:
    return Change("update", op.replace("_", " "), name, "detail", op, OPS[op][0])


def test_every_plan_operation_is_in_the_table(stubs: Stubs) -> None:
    actions = Applier(REGION, stubs.session).actions
    assert set(actions) == set(OPS)
    assert all(actions[op] == call[2] for op, (_, call, _) in OPS.items() if call[1] != "get_queue_url")


@pytest.mark.parametrize(("op", "failure"), TABLE)
def test_applier_failures(stubs: Stubs, op: str, failure: Failure) -> None:
    service, method, action = OPS[op][1]
    stubs.fail(service, method, failure)
    with pytest.raises(AwsError, match=failure.expected(action, f"{op.replace('_', ' ')} x")):
        Applier(REGION, stubs.session).run([step(op)])


def test_the_second_call_of_a_step_is_the_one_named(stubs: Stubs) -> None:
    stubs.ok("sqs", "get_queue_url", {"QueueUrl": QUEUE_URL})
    stubs.fail("sqs", "set_queue_attributes", DENIED)
    with pytest.raises(AwsError, match=DENIED.expected("sqs:SetQueueAttributes", "set queue attributes x")):
        Applier(REGION, stubs.session).run([step("set_queue_attributes")])


def test_an_email_identity_names_its_own_call(stubs: Stubs) -> None:
    stubs.fail("ses", "verify_email_identity", DENIED)
    change = Change(
        "create", "identity", "a@example.com", "new", "create_identity", {"identity": "a@example.com"}
    )
    with pytest.raises(AwsError, match=DENIED.expected("ses:VerifyEmailIdentity", "identity a@example.com")):
        Applier(REGION, stubs.session).run([change])


def test_a_failure_after_applied_steps_says_to_rerun(stubs: Stubs) -> None:
    stubs.ok("sns", "create_topic", {"TopicArn": TOPIC})
    stubs.ok("sns", "set_topic_attributes", {})
    stubs.fail("sns", "delete_topic", THROTTLED)
    steps = [
        step("create_topic"),
        Change("ok", "topic", "t", "exists"),
        step("set_topic_attribute"),
        step("delete_topic"),
    ]
    with pytest.raises(
        AwsError, match=r"retry later, .*\. \(2 earlier step\(s\) applied; rerun to continue\)$"
    ):
        Applier(REGION, stubs.session).run(steps)


def test_an_unknown_operation_is_refused_before_any_call(stubs: Stubs) -> None:
    with pytest.raises(ProvisionError, match="unknown plan operation 'drop_everything'"):
        Applier(REGION, stubs.session).run([Change("delete", "all", "x", "", "drop_everything", {})])
