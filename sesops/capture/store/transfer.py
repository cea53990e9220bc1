"""Moving a store's contents: export as JSON Lines, copy into another store, create or upgrade."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, TypeVar

import orjson

from sesops.capture.store.core import CaptureStore
from sesops.capture.store.model import NewMessage, NewReject, StoredMessage, content_key
from sesops.errors import InputError, RecordError
from sesops.events.parse import decode_json

T = TypeVar("T")
COPY_BATCH = 1000


def export_jsonl(db: str | os.PathLike[str], out: str | os.PathLike[str] | IO[bytes]) -> int:
    """Write every stored body of the store ``db`` (path or URL) as one compact JSON line to
    ``out``; returns the number written.

    Bodies are re-serialised without their line breaks (SNS sends pretty-printed JSON);
    keys and values are unchanged, so signatures still verify after export.
    """
    with CaptureStore(db, create=False) as store:
        if not isinstance(out, str | os.PathLike):
            return _write_lines(store.iter_messages(), out)
        target = Path(out)
        tmp = target.with_name(target.name + ".part")
        try:
            with open(tmp, "wb") as fh:
                count = _write_lines(store.iter_messages(), fh)
            os.replace(tmp, target)
        except OSError as err:
            raise InputError(f"{target}: cannot write ({err})") from None
        finally:
            tmp.unlink(missing_ok=True)
        return count


def _write_lines(messages: Iterable[StoredMessage], fh: IO[bytes]) -> int:
    count = 0
    for message in messages:
        try:
            line = orjson.dumps(decode_json(message.body))
        except RecordError:
            line = orjson.dumps(message.body)  # kept visible: read_events will report it
        fh.write(line + b"\n")
        count += 1
    return count


@dataclass
class CopyResult:
    messages: int = 0  # read from the source
    new_messages: int = 0  # not yet in the destination
    rejects: int = 0
    new_rejects: int = 0

    def summary(self) -> str:
        return (
            f"copied {self.new_messages} new of {self.messages} messages "
            f"and {self.new_rejects} new of {self.rejects} rejects"
        )


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def copy_store(
    source: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    *,
    batch: int = COPY_BATCH,
    progress: Callable[[int], object] | None = None,
) -> CopyResult:
    """Copy every message and reject of ``source`` into ``destination`` (created if needed),
    keeping each one's key, receive time, channel and verified flag. Idempotent: what the
    destination already holds is skipped, so an interrupted copy is finished by running it again."""
    result = CopyResult()
    with CaptureStore(source, create=False) as src, CaptureStore(destination) as dst:
        for messages in _batches(src.iter_messages(), batch):
            news = dst.add_many(
                [
                    NewMessage(m.message_id, m.received_at, m.channel, m.verified, m.topic_arn, m.body)
                    for m in messages
                ]
            )
            result.messages += len(messages)
            result.new_messages += sum(news)
            if progress is not None:
                progress(len(messages))
        for rows in _batches(src.iter_rejects(), batch):
            rejects = [
                NewReject(
                    r["received_at"], r["channel"], r["reason"], r["body"], r["key"] or content_key(r["body"])
                )
                for r in rows
            ]
            result.rejects += len(rejects)
            result.new_rejects += sum(dst.add_rejects(rejects))
            if progress is not None:
                progress(len(rejects))
    return result


def migrate(location: str | os.PathLike[str]) -> tuple[int | None, int]:
    """Create the store at ``location`` or upgrade its schema: (version found or None, version now)."""
    from sesops.capture.store.model import SCHEMA_VERSION

    with CaptureStore(location) as store:
        return store.found_version, SCHEMA_VERSION
