"""suppress: each policy rule, the soft-bounce window edges, idempotence, and the canonical CSV."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sesops import read_events
from sesops.analysis.suppress import (
    CSV_COLUMNS,
    FRAME_COLUMNS,
    SuppressionPolicy,
    build_suppression_list,
    write_suppression_csv,
)
from sesops.errors import InputError
from tests.payloads import bounce, complaint, delivery

_counter = iter(range(1_000_000))


def when(obj: dict[str, Any], stamp: str) -> dict[str, Any]:
    """Give an SES object its own time, message id and feedback id."""
    n = next(_counter)
    obj["mail"]["messageId"] = f"m{n}"
    for key in ("bounce", "complaint", "delivery"):
        if key in obj:
            obj[key]["timestamp"] = stamp
            obj[key]["feedbackId"] = f"f{n}"
    return obj


def soft(address: str, stamp: str) -> dict[str, Any]:
    return when(bounce(address, bounce_type="Transient", subtype="MailboxFull", status="4.2.2"), stamp)


def days(address: str, *dates: str, maker: Any = soft) -> list[dict[str, Any]]:
    return [maker(address, f"{d}T12:00:00Z") for d in dates]


def emails(frame: pd.DataFrame) -> list[str]:
    return list(frame["email"])


def test_hard_bounce_any_subtype_suppresses_at_once() -> None:
    df = read_events(
        [
            when(bounce("a@x.org", subtype="General"), "2026-11-01T10:00:00Z"),
            when(bounce("b@x.org", subtype="Suppressed"), "2026-11-01T10:00:00Z"),
            when(bounce("c@x.org", subtype="OnAccountSuppressionList"), "2026-11-01T10:00:00Z"),
        ]
    )
    out = build_suppression_list(df)
    assert list(out.columns) == list(FRAME_COLUMNS)
    assert emails(out) == ["a@x.org", "b@x.org", "c@x.org"]
    assert set(out["reason"]) == {"BOUNCE"} and set(out["category"]) == {"hard_bounce"}
    assert out.loc[1, "rule"] == "hard bounce (Permanent/Suppressed)"
    assert out.loc[0, "last_diagnostic"] == "smtp; 550 5.1.1 user unknown"
    assert out.loc[0, "first_seen"] == pd.Timestamp("2026-11-01T10:00:00Z")


def test_complaint_suppresses_not_spam_does_not() -> None:
    df = read_events(
        [
            when(complaint("angry@x.org", feedback_type="abuse"), "2026-11-01T10:00:00Z"),
            when(complaint("nofb@x.org", feedback_type=None), "2026-11-01T10:00:00Z"),
            when(complaint("fine@x.org", feedback_type="not-spam"), "2026-11-01T10:00:00Z"),
        ]
    )
    out = build_suppression_list(df)
    assert emails(out) == ["angry@x.org", "nofb@x.org"]
    assert set(out["reason"]) == {"COMPLAINT"}
    assert list(out["rule"]) == ["complaint (abuse)", "complaint"]


def test_never_on_auto_reply_delivery_or_delay() -> None:
    auto = bounce("ooo@x.org", bounce_type="Transient", subtype="General", status=None)
    delay = {
        "eventType": "DeliveryDelay",
        "mail": {"messageId": "d", "destination": ["slow@x.org"], "timestamp": "2026-11-01T10:00:00Z"},
        "deliveryDelay": {
            "delayType": "MailboxFull",
            "delayedRecipients": [{"emailAddress": "slow@x.org", "status": "4.2.2"}],
            "timestamp": "2026-11-01T10:00:00Z",
        },
    }
    items = [*days("ooo@x.org", "2026-11-01", "2026-11-02", "2026-11-03", maker=lambda a, s: when(auto, s))]
    df = read_events([*items, delivery("ok@x.org"), delay, delay])
    assert build_suppression_list(df).empty


def test_soft_bounces_need_three_distinct_days() -> None:
    same_day = [soft("a@x.org", f"2026-11-01T{h:02d}:00:00Z") for h in (1, 2, 3, 4)]
    two_days = days("b@x.org", "2026-11-01", "2026-11-02", "2026-11-02")
    three_days = days("c@x.org", "2026-11-01", "2026-11-05", "2026-11-09")
    out = build_suppression_list(read_events([*same_day, *two_days, *three_days]))
    assert emails(out) == ["c@x.org"]
    row = out.iloc[0]
    # issue 8 names the soft rule's category soft_bounce_threshold (it was soft_bounce)
    assert (row["reason"], row["category"], row["events"]) == ("BOUNCE", "soft_bounce_threshold", 3)
    assert row["rule"] == "soft bounces on 3 distinct days within 14 days"
    assert row["first_seen"] == pd.Timestamp("2026-11-01T12:00:00Z")
    assert row["last_seen"] == pd.Timestamp("2026-11-09T12:00:00Z")


@pytest.mark.parametrize(
    ("dates", "suppressed"),
    [
        (("2026-11-01", "2026-11-07", "2026-11-14"), True),  # 14 consecutive days: inside
        (("2026-11-01", "2026-11-07", "2026-11-15"), False),  # 15 days: outside
        (("2026-10-01", "2026-11-01", "2026-11-07", "2026-11-15"), False),  # no 3 within any 14
        (("2026-10-01", "2026-11-01", "2026-11-07", "2026-11-14"), True),  # a later window fires
    ],
)
def test_soft_bounce_window_edges(dates: tuple[str, ...], suppressed: bool) -> None:
    out = build_suppression_list(read_events(days("a@x.org", *dates)))
    assert (len(out) == 1) is suppressed


def test_window_uses_utc_days() -> None:
    # 23:59 and 00:01 are two distinct days, a minute apart
    items = [
        soft("a@x.org", "2026-11-01T23:59:00Z"),
        soft("a@x.org", "2026-11-02T00:01:00Z"),
        soft("a@x.org", "2026-11-02T23:00:00Z"),
    ]
    assert len(build_suppression_list(read_events(items))) == 0
    items.append(soft("a@x.org", "2026-11-03T00:00:00Z"))
    assert len(build_suppression_list(read_events(items))) == 1


def test_a_delivery_resets_the_soft_count() -> None:
    items = days("a@x.org", "2026-11-01", "2026-11-02")
    items.append(when(delivery("a@x.org"), "2026-11-02T18:00:00Z"))
    items += days("a@x.org", "2026-11-03", "2026-11-04")
    items += days("b@x.org", "2026-11-01", "2026-11-02", "2026-11-03")  # others' deliveries don't count
    df = read_events(items)
    assert emails(build_suppression_list(df)) == ["b@x.org"]
    assert emails(build_suppression_list(df, SuppressionPolicy(reset_on_delivery=False))) == [
        "a@x.org",
        "b@x.org",
    ]


def test_policy_switches() -> None:
    und = [
        when(bounce("u@x.org", bounce_type="Undetermined", subtype="Undetermined"), f"2026-11-0{d}T12:00:00Z")
        for d in (1, 2, 3)
    ]
    items = [
        when(bounce("hard@x.org"), "2026-11-01T10:00:00Z"),
        when(complaint("c@x.org"), "2026-11-01T10:00:00Z"),
        *days("s@x.org", "2026-11-01", "2026-11-02", "2026-11-03"),
        *und,
    ]
    df = read_events(items)
    # issue 8: Undetermined bounces are listed for review, never suppressed, by default; counting
    # them as soft bounces (the old default) is now a switch
    assert emails(build_suppression_list(df)) == ["c@x.org", "hard@x.org", "s@x.org"]
    assert emails(build_suppression_list(df, SuppressionPolicy(undetermined="soft"))) == [
        "c@x.org",
        "hard@x.org",
        "s@x.org",
        "u@x.org",
    ]
    assert emails(build_suppression_list(df, SuppressionPolicy(undetermined="ignore"))) == [
        "c@x.org",
        "hard@x.org",
        "s@x.org",
    ]
    at_once = build_suppression_list(read_events(und[:1]), SuppressionPolicy(undetermined="hard"))
    assert list(at_once["category"]) == ["undetermined"]
    off = SuppressionPolicy(
        hard_bounces=False, complaints=False, soft_bounce_days=None, undetermined="ignore"
    )
    assert build_suppression_list(df, off).empty
    assert emails(build_suppression_list(df, SuppressionPolicy(soft_bounce_days=None))) == [
        "c@x.org",
        "hard@x.org",
    ]


def test_strongest_rule_wins_and_evidence_is_counted() -> None:
    items = [
        when(bounce("a@x.org"), "2026-11-01T10:00:00Z"),
        when(complaint("a@x.org"), "2026-11-02T10:00:00Z"),
        when(bounce("a@x.org"), "2026-11-03T10:00:00Z"),
    ]
    row = build_suppression_list(read_events(items)).iloc[0]
    assert (row["reason"], row["category"], row["rule"]) == ("COMPLAINT", "complaint", "complaint (abuse)")
    assert row["events"] == 3
    assert row["first_seen"] == pd.Timestamp("2026-11-01T10:00:00Z")
    assert row["last_seen"] == pd.Timestamp("2026-11-03T10:00:00Z")


def test_now_ignores_later_events() -> None:
    items = [
        *days("a@x.org", "2026-11-01", "2026-11-02", "2026-11-03"),
        when(bounce("b@x.org"), "2026-11-05T10:00:00Z"),
    ]
    df = read_events(items)
    assert emails(build_suppression_list(df, now=pd.Timestamp("2026-11-02T23:00:00Z"))) == []
    assert emails(build_suppression_list(df, now=pd.Timestamp("2026-11-04T00:00:00"))) == [
        "a@x.org"
    ]  # naive = UTC
    assert emails(build_suppression_list(df)) == ["a@x.org", "b@x.org"]


def test_idempotent_over_repeated_and_overlapping_input() -> None:
    items = [
        *days("s@x.org", "2026-11-01", "2026-11-02", "2026-11-03"),
        when(bounce("hard@x.org"), "2026-11-01T10:00:00Z"),
        when(complaint("c@x.org"), "2026-11-01T10:00:00Z"),
    ]
    df = read_events(items)
    once = build_suppression_list(df)
    pd.testing.assert_frame_equal(once, build_suppression_list(df))
    doubled = pd.concat([df, df.iloc[::-1]], ignore_index=True)  # an overlapping export, reordered
    pd.testing.assert_frame_equal(once, build_suppression_list(doubled))


def test_policy_validation() -> None:
    with pytest.raises(InputError):
        SuppressionPolicy(soft_bounce_days=0)
    with pytest.raises(InputError):
        SuppressionPolicy(soft_bounce_window_days=0)
    with pytest.raises(InputError):
        SuppressionPolicy(undetermined="maybe")  # type: ignore[arg-type]


def test_csv_exact_header_order_and_quoting(tmp_path: Path) -> None:
    tricky = '"o\'brien, jr"@x.org'
    items = [
        when(bounce("zed@x.org"), "2026-11-01T10:00:05.123Z"),
        when(bounce(tricky), "2026-11-01T10:00:00Z"),
        when(complaint("Ünï@x.org"), "2026-11-02T11:00:00Z"),
    ]
    frame = build_suppression_list(read_events(items))
    path = write_suppression_csv(frame, tmp_path / "sub" / "suppressions.csv")
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    lines = text.split("\n")
    # issue 8: each address also carries its last bounce, complaint and message (appended columns)
    assert lines[0] == (
        "email,reason,category,first_seen,last_seen,events,rule,"
        "last_bounce_type,last_bounce_subtype,last_status,last_diagnostic,last_feedback_type,last_message_id"
    )
    assert lines[1].startswith(
        '"""o\'brien, jr""@x.org",BOUNCE,hard_bounce,2026-11-01T10:00:00Z,2026-11-01T10:00:00Z,1,'
        "hard bounce (Permanent/General)"
    )
    assert lines[-1] == "" and "\r" not in text
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["email"] for r in rows] == sorted([tricky, "zed@x.org", "ünï@x.org"])
    assert rows[0]["email"] == tricky
    zed = next(r for r in rows if r["email"] == "zed@x.org")
    assert zed == {
        "email": "zed@x.org",
        "reason": "BOUNCE",
        "category": "hard_bounce",
        "first_seen": "2026-11-01T10:00:05Z",
        "last_seen": "2026-11-01T10:00:05Z",
        "events": "1",
        "rule": "hard bounce (Permanent/General)",
        "last_bounce_type": "Permanent",
        "last_bounce_subtype": "General",
        "last_status": "5.1.1",
        "last_diagnostic": "smtp; 550 5.1.1 user unknown",
        "last_feedback_type": "",
        "last_message_id": zed["last_message_id"],
    }
    assert zed["last_message_id"].startswith("m")
    assert next(r for r in rows if r["email"] == "ünï@x.org")["reason"] == "COMPLAINT"
    assert not list(tmp_path.joinpath("sub").glob(".*"))  # no temporary file left behind


def test_csv_of_an_empty_list_is_just_the_header(tmp_path: Path) -> None:
    path = write_suppression_csv(build_suppression_list(read_events([])), tmp_path / "s.csv")
    assert path.read_text(encoding="utf-8") == ",".join(CSV_COLUMNS) + "\n"


def test_csv_refuses_a_frame_without_the_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing column"):
        write_suppression_csv(pd.DataFrame({"email": ["a@x.org"]}), tmp_path / "s.csv")


def test_csv_gets_the_usual_file_mode(tmp_path: Path) -> None:
    import os

    umask = os.umask(0o022)
    try:
        path = write_suppression_csv(build_suppression_list(read_events([])), tmp_path / "s.csv")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
