"""``read_events``: any mix of sources -> one pandas DataFrame, one row per recipient.

Bad records never abort a load (unless ``errors="raise"``): they are skipped, counted
and listed in ``df.attrs["rejects"]`` with source, line and reason. Large JSON Lines
files take a vectorised DuckDB path (:mod:`sesops.load.fastload`); everything else, and any
line that path cannot prove regular, goes through the pure parser in :mod:`sesops.events.parse`.

``df.attrs`` after a load:

``rejects``      list of ``{"source", "line", "reason"}`` (the first
                 :data:`~sesops.load.collector.MAX_LISTED_REJECTS`)
``rejected``     number of records rejected
``unread``       how many of those rejects are a file or directory that could not be read (in
                 full): not a regular file, no permission, corrupt, or past a
                 :class:`~sesops.load.sources.Limits` cap (line 0 stands for the source itself)
``control``      ``{kind: count}`` of messages that are not feedback rows: SNS/SES control
                 messages, inbound mail (``Received``, however it arrives) and SES's
                 EventBridge events about the account (``eventbridge:<detail-type>``)
``notices``      those EventBridge events themselves (sending status changes, advisor
                 recommendations: ``detail-type``, ``time``, ``detail``, ...), the first
                 :data:`~sesops.load.collector.MAX_LISTED_NOTICES`
``duplicates``   number of rows dropped as repeats
``messages``     number of SES/SNS messages read (rows come from these)
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sesops.errors import InputError
from sesops.load.collector import Collector
from sesops.load.duplicates import DUPLICATE_KEY_CHOICES, DuplicateKeys
from sesops.load.sources import (
    DEFAULT_LIMITS,
    LINES_SUFFIXES,
    Limits,
    RawRecord,
    expand_paths,
    file_records,
    inner_suffix,
    is_store,
    is_store_url,
    iterable_records,
    open_lines,
    refusal,
    store_records,
)

log = logging.getLogger(__name__)

PROGRESS_MIN_BYTES = 64 << 20

Source = str | os.PathLike[str] | dict[str, Any] | bytes | Iterable[Any]


def read_events(
    *sources: Source,
    dedupe: bool = True,
    errors: Literal["report", "raise"] = "report",
    progress: bool = False,
    engine: Literal["auto", "python", "duckdb"] = "auto",
    limits: Limits = DEFAULT_LIMITS,
    since: date | str | None = None,
    until: date | str | None = None,
    duplicate_keys: DuplicateKeys = "read",
) -> pd.DataFrame:
    """Load SES feedback from any mix of sources into one DataFrame (see the module docs).

    ``sources``: paths to ``.json`` (object or array), ``.jsonl``/``.ndjson``, ``.gz`` of
    either, capture stores (a file, ``sqlite:///path`` or ``postgresql://...``), directories
    (recursive), a single dict, or iterables of dicts, str or bytes. ``dedupe`` drops repeated
    SNS ``MessageId`` rows, repeated (``feedback_id``, ``email``, ``event_type``) and the same
    event of a mail arriving through two channels (:mod:`sesops.load.dedupe`).
    ``errors="raise"`` stops at the first bad record with a :class:`~sesops.errors.RecordError`
    naming ``source:line``.
    ``engine``: ``"auto"`` uses DuckDB for JSON Lines files over 1 MiB, ``"python"``
    never does, ``"duckdb"`` does for every JSON Lines file (both give the same rows).
    ``limits``: how much one file may make it read (:class:`~sesops.load.sources.Limits`).

    ``s3://bucket/prefix/`` (or one object's URL) reads an archive in S3 with boto3's usual
    credentials (:mod:`sesops.load.archive`): Firehose objects, gzip or plain (told by their
    bytes, not their names), JSON Lines or records concatenated with no delimiter.
    ``since``/``until`` (a date, a datetime, or ISO text; naive means UTC; a date ``until``
    includes its day) skip the archive's partitions outside the window (``YYYY/MM/DD/HH/``,
    ``dt=YYYY-MM-DD``, ``year=/month=/day=/hour=``) without listing them. They choose
    objects, not rows: rows are not filtered by time, and other sources ignore them.

    ``duplicate_keys="refuse"`` rejects every record that names a key twice in one object, at
    any level (``duplicate key 'Message.bounce.bounceType' ...``), in both engines alike
    (:mod:`sesops.load.duplicates`; 3-4x the CPU time); ``"read"`` trusts the JSON (the HTTP
    receiver refuses such bodies), and the engines may then read a repeated key differently.
    """
    if errors not in ("report", "raise"):
        raise InputError(f"errors must be 'report' or 'raise', not {errors!r}")
    if engine not in ("auto", "python", "duckdb"):
        raise InputError(f"engine must be 'auto', 'python' or 'duckdb', not {engine!r}")
    if duplicate_keys not in DUPLICATE_KEY_CHOICES:
        raise InputError(f"duplicate_keys must be 'read' or 'refuse', not {duplicate_keys!r}")
    collector = Collector(errors, dedupe, refuse_duplicates=duplicate_keys == "refuse")
    items = list(_expand(sources, since, until))
    with _no_cyclic_gc():
        paths = [item for item in items if isinstance(item, Path)]
        bar = _files_progress(paths) if progress else None
        for item in items:
            if isinstance(item, Path):
                _load_path(item, collector, progress=progress and bar is None, engine=engine, limits=limits)
                if bar is not None:
                    bar.update(_size(item))
            elif isinstance(item, _Remote):
                _load_remote(item, collector, progress=progress, engine=engine, limits=limits)
            else:
                collector.consume(item)
        if bar is not None:
            bar.close()
        df = collector.frame()
    df.attrs.update(collector.attrs())
    if df.attrs["rejected"]:
        first = df.attrs["rejects"][0]
        log.warning(
            "skipped %d bad record(s); first: %s:%s: %s (see df.attrs['rejects'])",
            df.attrs["rejected"],
            first["source"],
            first["line"],
            first["reason"],
        )
    return df


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while rows are built: millions of tuples that all
    live until the table is made would otherwise be re-scanned by every GC pass (5-10 %
    of a load). Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _size(path: Path) -> int:
    """The size the progress bar counts; 0 for what cannot be read (it becomes a reject)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _files_progress(paths: list[Path]) -> Any:
    """A byte-counting bar over many files (a single big file gets DuckDB's own progress)."""
    total = sum(_size(p) for p in paths)
    if len(paths) < 2 or total < PROGRESS_MIN_BYTES:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, desc="loading", leave=False)


@dataclass(frozen=True, slots=True)
class _Remote:
    """An ``s3://`` source, listed: a :class:`sesops.load.archive.Archive` (imported when used:
    it brings boto3)."""

    archive: Any


def _expand(
    sources: tuple[Source, ...], since: date | str | None, until: date | str | None
) -> Iterator[Path | Iterator[RawRecord] | _Remote]:
    """Check every source up front (so a typo fails before a long load), then yield them."""
    expanded: list[Path | Iterator[RawRecord] | _Remote] = []
    for index, source in enumerate(sources, start=1):
        if isinstance(source, str) and source.startswith("s3://"):
            from sesops.load.archive import list_source

            expanded.append(_Remote(list_source(source, since=since, until=until)))
        elif is_store_url(source):
            expanded.append(store_records(str(source)))
        elif isinstance(source, str | os.PathLike):
            expanded.extend(p if isinstance(p, Path) else iter([p]) for p in expand_paths(source))
        elif isinstance(source, dict | bytes | bytearray):
            expanded.append(iterable_records([source], f"<source {index}>"))
        elif isinstance(source, Iterable):
            expanded.append(iterable_records(source, f"<source {index}>"))
        else:
            raise InputError(f"cannot read a {type(source).__name__}: pass paths, dicts, str or bytes")
    yield from expanded


def _load_remote(
    remote: _Remote,
    collector: Collector,
    *,
    progress: bool,
    engine: Literal["auto", "python", "duckdb"],
    limits: Limits,
) -> None:
    from sesops.load.archive import load_archive

    load_archive(remote.archive, collector, engine=engine, progress=progress, limits=limits)


def _load_path(path: Path, collector: Collector, *, progress: bool, engine: str, limits: Limits) -> None:
    refused = refusal(path)
    if refused is not None:  # a FIFO, a device, no permission: one reject, nothing opened twice
        collector.consume([RawRecord(str(path), refused.line or 0, refused)])
        return
    if is_store(path):
        collector.consume(store_records(path))
        return
    if engine != "python" and inner_suffix(path) in LINES_SUFFIXES:
        from sesops.load import fastload

        if engine == "duckdb" or fastload.worth_it(path):
            fastload.load_lines(path, collector, progress=progress, limits=limits)
            return
    if inner_suffix(path) in LINES_SUFFIXES:
        with open_lines(path, limits) as lines:
            collector.consume_lines(lines, str(path))
    else:
        collector.consume(file_records(path, limits))
