"""Dropping repeated events: SNS redeliveries and the same feedback captured twice.

Rows are repeats when they share any of the :data:`KEYS`:

* (``sns_message_id``, ``email``, ``event_type``): an SNS redelivery;
* (``feedback_id``, ``email``, ``event_type``): a bounce or complaint that came through two
  channels (identity notifications and event publishing by SNS or EventBridge);
* (``message_id``, ``email``, ``event_type``, ``timestamp`` as SES wrote it): an event without a
  feedback id (deliveries, delays, sends, opens...) that came through two channels or was
  redelivered by EventBridge or SQS. Every channel carries the same record, so the time's text
  is compared: cheaper than parsing it first (about 10 % of a load). Bounces and complaints are
  judged by their feedback id alone: two bounces of one mail in the same second are two.

The first occurrence is kept; a key applies only to rows that have its ids (and, for the
last, a timestamp and no feedback id), so rows without them are never dropped by it.

Tables are deduplicated as they arrive (batch by batch from DuckDB, or whole from the
pure parser), so a large load never holds a second copy of its result. Each key is
identified by two independent 64-bit hashes that DuckDB computes on both cores (a
false match needs both to collide: about 2^-128 per pair of keys).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

KEYS = (
    ("sns_message_id", "email", "event_type"),
    ("feedback_id", "email", "event_type"),
    ("message_id", "email", "event_type", "timestamp"),
)
#: Per key, a column that must be empty for the key to apply (events with a feedback id are
#: judged by it, not by their time).
ONLY_WITHOUT: tuple[str | None, ...] = (None, None, "feedback_id")
HASH_COLUMNS = tuple(f"_key{i}_{part}" for i in range(len(KEYS)) for part in "ab")
#: A key's columns as hashed (the time as text: rows are deduplicated before times are parsed).
_EXPRESSIONS = {"timestamp": '"timestamp"::VARCHAR'}
DedupeMark = tuple[tuple[list[tuple[np.ndarray, np.ndarray]], ...], int]


@dataclass
class _Seen:
    """Hashes of keys already kept, as sorted runs (one per table added)."""

    runs: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def contains(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        found = np.zeros(len(first), dtype=bool)
        if not self.runs or not len(first):
            return found
        order = np.argsort(first)  # sorted needles: searchsorted walks each run once
        needles, partners = first[order], second[order]
        for run_first, run_second in self.runs:
            left = np.searchsorted(run_first, needles, side="left")
            right = np.searchsorted(run_first, needles, side="right")
            width = right - left
            for offset in range(int(width.max())):  # almost always at most 1
                rows = np.flatnonzero(width > offset)
                hit = run_second[left[rows] + offset] == partners[rows]
                found[order[rows[hit]]] = True
        return found

    def add(self, first: np.ndarray, second: np.ndarray) -> None:
        if not len(first):
            return
        order = np.argsort(first, kind="stable")
        self.runs.append((first[order], second[order]))
        # Merge runs of similar size (a binary counter): about log2(n) runs to search.
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (a_first, a_second), (b_first, b_second) = self.runs[-2], self.runs.pop()
            merged_first = np.concatenate([a_first, b_first])
            merged_second = np.concatenate([a_second, b_second])
            order = np.argsort(merged_first, kind="stable")  # two sorted runs: a linear merge
            self.runs[-1] = (merged_first[order], merged_second[order])


class Deduper:
    """Filters tables against every key seen in the tables filtered before them."""

    def __init__(self) -> None:
        self._seen = tuple(_Seen() for _ in KEYS)
        self.dropped = 0

    def mark(self) -> DedupeMark:
        # Runs are immutable arrays: a shallow copy of each list is a snapshot.
        return tuple(list(seen.runs) for seen in self._seen), self.dropped

    def rollback(self, mark: DedupeMark) -> None:
        runs, self.dropped = mark
        for seen, snapshot in zip(self._seen, runs, strict=True):
            seen.runs = list(snapshot)

    def filter(self, table: pa.Table) -> pa.Table:
        """``table`` without rows that repeat a row of this or an earlier table."""
        if not table.num_rows:
            return table
        repeated = np.zeros(table.num_rows, dtype=bool)
        hashes = _hashes_in(table) if HASH_COLUMNS[0] in table.column_names else _key_hashes(table)
        for seen, (present, first, second) in zip(self._seen, hashes, strict=True):
            if not len(present):
                continue
            pair = pd.DataFrame({"first": first, "second": second})
            again = pair.duplicated().to_numpy() | seen.contains(first, second)
            repeated[present[again]] = True
        # Remember every key, a dropped row's too: a row dropped under one key can make a
        # later row a repeat under the other (a redelivery of a repeated feedback).
        for seen, (_, first, second) in zip(self._seen, hashes, strict=True):
            seen.add(first, second)
        dropped = int(repeated.sum())
        if not dropped:
            return table
        self.dropped += dropped
        return _without(table, np.flatnonzero(repeated))


def _without(table: pa.Table, rows: np.ndarray) -> pa.Table:
    """``table`` minus ``rows``, as zero-copy slices: repeats are few, and copying the
    rest would double the memory of a large load."""
    bounds = np.concatenate([[-1], rows, [table.num_rows]])
    pieces = [table.slice(start + 1, end - start - 1) for start, end in itertools.pairwise(bounds)]
    return pa.concat_tables([piece for piece in pieces if piece.num_rows] or [table.slice(0, 0)])


def hash_sql() -> str:
    """SQL for the key-hash columns (DuckDB's fast path selects them with the rows)."""
    expressions = []
    for i, key in enumerate(KEYS):
        values = [_EXPRESSIONS.get(column, f'"{column}"') for column in key]
        has_id = " AND ".join(f"{value} IS NOT NULL" for value in [values[0], *values[3:]])
        if ONLY_WITHOUT[i] is not None:
            has_id += f' AND "{ONLY_WITHOUT[i]}" IS NULL'
        expressions.append(f"CASE WHEN {has_id} THEN hash({', '.join(values)}) END AS {HASH_COLUMNS[2 * i]}")
        expressions.append(
            f"CASE WHEN {has_id} THEN hash('sesops', {', '.join(reversed(values))}) END "
            f"AS {HASH_COLUMNS[2 * i + 1]}"
        )
    return ", ".join(expressions)


def _key_hashes(table: pa.Table) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """For each key: rows that have its id, and two independent hashes of the key there."""
    import duckdb

    columns = sorted({name for key in KEYS for name in key} | {n for n in ONLY_WITHOUT if n is not None})
    keys = table.select(columns)  # noqa: F841  (DuckDB reads it by name)
    with duckdb.connect() as con:
        return _hashes_in(con.sql(f"SELECT {hash_sql()} FROM keys").to_arrow_table())


def _hashes_in(table: pa.Table) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for i in range(len(KEYS)):
        first = table.column(HASH_COLUMNS[2 * i])
        second = table.column(HASH_COLUMNS[2 * i + 1])
        present = np.flatnonzero(first.is_valid().to_numpy(zero_copy_only=False))
        # Fill nulls first: an integer column with nulls would come out as float64.
        first_values = pc.fill_null(first, 0).to_numpy(zero_copy_only=False)
        second_values = pc.fill_null(second, 0).to_numpy(zero_copy_only=False)
        out.append(
            (
                present,
                first_values[present].astype(np.uint64, copy=False),
                second_values[present].astype(np.uint64, copy=False),
            )
        )
    return out
