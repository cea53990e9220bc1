"""Plan → apply: nothing changes until Apply, Apply needs a fresh plan, then the read-back."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sesops.aws.plan import Change
from sesops.aws.status import StatusReport
from sesops.errors import AwsError
from sesops.widgets.identities import IdentityPicker
from sesops.widgets.provision import PlanApplyPanel
from tests.widgets.fakes import FakeLister, FakeProvision, FakeStatus, region_picker, wiring
from tests.widgets.test_status_panel import STATE

STEPS = [
    Change("create", "topic", "ses-feedback", "Standard topic", "create_topic", {"name": "ses-feedback"}),
    Change("ok", "identity", "example.com", "exists, verified"),
]


def make_panel(
    steps: list[Change] = STEPS, status: FakeStatus | None = None
) -> tuple[PlanApplyPanel, FakeProvision, FakeStatus]:
    region = region_picker()
    identities = IdentityPicker(region, lister=FakeLister({"us-east-1": [wiring("example.com")]}))
    identities.value = ("example.com",)
    fake = FakeProvision(list(steps))
    status = status or FakeStatus(StatusReport(STATE, []))
    return PlanApplyPanel(region, identities, provision_fn=fake, status_fn=status), fake, status


def test_apply_is_disabled_until_a_plan_exists() -> None:
    panel, fake, _ = make_panel()
    assert panel.apply_button.disabled
    panel.apply()
    assert fake.calls == [] and panel.notice.is_error and "press Plan first" in panel.notice.text


def test_plan_only_reads_then_apply_changes_and_reads_back() -> None:
    panel, fake, status = make_panel()
    panel.sqs_queue.value = "feedback"
    panel.new_identities.value = "ops@example.com, example.com"

    panel.plan_button.click()

    assert [c["dry_run"] for c in fake.calls] == [True]
    spec = fake.calls[0]["spec"]
    assert spec.identities == ("example.com", "ops@example.com") and spec.sqs_queue == "feedback"
    assert (
        "Standard topic" in panel.plan_view.value and '<td style="font-weight:bold;' in panel.plan_view.value
    )
    assert not panel.apply_button.disabled and status.calls == []
    assert panel.notice.text == "1 change(s) planned in us-east-1; nothing has changed yet"

    panel.apply_button.click()

    assert [c["dry_run"] for c in fake.calls] == [True, False] and fake.calls[1]["spec"] == spec
    assert panel.apply_button.disabled and panel.applied is not None
    assert panel.notice.text == "applied 1 change(s) in us-east-1"
    assert status.calls[0]["identities"] == spec.identities and status.calls[0]["topics"] == ("ses-feedback",)
    assert "no problem found" in panel.readback.view.value


@pytest.mark.parametrize(
    "change",
    [
        lambda p: setattr(p.topic, "value", "other-topic"),
        lambda p: setattr(p.sqs_queue, "value", "q2"),
        lambda p: setattr(p.types, "value", ("Bounce",)),
        lambda p: setattr(p.keep_forwarding, "value", True),
        lambda p: setattr(p.identities, "value", ()),
        lambda p: setattr(p.region, "value", "eu-west-1"),
    ],
)
def test_changing_an_input_withdraws_the_plan(change: Callable[[PlanApplyPanel], object]) -> None:
    panel, fake, _ = make_panel()
    panel.plan()
    assert not panel.apply_button.disabled
    change(panel)
    assert panel.apply_button.disabled and panel.planned is None
    assert panel.notice.text == "inputs changed: press Plan again before applying"
    panel.apply()
    assert [c["dry_run"] for c in fake.calls] == [True]


def test_nothing_to_change_keeps_apply_disabled() -> None:
    panel, _, _ = make_panel(steps=[STEPS[1]])
    panel.plan()
    assert panel.apply_button.disabled and panel.notice.text == "nothing to change: us-east-1 already matches"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: setattr(p.identities, "value", ()), "no identity: choose one"),
        (lambda p: setattr(p.topic, "value", "  "), "Topic: give the SNS topic's name"),
        (lambda p: setattr(p.types, "value", ()), "Types: choose at least one"),
        (lambda p: setattr(p.https_endpoint, "value", "ftp://x"), "must start with https://"),
    ],
)
def test_bad_inputs_are_refused_inline_with_the_fix(
    setup: Callable[[PlanApplyPanel], object], message: str
) -> None:
    panel, fake, _ = make_panel()
    setup(panel)
    panel.plan()
    assert fake.calls == [] and panel.notice.is_error and message in panel.notice.text
    assert panel.apply_button.disabled


def test_an_aws_error_while_applying_is_inline_and_a_new_plan_is_needed() -> None:
    panel, fake, status = make_panel()
    panel.plan()
    fake.error = AwsError("sns:CreateTopic: AuthorizationError: not allowed")
    panel.apply()
    assert panel.notice.is_error and panel.notice.text == "sns:CreateTopic: AuthorizationError: not allowed"
    assert panel.apply_button.disabled and status.calls == []


def test_a_plan_that_changed_before_apply_is_reported() -> None:
    panel, fake, _ = make_panel()
    panel.plan()
    fake.steps = [*STEPS, Change("update", "Bounce topic", "example.com", "-> ses-feedback", "x", {})]
    panel.apply()
    assert "the account had changed since the plan" in panel.notice.text
    assert "Bounce topic" in panel.plan_view.value
