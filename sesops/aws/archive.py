"""Archives in S3 (Firehose output, exported logs): list the objects of a time window, open one.

:func:`list_archive` walks ``s3://bucket/prefix/`` one folder level at a time
(``Delimiter='/'``) and descends only into the partitions that can hold ``[since, until]``:
Firehose's default ``YYYY/MM/DD/HH/`` folders and Hive-style ``dt=YYYY-MM-DD`` or
``year=/month=/day=/hour=`` ones, so a day of a year-long archive costs a few dozen list
calls, not a listing of the year. Folders that are not partitions are always entered.
Partitions are Firehose's arrival time (UTC), so pruning chooses objects, not rows.
:func:`open_object` streams one object; its reads raise :class:`AwsError` like every call.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, BinaryIO

import boto3

from sesops.aws.clients import client, session
from sesops.aws.errors import aws_call
from sesops.errors import InputError

Moment = datetime | date | str  # text: ISO 8601, a date or a time

_DIGITS = re.compile(r"\d{2}|\d{4}")
_HIVE_DATE = re.compile(r"(?:dt|date)=(\d{4})-(\d{2})-(\d{2})(?:[-T ](\d{2}))?")
_HIVE_PART = re.compile(r"(year|month|day|hour)=(\d{1,4})")
_ORDER = ("year", "month", "day", "hour")


@dataclass(frozen=True, slots=True)
class ArchiveObject:
    """One object of an archive (``size`` in bytes, as listed)."""

    bucket: str
    key: str
    size: int

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def is_s3_url(source: object) -> bool:
    return isinstance(source, str) and source.startswith("s3://")


def split_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> ``("bucket", "some/prefix")`` (pure)."""
    if not is_s3_url(url):
        raise InputError(f"{url}: not an s3:// URL")
    bucket, _, key = url[len("s3://") :].partition("/")
    if not bucket:
        raise InputError(f"{url}: no bucket (write s3://BUCKET/PREFIX/)")
    return bucket, key


def default_session() -> boto3.Session:
    """boto3's default credentials chain, one session per load (its clients are shared)."""
    return session()


# -- the window and the partitions (pure) -----------------------------------------------------------


def window(since: Moment | None, until: Moment | None) -> tuple[datetime | None, datetime | None]:
    """``[since, until)`` as aware UTC datetimes: a date ``until`` covers its whole day; naive is UTC."""
    first = moment(since, "since") if since is not None else None
    last = moment(until, "until") if until is not None else None
    start = _instant(first) if first is not None else None
    end = _instant(last) if last is not None else None
    if end is not None and not isinstance(last, datetime):
        end += timedelta(days=1)
    if start is not None and end is not None and end <= start:
        raise InputError(f"until ({until}) must come after since ({since})")
    return start, end


def moment(value: Moment, name: str = "time") -> datetime | date:
    """``value`` as a date or datetime; text is ISO 8601 (``2026-11-01``, ``2026-11-01T10:00Z``)."""
    if not isinstance(value, str):
        return value
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name} {value!r}: not a date (2026-11-01) or an ISO time") from None


def _instant(moment: datetime | date) -> datetime:
    if isinstance(moment, datetime):
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def partition(folder: str, known: tuple[int, ...]) -> tuple[int, ...] | None:
    """The date parts (year, month, day, hour) known inside ``folder`` (one key segment, no
    slash), given those known outside it; None when ``folder`` is not the next partition."""
    depth = len(known)
    parts: tuple[int, ...] | None = None
    if _DIGITS.fullmatch(folder) and len(folder) == (4 if depth == 0 else 2) and depth < 4:
        parts = (*known, int(folder))
    elif (hive := _HIVE_DATE.fullmatch(folder)) and depth == 0:
        parts = tuple(int(g) for g in hive.groups() if g is not None)
    elif (named := _HIVE_PART.fullmatch(folder)) and depth < 4 and named[1] == _ORDER[depth]:
        parts = (*known, int(named[2]))
    return parts if parts is not None and _span(parts) is not None else None


def known_parts(prefix: str) -> tuple[int, ...]:
    """The date parts a prefix's own folders fix (``ses/2026/11/`` -> (2026, 11))."""
    known: tuple[int, ...] = ()
    for folder in prefix.split("/")[:-1]:
        known = partition(folder, known) or known
    return known


def _span(parts: tuple[int, ...]) -> tuple[datetime, datetime] | None:
    """The time ``parts`` cover, ``[start, end)``; None when they are not a date."""
    year, month, day, hour = (*parts, *(0, 1, 1, 0)[len(parts) :])
    try:
        start = datetime(year, month, day, hour, tzinfo=UTC)
    except ValueError:
        return None
    if len(parts) == 1:
        end = start.replace(year=year + 1)
    elif len(parts) == 2:
        end = start.replace(year=year + month // 12, month=month % 12 + 1)
    else:
        end = start + (timedelta(days=1) if len(parts) == 3 else timedelta(hours=1))
    return start, end


def overlaps(parts: tuple[int, ...], start: datetime | None, end: datetime | None) -> bool:
    """Whether the partition ``parts`` can hold anything of ``[start, end)``."""
    span = _span(parts)
    if span is None or not parts:
        return True
    return (start is None or span[1] > start) and (end is None or span[0] < end)


# -- listing and reading -------------------------------------------------------------------------


def list_archive(
    url: str,
    *,
    since: Moment | None = None,
    until: Moment | None = None,
    session: boto3.Session | None = None,
) -> list[ArchiveObject]:
    """The non-empty objects under ``url`` (a prefix, or one object's URL) in the window, by key."""
    bucket, key = split_url(url)
    start, end = window(since, until)
    s3 = client("s3", session)
    if key and not key.endswith("/"):
        exact = [o for o in _level(s3, bucket, key, url) if isinstance(o, ArchiveObject) and o.key == key]
        if exact:
            return exact
        key += "/"
    if start is None and end is None:
        found = list(_flat(s3, bucket, key, url))
    else:
        known = known_parts(key)
        if known and not overlaps(known, start, end):
            return []
        found = list(_walk(s3, bucket, key, known, start, end, url))
    return sorted((o for o in found if o.size > 0 and not o.key.endswith("/")), key=lambda o: o.key)


def _flat(s3: Any, bucket: str, prefix: str, url: str) -> Iterator[ArchiveObject]:
    with aws_call("s3:ListObjectsV2", url):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield ArchiveObject(bucket, item["Key"], int(item["Size"]))


def _level(s3: Any, bucket: str, prefix: str, url: str) -> Iterator[ArchiveObject | str]:
    """The objects directly under ``prefix``, and its sub-folders (as prefixes ending in '/')."""
    with aws_call("s3:ListObjectsV2", url):
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/")
        for page in pages:
            for item in page.get("Contents", []):
                yield ArchiveObject(bucket, item["Key"], int(item["Size"]))
            for folder in page.get("CommonPrefixes", []):
                yield str(folder["Prefix"])


def _walk(
    s3: Any,
    bucket: str,
    prefix: str,
    known: tuple[int, ...],
    start: datetime | None,
    end: datetime | None,
    url: str,
) -> Iterator[ArchiveObject]:
    for entry in list(_level(s3, bucket, prefix, url)):
        if isinstance(entry, ArchiveObject):
            yield entry
            continue
        parts = partition(entry[len(prefix) : -1], known)
        if parts is None:
            yield from _walk(s3, bucket, entry, known, start, end, url)
        elif overlaps(parts, start, end):
            yield from _walk(s3, bucket, entry, parts, start, end, url)


def open_object(obj: ArchiveObject, *, session: boto3.Session | None = None) -> BinaryIO:
    """``obj``'s bytes as a stream (read errors, too, raise :class:`AwsError`)."""
    s3 = client("s3", session)
    with aws_call("s3:GetObject", obj.url):
        body = s3.get_object(Bucket=obj.bucket, Key=obj.key)["Body"]
    return io.BufferedReader(_Body(body, obj.url), buffer_size=1 << 20)  # type: ignore[return-value]


class _Body(io.RawIOBase):
    """A botocore StreamingBody whose read failures (a reset connection) go through aws_call."""

    def __init__(self, body: Any, url: str) -> None:
        self._body = body
        self._url = url

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with aws_call("s3:GetObject", self._url):
            chunk = self._body.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()
