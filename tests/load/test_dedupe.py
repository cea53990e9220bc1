"""The Deduper agrees with the obvious pandas definition, across tables, and never drops rows
without an id."""

from __future__ import annotations

import itertools

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sesops.load.dedupe import KEYS, ONLY_WITHOUT, Deduper

COLUMNS = ["sns_message_id", "feedback_id", "message_id", "timestamp", "email", "event_type", "other"]


def reference(df: pd.DataFrame) -> pd.Series:
    repeated = pd.Series(False, index=df.index)
    for key, without in zip(KEYS, ONLY_WITHOUT, strict=True):
        has_id = df[key[0]].notna() & (df["timestamp"].notna() if "timestamp" in key else True)
        if without is not None:
            has_id &= df[without].isna()
        repeated |= df[list(key)].where(has_id).duplicated() & has_id
    return repeated


def table(records: list[dict[str, object]]) -> pa.Table:
    return pa.table(
        {
            c: pa.array([r[c] for r in records], type=pa.int64() if c == "other" else pa.large_string())
            for c in COLUMNS
        }
    )


values = st.sampled_from(["a", "b", "c", None])
NO_IDS: dict[str, object] = {
    "sns_message_id": None,
    "feedback_id": None,
    "message_id": None,
    "timestamp": "2026-11-01T10:00:00Z",
    "email": "a@x",
    "event_type": "Send",
    "other": 0,
}
rows = st.lists(
    st.fixed_dictionaries(
        {
            "sns_message_id": values,
            "feedback_id": values,
            "message_id": values,
            "timestamp": st.sampled_from(["2026-11-01T10:00:00.000Z", "2026-11-01T11:00:00.000Z", None]),
            "email": st.sampled_from(["x@e.org", "y@e.org", None]),
            "event_type": st.sampled_from(["Bounce", "Delivery"]),
            "other": st.integers(min_value=0, max_value=10**6),
        }
    ),
    max_size=40,
)


@pytest.mark.timeout(300)  # 22 s on a quiet 2-core machine, 58 s at load average 6
@settings(max_examples=200, deadline=None)
@given(rows, st.lists(st.integers(min_value=0, max_value=40), max_size=3))
def test_matches_the_pandas_definition_across_tables(
    records: list[dict[str, object]], cuts: list[int]
) -> None:
    expected = reference(pd.DataFrame(records, columns=COLUMNS)).to_numpy() if records else []
    deduper = Deduper()
    bounds = [0, *sorted(min(c, len(records)) for c in cuts), len(records)]
    kept = [deduper.filter(table(records[start:end])) for start, end in itertools.pairwise(bounds)]
    got = [v for t in kept for v in t.column("other").to_pylist()]
    assert got == [r["other"] for r, dropped in zip(records, expected, strict=True) if not dropped]
    assert deduper.dropped == sum(expected)


def test_two_bounces_of_one_mail_in_one_second_are_two() -> None:
    """Feedback is judged by its feedback id: the message+time key is for events without one."""
    bounce = {**NO_IDS, "message_id": "m", "event_type": "Bounce"}
    first, second = {**bounce, "feedback_id": "f1", "other": 1}, {**bounce, "feedback_id": "f2", "other": 2}
    delivery = {**NO_IDS, "message_id": "m", "event_type": "Delivery", "other": 3}
    kept = Deduper().filter(table([first, second, delivery, {**delivery, "other": 4}]))
    assert kept.column("other").to_pylist() == [1, 2, 3]


def test_rollback_forgets_what_was_seen() -> None:
    deduper = Deduper()
    first = [{**NO_IDS, "sns_message_id": "m", "event_type": "Bounce", "other": 1}]
    mark = deduper.mark()
    assert deduper.filter(table(first)).num_rows == 1
    assert deduper.filter(table(first)).num_rows == 0
    deduper.rollback(mark)
    assert deduper.dropped == 0
    assert deduper.filter(table(first)).num_rows == 1


def test_rows_without_ids_are_kept() -> None:
    records = [{**NO_IDS, "other": i} for i in range(3)]
    records.append({**NO_IDS, "message_id": "mail-1", "timestamp": None, "other": 3})  # a mail id but no time
    records.append({**NO_IDS, "timestamp": "2026-11-01T10:00:00Z", "other": 4})  # a time, no mail id
    assert Deduper().filter(table(records + records[3:])).num_rows == 7


def test_the_same_event_of_a_mail_through_two_channels_is_kept_once() -> None:
    """No feedback id (a delivery): the mail, recipient, type and instant make the key."""
    identity = {**NO_IDS, "sns_message_id": "sns-1", "message_id": "mail-1", "event_type": "Delivery"}
    published = identity | {"sns_message_id": "sns-2", "other": 1}
    later = published | {"sns_message_id": "sns-3", "timestamp": "2026-11-01T10:00:01Z", "other": 2}
    kept = Deduper().filter(table([identity, published, later]))
    assert kept.column("other").to_pylist() == [0, 2]
