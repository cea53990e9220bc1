"""provision / teardown: the pure plan, then against moto in-process and through the sandbox server."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from sesops.aws import policies
from sesops.aws.plan import Spec, plan
from sesops.aws.provision import provision
from sesops.aws.readback import read_state
from sesops.aws.state import IdentityState, QueueState, State, SubscriptionState, TopicState
from sesops.aws.teardown import plan_teardown, teardown
from sesops.errors import ProvisionError
from sesops.sandbox.server import Sandbox
from tests.sandbox_helpers import http_capture

ACCOUNT = "123456789012"
REGION = "us-east-1"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:ses-feedback"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:feedback"


# -- the pure plan ---------------------------------------------------------------------------


def provisioned_state() -> State:
    """What a finished provision of example.com with --sqs feedback looks like."""
    topic_policy = policies.with_statement(None, policies.ses_publish_statement(TOPIC, ACCOUNT))
    queue_policy = policies.with_statement(None, policies.topic_send_statement(QUEUE_ARN, TOPIC))
    return State(
        region=REGION,
        account=ACCOUNT,
        identities=(
            IdentityState(
                "example.com",
                topics={"Bounce": TOPIC, "Complaint": TOPIC},
                forwarding=False,
                headers={"Bounce": True, "Complaint": True, "Delivery": False},
            ),
        ),
        topics={TOPIC: TopicState(TOPIC, {"Policy": policies.dumps(topic_policy), "SignatureVersion": "2"})},
        subscriptions={TOPIC: (SubscriptionState(TOPIC, "sqs", QUEUE_ARN, arn=f"{TOPIC}:1"),)},
        queues={
            "feedback": QueueState(
                "feedback",
                "url",
                QUEUE_ARN,
                {
                    "Policy": policies.dumps(queue_policy),
                    "RedrivePolicy": policies.redrive_policy(QUEUE_ARN + "-dlq", 5),
                },
            ),
            "feedback-dlq": QueueState("feedback-dlq", "url", QUEUE_ARN + "-dlq"),
        },
    )


SPEC = Spec(identities=("example.com",), sqs_queue="feedback")


def test_plan_on_an_empty_account_creates_everything_in_order() -> None:
    steps = plan(State(region=REGION, account=ACCOUNT), SPEC)
    ops = [s.op for s in steps if s.changes]
    assert ops == [
        "create_topic",
        "create_queue",
        "create_queue",
        "subscribe",
        "create_identity",
        "set_notification_topic",
        "set_notification_topic",
        "set_headers",
        "set_headers",
        "set_forwarding",
    ]
    topic = steps[0].params["attributes"]
    assert topic["SignatureVersion"] == "2"
    statement = next(
        s for s in json.loads(topic["Policy"])["Statement"] if s["Sid"] == policies.SES_PUBLISH_SID
    )
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceAccount": ACCOUNT}}
    dlq, queue = steps[1], steps[2]
    assert dlq.params["name"] == "feedback-dlq"
    redrive = json.loads(queue.params["attributes"]["RedrivePolicy"])
    assert redrive == {"deadLetterTargetArn": QUEUE_ARN + "-dlq", "maxReceiveCount": 5}
    queue_statement = json.loads(queue.params["attributes"]["Policy"])["Statement"][0]
    assert queue_statement["Condition"] == {"ArnEquals": {"aws:SourceArn": TOPIC}}
    subscribe = next(s for s in steps if s.op == "subscribe")
    assert subscribe.params["attributes"] == {"RawMessageDelivery": "false"}


def test_plan_on_a_provisioned_account_is_all_ok() -> None:
    steps = plan(provisioned_state(), SPEC)
    assert steps and all(s.mark == "ok" for s in steps), [s for s in steps if s.changes]


def test_plan_is_pure_and_repeatable() -> None:
    state = provisioned_state()
    assert plan(state, SPEC) == plan(state, SPEC)
    assert state == provisioned_state()


def test_plan_fixes_drift() -> None:
    state = provisioned_state()
    identity = state.identities[0]
    drifted = State(
        region=REGION,
        account=ACCOUNT,
        identities=(
            IdentityState("example.com", topics={"Bounce": TOPIC}, forwarding=True, headers=identity.headers),
        ),
        topics={TOPIC: TopicState(TOPIC, {"Policy": "{}", "SignatureVersion": "1"})},
        subscriptions={
            TOPIC: (SubscriptionState(TOPIC, "sqs", QUEUE_ARN, arn=f"{TOPIC}:1", raw_delivery=True),)
        },
        queues=state.queues,
    )
    changes = {(s.resource, s.op) for s in plan(drifted, SPEC) if s.changes}
    assert changes == {
        ("topic policy", "set_topic_attribute"),
        ("topic signing", "set_topic_attribute"),
        ("subscription", "set_subscription_attribute"),
        ("Complaint topic", "set_notification_topic"),
        ("email forwarding", "set_forwarding"),
    }


def test_forwarding_is_kept_or_left_on_until_both_topics_exist() -> None:
    empty = State(region=REGION, account=ACCOUNT)
    kept = plan(empty, Spec(identities=("example.com",), keep_forwarding=True))
    assert not any(s.op == "set_forwarding" for s in kept)
    delivery_only = plan(empty, Spec(identities=("example.com",), types=("Delivery",)))
    assert not any(s.op == "set_forwarding" for s in delivery_only)


def test_spec_rejects_bad_input() -> None:
    with pytest.raises(ProvisionError, match="unknown notification type"):
        Spec(identities=("example.com",), types=("Bounce", "Open"))
    with pytest.raises(ProvisionError, match="nothing to provision"):
        Spec(identities=())
    with pytest.raises(ProvisionError, match="https://"):
        Spec(identities=("example.com",), https_endpoint="ftp://x")


# -- against moto ----------------------------------------------------------------------------


def test_provision_then_second_run_plans_nothing(mock: boto3.Session) -> None:
    first = provision(SPEC, session=mock)
    assert first.applied and first.changed
    second = provision(SPEC, session=mock)
    assert [s for s in second.steps if s.changes] == [], "second run must plan only ok steps"
    assert not second.applied
    state = read_state(REGION, identities=["example.com"], topics=["ses-feedback"], session=mock)
    identity = state.identity("example.com")
    assert identity is not None and identity.topics == {"Bounce": TOPIC, "Complaint": TOPIC}
    assert identity.forwarding is False and identity.headers["Bounce"] and identity.headers["Complaint"]
    assert state.topics[TOPIC] is not None and state.topics[TOPIC].signature_version == "2"  # type: ignore[union-attr]
    (sub,) = state.subscriptions[TOPIC]
    assert (sub.protocol, sub.endpoint, sub.raw_delivery, sub.pending) == ("sqs", QUEUE_ARN, False, False)


def test_provision_through_the_sandbox_server() -> None:
    with Sandbox(port=0) as sb:
        session = sb.session()
        spec = Spec(
            identities=("example.net",), sqs_queue="q-server", types=("Bounce", "Complaint", "Delivery")
        )
        first = provision(spec, session=session)
        assert any(s.op == "set_notification_topic" for s in first.applied)
        second = provision(spec, session=session)
        assert [s for s in second.steps if s.changes] == []


def test_provision_https_endpoint_and_configuration_set(mock: boto3.Session) -> None:
    with http_capture() as endpoint:
        spec = Spec(identities=("example.org",), https_endpoint=endpoint.url, configuration_set="cs1")
        provision(spec, session=mock)
        second = provision(spec, session=mock)
        endpoint.wait(1)
    assert [s for s in second.steps if s.changes] == []
    sub = next(s for s in second.steps if s.resource == "subscription")
    assert "pending confirmation" in sub.detail
    destinations = mock.client("sesv2").get_configuration_set_event_destinations(ConfigurationSetName="cs1")
    (dest,) = destinations["EventDestinations"]
    assert dest["SnsDestination"]["TopicArn"] == TOPIC and set(dest["MatchingEventTypes"]) == {
        "BOUNCE",
        "COMPLAINT",
    }


class OperationRecorder:
    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, model: Any, **kwargs: Any) -> None:
        self.names.append(model.name)


def test_dry_run_makes_no_state_changing_call(mock: boto3.Session) -> None:
    recorder = OperationRecorder()
    mock.events.register("before-call.*.*", recorder)
    result = provision(
        Spec(identities=("example.com",), sqs_queue="feedback", configuration_set="cs"),
        session=mock,
        dry_run=True,
    )
    assert result.steps and not result.applied
    assert recorder.names, "no call recorded: the hook is not wired"
    writes = [n for n in recorder.names if not n.startswith(("Get", "List", "Describe"))]
    assert writes == [], f"dry run made state-changing calls: {writes}"
    assert mock.client("sns").list_topics()["Topics"] == []


def test_teardown_removes_what_provision_made(mock: boto3.Session) -> None:
    provision(SPEC, session=mock)
    result = teardown(["example.com"], session=mock)
    assert {s.op for s in result.applied} >= {
        "set_forwarding",
        "set_notification_topic",
        "unsubscribe",
        "delete_queue",
        "delete_topic",
    }
    assert mock.client("sns").list_topics()["Topics"] == []
    queues = mock.client("sqs").list_queues().get("QueueUrls", [])
    assert not any(url.endswith(("/feedback", "/feedback-dlq")) for url in queues)
    attrs = mock.client("ses").get_identity_notification_attributes(Identities=["example.com"])
    example = attrs["NotificationAttributes"]["example.com"]
    assert "BounceTopic" not in example and example["ForwardingEnabled"] is True
    again = teardown(["example.com"], session=mock)
    assert not again.applied


def test_teardown_refuses_while_another_identity_uses_the_topic() -> None:
    state = provisioned_state()
    other = IdentityState("other@example.com", topics={"Bounce": TOPIC}, requested=False)
    state = State(region=REGION, account=ACCOUNT, identities=(*state.identities, other), topics=state.topics)
    with pytest.raises(ProvisionError, match=r"other@example\.com"):
        plan_teardown(state, ["example.com"])
