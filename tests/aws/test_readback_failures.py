"""Reading an account under failing AWS (Stubber): every call of read_state, and its callers.

A call that fails names itself and the fix; a "does not exist" answer where absence is a
normal state (topic, queue, configuration set) reads back as None instead.
"""

from __future__ import annotations

from typing import Any

import pytest

from sesops.aws.identities import list_identities
from sesops.aws.plan import Spec
from sesops.aws.provision import provision
from sesops.aws.readback import account_id, read_queues, read_state
from sesops.aws.state import State
from sesops.aws.status import status
from sesops.aws.teardown import teardown
from sesops.errors import AwsError
from tests.aws.stubbing import (
    ACCOUNT,
    DENIED,
    EXPIRED,
    MISSING_QUEUE,
    MISSING_TOPIC,
    MISSING_V2,
    QUEUE_ARN,
    QUEUE_URL,
    REGION,
    SUBSCRIPTION,
    THROTTLED,
    TOPIC,
    Failure,
    Stubs,
)

NOTIFICATION = {
    "BounceTopic": TOPIC,
    "ComplaintTopic": TOPIC,
    "DeliveryTopic": "",
    "ForwardingEnabled": False,
    "HeadersInBounceNotificationsEnabled": True,
    "HeadersInComplaintNotificationsEnabled": True,
    "HeadersInDeliveryNotificationsEnabled": False,
}
# Every call read_state makes for one domain, one topic, one queue and one configuration set,
# in order: (service, boto3 method, its answer, the IAM action, the resource named).
READ_STATE_CALLS: list[tuple[str, str, dict[str, Any], str, str | None]] = [
    ("sts", "get_caller_identity", {"Account": ACCOUNT}, "sts:GetCallerIdentity", None),
    ("ses", "list_identities", {"Identities": ["example.com"]}, "ses:ListIdentities", None),
    (
        "ses",
        "get_identity_verification_attributes",
        {"VerificationAttributes": {"example.com": {"VerificationStatus": "Success"}}},
        "ses:GetIdentityVerificationAttributes",
        None,
    ),
    (
        "ses",
        "get_identity_notification_attributes",
        {"NotificationAttributes": {"example.com": NOTIFICATION}},
        "ses:GetIdentityNotificationAttributes",
        None,
    ),
    (
        "sesv2",
        "get_email_identity",
        {"ConfigurationSetName": "marketing"},
        "ses:GetEmailIdentity",
        "example.com",
    ),
    (
        "sns",
        "get_topic_attributes",
        {"Attributes": {"SignatureVersion": "2"}},
        "sns:GetTopicAttributes",
        TOPIC,
    ),
    (
        "sns",
        "list_subscriptions_by_topic",
        {
            "Subscriptions": [
                {"SubscriptionArn": SUBSCRIPTION, "Protocol": "sqs", "Endpoint": QUEUE_ARN, "TopicArn": TOPIC}
            ]
        },
        "sns:ListSubscriptionsByTopic",
        TOPIC,
    ),
    (
        "sns",
        "get_subscription_attributes",
        {"Attributes": {"RawMessageDelivery": "true"}},
        "sns:GetSubscriptionAttributes",
        SUBSCRIPTION,
    ),
    ("sqs", "get_queue_url", {"QueueUrl": QUEUE_URL}, "sqs:GetQueueUrl", "feedback"),
    (
        "sqs",
        "get_queue_attributes",
        {"Attributes": {"QueueArn": QUEUE_ARN}},
        "sqs:GetQueueAttributes",
        "feedback",
    ),
    (
        "sesv2",
        "get_configuration_set_event_destinations",
        {"EventDestinations": []},
        "ses:GetConfigurationSetEventDestinations",
        "marketing",
    ),
]


def answer_until(stubs: Stubs, failing: int, failure: Failure | None) -> None:
    """Queue the answers of the calls before ``failing``, then ``failure`` for that call."""
    for service, method, response, *_ in READ_STATE_CALLS[:failing]:
        stubs.ok(service, method, response)
    if failure is not None:
        stubs.fail(*READ_STATE_CALLS[failing][:2], failure)


def read(stubs: Stubs) -> State:
    return read_state(
        REGION,
        identities=["example.com"],
        topics=("ses-feedback",),
        queues=("feedback",),
        session=stubs.session,
    )


def test_the_table_is_every_call_read_state_makes(stubs: Stubs) -> None:
    answer_until(stubs, len(READ_STATE_CALLS), None)
    state = read(stubs)
    assert state.account == ACCOUNT and state.identities[0].configuration_set == "marketing"
    assert state.subscriptions[TOPIC][0].raw_delivery
    assert state.queues["feedback"] is not None and state.configuration_sets["marketing"] == ()


@pytest.mark.parametrize(
    ("failing", "failure"),
    [
        pytest.param(index, failure, id=f"{call[1]}-{failure.code}")
        for index, call in enumerate(READ_STATE_CALLS)
        for failure in (THROTTLED, DENIED)
    ],
)
def test_read_state_failures(stubs: Stubs, failing: int, failure: Failure) -> None:
    answer_until(stubs, failing, failure)
    *_, action, resource = READ_STATE_CALLS[failing]
    with pytest.raises(AwsError, match=failure.expected(action, resource)):
        read(stubs)


def test_a_vanished_subscription_is_a_failure_with_the_fix(stubs: Stubs) -> None:
    answer_until(stubs, 7, MISSING_TOPIC)
    with pytest.raises(AwsError, match=MISSING_TOPIC.expected("sns:GetSubscriptionAttributes", SUBSCRIPTION)):
        read(stubs)


# (failing call, its answer, the calls then not made, what reads back as None)
ABSENT: dict[str, tuple[int, Failure, tuple[int, ...], Any]] = {
    "configuration set": (4, MISSING_V2, (10,), lambda s: s.identities[0].configuration_set is None),
    "topic": (5, MISSING_TOPIC, (6, 7), lambda s: s.topics[TOPIC] is None and TOPIC not in s.subscriptions),
    "queue": (8, MISSING_QUEUE, (9,), lambda s: s.queues["feedback"] is None),
    "queue deleted meanwhile": (9, MISSING_QUEUE, (), lambda s: s.queues["feedback"] is None),
    "event destinations": (10, MISSING_V2, (), lambda s: s.configuration_sets["marketing"] is None),
}


@pytest.mark.parametrize("case", ABSENT.values(), ids=ABSENT.keys())
def test_missing_resources_read_back_as_none(
    stubs: Stubs, case: tuple[int, Failure, tuple[int, ...], Any]
) -> None:
    failing, failure, skipped, absent = case
    answer_until(stubs, failing, failure)
    for index in range(failing + 1, len(READ_STATE_CALLS)):
        if index not in skipped:
            stubs.ok(*READ_STATE_CALLS[index][:3])
    assert absent(read(stubs))


@pytest.mark.parametrize("failure", [THROTTLED, DENIED, EXPIRED], ids=lambda f: f.code)
def test_account_id_failures(stubs: Stubs, failure: Failure) -> None:
    stubs.fail("sts", "get_caller_identity", failure)
    with pytest.raises(AwsError, match=failure.expected("sts:GetCallerIdentity")):
        account_id(stubs.session, REGION)


@pytest.mark.parametrize("failure", [THROTTLED, DENIED], ids=lambda f: f.code)
def test_read_queues_failures(stubs: Stubs, failure: Failure) -> None:
    stubs.fail("sqs", "get_queue_url", failure)
    with pytest.raises(AwsError, match=failure.expected("sqs:GetQueueUrl", "feedback")):
        read_queues(REGION, ["feedback"], stubs.session)


def test_read_queues_reads_a_missing_queue_as_none(stubs: Stubs) -> None:
    stubs.fail("sqs", "get_queue_url", MISSING_QUEUE)
    assert read_queues(REGION, ["feedback"], stubs.session) == {"feedback": None}


@pytest.mark.parametrize(
    ("failing", "failure"),
    [
        pytest.param(index, f, id=f"{READ_STATE_CALLS[index][1]}-{f.code}")
        for index in (1, 2, 3)
        for f in (THROTTLED, DENIED)
    ],
)
def test_list_identities_failures(stubs: Stubs, failing: int, failure: Failure) -> None:
    for service, method, response, *_ in READ_STATE_CALLS[1:failing]:
        stubs.ok(service, method, response)
    stubs.fail(*READ_STATE_CALLS[failing][:2], failure)
    with pytest.raises(AwsError, match=failure.expected(READ_STATE_CALLS[failing][3])):
        list_identities(REGION, stubs.session)


@pytest.mark.parametrize(
    "run",
    [
        lambda s: provision(Spec(("example.com",)), region=REGION, session=s, dry_run=True),
        lambda s: status(["example.com"], region=REGION, session=s),
        lambda s: teardown(["example.com"], region=REGION, session=s, dry_run=True),
    ],
    ids=["provision", "status", "teardown"],
)
@pytest.mark.parametrize("failure", [THROTTLED, DENIED, EXPIRED], ids=lambda f: f.code)
def test_commands_pass_the_first_failure_on(stubs: Stubs, run: Any, failure: Failure) -> None:
    stubs.fail("sts", "get_caller_identity", failure)
    with pytest.raises(AwsError, match=failure.expected("sts:GetCallerIdentity")):
        run(stubs.session)
