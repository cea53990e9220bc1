"""The Deduper agrees with the obvious pandas definition, across tables, and never drops rows
without an id."""

from __future__ import annotations

import itertools

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sesops.load.dedupe import KEYS, Deduper

COLUMNS = ["sns_message_id", "feedback_id", "email", "event_type", "other"]


def reference(df: pd.DataFrame) -> pd.Series:
    repeated = pd.Series(False, index=df.index)
    for key in KEYS:
        has_id = df[key[0]].notna()
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
rows = st.lists(
    st.fixed_dictionaries(
        {
            "sns_message_id": values,
            "feedback_id": values,
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


def test_rollback_forgets_what_was_seen() -> None:
    deduper = Deduper()
    first = [{"sns_message_id": "m", "feedback_id": None, "email": "a@x", "event_type": "Bounce", "other": 1}]
    mark = deduper.mark()
    assert deduper.filter(table(first)).num_rows == 1
    assert deduper.filter(table(first)).num_rows == 0
    deduper.rollback(mark)
    assert deduper.dropped == 0
    assert deduper.filter(table(first)).num_rows == 1


def test_rows_without_ids_are_kept() -> None:
    records = [
        {"sns_message_id": None, "feedback_id": None, "email": "a@x", "event_type": "Send", "other": i}
        for i in range(3)
    ]
    assert Deduper().filter(table(records)).num_rows == 3
