"""s3:// sources: the objects of an archive in S3 (Firehose output, exported logs) -> the collector.

Objects are listed first (:func:`list_source`, so a wrong bucket fails before a long load),
then downloaded one at a time, un-gzipped when their first bytes say so (Firehose names
objects without suffixes), and read as one JSON document (an object or an array), JSON Lines,
or records concatenated with no delimiter (:mod:`sesops.load.concat`). JSON Lines objects are
written one after another into batch files of about :data:`BATCH_BYTES`, each loaded in one pass
(the DuckDB path from 1 MiB, as for files), so DuckDB's start-up is paid per batch, not per
object. With ``prefetch`` a thread downloads and prepares the next objects while the current
batch is parsed: one object's bytes are held at a time besides the table, and at most three
batch files sit on disk. Rejects name the object's ``s3://`` URL and its line there (for
concatenated records, the record's number in the object); an object that does not inflate is
one reject at line 0.
"""

from __future__ import annotations

import gzip
import io
import itertools
import queue
import re
import tempfile
import threading
import zlib
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import msgspec

from sesops.aws.archive import ArchiveObject, Moment, default_session, list_archive, open_object
from sesops.errors import RecordError
from sesops.events.parse import decode_json
from sesops.load.collector import Collector
from sesops.load.concat import json_lines
from sesops.load.sources import DEFAULT_LIMITS, WHOLE_SOURCE, Limits, RawRecord, open_lines

GZIP_MAGIC = b"\x1f\x8b"
CHUNK_BYTES = 1 << 20
#: What one object may inflate to unless told (a gzip bomb stops here; the object is one reject).
MAX_DECOMPRESSED = DEFAULT_LIMITS.max_decompressed
#: From this size a batch goes through DuckDB (as fastload's own threshold for files).
FAST_MIN_BYTES = 1 << 20
#: Objects are loaded in batches of about this many bytes of JSON Lines (on disk). Large: each
#: batch pays DuckDB's start-up and planning (0.2-0.5 s here). 100k records in 20 objects took
#: 4.2x the time of the same records as one JSON Lines file one object a pass, 3.3x in 64 MiB
#: batches, 1.5x in one batch (benchmarks/bench_channels.py).
BATCH_BYTES = 256 << 20

_NOT_SPACE = re.compile(rb"\S")
_raw = msgspec.json.Decoder(msgspec.Raw)

Engine = Literal["auto", "python", "duckdb"]


@dataclass(frozen=True, slots=True)
class Archive:
    """An ``s3://`` source, listed: its objects in key order and the session that lists them."""

    url: str
    objects: list[ArchiveObject]
    session: Any

    @property
    def size(self) -> int:
        return sum(o.size for o in self.objects)


def list_source(url: str, *, since: Moment | None = None, until: Moment | None = None) -> Archive:
    """The objects ``url`` stands for, pruned to the partitions of ``[since, until]``."""
    session = default_session()
    return Archive(url, list_archive(url, since=since, until=until, session=session), session)


def load_archive(
    archive: Archive,
    collector: Collector,
    *,
    engine: Engine = "auto",
    progress: bool = False,
    prefetch: bool = True,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Read every object of ``archive`` into ``collector``, in key order (see :func:`load_objects`);
    ``limits.max_decompressed`` bounds what one object may inflate to."""
    bar = _progress(archive) if progress else None
    try:
        limit = limits.max_decompressed
        fetched = ((obj.url, fetch(obj, archive.session, bar, limit)) for obj in archive.objects)
        load_objects(fetched, collector, engine=engine, prefetch=prefetch, limits=limits)
    finally:
        if bar is not None:
            bar.close()


def load_objects(
    objects: Iterable[tuple[str, bytes | RecordError]],
    collector: Collector,
    *,
    engine: Engine = "auto",
    prefetch: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> None:
    """Objects' (URL, inflated bytes, or why they could not be read) into ``collector``.

    They become JSON Lines in batch files of about :data:`BATCH_BYTES`, each loaded in one pass
    (DuckDB's start-up is paid per batch, not per object), with each reject named by its
    object. With ``prefetch`` a thread takes the objects (downloading them, for an archive)
    and prepares the next batch while this one is parsed.
    """
    with tempfile.TemporaryDirectory(prefix="sesops-s3-") as scratch:
        parts = _parts(objects, Path(scratch))
        for part in _ahead(parts) if prefetch else parts:
            _load_part(part, collector, engine, limits)


@dataclass(slots=True)
class Batch:
    """Objects as JSON Lines, one after another in ``path``: (URL, number of lines) each."""

    path: Path
    sections: list[tuple[str, int]] = field(default_factory=list)
    size: int = 0


@dataclass(frozen=True, slots=True)
class Document:
    """An object that is one JSON document (an object or an array)."""

    url: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Unreadable:
    url: str
    reason: str


Part = Batch | Document | Unreadable


def _parts(objects: Iterable[tuple[str, bytes | RecordError]], scratch: Path) -> Generator[Part, None, None]:
    """Objects prepared, in order: batches of JSON Lines, and the objects that are documents or
    unreadable (each ends the batch before it, so rows keep the objects' order)."""
    batch: Batch | None = None
    for index, (url, data) in enumerate(objects):
        opening = _opening(data) if isinstance(data, bytes) else b""
        if isinstance(data, bytes) and not opening:
            continue  # an empty object
        if isinstance(data, RecordError) or opening == b"[" or _is_one_document(data):
            if batch is not None:
                yield batch
                batch = None
            yield Unreadable(url, data.reason) if isinstance(data, RecordError) else Document(url, data)
            continue
        text, lines = json_lines(data)
        del data
        batch = batch or Batch(scratch / f"batch-{index}.jsonl")
        with open(batch.path, "ab") as fh:
            fh.write(text)
            fh.write(b"\n")
            batch.size = fh.tell()
        batch.sections.append((url, lines))
        del text
        if batch.size >= BATCH_BYTES:
            yield batch
            batch = None
    if batch is not None:
        yield batch


def _load_part(part: Part, collector: Collector, engine: Engine, limits: Limits) -> None:
    if isinstance(part, Unreadable):
        collector.reject(part.url, WHOLE_SOURCE, part.reason, unread=True)
    elif isinstance(part, Document):
        _load_document(part.data, part.url, collector)
    elif engine == "python" or (engine == "auto" and part.size < FAST_MIN_BYTES):
        with open_lines(part.path, limits) as lines:
            for url, count in part.sections:
                collector.consume_lines(itertools.islice(lines, count), url)
        part.path.unlink()
    else:
        from sesops.load import fastload

        fastload.load_lines(part.path, collector, limits=limits, sections=part.sections)
        part.path.unlink()


def _ahead(parts: Generator[Part, None, None]) -> Iterator[Part]:
    """``parts`` made in a thread, at most one ahead of their consumer (so one object's bytes
    are held there at a time, and one finished batch waits on disk)."""
    handoff: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for part in parts:
                if not offer(part):
                    return
            offer(_DONE)
        except BaseException as err:  # the consumer raises it
            offer(_Failure(err))
        finally:
            parts.close()

    thread = threading.Thread(target=produce, name="sesops-s3", daemon=True)
    thread.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()


_DONE = object()


@dataclass(frozen=True, slots=True)
class _Failure:
    error: BaseException


def fetch(
    obj: ArchiveObject, session: Any, bar: Any = None, limit: int = MAX_DECOMPRESSED
) -> bytes | RecordError:
    """``obj``'s bytes, inflated when gzip; a :class:`RecordError` when it does not inflate."""
    chunks = []
    with open_object(obj, session=session) as body:
        while chunk := body.read(CHUNK_BYTES):
            chunks.append(chunk)
            if bar is not None:
                bar.update(len(chunk))
    data = b"".join(chunks)
    del chunks
    return inflate(data, limit) if data.startswith(GZIP_MAGIC) else data


def inflate(data: bytes, limit: int = MAX_DECOMPRESSED) -> bytes | RecordError:
    """Gzip ``data`` inflated (every member), or the reason it cannot be."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inflated = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as err:
        return RecordError(f"not readable gzip ({err})")
    if len(inflated) > limit:
        return RecordError(f"inflates past {limit:,} bytes; not read")
    return inflated


def _opening(data: bytes) -> bytes:
    """The first byte of ``data`` that is not whitespace (``b""`` for none)."""
    found = _NOT_SPACE.search(data)
    return found.group() if found is not None else b""


def _is_one_document(data: bytes) -> bool:
    """One JSON value (a pretty-printed export, say). msgspec's validating skip stops at the
    end of the first record of JSON Lines, so asking costs one record (orjson reads it all)."""
    try:
        _raw.decode(data)
    except msgspec.DecodeError:
        return False
    return True


def _load_document(data: bytes, name: str, collector: Collector) -> None:
    try:
        document = decode_json(data)
    except RecordError as err:
        collector.reject(name, 1, err.reason)
        return
    items = document if isinstance(document, list) else [document]
    collector.consume(RawRecord(name, index, item) for index, item in enumerate(items, start=1))


def _progress(archive: Archive) -> Any:
    if len(archive.objects) < 2 and archive.size < (64 << 20):
        return None
    from tqdm import tqdm

    return tqdm(total=archive.size, unit="B", unit_scale=True, desc="reading s3", leave=False)
