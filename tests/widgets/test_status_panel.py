"""The status panel: problems with their fix, a healthy read-back, errors inline."""

from __future__ import annotations

from sesops.aws.doctor import Problem
from sesops.aws.state import IdentityState, State, SubscriptionState, TopicState
from sesops.aws.status import StatusReport
from sesops.errors import AwsError
from sesops.widgets.identities import IdentityPicker
from sesops.widgets.status import StatusPanel
from tests.widgets.fakes import ACCOUNT, TOPIC, FakeLister, FakeStatus, region_picker, wiring

STATE = State(
    "us-east-1",
    ACCOUNT,
    identities=(
        IdentityState("example.com", topics={"Bounce": TOPIC, "Complaint": TOPIC}, forwarding=False),
    ),
    topics={TOPIC: TopicState(TOPIC, {"SignatureVersion": "2"})},
    subscriptions={TOPIC: (SubscriptionState(TOPIC, "https", "https://hooks.example.com/sns"),)},
)
PENDING = Problem(
    "subscription-pending",
    "ses-feedback -> https https://hooks.example.com/sns",
    "subscription is pending confirmation; SNS delivers nothing",
    "run the receiver so it confirms <now>",
)


def test_problems_are_listed_with_their_fix_and_escaped() -> None:
    fake = FakeStatus(StatusReport(STATE, [PENDING]))
    panel = StatusPanel(region_picker(), status_fn=fake)
    panel.check_button.click()
    assert fake.calls == [
        {
            "identities": None,
            "topics": (),
            "region": "us-east-1",
            "session": panel.region.session,
            "keep_forwarding": False,
        }
    ]
    html = panel.view.value
    assert "subscription is pending confirmation" in html
    assert "run the receiver so it confirms &lt;now&gt;" in html
    assert "https https://hooks.example.com/sns (pending)" in html
    assert "Bounce→ses-feedback, Complaint→ses-feedback" in html
    assert panel.notice.text == "1 problem(s): see the fixes below" and panel.report is fake.report


def test_a_healthy_report_says_so() -> None:
    panel = StatusPanel(region_picker(), status_fn=FakeStatus(StatusReport(STATE, [])))
    panel.check()
    assert "no problem found" in panel.view.value and panel.notice.text == "healthy"


def test_check_reads_the_identities_chosen_in_the_picker() -> None:
    region = region_picker()
    picker = IdentityPicker(region, lister=FakeLister({"us-east-1": [wiring("a.com"), wiring("b.com")]}))
    picker.value = ("b.com",)
    fake = FakeStatus(StatusReport(STATE, []))
    StatusPanel(region, picker, status_fn=fake).check()
    assert fake.calls[0]["identities"] == ("b.com",)


def test_an_aws_error_is_shown_inline_and_clears_the_old_report() -> None:
    fake = FakeStatus(StatusReport(STATE, []))
    panel = StatusPanel(region_picker(), status_fn=fake)
    panel.check()
    fake.error = AwsError("sts:GetCallerIdentity: no AWS credentials found. Configure a profile")
    panel.check()
    assert panel.notice.is_error and panel.notice.text.startswith("sts:GetCallerIdentity: no AWS credentials")
    panel.show_error(AwsError("another"))
    assert panel.view.value == "" and panel.report is None and panel.notice.text == "another"
