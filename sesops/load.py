"""``read_events``: any mix of sources -> one pandas DataFrame, one row per recipient.

Bad records never abort a load (unless ``errors="raise"``): they are skipped, counted
and listed in ``df.attrs["rejects"]`` with source, line and reason. Large JSON Lines
files take a vectorised DuckDB path (:mod:`sesops.fastload`); everything else, and any
line that path cannot prove regular, goes through the pure parser in :mod:`sesops.events`.

``df.attrs`` after a load:

``rejects``      list of ``{"source", "line", "reason"}`` (the first :data:`MAX_LISTED_REJECTS`)
``rejected``     number of records rejected
``control``      ``{kind: count}`` of control messages (no rows)
``duplicates``   number of rows dropped as repeats
``messages``     number of SES/SNS messages read (rows come from these)
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sesops.errors import InputError, RecordError
from sesops.events import COLUMNS, Row, parse_record
from sesops.sources import RawRecord, expand_paths, file_records, inner_suffix, is_store, iterable_records

log = logging.getLogger(__name__)

MAX_LISTED_REJECTS = 1000
PROGRESS_MIN_BYTES = 64 << 20
TEXT_COLUMNS = tuple(c for c in COLUMNS if c != "timestamp")

Source = str | os.PathLike[str] | dict[str, Any] | bytes | Iterable[Any]


class _Collector:
    """Accumulates rows, control counts and rejects from parsed records."""

    def __init__(self, errors: Literal["report", "raise"]) -> None:
        self.errors = errors
        self.rows: list[Row] = []
        self.frames: list[pd.DataFrame] = []
        self.control: Counter[str] = Counter()
        self.rejects: list[dict[str, Any]] = []
        self.rejected = 0
        self.messages = 0

    def reject(self, source: str, line: int, reason: str) -> None:
        if self.errors == "raise":
            raise RecordError(reason, source, line)
        self.rejected += 1
        if len(self.rejects) < MAX_LISTED_REJECTS:
            self.rejects.append({"source": source, "line": line, "reason": reason})

    def consume(self, records: Iterable[RawRecord]) -> None:
        rows = self.rows
        for record in records:
            data = record.data
            if isinstance(data, RecordError):
                self.reject(record.source, record.line, data.reason)
                continue
            try:
                if isinstance(data, list):  # a JSON array of messages inside one record
                    parsed = [p for item in data for p in parse_record(item)]
                else:
                    parsed = parse_record(data)
            except RecordError as err:
                self.reject(record.source, record.line, err.reason)
                continue
            except (TypeError, ValueError, AttributeError) as err:  # a value of an unexpected type
                self.reject(record.source, record.line, f"malformed SES/SNS message ({err})")
                continue
            for result in parsed:
                self.messages += 1
                if result.control is not None:
                    self.control[result.control] += 1
                else:
                    rows.extend(result.rows)

    def frame(self) -> pd.DataFrame:
        if self.rows:
            columns = list(zip(*self.rows, strict=True))
            self.frames.append(pd.DataFrame(dict(zip(COLUMNS, columns, strict=True))))
            self.rows = []
        frames = [f for f in self.frames if len(f)]
        if not frames:
            return empty_frame()
        if len(frames) == 1:
            return finalize(frames[0])
        return finalize(pd.concat([finalize(f) for f in frames], ignore_index=True))


def empty_frame() -> pd.DataFrame:
    return finalize(pd.DataFrame({c: pd.Series([], dtype=object) for c in COLUMNS}))


def finalize(df: pd.DataFrame) -> pd.DataFrame:
    """Give every frame the same dtypes: tz-aware UTC timestamps, string text columns."""
    out = df.loc[:, list(COLUMNS)]
    if not isinstance(out["timestamp"].dtype, pd.DatetimeTZDtype):
        out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True, format="ISO8601", errors="coerce")
    elif str(out["timestamp"].dt.tz) != "UTC":
        out["timestamp"] = out["timestamp"].dt.tz_convert("UTC")
    for column in TEXT_COLUMNS:
        if out[column].dtype != "str":
            out[column] = out[column].astype("str").where(out[column].notna())
    return out


def read_events(
    *sources: Source,
    dedupe: bool = True,
    errors: Literal["report", "raise"] = "report",
    progress: bool = False,
    engine: Literal["auto", "python", "duckdb"] = "auto",
) -> pd.DataFrame:
    """Load SES feedback from any mix of sources into one DataFrame (see the module docs).

    ``sources``: paths to ``.json`` (object or array), ``.jsonl``/``.ndjson``, ``.gz`` of
    either, capture-store files, directories (recursive), a single dict, or iterables of
    dicts, str or bytes. ``dedupe`` drops repeated SNS ``MessageId`` rows and repeated
    (``feedback_id``, ``email``, ``event_type``). ``errors="raise"`` stops at the first
    bad record with a :class:`~sesops.errors.RecordError` naming ``source:line``.
    ``engine``: ``"auto"`` uses DuckDB for JSON Lines files over 1 MiB, ``"python"``
    never does, ``"duckdb"`` does for every JSON Lines file (both give the same rows).
    """
    if errors not in ("report", "raise"):
        raise InputError(f"errors must be 'report' or 'raise', not {errors!r}")
    if engine not in ("auto", "python", "duckdb"):
        raise InputError(f"engine must be 'auto', 'python' or 'duckdb', not {engine!r}")
    collector = _Collector(errors)
    items = list(_expand(sources))
    paths = [item for item in items if isinstance(item, Path)]
    bar = _files_progress(paths) if progress else None
    for item in items:
        if isinstance(item, Path):
            _load_path(item, collector, progress=progress and bar is None, engine=engine)
            if bar is not None:
                bar.update(item.stat().st_size)
        else:
            collector.consume(item)
    if bar is not None:
        bar.close()
    df = collector.frame()
    duplicates = 0
    if dedupe and len(df):
        before = len(df)
        df = drop_duplicate_events(df)
        duplicates = before - len(df)
    df.attrs.update(
        rejects=collector.rejects,
        rejected=collector.rejected,
        control=dict(collector.control),
        duplicates=duplicates,
        messages=collector.messages,
    )
    if collector.rejected:
        first = collector.rejects[0]
        log.warning(
            "skipped %d bad record(s); first: %s:%s: %s (see df.attrs['rejects'])",
            collector.rejected,
            first["source"],
            first["line"],
            first["reason"],
        )
    return df


def _files_progress(paths: list[Path]) -> Any:
    """A byte-counting bar over many files (a single big file gets DuckDB's own progress)."""
    total = sum(p.stat().st_size for p in paths)
    if len(paths) < 2 or total < PROGRESS_MIN_BYTES:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, desc="loading", leave=False)


def _expand(sources: tuple[Source, ...]) -> Iterator[Path | Iterator[RawRecord]]:
    """Check every source up front (so a typo fails before a long load), then yield them."""
    expanded: list[Path | Iterator[RawRecord]] = []
    for index, source in enumerate(sources, start=1):
        if isinstance(source, str | os.PathLike):
            expanded.extend(expand_paths(source))
        elif isinstance(source, dict | bytes | bytearray):
            expanded.append(iterable_records([source], f"<source {index}>"))
        elif isinstance(source, Iterable):
            expanded.append(iterable_records(source, f"<source {index}>"))
        else:
            raise InputError(f"cannot read a {type(source).__name__}: pass paths, dicts, str or bytes")
    yield from expanded


def _load_path(path: Path, collector: _Collector, *, progress: bool, engine: str) -> None:
    if is_store(path):
        from sesops.store import read_raw_records

        collector.consume(read_raw_records(path))
        return
    if engine != "python" and inner_suffix(path) in (".jsonl", ".ndjson"):
        from sesops import fastload

        if engine == "duckdb" or fastload.worth_it(path):
            fastload.load_lines(path, collector, progress=progress)
            return
    collector.consume(file_records(path))


def drop_duplicate_events(df: pd.DataFrame) -> pd.DataFrame:
    """Drop SNS redeliveries and repeated feedback, keeping the first occurrence.

    Rows are repeats when they share (``sns_message_id``, ``email``, ``event_type``)
    or (``feedback_id``, ``email``, ``event_type``); rows missing the id are kept.
    """
    keep = pd.Series(True, index=df.index)
    for id_column in ("sns_message_id", "feedback_id"):
        has_id = df[id_column].notna()
        if has_id.any():
            repeated = df.loc[has_id].duplicated([id_column, "email", "event_type"])
            keep.loc[repeated.index[repeated.to_numpy()]] = False
    if keep.all():
        return df
    return df.loc[keep].reset_index(drop=True)
