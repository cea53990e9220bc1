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

import itertools
import logging
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sesops.errors import InputError, RecordError, SourceUnreadable
from sesops.events.parse import COLUMNS
from sesops.load.collector import Collector
from sesops.load.dedupe import HASH_COLUMNS
from sesops.load.fastsql import MACROS, query
from sesops.load.frames import parse_timestamps
from sesops.load.sources import DEFAULT_LIMITS, Limits, RawRecord, open_lines

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

#: Past this many irregular messages, and more of them than regular ones, the DuckDB pass stops
#: and the file goes to the pure parser: numbering them would need a list of them all (memory in
#: proportion to the file), and a file of garbage is read once instead of twice.
MAX_HANDED_OVER = 100_000


def load_lines(
    path: Path,
    collector: Collector,
    *,
    progress: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    name: str | None = None,
    sections: Sequence[tuple[str, int]] = (),
) -> None:
    """Load one JSON Lines file (gzip or not) into ``collector``; rejects name the file as
    ``name`` (default: its path), e.g. the s3:// object a temporary file holds. ``sections``:
    the file holds these sources' lines one after another, as (name, number of lines), and a
    reject names its section and its line there (objects of an S3 archive loaded in one pass).

    Results stream from DuckDB in batches that are deduplicated and kept as they come,
    so DuckDB reuses each batch's memory for the next one. Messages the pure parser
    must judge are cut out of the stream; if there were any, a second pass numbers the
    lines (a window DuckDB runs on one thread, so only dirty files pay for it) and those
    lines go to the parser with their line numbers.
    """
    import duckdb

    params = {"path": str(path)}
    refuse = collector.refuses_duplicates
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
            handed_over = _stream(
                con, query("$path", refuse_duplicates=refuse), params, path, collector, progress
            )
        except duckdb.InvalidInputException:  # a Message that is not valid JSON: parse defensively
            collector.rollback(mark)
            sql = query("$path", guarded=True, refuse_duplicates=refuse)
            handed_over = _stream(con, sql, params, path, collector, progress)
        if _mostly_irregular(handed_over, collector, mark.messages):
            collector.rollback(mark)  # mostly not feedback (garbage, say): the pure parser reads it
            fallback = True
        elif handed_over:
            ordinals, total = _irregular_ordinals(con, params, refuse)
    except duckdb.Error as err:
        # Whatever DuckDB cannot read (a line over MAX_LINE_BYTES, bytes that are not
        # UTF-8 where it needs text), the pure parser can: slower, and nothing is lost.
        log.info("%s: DuckDB could not read it (%s); using the pure parser", path, str(err).splitlines()[0])
        collector.rollback(mark)
        fallback = True
    finally:
        con.close()
    if fallback:
        with open_lines(path, limits) as lines:
            if not sections:
                collector.consume_lines(lines, name or str(path))
            for section, count in sections:
                collector.consume_lines(_renumbered(itertools.islice(lines, count)), section)
    elif handed_over:
        locate = _locator(sections or [(name or str(path), total)])
        collector.consume(_lines_by_ordinal(path, ordinals, total, locate, limits))


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
    started = collector.mark().messages
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
        if _mostly_irregular(cut, collector, started):
            carry = None  # the caller starts over with the pure parser: stop reading here
            break
    if carry is not None:
        cut += _keep_regular(carry, collector)
    if bar is not None:
        bar.close()
    return cut


def _mostly_irregular(cut: int, collector: Collector, started: int) -> bool:
    """Whether more than MAX_HANDED_OVER messages were cut, and more than were kept (since
    ``started`` messages): a file that is mostly not feedback, which the pure parser reads."""
    return cut > MAX_HANDED_OVER and cut > collector.mark().messages - started


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


def _irregular_ordinals(con: Any, params: dict[str, str], refuse_duplicates: bool) -> tuple[list[int], int]:
    numbered = query("$path", guarded=True, ordinals=True, refuse_duplicates=refuse_duplicates)
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


def _lines_by_ordinal(
    path: Path, ordinals: list[int], total: int, locate: Callable[[int], tuple[str, int]], limits: Limits
) -> Iterator[RawRecord]:
    """The raw text and 1-based line number of the given non-blank-line ordinals (a line
    past ``limits.max_line`` comes as its reject, and a file that stops reading ends here)."""
    wanted = iter(ordinals)
    target = next(wanted, None)
    ordinal = 0
    with open_lines(path, limits) as lines:
        for number, line in enumerate(lines, start=1):
            if isinstance(line, SourceUnreadable):
                yield RawRecord(*locate(number if line.line is None else line.line), line)
                return
            if not isinstance(line, RecordError) and line.isspace():
                continue
            ordinal += 1
            if ordinal == target:
                yield RawRecord(*locate(number), line)
                target = next(wanted, None)
                if target is None:
                    return
    if target is not None or ordinal != total:
        # DuckDB and Python disagreed on what a line is: say so rather than guess.
        raise InputError(f"{path}: could not line up records with lines; load it with engine='python'")


def _renumbered(lines: Iterator[bytes | RecordError]) -> Iterator[bytes | RecordError]:
    """A section's lines with their rejects' file line numbers dropped: the collector numbers
    them within the section."""
    for line in lines:
        yield type(line)(line.reason, line.source) if isinstance(line, RecordError) else line


def _locator(sections: Sequence[tuple[str, int]]) -> Callable[[int], tuple[str, int]]:
    """Line number in the file -> (section name, line number in the section)."""
    names = [name for name, _ in sections]
    starts = list(itertools.accumulate((count for _, count in sections), initial=0))

    def locate(number: int) -> tuple[str, int]:
        index = min(max(bisect_left(starts, number) - 1, 0), len(names) - 1)
        return names[index], number - starts[index]

    return locate


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
