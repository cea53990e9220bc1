"""``read_events``: any mix of sources -> one pandas DataFrame, one row per recipient.

Bad records never abort a load (unless ``errors="raise"``): they are skipped, counted
and listed in ``df.attrs["rejects"]`` with source, line and reason. Large JSON Lines
files take a vectorised DuckDB path (:mod:`sesops.load.fastload`); everything else, and any
line that path cannot prove regular, goes through the pure parser in :mod:`sesops.events.parse`.

``df.attrs`` after a load:

``rejects``      list of ``{"source", "line", "reason"}`` (the first
                 :data:`~sesops.load.collector.MAX_LISTED_REJECTS`)
``rejected``     number of records rejected
``control``      ``{kind: count}`` of control messages (no rows)
``duplicates``   number of rows dropped as repeats
``messages``     number of SES/SNS messages read (rows come from these)
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from sesops.errors import InputError
from sesops.load.collector import Collector
from sesops.load.sources import (
    LINES_SUFFIXES,
    RawRecord,
    expand_paths,
    file_records,
    inner_suffix,
    is_store,
    iterable_records,
    open_lines,
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
    collector = Collector(errors, dedupe)
    items = list(_expand(sources))
    with _no_cyclic_gc():
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


def _load_path(path: Path, collector: Collector, *, progress: bool, engine: str) -> None:
    if is_store(path):
        collector.consume(store_records(path))
        return
    if engine != "python" and inner_suffix(path) in LINES_SUFFIXES:
        from sesops.load import fastload

        if engine == "duckdb" or fastload.worth_it(path):
            fastload.load_lines(path, collector, progress=progress)
            return
    if inner_suffix(path) in LINES_SUFFIXES:
        try:
            with open_lines(path) as lines:
                collector.consume_lines(lines, str(path))
        except (OSError, EOFError) as err:  # e.g. a truncated .gz
            raise InputError(f"{path}: cannot read ({err})") from None
    else:
        collector.consume(file_records(path))
