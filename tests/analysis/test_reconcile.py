"""Captured vs counted: which rows answer which SES counter, and how each gap is named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pandas as pd
import pytest

from sesops.analysis import reconcile
from sesops.analysis.reconcile import (
    EXTRA_WHY,
    FIX,
    Captured,
    CountedWindow,
    Reconciliation,
    Tally,
    account_tallies,
    captured_counts,
    counted_window,
    day,
    describe,
    identity_tallies,
    quantity,
    singular,
)
from sesops.aws import statistics
from sesops.errors import InputError

SINCE = datetime(2026, 11, 3, tzinfo=UTC)
UNTIL = datetime(2026, 11, 10, tzinfo=UTC)
EAST = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
WEST = "arn:aws:sns:eu-west-1:123456789012:ses-feedback"


def row(event_type: str, category: str, **fields: Any) -> dict[str, Any]:
    return {
        "event_type": event_type,
        "category": category,
        "timestamp": pd.Timestamp(fields.pop("at", SINCE + timedelta(days=1))),
        "bounce_type": fields.pop("bounce_type", None),
        "bounce_subtype": fields.pop("bounce_subtype", None),
        "topic_arn": fields.pop("topic_arn", EAST),
        "source": fields.pop("source", "news@example.com"),
    }


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
    return df


HARD = row("Bounce", "hard_bounce", bounce_type="Permanent", bounce_subtype="General")
SOFT = row("Bounce", "soft_bounce", bounce_type="Transient", bounce_subtype="MailboxFull")
AUTO = row("Bounce", "auto_reply", bounce_type="Transient", bounce_subtype="General")
SUPPRESSED = row("Bounce", "hard_bounce", bounce_type="Permanent", bounce_subtype="OnAccountSuppressionList")
COMPLAINT = row("Complaint", "complaint")
NOT_SPAM = row("Complaint", "not_spam")
DELIVERY = row("Delivery", "delivery")


def test_each_row_answers_its_counter() -> None:
    df = frame(HARD, HARD, SOFT, AUTO, SUPPRESSED, COMPLAINT, NOT_SPAM, DELIVERY, row("Send", "send"))
    assert captured_counts(df, SINCE, UNTIL) == Captured(
        bounces=3, suppressed_bounces=1, permanent_bounces=2, transient_bounces=1, complaints=2, deliveries=1
    )


def test_the_window_is_half_open() -> None:
    df = frame(
        row("Complaint", "complaint", at=SINCE),
        row("Complaint", "complaint", at=UNTIL - timedelta(microseconds=1)),
        row("Complaint", "complaint", at=UNTIL),
        row("Complaint", "complaint", at=SINCE - timedelta(seconds=1)),
        row("Complaint", "complaint", at=None),
    )
    assert captured_counts(df, SINCE, UNTIL) == Captured(complaints=2, untimed=1)


def test_rows_from_another_regions_topic_are_left_out_and_counted() -> None:
    df = frame(
        HARD,
        row("Bounce", "hard_bounce", bounce_type="Permanent", topic_arn=WEST),
        {**HARD, "topic_arn": None},
    )
    got = captured_counts(df, SINCE, UNTIL, region="us-east-1")
    assert (got.bounces, got.other_regions) == (2, 1)  # a row without a topic stays


@pytest.mark.parametrize(
    ("identity", "expected"),
    [("example.com", 2), ("news@example.com", 1), ("NEWS@example.com", 1), ("other.example", 0)],
)
def test_an_identity_counts_mail_sent_from_it(identity: str, expected: int) -> None:
    df = frame(
        COMPLAINT,
        {**COMPLAINT, "source": '"Shop" <shop@example.com>'},
        {**COMPLAINT, "source": "x@sub.example.com"},
        {**COMPLAINT, "source": None},
    )
    assert captured_counts(df, SINCE, UNTIL, identity=identity).complaints == expected


def test_naive_times_are_refused() -> None:
    with pytest.raises(InputError, match="since must be timezone-aware"):
        captured_counts(frame(HARD), SINCE.replace(tzinfo=None), UNTIL)


def test_the_issue_example_reads_as_promised() -> None:
    tally = Tally("bounces", counted=1204, captured=1150)
    assert describe(tally, "in us-east-1", SINCE) == (
        "SES counted 1,204 bounces in us-east-1 since Nov 3; 1,150 were captured: 54 missing (4.5 %) — "
        "check the subscription's delivery status and the DLQ"
    )


@pytest.mark.parametrize(
    ("counted", "captured", "ending"),
    [
        (10, 10, "; all were captured"),
        (0, 0, "; none were captured either"),
        (10, 12, "; 12 were captured: 2 more than SES counted (feedback redelivered past deduplication, "),
    ],
)
def test_matches_and_surpluses_are_named_too(counted: int, captured: int, ending: str) -> None:
    line = describe(
        Tally("complaints", counted, captured), "in us-east-1", SINCE + timedelta(hours=14, minutes=5)
    )
    assert line.startswith(f"SES counted {counted} complaints in us-east-1 since Nov 3 14:05 UTC{ending}")


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [
        (1, "bounces", "1 bounce"),
        (2, "bounces", "2 bounces"),
        (0, "bounces", "0 bounces"),
        (1, "complaints", "1 complaint"),
        (1_204, "complaints", "1,204 complaints"),
        (1, "deliveries", "1 delivery"),
        (3, "deliveries", "3 deliveries"),
        (1, "delivery attempts", "1 delivery attempt"),
        (1, "permanent bounces", "1 permanent bounce"),
        (1, "transient bounces", "1 transient bounce"),
        (1, "captured rows", "1 captured row"),
        (1, "addresses", "1 address"),
        (1, "mailboxes", "1 mailbox"),
        (1, "searches", "1 search"),
        (1, "feedback", "1 feedback"),  # no plural s: left as it is
        (1, "address", "1 address"),
    ],
)
def test_counts_read_singular_for_one(count: int, noun: str, expected: str) -> None:
    assert quantity(count, noun) == expected


def test_singular_changes_only_the_last_word() -> None:
    assert singular("delivery attempts") == "delivery attempt"
    assert singular("replies") == "reply"


@pytest.mark.parametrize(
    ("tally", "expected"),
    [
        (Tally("complaints", 1, 1), "SES counted 1 complaint in us-east-1 since Nov 3; it was captured"),
        (
            Tally("bounces", 1, 0),
            f"SES counted 1 bounce in us-east-1 since Nov 3; 0 were captured: 1 missing (100.0 %) — {FIX}",
        ),
        (
            Tally("bounces", 2, 1),
            f"SES counted 2 bounces in us-east-1 since Nov 3; 1 was captured: 1 missing (50.0 %) — {FIX}",
        ),
        (
            Tally("deliveries", 0, 1),
            f"SES counted 0 deliveries in us-east-1 since Nov 3; 1 was captured: 1 more than SES counted ({EXTRA_WHY})",
        ),
        (
            Tally("delivery attempts", 1, 2),
            "SES counted 1 delivery attempt in us-east-1 since Nov 3; 2 were captured: 1 more than SES counted "
            f"({EXTRA_WHY})",
        ),
        (
            Tally("deliveries", 0, 0),
            "SES counted 0 deliveries in us-east-1 since Nov 3; none were captured either",
        ),
    ],
)
def test_a_count_of_one_reads_singular(tally: Tally, expected: str) -> None:
    assert describe(tally, "in us-east-1", SINCE) == expected


def test_notes_read_singular_for_one() -> None:
    _, notes = account_tallies(
        bounces=0, complaints=0, delivery_attempts=1, captured=Captured(other_regions=1, untimed=1)
    )
    assert notes == (
        "1 captured row came from a topic in another region: left out",
        "1 captured row has no timestamp: left out",
        "SES counted 1 delivery attempt; no Delivery feedback was captured, so it is not compared "
        "(wire Delivery notifications to compare it)",
    )
    _, notes = identity_tallies({"DELIVERY": 1}, Captured(untimed=2))
    assert notes == (
        "2 captured rows have no timestamp: left out",
        "VDM counted 1 delivery; no Delivery feedback was captured",
    )


def test_delivery_attempts_are_compared_only_when_deliveries_were_captured() -> None:
    captured = Captured(bounces=2, suppressed_bounces=1, complaints=1, deliveries=7)
    tallies, notes = account_tallies(bounces=2, complaints=1, delivery_attempts=10, captured=captured)
    assert tallies == (Tally("bounces", 2, 2), Tally("complaints", 1, 1), Tally("delivery attempts", 10, 10))
    assert notes == ()
    tallies, notes = account_tallies(
        bounces=2, complaints=1, delivery_attempts=10, captured=Captured(bounces=2)
    )
    assert [t.what for t in tallies] == ["bounces", "complaints"]
    assert notes == (
        "SES counted 10 delivery attempts; no Delivery feedback was captured, so they are not compared "
        "(wire Delivery notifications to compare them)",
    )


def test_identity_tallies_read_the_vdm_metrics() -> None:
    vdm = {"SEND": 9, "DELIVERY": 6, "PERMANENT_BOUNCE": 2, "TRANSIENT_BOUNCE": 1, "COMPLAINT": 1}
    captured = Captured(permanent_bounces=1, transient_bounces=1, complaints=1, deliveries=6, other_regions=3)
    tallies, notes = identity_tallies(vdm, captured)
    assert tallies == (
        Tally("permanent bounces", 2, 1),
        Tally("transient bounces", 1, 1),
        Tally("complaints", 1, 1),
        Tally("deliveries", 6, 6),
    )
    assert notes == ("3 captured rows came from topics in other regions: left out",)


def test_a_gap_past_the_tolerance_is_found() -> None:
    tallies = (Tally("bounces", 1000, 990), Tally("complaints", 10, 11))
    assert Reconciliation("in us-east-1", SINCE, tallies).gaps == tallies[:1]
    assert not Reconciliation("in us-east-1", SINCE, tallies, tolerance=0.01).found_gap
    assert Reconciliation("in us-east-1", SINCE, tallies, tolerance=0.009).found_gap
    lines = Reconciliation("in us-east-1", SINCE, tallies, notes=("a note",)).lines()
    assert lines[0].endswith("10 missing (1.0 %) — check the subscription's delivery status and the DLQ")
    assert lines[-1] == "a note" and len(lines) == 3


def test_day_reads_like_a_person_would_write_it() -> None:
    assert day(datetime(2026, 1, 9, tzinfo=UTC)) == "Jan 9"
    assert day(datetime(2026, 1, 9, 8, 30, tzinfo=UTC)) == "Jan 9 08:30 UTC"


# -- the window SES counts -----------------------------------------------------------------------

NOW = datetime(2026, 11, 20, 12, 7, tzinfo=UTC)
KEPT_NOTE = "GetSendStatistics keeps two weeks: compared from 2026-11-06 12:15 UTC, not 2026-10-01"


def utc(date: int, hour: int = 0, minute: int = 0, *, month: int = 11, second: int = 0) -> datetime:
    return datetime(2026, month, date, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (utc(20, 9, 29, second=59), None, CountedWindow(utc(20, 9, 15), utc(20, 12, 15))),
        (utc(19, 9, 20), None, CountedWindow(utc(19, 9, 15), utc(20, 12, 15))),
        (utc(19, 9, 15), utc(19, 10), CountedWindow(utc(19, 9, 15), utc(19, 10))),
        (utc(19, 9, 15), utc(19, 10, 1), CountedWindow(utc(19, 9, 15), utc(19, 10, 15))),
        (utc(19), utc(25), CountedWindow(utc(19), utc(20, 12, 15))),  # no later than now's interval
        (utc(1, month=10), None, CountedWindow(utc(6, 12, 15), utc(20, 12, 15), (KEPT_NOTE,))),
        (utc(6, 12, 15), None, CountedWindow(utc(6, 12, 15), utc(20, 12, 15))),  # just within
        (
            datetime(2026, 11, 19, 10, 20, tzinfo=timezone(timedelta(hours=2))),  # 08:20 UTC
            None,
            CountedWindow(utc(19, 8, 15), utc(20, 12, 15)),
        ),
    ],
)
def test_the_window_is_whole_intervals_within_retention(
    since: datetime, until: datetime | None, expected: CountedWindow
) -> None:
    window = counted_window(since, until, NOW)
    assert window == expected and not window.empty


@pytest.mark.parametrize(
    ("since", "until"),
    [(utc(20, 12), utc(20, 12)), (utc(20, 12, 15), None), (utc(21), None), (utc(20, 11), utc(20, 10))],
)
def test_a_window_that_counts_nothing_is_empty(since: datetime, until: datetime | None) -> None:
    assert counted_window(since, until, NOW).empty


@pytest.mark.parametrize(
    ("since", "until", "now", "message"),
    [
        (utc(20).replace(tzinfo=None), None, NOW, "since must be timezone-aware"),
        (utc(20), datetime(2026, 11, 20, 10), NOW, "until must be timezone-aware"),
        (utc(20), None, NOW.replace(tzinfo=None), "now must be timezone-aware"),
    ],
)
def test_naive_window_times_are_refused(
    since: datetime, until: datetime | None, now: datetime, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        counted_window(since, until, now)


def test_the_retention_is_the_one_sesops_aws_reads() -> None:
    assert reconcile.RETENTION == statistics.RETENTION
