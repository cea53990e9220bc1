"""The canonical suppression CSV (``--format sesops``) and the review CSV.

Columns :data:`CSV_COLUMNS` (the suppression list's own, header first) or
:data:`REVIEW_CSV_COLUMNS`; UTF-8, ``\\n`` line ends, RFC 4180 quoting where needed,
timestamps ISO-8601 UTC to the second (``2026-11-01T10:00:05Z``), rows sorted by email,
every cell spreadsheet-safe (:mod:`~sesops.analysis.suppress.cells`), written whole or not
at all (:mod:`~sesops.analysis.suppress.files`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sesops.analysis.suppress.cells import escape_column
from sesops.analysis.suppress.files import column_renderer, csv_bytes, write_parts
from sesops.analysis.suppress.lists import FRAME_COLUMNS, REVIEW_COLUMNS, TIME_COLUMNS
from sesops.errors import InputError

#: Columns of the canonical CSV, in order: the header starts ``email,reason``.
CSV_COLUMNS: tuple[str, ...] = FRAME_COLUMNS
REVIEW_CSV_COLUMNS: tuple[str, ...] = REVIEW_COLUMNS
CSV_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def iso_seconds(stamps: pd.Series) -> pd.Series:
    """UTC times as ``2026-11-01T10:00:05Z`` (missing: empty), vectorised."""
    stamps = pd.to_datetime(stamps, utc=True)
    missing = stamps.isna().to_numpy()
    values = stamps.dt.tz_convert(None).to_numpy(dtype="datetime64[s]")
    text = np.char.add(np.datetime_as_string(values, unit="s"), "Z")
    return pd.Series(np.where(missing, "", text), index=stamps.index, dtype="str")


def text_cells(frame: pd.DataFrame, columns: Sequence[str]) -> list[list[str]]:
    """Each column as a list of spreadsheet-safe CSV cells (times ISO-8601, counts as digits)."""
    cells = []
    for column in columns:
        values = frame[column]
        if column in TIME_COLUMNS:
            values = iso_seconds(values)
        elif column == "events":
            values = values.astype("int64").astype("str")
        cells.append(escape_column(values).tolist())
    return cells


def write_frame_csv(frame: pd.DataFrame, columns: Sequence[str], path: str | os.PathLike[str]) -> Path:
    """``frame``'s ``columns`` as one CSV file with a header, sorted by email (see the module docstring)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"not a suppression frame: missing column(s) {', '.join(missing)}; "
            "build it with sesops.analysis.suppress.build_suppression_list"
        )
    ordered = frame.sort_values("email", kind="stable")
    cells = text_cells(ordered, columns)
    (written,) = write_parts(path, len(ordered), column_renderer(cells), header=csv_bytes([columns]))
    return written


def write_suppression_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the canonical suppression CSV (columns :data:`CSV_COLUMNS`) and return its path."""
    return write_frame_csv(frame, CSV_COLUMNS, path)


def write_review_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the review list (columns :data:`REVIEW_CSV_COLUMNS`) and return its path."""
    return write_frame_csv(frame, REVIEW_CSV_COLUMNS, path)
