"""The policy table of issue 8, one case per rule, judged per recipient; the review list; the
soft-bounce threshold's N and D; normalised addresses; redelivered feedback counted once."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from sesops import read_events
from sesops.analysis.suppress import (
    FRAME_COLUMNS,
    REVIEW_COLUMNS,
    SuppressionPolicy,
    build_review_list,
    build_suppression_list,
)
from sesops.analysis.suppress.policy import judge_rows
from sesops.errors import InputError
from tests.analysis.feedback import (
    bounce_of,
    bounced,
    complained,
    delivered,
    recipient,
    soft_on,
)

# (case, feedback for a@x.org, suppressed as category or None, review reason or None)
POLICY_TABLE: list[tuple[str, dict[str, Any], str | None, str | None]] = [
    ("Permanent, 5.1.1", bounce_of("a@x.org", "Permanent", "General", "5.1.1"), "hard_bounce", None),
    ("Permanent/Suppressed, no status", bounce_of("a@x.org", "Permanent", "Suppressed", None), "hard_bounce", None),
    ("Permanent/OnAccountSuppressionList", bounce_of("a@x.org", "Permanent", "OnAccountSuppressionList", "5.1.1"),
     "hard_bounce", None),
    ("Permanent but 4.x.x: one soft bounce", bounce_of("a@x.org", "Permanent", "General", "4.4.7"), None, None),
    ("Permanent but action delayed", bounce_of("a@x.org", "Permanent", "General", "4.4.7", action="delayed"),
     None, "recipient_not_failed"),
    ("Permanent but action delivered", bounce_of("a@x.org", "Permanent", "General", "2.0.0", action="delivered"),
     None, "recipient_not_failed"),
    ("Transient/General, 5.1.1 (bad address)", bounce_of("a@x.org", "Transient", "General", "5.1.1"),
     "hard_bounce", None),
    ("Transient/MailboxFull, 5.1.2", bounce_of("a@x.org", "Transient", "MailboxFull", "5.1.2"), "hard_bounce", None),
    ("Transient/MailboxFull, 4.2.2: one soft bounce", bounce_of("a@x.org", "Transient", "MailboxFull", "4.2.2"),
     None, None),
    ("Transient/General, 5.2.2: one soft bounce", bounce_of("a@x.org", "Transient", "General", "5.2.2"), None, None),
    ("auto-reply: Transient/General, no status", bounce_of("a@x.org", "Transient", "General", None),
     None, "auto_reply"),
    ("ContentRejected", bounce_of("a@x.org", "Transient", "ContentRejected", "5.7.1"), None, "content_problem"),
    ("AttachmentRejected", bounce_of("a@x.org", "Transient", "AttachmentRejected", "5.7.0"), None, "content_problem"),
    ("MessageTooLarge", bounce_of("a@x.org", "Transient", "MessageTooLarge", "5.3.4"), None, "content_problem"),
    ("Undetermined", bounce_of("a@x.org", "Undetermined", "Undetermined", None), None, "undetermined"),
    ("complaint, abuse", complained("a@x.org", "abuse"), "complaint", None),
    ("complaint without a feedback report", complained("a@x.org", None), "complaint", None),
    ("complaint, not-spam", complained("a@x.org", "not-spam"), None, None),
    ("complaint, Not-Spam spelt loosely", complained("a@x.org", " Not-Spam "), None, None),
    ("delivery", delivered("a@x.org"), None, None),
]  # fmt: skip


@pytest.mark.parametrize(("feedback", "suppressed", "review"), [c[1:] for c in POLICY_TABLE],
                         ids=[c[0] for c in POLICY_TABLE])  # fmt: skip
def test_policy_table(feedback: dict[str, Any], suppressed: str | None, review: str | None) -> None:
    df = read_events([feedback])
    out = build_suppression_list(df)
    assert list(out["category"]) == ([suppressed] if suppressed else [])
    if suppressed:
        assert list(out["reason"]) == ["COMPLAINT" if suppressed == "complaint" else "BOUNCE"]
    reviewed = build_review_list(df)
    assert list(reviewed.columns) == list(REVIEW_COLUMNS)
    assert list(reviewed["review_reason"]) == ([review] if review else [])


def test_each_recipient_of_one_bounce_is_judged_on_its_own() -> None:
    one = bounced(
        recipient("gone@x.org", "5.1.1"),
        recipient("later@x.org", "4.4.7", action="delayed"),
        recipient("full@x.org", "4.2.2"),
        recipient("fine@x.org", "2.0.0", action="delivered"),
        bounce_type="Permanent",
    )
    df = read_events([one])
    assert list(judge_rows(df)) == [
        "hard_bounce",
        "recipient_not_failed",
        "soft_bounce",
        "recipient_not_failed",
    ]
    assert list(build_suppression_list(df)["email"]) == ["gone@x.org"]
    review = build_review_list(df)
    assert list(zip(review["email"], review["review_reason"], strict=True)) == [
        ("fine@x.org", "recipient_not_failed"),
        ("later@x.org", "recipient_not_failed"),
    ]


def test_a_suppressed_address_carries_its_evidence() -> None:
    items = [
        bounced(recipient("a@x.org", "5.1.1", code="smtp; 550 5.1.1 <a@x.org> no such user"),
                stamp="2026-11-01T10:00:00Z", message_id="m-first"),
        complained("a@x.org", "fraud", stamp="2026-11-03T09:00:00Z"),
        bounced(recipient("a@x.org", "5.1.10", code="smtp; 550 5.1.10 unknown"), subtype="NoEmail",
                stamp="2026-11-02T10:00:00Z", message_id="m-last-bounce"),
    ]  # fmt: skip
    row = build_suppression_list(read_events(items)).iloc[0]
    assert list(row.index) == list(FRAME_COLUMNS)
    assert (row["reason"], row["category"], row["rule"]) == ("COMPLAINT", "complaint", "complaint (fraud)")
    assert (row["first_seen"], row["last_seen"], row["events"]) == (
        pd.Timestamp("2026-11-01T10:00:00Z"),
        pd.Timestamp("2026-11-03T09:00:00Z"),
        3,
    )
    assert (row["last_bounce_type"], row["last_bounce_subtype"], row["last_status"]) == (
        "Permanent",
        "NoEmail",
        "5.1.10",
    )
    assert row["last_diagnostic"] == "smtp; 550 5.1.10 unknown"
    assert row["last_feedback_type"] == "fraud"
    assert row["last_message_id"] == items[1]["mail"]["messageId"]  # the complaint came last


@pytest.mark.parametrize(
    ("days", "threshold", "window", "suppressed"),
    [
        (("2026-11-01", "2026-11-02"), 2, 30, True),  # listmonk-like: 2
        (("2026-11-01", "2026-11-02"), 3, 30, False),
        (("2026-11-01", "2026-11-15", "2026-11-30"), 3, 30, True),  # 30 consecutive days
        (("2026-11-01", "2026-11-15", "2026-12-01"), 3, 30, False),  # 31 days
        (("2026-11-01",) * 5, 2, 30, False),  # five on one day are one day
        (("2026-11-01",), 1, 1, True),
    ],
)
def test_soft_bounce_threshold_and_window(
    days: tuple[str, ...], threshold: int, window: int, suppressed: bool
) -> None:
    policy = SuppressionPolicy(soft_bounce_days=threshold, soft_bounce_window_days=window)
    out = build_suppression_list(read_events(soft_on("a@x.org", *days)), policy)
    assert list(out["category"]) == (["soft_bounce_threshold"] if suppressed else [])


def test_soft_bounces_count_only_real_soft_bounces() -> None:
    # three days of auto-replies, content problems and undetermined bounces are not soft bounces
    items = [
        *soft_on("ooo@x.org", "2026-11-01", "2026-11-02", "2026-11-03", status=None, subtype="General"),
        *soft_on(
            "big@x.org", "2026-11-01", "2026-11-02", "2026-11-03", status="5.3.4", subtype="MessageTooLarge"
        ),
        *soft_on(
            "spam@x.org", "2026-11-01", "2026-11-02", "2026-11-03", status="5.7.1", subtype="ContentRejected"
        ),
        *soft_on("full@x.org", "2026-11-01", "2026-11-02", "2026-11-03"),
    ]
    assert list(build_suppression_list(read_events(items))["email"]) == ["full@x.org"]


def test_an_auto_reply_resets_the_soft_count_like_a_delivery() -> None:
    items = [
        *soft_on("a@x.org", "2026-11-01", "2026-11-02"),
        bounce_of("a@x.org", "Transient", "General", None, stamp="2026-11-02T18:00:00Z"),
        *soft_on("a@x.org", "2026-11-03"),
    ]
    assert build_suppression_list(read_events(items)).empty


def test_addresses_are_compared_stripped_and_lower_cased() -> None:
    df = read_events([bounce_of("a@x.org"), complained("b@x.org")])
    df["email"] = pd.Series(
        [" A@X.Org ", "B@x.ORG\t"], index=df.index, dtype="str"
    )  # a frame not from read_events
    out = build_suppression_list(df)
    assert list(out["email"]) == ["a@x.org", "b@x.org"]


def test_one_feedback_counts_once_however_often_it_was_delivered() -> None:
    feedback = bounce_of("a@x.org")
    again = read_events([feedback, feedback, feedback], dedupe=False)
    assert len(again) == 3
    assert build_suppression_list(again).iloc[0]["events"] == 1


def test_review_leaves_out_suppressed_addresses_and_follows_the_undetermined_switch() -> None:
    items = [
        bounce_of("a@x.org", "Transient", "General", None),  # auto-reply...
        bounce_of("a@x.org"),  # ...but also a hard bounce
        bounce_of("u@x.org", "Undetermined", "Undetermined", None),
    ]
    df = read_events(items)
    assert list(build_review_list(df)["email"]) == ["u@x.org"]
    assert build_review_list(df, SuppressionPolicy(undetermined="ignore")).empty
    assert list(build_suppression_list(df, SuppressionPolicy(undetermined="hard"))["email"]) == [
        "a@x.org",
        "u@x.org",
    ]


def test_a_frame_that_is_not_an_events_table_is_refused() -> None:
    with pytest.raises(InputError, match=r"not an events table: missing column.*action.*sesops\.read_events"):
        build_suppression_list(pd.DataFrame({"email": ["a@x.org"], "event_type": ["Bounce"]}))
