"""breakdowns: rates per recipient domain, send-to-bounce times, complaint feedback and delay types."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sesops import read_events
from sesops.analysis.breakdowns import (
    DELAY_COLUMNS,
    delay_summary,
    delay_types,
    domain_rates,
    feedback_types,
    send_to_bounce,
)
from tests.analysis.feedback import bounce_of, complained, delivered, ses_mail


def sent(address: str, message_id: str, stamp: str) -> dict[str, Any]:
    return {"eventType": "Send", "mail": ses_mail(address, message_id=message_id, stamp=stamp), "send": {}}


def delay(address: str, delay_type: str | None) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "delayedRecipients": [{"emailAddress": address, "status": "4.4.7"}],
        "timestamp": "2026-11-01T10:30:00Z",
    }
    if delay_type is not None:
        detail["delayType"] = delay_type
    return {
        "eventType": "DeliveryDelay",
        "mail": ses_mail(address, message_id=f"d-{address}", stamp="2026-11-01T10:00:00Z"),
        "deliveryDelay": detail,
    }


def test_rates_per_domain_over_what_was_sent_to_it() -> None:
    items = [
        *(delivered(f"u{i}@big.org") for i in range(8)),
        bounce_of("gone@big.org"),
        complained("angry@big.org"),
        delivered("ok@small.org"),
        bounce_of("gone@small.org"),
        bounce_of("full@small.org", "Transient", "MailboxFull", "4.2.2"),
    ]
    table = domain_rates(read_events(items))
    assert list(table.index) == ["big.org", "small.org"]  # most hard bounces and complaints first
    big, small = table.loc["big.org"], table.loc["small.org"]
    assert (big["sends"], big["hard_bounces"], big["complaints"]) == (10, 1, 1)
    assert (big["bounce_rate"], big["complaint_rate"]) == (0.1, 0.1)
    assert (small["sends"], small["hard_bounces"], small["soft_bounces"]) == (3, 1, 1)
    assert small["soft_bounce_rate"] == 1 / 3


def test_domain_rates_are_unknown_without_sends_or_deliveries() -> None:
    table = domain_rates(read_events([bounce_of("gone@x.org"), complained("angry@x.org")]))
    assert table.loc["x.org", "hard_bounces"] == 1 and pd.isna(table.loc["x.org", "sends"])
    assert table["bounce_rate"].isna().all()


def test_time_from_send_to_bounce_per_category() -> None:
    items = [
        sent("gone@x.org", "m1", "2026-11-01T10:00:00Z"),
        {**bounce_of("gone@x.org", stamp="2026-11-01T10:00:04Z"), "mail": ses_mail("gone@x.org", message_id="m1",
                                                                                   stamp="2026-11-01T10:00:00Z")},
        sent("full@x.org", "m2", "2026-11-01T10:00:00Z"),
        {**bounce_of("full@x.org", "Transient", "MailboxFull", "4.2.2", stamp="2026-11-01T16:00:00Z"),
         "mail": ses_mail("full@x.org", message_id="m2", stamp="2026-11-01T10:00:00Z")},
        bounce_of("unsent@x.org"),  # no Send event: counted, not timed
    ]  # fmt: skip
    delays = send_to_bounce(read_events(items))
    table = delay_summary(delays)
    assert list(table.columns) == DELAY_COLUMNS
    assert (table.loc["hard_bounce", "bounces"], table.loc["hard_bounce", "timed"]) == (2, 1)
    assert table.loc["hard_bounce", "median"] == pd.Timedelta(seconds=4)
    assert table.loc["soft_bounce", "longest"] == pd.Timedelta(hours=6)
    assert delay_summary(delays.iloc[0:0]).empty


def test_complaint_feedback_types_and_delay_types() -> None:
    items = [
        complained("a@x.org", "abuse"),
        complained("b@x.org", "abuse"),
        complained("c@x.org", None),
        complained("d@x.org", "not-spam"),
        delay("slow@x.org", "MailboxFull"),
        delay("slower@x.org", "MailboxFull"),
        delay("odd@x.org", None),
    ]
    df = read_events(items)
    feedback = feedback_types(df)
    assert list(feedback.index) == ["abuse", "(none)", "not-spam"]
    assert list(feedback["events"]) == [2, 1, 1]
    delays = delay_types(df)
    assert list(delays.index) == ["MailboxFull", "(none)"]
    assert list(delays.columns) == ["events", "recipients", "messages"]
    assert list(delays["messages"]) == [2, 1]
