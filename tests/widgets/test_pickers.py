"""Region and identity pickers: regions from botocore's data, identities refreshed per region."""

from __future__ import annotations

import re

import boto3
import pytest

from sesops.errors import AwsError, InputError
from sesops.sandbox.server import dummy_session
from sesops.widgets.identities import IdentityPicker, describe
from sesops.widgets.regions import RegionPicker, default_region, ses_regions
from tests.widgets.fakes import TOPIC, FakeLister, region_picker, wiring


def test_ses_regions_come_from_botocore_for_the_sessions_partition() -> None:
    commercial = ses_regions(dummy_session("eu-west-1"))
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= set(commercial)
    assert commercial == sorted(commercial) and not any(r.startswith("us-gov-") for r in commercial)
    assert set(ses_regions(dummy_session("us-gov-west-1"))) >= {"us-gov-west-1"}
    assert all(r.startswith("us-gov-") for r in ses_regions(dummy_session("us-gov-west-1")))


def test_default_region_is_the_sessions_else_us_east_1(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_region(dummy_session("eu-west-2")) == "eu-west-2"
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    assert default_region(boto3.Session()) == "us-east-1"


@pytest.mark.parametrize(
    ("configured", "says"),
    [
        ("useast1", "'useast1' is not an AWS region name"),
        ("us-east-1 ", "'us-east-1 ' is not an AWS region name"),
        ("us-iso-east-1", "region us-iso-east-1 is in an isolated partition"),
    ],
)
def test_a_malformed_configured_region_is_an_input_error_naming_the_setting(
    configured: str, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", configured)
    monkeypatch.setenv("AWS_DEFAULT_REGION", configured)
    with pytest.raises(InputError, match=rf"AWS_REGION.*{re.escape(says)}.*export AWS_REGION=us-east-1"):
        RegionPicker()
    with pytest.raises(InputError, match=re.escape(says)):
        ses_regions()


def test_region_picker_defaults_to_the_session_region_and_keeps_an_unknown_configured_one() -> None:
    picker = RegionPicker(dummy_session("eu-west-1"))
    assert picker.value == "eu-west-1" and "us-east-1" in picker.dropdown.options
    newer = RegionPicker(dummy_session("xx-new-1"), regions=("us-east-1",))
    assert newer.value == "xx-new-1" and list(newer.dropdown.options) == ["us-east-1", "xx-new-1"]


def test_region_change_refreshes_the_identities_and_keeps_the_chosen_ones_still_there() -> None:
    lister = FakeLister(
        {
            "us-east-1": [wiring("example.com"), wiring("ops@example.com", "Pending")],
            "eu-west-1": [wiring("example.com"), wiring("example.eu")],
        }
    )
    region = region_picker("us-east-1")
    picker = IdentityPicker(region, lister=lister)
    assert lister.calls == ["us-east-1"]
    assert [value for _, value in picker.select.options] == ["example.com", "ops@example.com"]
    picker.value = ("example.com", "ops@example.com")

    region.value = "eu-west-1"

    assert lister.calls == ["us-east-1", "eu-west-1"]
    assert [value for _, value in picker.select.options] == ["example.com", "example.eu"]
    assert picker.value == ("example.com",)
    assert picker.notice.text == "2 identities in eu-west-1" and not picker.notice.is_error


def test_each_identity_is_shown_with_its_verification_and_wiring() -> None:
    wired = wiring(
        "example.com",
        topics={"Bounce": TOPIC, "Complaint": TOPIC},
        forwarding=False,
        headers={"Bounce": True, "Complaint": True, "Delivery": False},
    )
    assert describe(wired) == (
        "example.com — verified; Bounce→ses-feedback, Complaint→ses-feedback; "
        "headers in Bounce/Complaint; forwarding off"
    )
    assert describe(wiring("ops@example.com", "Pending")) == (
        "ops@example.com — Pending; no notification topics; no headers; forwarding on"
    )
    picker = IdentityPicker(region_picker(), lister=FakeLister({"us-east-1": [wired]}))
    assert picker.select.options[0] == (describe(wired), "example.com")


def test_an_aws_error_is_one_line_in_the_panel_and_leaves_no_stale_identities() -> None:
    lister = FakeLister({"us-east-1": [wiring("example.com")]})
    region = region_picker()
    picker = IdentityPicker(region, lister=lister)
    lister.error = AwsError("ses:ListIdentities: AccessDenied: no\nfix: use a role that may list")

    region.value = "eu-west-1"

    assert picker.notice.is_error
    assert picker.notice.text == "ses:ListIdentities: AccessDenied: no fix: use a role that may list"
    assert "✗" in picker.notice.widget.value and picker.select.options == ()


def test_one_identity_is_counted_in_the_singular() -> None:
    picker = IdentityPicker(region_picker(), lister=FakeLister({"us-east-1": [wiring("example.com")]}))
    assert picker.notice.text == "1 identity in us-east-1"


def test_an_empty_region_says_what_to_do() -> None:
    picker = IdentityPicker(region_picker(), lister=FakeLister({}))
    assert picker.notice.text.startswith("no SES identity in us-east-1: name one")


def test_a_bug_in_a_lookup_is_not_hidden() -> None:
    lister = FakeLister({}, error=KeyError("Identities"))
    with pytest.raises(KeyError):
        IdentityPicker(region_picker(), lister=lister)


def test_refresh_button_lists_again() -> None:
    lister = FakeLister({"us-east-1": [wiring("example.com")]})
    picker = IdentityPicker(region_picker(), lister=lister)
    picker.refresh_button.click()
    assert lister.calls == ["us-east-1", "us-east-1"]
