"""analysis: counts, the rate basis rule, thresholds, daily rates and breakdowns."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from sesops import read_events
from sesops.analysis.rates import (
    Thresholds,
    bounce_breakdown,
    by_domain,
    daily,
    normalize_diagnostic,
    sent_pairs,
    summarize,
    top_diagnostics,
)
from sesops.errors import InputError
from sesops.sim.simulate import SimulationConfig, generate
from tests.payloads import bounce, complaint, delivery, mail


def at(obj: dict[str, Any], when: str, message_id: str) -> dict[str, Any]:
    """Give an SES object its own message id and detail timestamp."""
    obj["mail"]["messageId"] = message_id
    for key in ("bounce", "complaint", "delivery", "send"):
        if key in obj:
            obj[key]["timestamp"] = when
    obj["mail"]["timestamp"] = when
    return obj


def send(*recipients: str, message_id: str, when: str = "2026-11-01T09:59:59Z") -> dict[str, Any]:
    return {"eventType": "Send", "mail": {**mail(*recipients), "messageId": message_id, "timestamp": when}}


def identity_feed() -> pd.DataFrame:
    """40 delivered messages on two days, 2 hard bounces, 1 complaint, 1 auto-reply."""
    items: list[dict[str, Any]] = []
    for i in range(40):
        day = "01" if i < 20 else "02"
        items.append(at(delivery(f"u{i}@example.org"), f"2026-11-{day}T10:00:00Z", f"m{i}"))
    items.append(at(bounce("bad1@example.org", feedback_id="b1"), "2026-11-01T10:00:05Z", "mb1"))
    items.append(at(bounce("bad2@typo.test", feedback_id="b2"), "2026-11-02T10:00:05Z", "mb2"))
    items.append(at(complaint("u3@example.org", feedback_id="c1"), "2026-11-01T12:00:00Z", "m3"))
    auto = bounce("u4@example.org", bounce_type="Transient", subtype="General", status=None, feedback_id="a1")
    items.append(at(auto, "2026-11-01T10:30:00Z", "m4"))
    return read_events(items)


def test_counts_and_inferred_rates() -> None:
    s = summarize(identity_feed())
    assert s.rate_basis == "inferred"
    # 40 deliveries + 2 bounced messages; the complaint and auto-reply are to delivered messages
    assert s.sends == 42
    assert s.hard_bounces == 2 and s.complaints == 1
    assert s.bounce_rate == pytest.approx(2 / 42)
    assert s.complaint_rate == pytest.approx(1 / 42)
    assert s.by_category == {"delivery": 40, "hard_bounce": 2, "complaint": 1, "auto_reply": 1}
    assert s.by_event_type["Bounce"] == 3
    assert s.recipients == 42 and s.messages == 42 and s.rows == 44
    assert s.first == pd.Timestamp("2026-11-01T10:00:00Z") and s.last == pd.Timestamp("2026-11-02T10:00:05Z")
    assert s.bounce_status == "warning" and s.complaint_status == "pause" and s.status == "pause"


def test_send_events_are_the_denominator() -> None:
    sends = [send(f"r{i}@example.org", f"x{i}@example.org", message_id=f"s{i}") for i in range(50)]
    hard = bounce("r0@example.org", feedback_id="b", key="eventType")
    hard["mail"]["messageId"] = "s0"
    df = read_events([*sends, hard])
    s = summarize(df)
    assert s.rate_basis == "send_events" and s.sends == 100
    assert s.bounce_rate == pytest.approx(0.01) and s.bounce_status == "ok"
    basis, pairs = sent_pairs(df)
    assert basis == "send_events" and len(pairs) == 100


def test_bounce_only_feed_has_no_rate() -> None:
    df = read_events([bounce("a@x.org", feedback_id="1"), complaint("b@x.org")])
    s = summarize(df)
    assert s.rate_basis == "unavailable" and s.sends is None
    assert s.bounce_rate is None and s.complaint_rate is None
    assert s.status == "unknown" and "cannot give a true rate" in s.rate_note
    assert daily(df)["bounce_rate"].isna().all()


def test_given_sends() -> None:
    df = read_events([bounce("a@x.org", feedback_id="1")])
    s = summarize(df, sends=10)
    assert s.rate_basis == "given" and s.bounce_rate == pytest.approx(0.1) and s.bounce_status == "pause"
    with pytest.raises(InputError):
        summarize(df, sends=-1)


@pytest.mark.parametrize(
    ("rate", "bounce", "complaint"),
    [
        (0.0, "ok", "ok"),
        (0.0004999, "ok", "ok"),
        (0.0005, "ok", "warning"),
        (0.001, "ok", "review"),
        (0.005, "ok", "pause"),
        (0.0199, "ok", "pause"),
        (0.02, "warning", "pause"),
        (0.0499, "warning", "pause"),
        (0.05, "review", "pause"),
        (0.1, "pause", "pause"),
    ],
)
def test_threshold_levels(rate: float, bounce: str, complaint: str) -> None:
    t = Thresholds()
    assert t.bounce_status(rate) == bounce
    assert t.complaint_status(rate) == complaint
    assert t.bounce_status(None) == "unknown"


def test_daily_counts_and_rates() -> None:
    table = daily(identity_feed())
    assert list(table.index) == [pd.Timestamp("2026-11-01T00:00Z"), pd.Timestamp("2026-11-02T00:00Z")]
    first, second = table.iloc[0], table.iloc[1]
    assert first["delivery"] == 20 and first["hard_bounce"] == 1 and first["complaint"] == 1
    assert first["sends"] == 21 and first["bounce_rate"] == pytest.approx(1 / 21)
    assert second["sends"] == 21 and second["complaint_rate"] == 0
    assert list(table.columns)[:4] == ["hard_bounce", "auto_reply", "complaint", "delivery"]


def test_daily_fills_gaps_with_zero_days() -> None:
    df = read_events(
        [
            at(delivery("a@x.org"), "2026-11-01T10:00:00Z", "m1"),
            at(delivery("b@x.org"), "2026-11-04T10:00:00Z", "m2"),
        ]
    )
    table = daily(df)
    assert len(table) == 4
    assert table["delivery"].tolist() == [1, 0, 0, 1]
    assert table["bounce_rate"].isna().tolist() == [False, True, True, False]


def test_by_domain_sorting_and_top() -> None:
    df = identity_feed()
    table = by_domain(df, top=2)
    assert list(table.index) == ["example.org", "typo.test"]
    assert table.loc["example.org", "total"] == 43 and table.loc["example.org", "problems"] == 2
    problems = by_domain(df, top=1, sort_by="hard_bounce")
    assert problems.index[0] in ("example.org", "typo.test") and problems["hard_bounce"].iloc[0] == 1
    assert by_domain(df, sort_by="not_a_category").shape[0] == 2  # unknown key sorts as zeros


def test_bounce_breakdown_and_diagnostics() -> None:
    df = read_events(
        [
            bounce("a@x.org", "b@x.org", feedback_id="1"),
            bounce("a@x.org", feedback_id="2"),
            bounce(
                "c@y.org", bounce_type="Transient", subtype="MailboxFull", status="4.2.2", feedback_id="3"
            ),
        ]
    )
    table = bounce_breakdown(df)
    assert table.iloc[0].to_dict() == {
        "bounce_type": "Permanent",
        "bounce_subtype": "General",
        "category": "hard_bounce",
        "events": 3,
        "recipients": 2,
    }
    diagnostics = top_diagnostics(df, 5)
    assert diagnostics.iloc[0]["diagnostic"] == "smtp; 550 5.1.1 user unknown"
    assert diagnostics.iloc[0]["events"] == 3 and diagnostics.iloc[0]["status"] == "5.1.1"
    assert len(top_diagnostics(df, 1)) == 1


def test_normalize_diagnostic_masks_addresses() -> None:
    text = "smtp; 550 5.1.1 <Jane.Doe@Example.org>:  Recipient   address rejected"
    assert normalize_diagnostic(text) == "smtp; 550 5.1.1 <address>: Recipient address rejected"
    assert normalize_diagnostic("550 user bob@x.org unknown") == "550 user <address> unknown"


def test_empty_frame() -> None:
    df = read_events([])
    s = summarize(df)
    assert s.rows == 0 and s.sends is None and s.first is None and s.status == "unknown"
    assert daily(df).empty and by_domain(df).empty
    assert bounce_breakdown(df).empty and top_diagnostics(df).empty


@pytest.mark.parametrize("event_publishing", [False, True])
def test_simulated_rates_come_out_near_the_configured_ones(event_publishing: bool) -> None:
    config = SimulationConfig(messages=4000, seed=3, bounce_rate=0.06, event_publishing=event_publishing)
    s = summarize(read_events(list(generate(config))))
    assert s.rate_basis == ("send_events" if event_publishing else "inferred")
    assert s.bounce_rate is not None and 0.04 < s.bounce_rate < 0.08
    assert s.bounce_status == "review"


def test_a_mixed_feed_falls_back_to_the_union() -> None:
    """One Send event among identity notifications must not make the denominator 1."""
    items: list[dict[str, Any]] = [send("s@example.org", message_id="s0")]
    items += [at(delivery(f"u{i}@example.org"), "2026-11-01T10:00:00Z", f"m{i}") for i in range(9)]
    items.append(at(bounce("bad@example.org", feedback_id="b"), "2026-11-01T10:00:05Z", "mb"))
    s = summarize(read_events(items))
    assert s.rate_basis == "inferred" and s.sends == 11
    assert s.bounce_rate == pytest.approx(1 / 11)


def test_feedback_for_sends_outside_the_export_is_inferred() -> None:
    """An event-publishing export that starts mid-flight: outcomes whose Send came earlier."""
    items: list[dict[str, Any]] = [send(f"r{i}@example.org", message_id=f"s{i}") for i in range(9)]
    late = delivery("early@example.org")
    late["mail"]["messageId"] = "before-export"
    s = summarize(read_events([*items, late]))
    assert s.rate_basis == "inferred" and s.sends == 10
