"""list_identities: every page, attributes in batches of 100, errors named with the call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from sesops.aws import identities
from sesops.aws.identities import IdentityWiring, list_identities
from sesops.errors import AwsError
from sesops.sandbox.server import dummy_session, mocked

REGION = "eu-west-1"
TOPIC = f"arn:aws:sns:{REGION}:123456789012:ses-feedback"


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    ses = dummy_session(REGION).client("ses", region_name=REGION)
    monkeypatch.setattr(identities, "client", lambda service, session, region: ses)
    with Stubber(ses) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def attributes(names: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    verification = {n: {"VerificationStatus": "Success" if "@" not in n else "Pending"} for n in names}
    notification = {
        n: {
            "BounceTopic": TOPIC,
            "ComplaintTopic": TOPIC,
            "DeliveryTopic": "",
            "ForwardingEnabled": False,
            "HeadersInBounceNotificationsEnabled": True,
            "HeadersInComplaintNotificationsEnabled": False,
            "HeadersInDeliveryNotificationsEnabled": False,
        }
        for n in names
    }
    return {"VerificationAttributes": verification}, {"NotificationAttributes": notification}


def test_every_page_is_listed_and_attributes_are_read_per_100(stubbed: Stubber) -> None:
    names = [f"user{i}@example.com" for i in range(120)] + [f"d{i}.example" for i in range(30)]
    stubbed.add_response("list_identities", {"Identities": names[:70], "NextToken": "more"}, {})
    stubbed.add_response("list_identities", {"Identities": names[70:]}, {"NextToken": "more"})
    for chunk in (names[:100], names[100:]):
        verification, notification = attributes(chunk)
        stubbed.add_response("get_identity_verification_attributes", verification, {"Identities": chunk})
        stubbed.add_response("get_identity_notification_attributes", notification, {"Identities": chunk})

    listed = list_identities(REGION, dummy_session(REGION))

    assert [i.name for i in listed] == names
    assert listed[0] == IdentityWiring(
        "user0@example.com",
        "Pending",
        topics={"Bounce": TOPIC, "Complaint": TOPIC},
        forwarding=False,
        headers={"Bounce": True, "Complaint": False, "Delivery": False},
    )
    assert listed[-1].verified and listed[-1].is_domain and not listed[0].verified


def test_no_identity_makes_no_attribute_call(stubbed: Stubber) -> None:
    stubbed.add_response("list_identities", {"Identities": []}, {})
    assert list_identities(REGION, dummy_session(REGION)) == []


@pytest.mark.parametrize(
    ("failing", "action"),
    [
        ("list_identities", "ses:ListIdentities"),
        ("get_identity_verification_attributes", "ses:GetIdentityVerificationAttributes"),
        ("get_identity_notification_attributes", "ses:GetIdentityNotificationAttributes"),
    ],
)
def test_an_aws_failure_names_the_call(stubbed: Stubber, failing: str, action: str) -> None:
    verification, _ = attributes(["example.com"])
    calls = [
        ("list_identities", {"Identities": ["example.com"]}),
        ("get_identity_verification_attributes", verification),
    ]
    for method, response in calls:
        if method == failing:
            break
        stubbed.add_response(method, response)
    stubbed.add_client_error(failing, "AccessDenied", "not allowed to call it")
    with pytest.raises(AwsError, match=f"{action}: AccessDenied: not allowed"):
        list_identities(REGION, dummy_session(REGION))


def test_against_moto_an_unwired_identity_has_no_topics() -> None:
    with mocked():
        session = dummy_session(REGION)
        ses = session.client("ses", region_name=REGION)
        ses.verify_domain_identity(Domain="example.com")
        ses.verify_email_identity(EmailAddress="ops@example.org")
        listed = {i.name: i for i in list_identities(REGION, session)}
    assert set(listed) == {"example.com", "ops@example.org"}
    assert listed["example.com"].topics == {} and listed["example.com"].forwarding


def test_default_session_is_used_when_none_given(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []

    def fake_client(service: str, session: boto3.Session | None, region: str | None) -> Any:
        seen.append((service, session, region))
        raise AwsError("stop here")

    monkeypatch.setattr(identities, "client", fake_client)
    with pytest.raises(AwsError, match="stop here"):
        list_identities(REGION)
    assert seen == [("ses", None, REGION)]
