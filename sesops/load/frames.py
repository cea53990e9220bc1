"""Building DataFrames that honour the row contract, from Python rows or Arrow tables.

Both loader paths end here, so their frames have the same dtypes: text columns are
pandas' Arrow-backed ``str`` dtype and ``timestamp`` is tz-aware UTC (microseconds).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sesops.events.parse import COLUMNS, Row

TEXT_COLUMNS = tuple(c for c in COLUMNS if c != "timestamp")
UTC_MICROS = pa.timestamp("us", tz="UTC")


def rows_to_table(rows: Sequence[Row], *, parse: bool = True) -> pa.Table:
    """Row tuples (timestamps still ISO text) -> an Arrow table of the contract columns
    (``parse=False`` leaves ``timestamp`` as text, as DuckDB's rows are when deduplicated)."""
    # One 2-D object array is a cheaper transpose than zip(*rows); each column then
    # converts to Arrow without another Python-level pass.
    columns: Sequence[Any]
    try:
        grid = np.empty((len(rows), len(COLUMNS)), dtype=object)
        if rows:
            grid[:] = rows
        columns = [grid[:, index] for index in range(len(COLUMNS))]
    except ValueError:  # a list or object among the values confuses numpy: transpose plainly
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in COLUMNS]
    arrays = []
    for values in columns:
        try:
            arrays.append(pa.array(values, type=pa.large_string(), from_pandas=False))
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a number or object where text belongs
            arrays.append(pa.array([_text(v) for v in values], type=pa.large_string()))
    table = pa.table(arrays, names=list(COLUMNS))
    return parse_timestamps(table) if parse else table


def _text(value: Any) -> str | None:
    """Text of a JSON value as DuckDB's fast path renders it (``false``, ``5``, JSON objects)."""
    if value is None or isinstance(value, str):
        return value
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:  # from a dict passed in memory: an int past 64 bits, a set, ...
        return json.dumps(value, default=repr, separators=(",", ":"))


def parse_timestamps(table: pa.Table) -> pa.Table:
    """ISO-8601 ``timestamp`` text -> UTC timestamps; values that are not times become NaT."""
    index = table.schema.get_field_index("timestamp")
    text = table.column(index)
    if pa.types.is_timestamp(text.type):
        return table
    try:
        parsed = pc.cast(text, UTC_MICROS)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        series = pd.to_datetime(text.to_pandas(), utc=True, format="ISO8601", errors="coerce")
        parsed = pa.array(series.dt.as_unit("us"), type=UTC_MICROS)
    return table.set_column(index, "timestamp", parsed)


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    return finalize(table.select(list(COLUMNS)).to_pandas())


def finalize(df: pd.DataFrame) -> pd.DataFrame:
    """Give a frame the contract's column order and dtypes (a no-op for frames built here)."""
    out = df.loc[:, list(COLUMNS)] if list(df.columns) != list(COLUMNS) else df
    timestamps = out["timestamp"]
    if not isinstance(timestamps.dtype, pd.DatetimeTZDtype) or str(timestamps.dt.tz) != "UTC":
        out = out.copy() if out is df else out
        out["timestamp"] = pd.to_datetime(timestamps, utc=True, format="ISO8601", errors="coerce")
    for column in TEXT_COLUMNS:
        if out[column].dtype != "str":
            out = out.copy() if out is df else out
            out[column] = out[column].astype("str").where(out[column].notna())
    return out


def empty_frame() -> pd.DataFrame:
    return table_to_frame(rows_to_table([]))
