"""The :class:`Collector`: where every loader path puts its rows, control counts and rejects.

The pure paths hand it records or JSON lines to parse; the DuckDB path hands it Arrow
tables of rows it parsed itself. Tables are deduplicated as they arrive, in arrival
order, and a :meth:`Collector.mark` lets a fast pass that must start over roll back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

from sesops.errors import RecordError, SourceUnreadable
from sesops.events.parse import COLUMNS, Row, parse_record
from sesops.load.dedupe import DedupeMark, Deduper
from sesops.load.duplicates import duplicate_reason
from sesops.load.frames import empty_frame, parse_timestamps, rows_to_table, table_to_frame
from sesops.load.sources import WHOLE_SOURCE, RawRecord
from sesops.load.typed import notification_line_rows

#: Rejects listed in ``df.attrs["rejects"]`` (all of them are counted).
MAX_LISTED_REJECTS = 1000
#: SES's EventBridge events about the account kept in ``df.attrs["notices"]`` (all are counted).
MAX_LISTED_NOTICES = 1000


@dataclass(frozen=True, slots=True)
class CollectorMark:
    """A point :meth:`Collector.rollback` returns to."""

    tables: int
    messages: int
    dedupe: DedupeMark | None


class Collector:
    """Accumulates rows, control counts and rejects; ``errors="raise"`` stops at the first reject."""

    def __init__(
        self, errors: Literal["report", "raise"], dedupe: bool, *, refuse_duplicates: bool = False
    ) -> None:
        self._errors = errors
        self._refuse_duplicates = refuse_duplicates  # reject records that name a key twice
        self._rows: list[Row] = []
        self._tables: list[pa.Table] = []
        self._deduper = Deduper() if dedupe else None
        self._control: Counter[str] = Counter()
        self._notices: list[dict[str, Any]] = []
        self._rejects: list[dict[str, Any]] = []
        self._rejected = 0
        self._unread = 0
        self._messages = 0

    @property
    def refuses_duplicates(self) -> bool:
        """Whether records that name a key twice are rejected (the fast path must find them too)."""
        return self._refuse_duplicates

    def reject(self, source: str, line: int, reason: str, *, unread: bool = False) -> None:
        """Count a bad record and list it (or raise, with ``errors="raise"``). ``unread``: the
        source itself, or the rest of it from ``line`` on, could not be read."""
        if self._errors == "raise":
            error = SourceUnreadable if unread else RecordError
            raise error(reason, source, None if line == WHOLE_SOURCE else line)
        self._rejected += 1
        self._unread += unread
        if len(self._rejects) < MAX_LISTED_REJECTS:
            self._rejects.append({"source": source, "line": line, "reason": reason})

    def consume(self, records: Iterable[RawRecord]) -> None:
        for record in records:
            data = record.data
            if isinstance(data, RecordError):
                self.reject(
                    record.source, record.line, data.reason, unread=isinstance(data, SourceUnreadable)
                )
            elif isinstance(data, list):  # a JSON array of messages inside one record
                for item in data:
                    self.add(item, record.source, record.line)
            else:
                self.add(data, record.source, record.line)

    def consume_lines(self, lines: Iterable[bytes | RecordError], source: str) -> None:
        """JSON Lines (:func:`~sesops.load.sources.open_lines`): the loader's hot loop, so no
        per-line record objects, and the file is read line by line rather than split in memory.
        A :class:`RecordError` among the lines (one too long, a file that stopped) is a reject."""
        rows = self._rows
        messages = 0
        for number, line in enumerate(lines, start=1):
            if isinstance(line, RecordError):
                where = number if line.line is None else line.line
                self.reject(source, where, line.reason, unread=isinstance(line, SourceUnreadable))
                continue
            if (
                not line
                or line.isspace()
                or (self._refuse_duplicates and self._refused(line, source, number))
            ):
                continue
            try:
                typed = notification_line_rows(line)
            except RecordError as err:
                self.reject(source, number, err.reason)
                continue
            if typed is None:  # every other shape, and the reason for a refusal
                self._parse(line, source, number)
            else:
                rows.extend(typed)
                messages += 1
        self._messages += messages

    def add(self, data: Any, source: str, line: int) -> None:
        """Parse one record; its rows join the table, or it is rejected with its reason.

        Only :class:`RecordError` means a bad record: the parser checks every value's type
        and raises it, so any other exception is a bug in sesops and propagates.
        """
        if not (self._refuse_duplicates and self._refused(data, source, line)):
            self._parse(data, source, line)

    def _refused(self, data: Any, source: str, line: int) -> bool:
        """Reject ``data`` if it names a key twice (see :mod:`sesops.load.duplicates`)."""
        reason = duplicate_reason(data)
        if reason is not None:
            self.reject(source, line, reason)
        return reason is not None

    def _parse(self, data: Any, source: str, line: int) -> None:
        try:
            parsed = parse_record(data)
        except RecordError as err:
            self.reject(source, line, err.reason)
            return
        for result in parsed:
            self._messages += 1
            if result.control is not None:
                self._control[result.control] += 1
                if result.notice is not None and len(self._notices) < MAX_LISTED_NOTICES:
                    self._notices.append(result.notice)
            else:
                self._rows.extend(result.rows)

    def add_table(self, table: pa.Table, messages: int) -> None:
        """Keep a table of contract columns holding the rows of ``messages`` messages (after
        the rows parsed before it, for dedupe order)."""
        self._flush_rows()
        self._keep(table)
        self._messages += messages

    def _keep(self, table: pa.Table) -> None:
        if self._deduper is not None:
            table = self._deduper.filter(table)
        self._tables.append(parse_timestamps(table.select(list(COLUMNS))))

    def _flush_rows(self) -> None:
        if self._rows:
            rows, self._rows = self._rows, []
            # timestamps stay text until deduplicated: keys hash them as DuckDB's rows do
            self._keep(rows_to_table(rows, parse=False))

    def mark(self) -> CollectorMark:
        """A point :meth:`rollback` can return to (used when a fast pass must start over)."""
        self._flush_rows()
        dedupe = self._deduper.mark() if self._deduper is not None else None
        return CollectorMark(len(self._tables), self._messages, dedupe)

    def rollback(self, mark: CollectorMark) -> None:
        """Forget every table and message added since ``mark`` (rejects stay: a pass that
        starts over only ever adds tables)."""
        del self._tables[mark.tables :]
        self._messages = mark.messages
        if self._deduper is not None and mark.dedupe is not None:
            self._deduper.rollback(mark.dedupe)

    def frame(self) -> pd.DataFrame:
        """Every row kept, as one DataFrame of the contract (the collector is emptied)."""
        self._flush_rows()
        if not self._tables:
            return empty_frame()
        table = pa.concat_tables(self._tables, promote_options="permissive")
        self._tables = []
        return table_to_frame(table)

    def attrs(self) -> dict[str, Any]:
        """What ``read_events`` reports in ``df.attrs`` (see :mod:`sesops.load.reader`)."""
        return {
            "rejects": self._rejects,
            "rejected": self._rejected,
            "unread": self._unread,
            "control": dict(self._control),
            "notices": self._notices,
            "duplicates": self._deduper.dropped if self._deduper is not None else 0,
            "messages": self._messages,
        }
