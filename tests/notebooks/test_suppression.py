"""Notebook 05's suppression helpers: the policy table follows the policy, every format is written
(and only this list's parts are left), and the SES list is pulled, diffed and pushed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pandas as pd
import pytest

import sesops
from sesops.analysis.exports import FORMATS
from sesops.analysis.suppress import SuppressionPolicy, build_suppression_list, judge
from sesops.analysis.suppression_sync import desired_from_frame, plan_sync
from sesops.aws.pacing import Pacer
from sesops.errors import InputError
from sesops.notebook import suppression
from sesops.notebook.suppression import (
    VERDICT_ROWS,
    export_every_format,
    exports_table,
    file_heads,
    held_pairs,
    policy_markdown,
    pull,
    push,
    sync_table,
)
from sesops.notebook.target import AwsTarget
from sesops.sandbox.server import dummy_session, mocked
from tests.conftest import SAMPLES

FAST = Pacer(1000.0, sleep=lambda _: None)


def row_of(markdown: str, feedback_start: str) -> str:
    """The table row of ``markdown`` whose feedback cell starts with ``feedback_start``."""
    (row,) = [line for line in markdown.splitlines() if line.startswith(f"| {feedback_start}")]
    return row


def test_the_default_policy_table_suppresses_reviews_and_says_why() -> None:
    table = policy_markdown(SuppressionPolicy())
    assert table.startswith("**Policy:** `hard_bounces=True`, `complaints=True`, `soft_bounce_days=3`")
    assert "**suppress** at once: `complaint`, reason `COMPLAINT`" in row_of(table, "Complaint, any")
    assert "**suppress** at once: `hard_bounce`, reason `BOUNCE`" in row_of(table, "Permanent bounce")
    assert "after soft bounces on 3 distinct days within 14 days" in row_of(table, "any other Transient")
    for review in ("Undetermined", "ContentRejected", "Bounce whose recipient"):
        assert "**review**: listed, never suppressed |" in row_of(table, review)
    assert "**review**: listed, never suppressed; resets the soft-bounce count" in row_of(table, "Transient/")
    assert "| nothing; resets the soft-bounce count | the mailbox takes mail |" in row_of(table, "Delivery")
    assert "| nothing |" in row_of(table, "Complaint with feedback type `not-spam`")


@pytest.mark.parametrize(
    ("policy", "feedback", "verdict"),
    [
        (SuppressionPolicy(undetermined="soft"), "Undetermined", "a soft bounce: **suppress**"),
        (SuppressionPolicy(undetermined="hard"), "Undetermined", "at once: `undetermined`, reason `BOUNCE`"),
        (SuppressionPolicy(undetermined="ignore"), "Undetermined", "| nothing (`undetermined='ignore'`) |"),
        (
            SuppressionPolicy(soft_bounce_days=None),
            "any other Transient",
            "nothing (`soft_bounce_days=None`)",
        ),
        (
            SuppressionPolicy(soft_bounce_days=None, undetermined="soft"),
            "Undetermined",
            "| nothing (`undetermined='soft'`, `soft_bounce_days=None`) |",
        ),
        (SuppressionPolicy(hard_bounces=False), "Permanent bounce", "| nothing (`hard_bounces=False`) |"),
        (SuppressionPolicy(complaints=False), "Complaint, any", "| nothing (`complaints=False`) |"),
        (SuppressionPolicy(reset_on_delivery=False), "Delivery", "| nothing | the mailbox"),
    ],
)
def test_the_table_follows_the_policy(policy: SuppressionPolicy, feedback: str, verdict: str) -> None:
    assert verdict in row_of(policy_markdown(policy), feedback)


def test_the_table_has_a_row_for_every_verdict_the_policy_gives() -> None:
    found = set(judge(sesops.read_events(SAMPLES)).rows["verdict"])
    assert found <= {verdict for verdict, _, _ in VERDICT_ROWS}
    assert len(VERDICT_ROWS) == len({verdict for verdict, _, _ in VERDICT_ROWS})


# -- every export format -----------------------------------------------------------------------


def frame(count: int) -> pd.DataFrame:
    """A suppression list of ``count`` hard bounces and one complaint."""
    events = [
        {"eventType": "Bounce", "mail": {"messageId": f"m{i}", "timestamp": "2026-11-03T10:00:00Z"},
         "bounce": {"bounceType": "Permanent", "bounceSubType": "General", "feedbackId": f"b{i}",
                    "timestamp": "2026-11-03T10:00:05Z",
                    "bouncedRecipients": [{"emailAddress": f"u{i:03}@example.com", "status": "5.1.1"}]}}
        for i in range(count)
    ] + [
        {"eventType": "Complaint", "mail": {"messageId": "mc", "timestamp": "2026-11-03T10:00:00Z"},
         "complaint": {"feedbackId": "c1", "timestamp": "2026-11-03T11:00:00Z",
                       "complainedRecipients": [{"emailAddress": "angry@example.com"}]}}
    ]  # fmt: skip
    return build_suppression_list(sesops.read_events(events))


def test_every_format_is_written_with_its_head_shown(tmp_path: Path) -> None:
    results = export_every_format(frame(3), tmp_path / "out")
    table = exports_table(results)
    assert list(table["format"]) == list(FORMATS)
    mailgun = table.set_index("format").loc["mailgun-bounces"]
    assert (mailgun["files"], mailgun["addresses"], mailgun["left_out"]) == (
        "suppressions-mailgun-bounces.csv",
        3,
        1,
    )
    heads = file_heads(results, lines=2)
    assert (
        "── suppressions-ses-import.csv (ses-import)\nangry@example.com,COMPLAINT\nu000@example.com,BOUNCE"
        in heads
    )
    assert "── suppressions-mailchimp.csv (mailchimp)\nEmail Address\nangry@example.com" in heads
    assert json.loads((tmp_path / "out" / "suppressions-sendgrid.json").read_text())["recipient_emails"][
        0
    ] == ("angry@example.com")


def test_long_lines_are_cut_in_the_heads(tmp_path: Path) -> None:
    results = export_every_format(frame(40), tmp_path)
    sendgrid = next(r for r in results if r.format.name == "sendgrid")
    (line,) = file_heads([sendgrid], width=40).splitlines()[1:]
    assert len(line) == 40 and line.endswith("…")


def test_parts_of_an_earlier_longer_list_are_deleted(tmp_path: Path) -> None:
    export_every_format(frame(60), tmp_path)  # 61 addresses: Postmark's 50 a file makes two files
    assert (tmp_path / "suppressions-postmark-2.json").exists()
    results = export_every_format(frame(2), tmp_path)
    assert not (tmp_path / "suppressions-postmark-2.json").exists()
    assert [p.name for r in results if r.format.name == "postmark" for p in r.paths] == [
        "suppressions-postmark.json"
    ]


# -- the SES account-level suppression list ----------------------------------------------------


@pytest.fixture
def sandbox() -> Iterator[AwsTarget]:
    with mocked():
        yield AwsTarget(dummy_session(), "us-east-1", "sandbox", "the test's sandbox")


def test_pull_diff_and_push_bring_the_list_in_line(sandbox: AwsTarget) -> None:
    sesv2 = sandbox.session.client("sesv2", region_name="us-east-1")
    sesv2.put_suppressed_destination(EmailAddress="angry@example.com", Reason="BOUNCE")
    sesv2.put_suppressed_destination(EmailAddress="old@example.com", Reason="BOUNCE")
    held = pull(sandbox)
    assert list(held.columns) == ["email", "reason", "last_update"]
    assert str(held["last_update"].dt.tz) == "UTC" and held["last_update"].notna().all()
    plan = plan_sync(desired_from_frame(frame(2)), held_pairs(held))
    assert sync_table(plan).values.tolist() == [
        ["+", "u000@example.com", "BOUNCE", "", "add"],
        ["+", "u001@example.com", "BOUNCE", "", "add"],
        ["~", "angry@example.com", "COMPLAINT", "BOUNCE", "raise BOUNCE -> COMPLAINT"],
        [" ", "old@example.com", "BOUNCE", "BOUNCE", "only in SES: kept"],
    ]
    assert push(sandbox, plan).startswith("dry run: 2 to add, 1 to raise to COMPLAINT")
    assert len(pull(sandbox)) == 2  # the dry run changed nothing
    assert push(sandbox, plan, dry_run=False, pacer=FAST) == (
        "pushed to SES in us-east-1: 3 put (PutSuppressedDestination), 0 removed."
    )
    after = plan_sync(desired_from_frame(frame(2)), held_pairs(pull(sandbox)))
    assert after.in_line and after.agreeing == 3
    assert push(sandbox, after, dry_run=False).startswith("SES already holds this list in us-east-1")


def test_pull_of_an_empty_list_has_the_columns(sandbox: AwsTarget) -> None:
    held = pull(sandbox)
    assert held.empty and list(held.columns) == ["email", "reason", "last_update"]


def test_pruning_removes_what_only_ses_holds(sandbox: AwsTarget) -> None:
    sandbox.session.client("sesv2", region_name="us-east-1").put_suppressed_destination(
        EmailAddress="old@example.com", Reason="BOUNCE"
    )
    plan = plan_sync(desired_from_frame(frame(1)), held_pairs(pull(sandbox)), prune=True)
    assert push(sandbox, plan, dry_run=False, pacer=FAST).endswith(
        "2 put (PutSuppressedDestination), 1 removed."
    )
    assert sorted(pull(sandbox)["email"]) == ["angry@example.com", "u000@example.com"]


def test_too_many_changes_for_one_call_each_are_refused_before_any_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(suppression, "PUT_AT_MOST", 2)
    target = AwsTarget(boto3.Session(region_name="eu-west-1"), "eu-west-1", "profile", "a real account")
    plan = plan_sync(desired_from_frame(frame(2)), [])
    with pytest.raises(
        InputError, match=r"3 changes are more than .* \(2\): .*--region eu-west-1 --bucket NAME"
    ):
        push(target, plan, dry_run=False)
