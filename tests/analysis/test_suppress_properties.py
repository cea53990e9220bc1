"""Properties of the policy over generated feedback: a hard bounce never un-suppresses anyone;
row order and redeliveries change nothing."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sesops import read_events
from sesops.analysis.suppress import SuppressionPolicy, build_review_list, build_suppression_list
from tests.analysis.feedback import bounce_of, complained, delivered

ADDRESSES = ("a@x.org", "b@x.org", "c@y.org")
KINDS = {
    "hard": lambda a, s: bounce_of(a, "Permanent", "General", "5.1.1", stamp=s),
    "soft": lambda a, s: bounce_of(a, "Transient", "MailboxFull", "4.2.2", stamp=s),
    "bad_address": lambda a, s: bounce_of(a, "Transient", "General", "5.1.1", stamp=s),
    "delayed": lambda a, s: bounce_of(a, "Permanent", "General", "4.4.7", stamp=s, action="delayed"),
    "auto_reply": lambda a, s: bounce_of(a, "Transient", "General", None, stamp=s),
    "content": lambda a, s: bounce_of(a, "Transient", "ContentRejected", "5.7.1", stamp=s),
    "undetermined": lambda a, s: bounce_of(a, "Undetermined", "Undetermined", None, stamp=s),
    "complaint": lambda a, s: complained(a, "abuse", stamp=s),
    "not_spam": lambda a, s: complained(a, "not-spam", stamp=s),
    "delivery": lambda a, s: delivered(a, stamp=s),
}
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def feedback(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    address = draw(st.sampled_from(ADDRESSES))
    day, hour = draw(st.integers(1, 28)), draw(st.integers(0, 23))
    return dict(KINDS[kind](address, f"2026-11-{day:02d}T{hour:02d}:00:00Z"))


POLICIES = st.builds(
    SuppressionPolicy,
    soft_bounce_days=st.sampled_from([1, 2, 3, None]),
    soft_bounce_window_days=st.sampled_from([1, 7, 30]),
    undetermined=st.sampled_from(["review", "soft", "hard", "ignore"]),
    reset_on_delivery=st.booleans(),
)


@pytest.mark.timeout(300)
@SETTINGS
@given(items=st.lists(feedback(), max_size=25), address=st.sampled_from(ADDRESSES), day=st.integers(1, 28),
       policy=POLICIES)  # fmt: skip
def test_adding_a_hard_bounce_never_unsuppresses(
    items: list[dict[str, Any]], address: str, day: int, policy: SuppressionPolicy
) -> None:
    before = set(build_suppression_list(read_events(items), policy)["email"])
    hard = KINDS["hard"](address, f"2026-11-{day:02d}T12:00:00Z")
    after = set(build_suppression_list(read_events([*items, hard]), policy)["email"])
    assert before <= after
    assert address in after


@pytest.mark.timeout(300)
@SETTINGS
@given(items=st.lists(feedback(), max_size=25), data=st.data(), policy=POLICIES)
def test_row_order_and_redeliveries_change_nothing(
    items: list[dict[str, Any]], data: st.DataObject, policy: SuppressionPolicy
) -> None:
    df = read_events(items)
    shuffled = data.draw(st.permutations(range(len(df))))
    repeats = data.draw(st.lists(st.integers(0, max(len(df) - 1, 0)), max_size=len(df)))
    redelivered = df.iloc[list(repeats)].assign(sns_message_id="redelivery") if len(df) else df
    messy = pd.concat([df.iloc[list(shuffled)], redelivered], ignore_index=True)
    pd.testing.assert_frame_equal(build_suppression_list(df, policy), build_suppression_list(messy, policy))
    pd.testing.assert_frame_equal(build_review_list(df, policy), build_review_list(messy, policy))
