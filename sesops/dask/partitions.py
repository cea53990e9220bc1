"""One partition per file or S3 object, each read by sesops' own loader, and the keys that dedupe them.

Every function here runs on a Dask worker: it takes a source (a local path or an ``s3://``
object URL) and calls :func:`sesops.load.reader.read_events` on it, never deduplicating on its
own (a repeat is judged against every partition before it, see :mod:`sesops.dask.reader`).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sesops.errors import InputError
from sesops.load.dedupe import KEYS, ONLY_WITHOUT
from sesops.load.reader import read_events as read_frame
from sesops.load.sources import RawRecord, expand_paths

Errors = Literal["report", "raise"]
Engine = Literal["auto", "python", "duckdb"]
When = date | str | None  # as sesops.load.read_events takes them (a datetime is a date)
PathSource = str | os.PathLike[str]

#: Bits of a row's ``order`` that hold its row number; the partition number sits above them.
ROW_BITS = 32
#: Per key of :data:`sesops.load.dedupe.KEYS`: two independent 64-bit hashes and whether the row has the key.
HASHES = tuple((f"key{i}_a", f"key{i}_b", f"key{i}_present") for i in range(len(KEYS)))
#: Keys of the two hashes (16 characters each): a false repeat needs both to collide.
HASH_SALTS = ("sesops-dedupe-a1", "sesops-dedupe-b2")


def sources_of(urlpath: PathSource | Iterable[PathSource], since: When, until: When) -> list[str]:
    """The files or S3 objects ``urlpath`` stands for, in the order the pandas path reads them.

    ``urlpath``: a path, a directory (recursive), a glob, an ``s3://`` prefix or object URL, or a
    list of them. ``since``/``until`` select S3 objects by their partition keys; as in the pandas
    path they choose objects, not rows, and local files ignore them.
    """
    items = [urlpath] if isinstance(urlpath, str | os.PathLike) else list(urlpath)
    found: list[str] = []
    for item in items:
        text = os.fspath(item)
        if text.startswith("s3://"):
            found.extend(archive_urls(text, since, until))
        elif glob.has_magic(text) and not Path(text).exists():
            matched = sorted(glob.glob(text, recursive=True))
            if not matched:
                raise InputError(f"{text}: no file matches")
            found.extend(_partition(path) for match in matched for path in expand_paths(match))
        else:
            found.extend(_partition(path) for path in expand_paths(text))
    return found


def _partition(path: Path | RawRecord) -> str:
    """A file's path; for a folder that cannot be listed, the folder (its partition's load
    reports it as a reject, as the pandas path does)."""
    return path.source if isinstance(path, RawRecord) else str(path)


def archive_urls(url: str, since: When, until: When) -> list[str]:
    from sesops.aws.archive import list_archive

    return [obj.url for obj in list_archive(url, since=since, until=until)]


def load_partition(source: str, repeated: np.ndarray, *, errors: Errors, engine: Engine) -> pd.DataFrame:
    """The rows of ``source`` less the row numbers in ``repeated`` (repeats of earlier rows)."""
    frame = read_frame(source, dedupe=False, errors=errors, engine=engine)
    if not len(repeated):
        return frame
    keep = np.ones(len(frame), dtype=bool)
    keep[repeated] = False
    return frame.loc[keep]


def partition_keys(
    source: str, number: int, *, errors: Errors, engine: Engine
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Each row's ``order`` (partition number, row number) and dedupe-key hashes, and what the
    loader reported of ``source`` (rejects, control messages, messages)."""
    frame = read_frame(source, dedupe=False, errors=errors, engine=engine)
    keys = key_hashes(frame)
    keys.insert(0, "order", (np.int64(number) << ROW_BITS) + np.arange(len(frame), dtype=np.int64))
    report = {name: frame.attrs[name] for name in ("rejects", "rejected", "control", "messages")}
    return keys, report


def empty_keys() -> pd.DataFrame:
    columns: dict[str, pd.Series] = {"order": pd.Series([], dtype="int64")}
    for first, second, present in HASHES:
        columns |= {first: pd.Series([], dtype="uint64"), second: pd.Series([], dtype="uint64")}
        columns[present] = pd.Series([], dtype="bool")
    return pd.DataFrame(columns)


def key_hashes(frame: pd.DataFrame) -> pd.DataFrame:
    """Per key of :data:`~sesops.load.dedupe.KEYS`: two independent 64-bit hashes of it (0 where
    the row has no id) and whether the row has it. Missing values hash alike, as they compare
    equal in the pandas path's keys."""
    out: dict[str, np.ndarray] = {}
    for key, without, (first, second, present) in zip(KEYS, ONLY_WITHOUT, HASHES, strict=True):
        has_id = (frame[key[0]].notna() & frame.loc[:, list(key[3:])].notna().all(axis=1)).to_numpy()
        if without is not None:
            has_id = has_id & frame[without].isna().to_numpy()
        columns = frame.loc[:, list(key)]
        for name, salt in ((first, HASH_SALTS[0]), (second, HASH_SALTS[1])):
            hashed = pd.util.hash_pandas_object(columns, index=False, hash_key=salt).to_numpy()
            out[name] = np.where(has_id, hashed, np.uint64(0))
        out[present] = has_id
    return pd.DataFrame(out, columns=[name for names in HASHES for name in names])


def later_repeats(keys: pd.DataFrame, first: str, second: str) -> pd.Series:
    """The ``order`` of every row whose key an earlier row (in ``order``) already had."""
    keys = keys.sort_values("order", kind="stable")
    later: pd.Series = keys.loc[keys.duplicated([first, second]), "order"]
    return later


def split_orders(orders: Iterable[np.ndarray], partitions: int) -> Iterator[np.ndarray]:
    """Row numbers per partition (sorted) of a set of ``order`` values."""
    merged = np.unique(
        np.concatenate([np.asarray(o, dtype=np.int64) for o in orders] or [np.empty(0, np.int64)])
    )
    numbers = merged >> ROW_BITS
    rows = merged & ((1 << ROW_BITS) - 1)
    bounds = np.searchsorted(numbers, np.arange(partitions + 1))
    for number in range(partitions):
        yield rows[bounds[number] : bounds[number + 1]]
