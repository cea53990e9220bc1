"""Sources -> raw records: files, directories, gzip, capture stores and in-memory iterables.

A record is what one line (JSONL), one array element (JSON) or one iterable item holds,
still undecoded where it came as text. Each carries where it came from, so a bad record
can be reported as ``source:line``.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sesops.errors import InputError, RecordError

JSON_SUFFIXES = (".json",)
LINES_SUFFIXES = (".jsonl", ".ndjson")
STORE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
READABLE = JSON_SUFFIXES + LINES_SUFFIXES + STORE_SUFFIXES


@dataclass(frozen=True, slots=True)
class RawRecord:
    source: str
    line: int
    data: Any  # bytes, str, dict, or a RecordError found while splitting the source


def describe_suffixes() -> str:
    listed = ", ".join(READABLE + tuple(s + ".gz" for s in JSON_SUFFIXES + LINES_SUFFIXES))
    return f"{listed}, or a directory"


def inner_suffix(path: Path) -> str:
    """The data suffix of ``path``, looking through a trailing ``.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def expand_paths(source: str | os.PathLike[str]) -> list[Path]:
    """The files a path source stands for: itself, or a directory's readable files (recursive)."""
    path = Path(source)
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".") and _readable(p)
        )
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if not _readable(path):
        raise InputError(
            f"{path}: cannot read {path.suffix or 'files without a suffix'}; use {describe_suffixes()}"
        )
    return [path]


def _readable(path: Path) -> bool:
    suffix = inner_suffix(path)
    gz = path.suffix.lower() == ".gz"
    return (
        suffix in JSON_SUFFIXES + LINES_SUFFIXES
        or (gz and suffix == "")
        or (not gz and suffix in STORE_SUFFIXES)
    )


def is_store(path: Path) -> bool:
    return path.suffix.lower() in STORE_SUFFIXES


def read_bytes(path: Path) -> bytes:
    try:
        if path.suffix.lower() == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except (OSError, EOFError) as err:
        raise InputError(f"{path}: cannot read ({err})") from None


def open_lines(path: Path) -> BinaryIO:
    """The file opened for reading line by line (gzip or not)."""
    try:
        if path.suffix.lower() == ".gz":
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return open(path, "rb", buffering=1 << 20)
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err})") from None


def file_records(path: Path) -> Iterator[RawRecord]:
    """Records of a JSON or JSONL file (gzip or not)."""
    data = read_bytes(path)
    name = str(path)
    suffix = inner_suffix(path)
    if suffix in LINES_SUFFIXES:
        yield from split_lines(data, name)
        return
    # .json (or a bare .gz): one object, an array, or (often mislabelled) JSON Lines.
    from sesops.events.parse import decode_json

    stripped = data.lstrip()
    if not stripped:
        return
    try:
        document = decode_json(data)
    except RecordError:
        if b"\n" in data.strip():
            yield from split_lines(data, name)
        else:
            yield RawRecord(name, 1, RecordError("not JSON"))
        return
    if isinstance(document, list):
        for index, item in enumerate(document, start=1):
            yield RawRecord(name, index, item)
    else:
        yield RawRecord(name, 1, document)


def split_lines(data: bytes, name: str) -> Iterator[RawRecord]:
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.strip():
            yield RawRecord(name, number, line)


def store_records(path: Path) -> Iterator[RawRecord]:
    """The bodies in a capture store (source = path, line = the message's row id)."""
    from sesops.capture.store import CaptureStore  # only when a store is read: capture pulls in boto3

    name = str(path)
    with CaptureStore(path, create=False) as store:
        for message in store.iter_messages():
            yield RawRecord(name, message.id, message.body)


def iterable_records(items: Iterable[Any], name: str = "<iterable>") -> Iterator[RawRecord]:
    for index, item in enumerate(items, start=1):
        yield RawRecord(name, index, item)
