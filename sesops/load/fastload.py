"""The vectorised JSON Lines path: DuckDB parses both JSON layers and unnests recipients.

One pass over the file with DuckDB's JSON reader (both cores): the SNS envelope's
fields and, for raw-delivery lines, the SES object itself are read as typed columns;
``Message`` is parsed once with ``json_transform``; each message's recipients are
chosen by its type and unnested in a single ``UNNEST``; the result comes back as
Arrow and then pandas (DuckDB's own ``.df()`` is twice as slow and three times the
memory).

Only lines this path can prove regular are handled here. Anything else (control
messages, SQS dumps, Lambda events, unknown event types, missing parts, not JSON) is
handed, with its exact line number, to the pure parser in :mod:`sesops.events.parse`, so both
paths yield the same rows and the same rejects.
"""

from __future__ import annotations

import gzip
import itertools
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sesops.errors import InputError
from sesops.events.parse import COLUMNS
from sesops.load.collector import Collector
from sesops.load.dedupe import HASH_COLUMNS
from sesops.load.fastsql import MACROS, query
from sesops.load.frames import parse_timestamps
from sesops.load.sources import RawRecord, open_lines

log = logging.getLogger(__name__)

#: Below this size the pure parser is as quick as starting DuckDB.
MIN_BYTES = 1 << 20


def worth_it(path: Path) -> bool:
    """True when ``path`` is large enough that DuckDB beats the pure parser."""
    try:
        return path.stat().st_size >= MIN_BYTES
    except OSError:
        return False


BATCH_ROWS = 1 << 16


def load_lines(path: Path, collector: Collector, *, progress: bool = False) -> None:
    """Load one JSON Lines file (gzip or not) into ``collector``.

    Results stream from DuckDB in batches that are deduplicated and kept as they come,
    so DuckDB reuses each batch's memory for the next one. Messages the pure parser
    must judge are cut out of the stream; if there were any, a second pass numbers the
    lines (a window DuckDB runs on one thread, so only dirty files pay for it) and those
    lines go to the parser with their line numbers.
    """
    import duckdb

    params = {"path": str(path)}
    con = duckdb.connect(config={"threads": _cpu_count()})
    mark = collector.mark()
    handed_over, fallback = 0, False
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET arrow_large_buffer_size = true")  # large_string: what pandas' str dtype holds
        # Let DuckDB run ahead of the Python side (dedupe, filtering) by a few batches.
        con.execute("SET max_streaming_buffer_size = '64MB'")
        con.execute("SET streaming_buffer_size = '64MB'")
        con.execute(MACROS)
        try:
            handed_over = _stream(con, query("$path"), params, path, collector, progress)
        except duckdb.InvalidInputException:  # a Message that is not valid JSON: parse defensively
            collector.rollback(mark)
            handed_over = _stream(con, query("$path", guarded=True), params, path, collector, progress)
        if handed_over:
            ordinals, total = _irregular_ordinals(con, params)
    except duckdb.Error as err:
        # Whatever DuckDB cannot read (a line over MAX_LINE_BYTES, bytes that are not
        # UTF-8 where it needs text), the pure parser can: slower, and nothing is lost.
        log.info("%s: DuckDB could not read it (%s); using the pure parser", path, str(err).splitlines()[0])
        collector.rollback(mark)
        fallback = True
    finally:
        con.close()
    if fallback:
        with open_lines(path) as lines:
            collector.consume_lines(lines, str(path))
    elif handed_over:
        collector.consume(_lines_by_ordinal(path, ordinals, total))


def _stream(
    con: Any, sql: str, params: dict[str, str], path: Path, collector: Collector, progress: bool
) -> int:
    """Feed the query's regular messages to ``collector``; returns how many were cut out."""
    reader = con.sql(sql, params=params).to_arrow_reader(BATCH_ROWS)
    bar = _progress_bar(path) if progress else None
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    carry: pa.Table | None = None
    cut = 0
    # DuckDB hands over small batches; gather about BATCH_ROWS rows before the Python side
    # (dedupe, checks) runs, so its per-batch costs are paid a few times, not hundreds.
    for batch in itertools.chain(reader, [None]):
        if batch is not None:
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows < BATCH_ROWS:
                continue
        if not pending:
            break
        table = pa.Table.from_batches(pending)
        pending, pending_rows = [], 0
        if carry is not None:
            table = pa.concat_tables([carry, table])
        # A message's rows are contiguous but may straddle batches: hold back the last one.
        starts = np.flatnonzero(table.column("_first").to_numpy(zero_copy_only=False))
        held = int(starts[-1]) if len(starts) else 0
        carry = table.slice(held)
        cut += _keep_regular(table.slice(0, held), collector)
        if bar is not None:
            bar.n = max(bar.n, int(con.query_progress() or 0))
            bar.refresh()
    if carry is not None:
        cut += _keep_regular(carry, collector)
    if bar is not None:
        bar.close()
    return cut


def _keep_regular(table: pa.Table, collector: Collector) -> int:
    """Add ``table``'s regular messages to ``collector``; returns how many were not."""
    if not table.num_rows:
        return 0
    first = table.column("_first").to_numpy(zero_copy_only=False)
    suspicious = _suspicious_rows(table)
    cut = 0
    if suspicious.any():
        message = np.cumsum(first) - 1
        bad = np.unique(message[suspicious])
        cut = len(bad)
        keep = ~np.isin(message, bad)
        table, first = table.filter(pa.array(keep)), first[keep]
    collector.add_table(parse_timestamps(table.select([*COLUMNS, *HASH_COLUMNS])), messages=int(first.sum()))
    return cut


def _irregular_ordinals(con: Any, params: dict[str, str]) -> tuple[list[int], int]:
    numbered = query("$path", guarded=True, ordinals=True)
    [(ordinals, total)] = con.execute(
        f"""SELECT list(DISTINCT _ordinal ORDER BY _ordinal)
                FILTER (WHERE NOT _regular OR recipient_domain IS NULL),
            max(_ordinal)
        FROM ({numbered})""",
        params,
    ).fetchall()
    return list(ordinals or []), int(total or 0)


def _suspicious_rows(table: pa.Table) -> np.ndarray:
    """Rows of messages the pure parser must judge: irregular ones, and recipients without
    an ``@`` (DuckDB reads a JSON ``false`` or ``5`` as text; the parser rejects those)."""
    regular = table.column("_regular").to_numpy(zero_copy_only=False)
    no_domain = table.column("recipient_domain").is_null().to_numpy(zero_copy_only=False)
    return np.asarray(~regular | no_domain)


def _progress_bar(path: Path) -> Any:
    if path.stat().st_size < 64 * MIN_BYTES or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=100, desc=f"loading {path.name}", unit="%", leave=False)


def _lines_by_ordinal(path: Path, ordinals: list[int], total: int) -> Iterator[RawRecord]:
    """The raw text and 1-based line number of the given non-blank-line ordinals."""
    wanted = iter(ordinals)
    target = next(wanted, None)
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    ordinal = 0
    with opener(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            ordinal += 1
            if ordinal == target:
                yield RawRecord(str(path), number, line)
                target = next(wanted, None)
                if target is None:
                    return
    if target is not None or ordinal != total:
        # DuckDB and Python disagreed on what a line is: say so rather than guess.
        raise InputError(f"{path}: could not line up records with lines; load it with engine='python'")


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
