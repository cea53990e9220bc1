"""``read_events`` on a Dask cluster: one partition per file or S3 object, deduplicated across them.

The pandas path drops a row when an earlier row (files in order, rows in order) had the same
(SNS ``MessageId``, email, event type) or (feedback id, email, event type), dropped rows
included (:mod:`sesops.load.dedupe`). Here each row gets an ``order`` (partition number, row
number) and its keys' hashes in a first pass; a shuffle on each key finds the rows some earlier
row already had, and the frame returned reads every partition again, less those rows. Two reads
of the data, but no worker ever holds more than one partition of rows, and the repeats (a few
per cent) are the only thing that comes back to the caller.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Iterable
from typing import Any

import dask.dataframe as dd
import pandas as pd
from distributed import Client

from sesops.dask.cluster import compute, pandas_strings, resolve_client
from sesops.dask.partitions import (
    HASHES,
    Engine,
    Errors,
    PathSource,
    When,
    empty_keys,
    later_repeats,
    load_partition,
    partition_keys,
    sources_of,
    split_orders,
)
from sesops.errors import InputError
from sesops.load.frames import empty_frame

log = logging.getLogger(__name__)


def read_events(
    urlpath: PathSource | Iterable[PathSource],
    *,
    since: When = None,
    until: When = None,
    client: Client | None = None,
    dedupe: bool = True,
    errors: Errors = "report",
    engine: Engine = "auto",
) -> dd.DataFrame:
    """SES feedback as a Dask DataFrame with the pandas table's columns and dtypes, one partition
    per file (local paths, directories, globs) or S3 object (``s3://bucket/prefix/``, selected by
    ``since``/``until`` on its partition keys), each read by :func:`sesops.load.read_events`.

    ``dedupe`` drops the rows :func:`sesops.load.read_events` drops, across partitions (a first
    pass over the data, run now on ``client``: see the module docs). ``errors`` and ``engine``
    are the pandas path's. Bad records are counted and logged, as there; ``errors="raise"``
    raises the first. ``client``: any ``distributed`` client; default the current one, else a
    local cluster (:func:`sesops.dask.local_client`).
    """
    if errors not in ("report", "raise"):
        raise InputError(f"errors must be 'report' or 'raise', not {errors!r}")
    if engine not in ("auto", "python", "duckdb"):
        raise InputError(f"engine must be 'auto', 'python' or 'duckdb', not {engine!r}")
    sources = sources_of(urlpath, since, until)
    with pandas_strings():
        if not sources:
            empty: dd.DataFrame = dd.from_pandas(empty_frame(), npartitions=1)  # type: ignore[no-untyped-call]
            return empty
        options: dict[str, Any] = {"errors": errors, "engine": engine}
        if dedupe:
            repeated = repeated_rows(sources, resolve_client(client), options)
        else:
            repeated = list(split_orders([], len(sources)))
        frame: dd.DataFrame = dd.from_map(  # type: ignore[no-untyped-call]
            load_partition, sources, repeated, meta=empty_frame(), label="sesops-read-events", **options
        )
        return frame


def repeated_rows(sources: list[str], client: Client, options: dict[str, Any]) -> list[Any]:
    """Per source, the row numbers the pandas path would drop as repeats (the first pass)."""
    loaded = client.map(partition_keys, sources, range(len(sources)), pure=False, **options)
    keys = dd.from_delayed(client.map(operator.itemgetter(0), loaded), meta=empty_keys())
    meta = pd.Series([], dtype="int64", name="order")
    repeats = [
        keys.loc[keys[present], ["order", first, second]]
        .shuffle(on=first)
        .map_partitions(later_repeats, first, second, meta=meta)
        for first, second, present in HASHES
    ]
    orders = compute(client, repeats)
    reports: list[dict[str, Any]] = client.gather(client.map(operator.itemgetter(1), loaded))  # type: ignore[no-untyped-call]
    split = list(split_orders(orders, len(sources)))
    log_loaded(reports, sum(len(rows) for rows in split))
    return split


def log_loaded(reports: list[dict[str, Any]], duplicates: int) -> None:
    """Say what the pandas path's ``df.attrs`` would hold: rejects (a warning), repeats, messages."""
    rejected = sum(report["rejected"] for report in reports)
    if rejected:
        first = next(report["rejects"][0] for report in reports if report["rejects"])
        log.warning(
            "skipped %d bad record(s); first: %s:%s: %s",
            rejected,
            first["source"],
            first["line"],
            first["reason"],
        )
    messages = sum(report["messages"] for report in reports)
    log.info(
        "%d message(s) in %d partition(s); %d repeated row(s) dropped", messages, len(reports), duplicates
    )


__all__ = ["read_events"]
