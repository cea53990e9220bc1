"""status: the pure doctor names each problem with its fix; a provisioned sandbox is healthy."""

from __future__ import annotations

import boto3
import pytest

from sesops.aws import policies
from sesops.aws.doctor import diagnose
from sesops.aws.plan import Spec
from sesops.aws.provision import provision
from sesops.aws.state import EventDestinationState, IdentityState, State, SubscriptionState, TopicState
from sesops.aws.status import status
from sesops.cli import main
from sesops.sandbox.server import Sandbox

ACCOUNT = "123456789012"
REGION = "us-east-1"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:ses-feedback"
GOOD_POLICY = policies.dumps(policies.with_statement(None, policies.ses_publish_statement(TOPIC, ACCOUNT)))
SQS_SUB = SubscriptionState(TOPIC, "sqs", f"arn:aws:sqs:{REGION}:{ACCOUNT}:q", arn=f"{TOPIC}:1")


def wired(name: str = "example.com", **changes: object) -> IdentityState:
    base: dict[str, object] = {"topics": {"Bounce": TOPIC, "Complaint": TOPIC}, "forwarding": False}
    base.update(changes)
    return IdentityState(name, **base)  # type: ignore[arg-type]


def healthy(**changes: object) -> State:
    fields: dict[str, object] = {
        "region": REGION,
        "account": ACCOUNT,
        "identities": (wired(),),
        "topics": {TOPIC: TopicState(TOPIC, {"Policy": GOOD_POLICY, "SignatureVersion": "2"})},
        "subscriptions": {TOPIC: (SQS_SUB,)},
    }
    fields.update(changes)
    return State(**fields)  # type: ignore[arg-type]


def codes(state: State, *, keep_forwarding: bool = False) -> list[str]:
    return [p.code for p in diagnose(state, keep_forwarding=keep_forwarding)]


def test_healthy_state_has_no_problem() -> None:
    assert diagnose(healthy()) == []


def test_identity_missing() -> None:
    (problem,) = diagnose(healthy(identities=(IdentityState("nope.com", exists=False, verification=None),)))
    assert problem.code == "identity-missing" and "sesops provision" in problem.fix


def test_identity_unverified() -> None:
    problems = diagnose(healthy(identities=(wired(verification="Pending"),)))
    assert [p.code for p in problems] == ["identity-unverified"]
    assert "DNS" in problems[0].fix


@pytest.mark.parametrize("topics", [{}, {"Bounce": TOPIC}, {"Complaint": TOPIC}])
def test_bounce_or_complaint_without_topic(topics: dict[str, str]) -> None:
    problems = diagnose(healthy(identities=(wired(topics=topics, forwarding=True),)))
    assert "no-topic" in [p.code for p in problems]


def test_topic_in_another_region() -> None:
    other = f"arn:aws:sns:eu-west-1:{ACCOUNT}:ses-feedback"
    state = healthy(
        identities=(wired(topics={"Bounce": other, "Complaint": other}),),
        topics={
            other: TopicState(
                other,
                {
                    "Policy": policies.dumps(
                        policies.with_statement(None, policies.ses_publish_statement(other, ACCOUNT))
                    )
                },
            )
        },
        subscriptions={other: (SQS_SUB,)},
    )
    assert codes(state) == ["topic-other-region"]


def test_topic_missing() -> None:
    assert codes(healthy(topics={TOPIC: None}, subscriptions={})) == ["topic-missing"]


@pytest.mark.parametrize(
    "policy",
    [
        "",
        "{}",
        policies.dumps(policies.with_statement(None, policies.ses_publish_statement(TOPIC, "999999999999"))),
    ],
)
def test_topic_without_ses_publish_permission(policy: str) -> None:
    state = healthy(topics={TOPIC: TopicState(TOPIC, {"Policy": policy})})
    assert codes(state) == ["topic-no-ses-permission"]


def test_subscription_pending_confirmation() -> None:
    pending = SubscriptionState(TOPIC, "https", "https://hooks.example.com/ses")
    assert codes(healthy(subscriptions={TOPIC: (SQS_SUB, pending)})) == ["subscription-pending"]


def test_raw_delivery_on_an_https_subscription() -> None:
    raw = SubscriptionState(
        TOPIC, "https", "https://hooks.example.com/ses", arn=f"{TOPIC}:2", raw_delivery=True
    )
    problems = diagnose(healthy(subscriptions={TOPIC: (raw,)}))
    assert [p.code for p in problems] == ["raw-delivery-https"]
    assert "RawMessageDelivery" in problems[0].fix


def test_no_subscription() -> None:
    assert codes(healthy(subscriptions={TOPIC: ()})) == ["no-subscription"]


def test_duplicates_from_notifications_and_event_publishing() -> None:
    destination = EventDestinationState("cs", "d", True, ("BOUNCE", "SEND"), TOPIC)
    state = healthy(identities=(wired(configuration_set="cs"),), configuration_sets={"cs": (destination,)})
    problems = diagnose(state)
    assert [p.code for p in problems] == ["duplicate-feedback"]
    assert "Bounce" in problems[0].message
    disabled = EventDestinationState("cs", "d", False, ("BOUNCE",), TOPIC)
    assert (
        diagnose(healthy(identities=(wired(configuration_set="cs"),), configuration_sets={"cs": (disabled,)}))
        == []
    )


def test_email_identity_inside_a_wired_domain_not_wired_itself() -> None:
    inside = IdentityState("alerts@example.com", requested=False)
    problems = diagnose(healthy(identities=(wired(), inside)))
    assert [(p.code, p.subject) for p in problems] == [("email-identity-not-wired", "alerts@example.com")]
    wired_inside = wired("alerts@example.com", requested=False)
    assert diagnose(healthy(identities=(wired(), wired_inside))) == []


def test_forwarding_still_on() -> None:
    state = healthy(identities=(wired(forwarding=True),))
    assert codes(state) == ["forwarding-on"]
    assert codes(state, keep_forwarding=True) == []


def test_every_problem_prints_with_its_fix() -> None:
    state = healthy(identities=(wired(verification="Pending", forwarding=True),), subscriptions={TOPIC: ()})
    for problem in diagnose(state):
        assert problem.fix and "fix: " in str(problem)


# -- against moto ----------------------------------------------------------------------------


def test_status_of_a_provisioned_account_is_healthy(mock: boto3.Session) -> None:
    assert not status(["example.com"], session=mock).healthy
    provision(Spec(identities=("example.com",), sqs_queue="feedback"), session=mock)
    report = status(["example.com"], session=mock)
    assert report.problems == [] and report.healthy
    assert status(session=mock).healthy  # every identity in the region


def test_status_finds_unwired_email_identity_in_the_account(mock: boto3.Session) -> None:
    provision(Spec(identities=("example.com",), sqs_queue="feedback"), session=mock)
    mock.client("ses").verify_email_identity(EmailAddress="alerts@example.com")
    report = status(["example.com"], session=mock)
    assert [p.code for p in report.problems] == ["email-identity-not-wired"]


def test_status_exit_codes_through_the_sandbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(port=0) as sb:
        monkeypatch.setenv("AWS_ENDPOINT_URL", sb.endpoint)
        assert main(["status", "--region", REGION, "--identity", "example.com"]) == 1
        assert "no such SES identity" in capsys.readouterr().out
        assert main(["provision", "--region", REGION, "--identity", "example.com", "--sqs", "feedback"]) == 0
        capsys.readouterr()
        assert main(["status", "--region", REGION, "--identity", "example.com"]) == 0
        out = capsys.readouterr().out
        assert "healthy" in out and "example.com: verified; Bounce->ses-feedback" in out
