"""What the capture store holds, whichever database it lives in: rows, keys, counts and listeners.

Pure values and the key rules; no database is touched here.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import orjson

from sesops.errors import InputError

Channel = Literal["http", "sqs", "import"]
CHANNELS: tuple[str, ...] = ("http", "sqs", "import")

#: The schema both backends carry. 2: rejects have a unique ``reject_key`` (a junk message is kept once).
SCHEMA_VERSION = 2
#: How long a write waits for a lock held by another writer, or for a database connection, before
#: it gives up with :class:`~sesops.errors.StoreUnavailable` (well under SNS's 15 s request timeout).
STORE_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One row of the ``messages`` table."""

    id: int
    message_id: str
    received_at: str
    channel: str
    verified: bool
    topic_arn: str | None
    body: str


@dataclass(frozen=True, slots=True)
class Counts:
    messages: int
    verified: int
    rejects: int
    by_channel: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "verified": self.verified,
            "rejects": self.rejects,
            "by_channel": self.by_channel,
        }


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message ready to insert (see :func:`prepare`)."""

    message_id: str
    received_at: str
    channel: str
    verified: bool
    topic_arn: str | None
    body: str

    def params(self) -> tuple[Any, ...]:
        return (
            self.message_id,
            self.received_at,
            self.channel,
            int(self.verified),
            self.topic_arn,
            self.body,
        )


@dataclass(frozen=True, slots=True)
class NewReject:
    """A body that could not be used, as :meth:`CaptureStore.add_reject` stores it.

    ``key`` makes it unique: the same key is stored once (the drain uses ``sqs:<MessageId>``,
    so a junk message that SQS hands out again is not recorded again; by default the body's hash).
    """

    received_at: str
    channel: str
    reason: str
    body: str
    key: str = ""


#: ``listener(messages, new)``: one add's messages and, per message, True if it was new.
CommitListener = Callable[[Sequence[NewMessage], Sequence[bool]], None]
#: ``listener(reject)``: the reject just stored (not called for a key already stored).
RejectListener = Callable[[NewReject], None]


class Backend(Protocol):
    """One database holding the store's two tables. Writes commit before they return and raise
    :class:`~sesops.errors.StoreUnavailable` when they cannot be made durable now."""

    location: str
    found_version: int | None  # the schema version found on opening; None when it was created

    def insert(self, messages: Sequence[NewMessage]) -> list[bool]: ...
    def insert_rejects(self, rejects: Sequence[NewReject]) -> list[bool]: ...
    def check(self) -> None: ...
    def contains(self, message_id: str) -> bool: ...
    def counts(self) -> Counts: ...
    def iter_messages(self) -> Iterator[StoredMessage]: ...
    def iter_rejects(self) -> Iterator[dict[str, Any]]: ...
    def close(self) -> None: ...


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def as_text(body: str | bytes) -> str:
    if isinstance(body, str):
        return body
    return bytes(body).decode("utf-8", "replace")


def check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise InputError(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")


def content_key(body: str) -> str:
    """The key of a message without an SNS envelope: ``sha256:`` and the hex digest of its text."""
    return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()


def envelope_ids(body: str) -> tuple[str | None, str | None]:
    """``(key, TopicArn)`` of an SNS envelope (key = its MessageId) or an EventBridge event
    (key = ``eventbridge:<id>``, no topic); ``(None, None)`` for anything else."""
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(obj, dict):
        return None, None
    if "Type" in obj:
        message_id, topic = obj.get("MessageId"), obj.get("TopicArn")
        return (
            message_id if isinstance(message_id, str) and message_id else None,
            topic if isinstance(topic, str) and topic else None,
        )
    event_id = obj.get("id")
    if "detail-type" in obj and "detail" in obj and isinstance(event_id, str) and event_id:
        return f"eventbridge:{event_id}", None
    return None, None


def prepare(
    body: str | bytes,
    *,
    channel: str,
    verified: bool,
    message_id: str | None = None,
    topic_arn: str | None = None,
) -> NewMessage:
    """Fill in the key (envelope ``MessageId``, ``eventbridge:<id>`` or content hash), topic and
    receive time."""
    check_channel(channel)
    text = as_text(body)
    if message_id is None or topic_arn is None:
        found_id, found_topic = envelope_ids(text)
        message_id = message_id or found_id or content_key(text)
        topic_arn = topic_arn or found_topic
    return NewMessage(message_id, utc_now(), channel, verified, topic_arn, text)


def prepare_reject(body: str | bytes, *, reason: str, channel: str, key: str | None = None) -> NewReject:
    """A reject with its receive time and key (``key``, or the body's content hash)."""
    check_channel(channel)
    text = as_text(body)
    return NewReject(utc_now(), channel, reason, text, key or content_key(text))


def is_postgres_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def is_store_url(location: object) -> bool:
    """Whether ``location`` names a store by URL (``sqlite:///path`` or ``postgresql://...``)."""
    return is_postgres_url(location) or (isinstance(location, str) and location.startswith("sqlite://"))


def redact(location: str | os.PathLike[str]) -> str:
    """``location`` as it may be shown: a URL without its password."""
    text = os.fspath(location)
    text = re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", text)
    return re.sub(r"(password=)[^&\s]*", r"\1***", text)
