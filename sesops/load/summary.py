"""Plain-text summaries of a loaded events table, and writing it out by suffix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sesops.errors import InputError
from sesops.load.sources import WHOLE_SOURCE

MAX_REASONS_SHOWN = 5


def format_load_summary(df: pd.DataFrame) -> str:
    """Events by type and category, control messages, duplicates and rejects."""
    attrs = df.attrs
    lines = [
        f"{len(df)} event rows from {attrs.get('messages', 0)} messages "
        f"({df['email'].nunique() if len(df) else 0} distinct recipients)"
    ]
    if len(df):
        lines.append("by event type:")
        lines += _counts(df["event_type"])
        lines.append("by category:")
        lines += _counts(df["category"])
    control = attrs.get("control") or {}
    if control:
        lines.append(
            "control messages (no rows): " + ", ".join(f"{k} {v}" for k, v in sorted(control.items()))
        )
    for notice in (attrs.get("notices") or [])[:MAX_REASONS_SHOWN]:  # SES's events about the account
        lines.append(f"  {notice.get('detail-type')} at {notice.get('time')} ({notice.get('region')})")
    lines.append(f"duplicates dropped: {attrs.get('duplicates', 0)}")
    lines += _rejects(attrs.get("rejected", 0), attrs.get("rejects") or [], attrs.get("unread", 0))
    return "\n".join(lines)


def _rejects(rejected: int, listed: list[dict[str, Any]], unread: int) -> list[str]:
    """The reject count, the first few, and how many more (``df.attrs`` lists only the first
    :data:`~sesops.load.collector.MAX_LISTED_REJECTS`; the count is exact)."""
    title = f"rejected records: {rejected}"
    if unread:
        title += f" (of which {unread} {'is a source' if unread == 1 else 'are sources'} not read in full)"
    lines = [title]
    for reject in listed[:MAX_REASONS_SHOWN]:
        where = reject["source"] if reject["line"] == WHOLE_SOURCE else f"{reject['source']}:{reject['line']}"
        lines.append(f"  {where}: {reject['reason']}")
    shown = min(len(listed), MAX_REASONS_SHOWN)
    if rejected > shown:
        lists = "lists them" if len(listed) == rejected else f"lists the first {len(listed):,}"
        lines.append(f"  ... and {rejected - shown:,} more (df.attrs['rejects'] {lists})")
    return lines


def _counts(series: pd.Series) -> list[str]:
    counts = series.value_counts()
    width = max(len(str(k)) for k in counts.index)
    return [f"  {k!s:<{width}}  {v:>8}" for k, v in counts.items()]


def write_table(df: pd.DataFrame, out: Path) -> None:
    """Write ``df`` as CSV, JSON Lines or Parquet, chosen by the suffix of ``out``."""
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        df.to_csv(out, index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
    elif suffix == ".jsonl":
        df.to_json(out, orient="records", lines=True, date_format="iso", date_unit="ms")
    elif suffix == ".parquet":
        frame = df.copy()
        frame.attrs = {}
        frame.to_parquet(out, index=False)
    else:
        raise InputError(f"{out}: unknown suffix; use .csv, .jsonl or .parquet")
