"""The pickers and plan → apply against the embedded sandbox: real calls, nothing injected."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from sesops.sandbox.server import Sandbox
from sesops.widgets.identities import IdentityPicker
from sesops.widgets.provision import PlanApplyPanel
from sesops.widgets.regions import RegionPicker


def test_pick_region_and_identity_then_plan_and_apply_through_the_sandbox() -> None:
    with Sandbox(port=0) as sandbox:
        session = sandbox.session("us-east-1")
        session.client("ses").verify_domain_identity(Domain="example.com")
        region = RegionPicker(session)
        identities = IdentityPicker(region)
        assert region.value == "us-east-1" and "eu-west-1" in region.dropdown.options
        assert [name for _, name in identities.select.options] == ["example.com"]

        region.value = "eu-west-1"  # another region: the sandbox holds no identity there
        assert identities.select.options == () and identities.notice.text.startswith(
            "no SES identity in eu-west-1"
        )
        region.value = "us-east-1"
        identities.value = ("example.com",)

        panel = PlanApplyPanel(region, identities, sqs_queue="feedback")
        panel.plan()
        assert not panel.apply_button.disabled, panel.notice.text
        assert panel.planned is not None
        assert {s.op for s in panel.planned.steps if s.changes} >= {
            "create_topic",
            "create_queue",
            "subscribe",
        }
        with pytest.raises(ClientError, match=r"NonExistentQueue|QueueDoesNotExist"):
            session.client("sqs").get_queue_url(QueueName="feedback")  # the plan changed nothing

        panel.apply()
        assert panel.readback.report is not None and panel.readback.report.healthy, panel.readback.view.value
        assert session.client("sqs").get_queue_url(QueueName="feedback")["QueueUrl"]
        assert "Bounce→ses-feedback, Complaint→ses-feedback" in identities.select.options[0][0]
        assert identities.value == ("example.com",)

        panel.plan()
        assert panel.apply_button.disabled and panel.notice.text.startswith("nothing to change")
