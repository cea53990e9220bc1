"""Every channel through both load engines: the same rows, rejects and counts, and one row per
recipient and feedback when the same feedback arrives through more than one channel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pytest

from sesops.load.reader import read_events
from tests.events.test_channels import INBOUND, eventbridge, sqs_lambda
from tests.payloads import bounce, complaint, delivery, envelope

Engine = Literal["python", "duckdb"]
ENGINES: tuple[Engine, ...] = ("python", "duckdb")


def load_both(tmp_path: Path, lines: list[Any], **kwargs: Any) -> list[pd.DataFrame]:
    path = tmp_path / "channels.jsonl"
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return [read_events(path, engine=engine, **kwargs) for engine in ENGINES]


def same(frames: list[pd.DataFrame]) -> pd.DataFrame:
    python, duckdb = frames
    pd.testing.assert_frame_equal(python, duckdb)
    assert python.attrs == duckdb.attrs
    return python


def published(ses: dict[str, Any]) -> dict[str, Any]:
    """The event-publishing spelling of an identity notification (eventType, not notificationType)."""
    out = {k: v for k, v in ses.items() if k != "notificationType"}
    return {"eventType": ses["notificationType"], **out}


DELAY = {
    "eventType": "DeliveryDelay",
    "mail": bounce()["mail"],
    "deliveryDelay": {
        "timestamp": "2026-11-01T10:30:00.000Z",
        "delayType": "MailboxFull",
        "delayedRecipients": [{"emailAddress": "jane@example.org", "status": "4.2.2"}],
    },
}


def test_one_row_per_recipient_and_feedback_across_identity_sns_events_and_eventbridge(
    tmp_path: Path,
) -> None:
    two = bounce("a@x.org", "b@x.org")
    lines = [
        envelope(two, message_id="identity-1"),  # identity notification
        envelope(published(two), message_id="events-1"),  # event publishing to SNS
        eventbridge(published(two), "Email Bounced"),  # event publishing to EventBridge
        envelope(complaint(), message_id="identity-2"),
        eventbridge(published(complaint()), "Email Complaint Received"),
        envelope(delivery("c@x.org"), message_id="identity-3"),  # no feedback id: mail id + instant
        eventbridge(published(delivery("c@x.org")), "Email Delivered"),
        envelope(DELAY, message_id="events-2"),
        eventbridge(DELAY, "Email Delivery Delayed"),
        eventbridge(DELAY, "Email Delivery Delayed"),  # EventBridge -> SQS redelivers too
    ]
    df = same(load_both(tmp_path, lines))
    assert sorted(zip(df["event_type"], df["email"], strict=True)) == [
        ("Bounce", "a@x.org"),
        ("Bounce", "b@x.org"),
        ("Complaint", "rick@example.org"),
        ("Delivery", "c@x.org"),
        ("DeliveryDelay", "jane@example.org"),
    ]
    # the first arrival is kept: the identity notification's SNS id
    assert set(df["sns_message_id"]) == {"identity-1", "identity-2", "identity-3", "events-2"}
    assert df.attrs["duplicates"] == 8


def test_a_later_delay_or_another_recipient_is_not_a_repeat(tmp_path: Path) -> None:
    later = json.loads(json.dumps(DELAY))
    later["deliveryDelay"]["timestamp"] = "2026-11-01T11:30:00.000Z"
    df = same(load_both(tmp_path, [eventbridge(DELAY, "Email Delivery Delayed"), envelope(later)]))
    assert len(df) == 2 and df.attrs["duplicates"] == 0


def test_every_channel_and_refusal_alike_in_both_engines(tmp_path: Path) -> None:
    trimmed = {k: v for k, v in complaint("t@x.org", feedback_id="fb-t").items() if k != "mail"}
    lines = [
        eventbridge(published(bounce("e@x.org")), "Email Bounced"),
        eventbridge(published(bounce("m@x.org")), "Email Delivered"),  # detail-type disagrees
        eventbridge({"reason": "paused"}, "Sending Status Disabled"),
        sqs_lambda(
            envelope(delivery("l@x.org"), message_id="lambda-1"), eventbridge(DELAY, "Email Delivery Delayed")
        ),
        {"Body": json.dumps(eventbridge(published(delivery("q@x.org")), "Email Delivered"))},
        INBOUND,
        envelope(INBOUND, message_id="inbound-1"),
        trimmed,
        envelope(trimmed, message_id="trimmed-1"),  # the same complaint again
        {"eventType": "Open", "open": {}},  # no mail, no recipients: refused
    ]
    df = same(load_both(tmp_path, lines))
    assert sorted(df["email"]) == ["e@x.org", "jane@example.org", "l@x.org", "q@x.org", "t@x.org"]
    assert df.loc[df["email"] == "t@x.org", "message_id"].isna().all()
    assert df.attrs["control"] == {"eventbridge:Sending Status Disabled": 1, "Received": 2}
    assert df.attrs["notices"] == [lines[2]]  # the account event itself, readable
    assert [(r["line"], r["reason"].split(",")[0]) for r in df.attrs["rejects"]] == [
        (2, "EventBridge detail-type 'Email Delivered' means SES Delivery"),
        (10, "SES Open without a mail object"),
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_eventbridge_lines_take_the_fast_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    """No EventBridge line of a mail event falls back to the general parser."""
    from sesops.load import collector, fastload

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an EventBridge line reached the general parser")

    monkeypatch.setattr(collector, "parse_record", refuse)
    monkeypatch.setattr(fastload, "_irregular_ordinals", refuse)
    path = tmp_path / "eventbridge.jsonl"
    lines = [
        eventbridge(published(bounce(f"r{i}@x.org", feedback_id=f"fb-{i}")), "Email Bounced")
        for i in range(50)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    df = read_events(path, engine=engine)
    assert len(df) == 50 and df.attrs["rejected"] == 0


def test_the_load_summary_names_the_account_events(tmp_path: Path) -> None:
    from sesops.load.summary import format_load_summary

    notice = eventbridge({"reason": "paused"}, "Sending Status Disabled")
    [df, _] = load_both(tmp_path, [notice, delivery()])
    text = format_load_summary(df)
    assert "control messages (no rows): eventbridge:Sending Status Disabled 1" in text
    assert "  Sending Status Disabled at 2026-11-02T10:00:00Z (us-east-1)" in text
