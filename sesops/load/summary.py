"""Plain-text summaries of a loaded events table, and writing it out by suffix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sesops.errors import InputError

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
    lines.append(f"duplicates dropped: {attrs.get('duplicates', 0)}")
    rejected = attrs.get("rejected", 0)
    lines.append(f"rejected records: {rejected}")
    for reject in (attrs.get("rejects") or [])[:MAX_REASONS_SHOWN]:
        lines.append(f"  {reject['source']}:{reject['line']}: {reject['reason']}")
    if rejected > MAX_REASONS_SHOWN:
        lines.append(f"  ... and {rejected - MAX_REASONS_SHOWN} more (df.attrs['rejects'] lists them)")
    return "\n".join(lines)


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
