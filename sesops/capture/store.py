"""The capture store: an append-only SQLite file of raw SNS/SES messages.

One row per message, keyed by the SNS ``MessageId`` (or ``sha256:<hex>`` of the body
for raw deliveries without an envelope), with the UTC receive time, the channel
(``http``, ``sqs``, ``import``), whether its signature was verified, its topic and the
raw body text. Bodies that could not be used go to a separate ``rejects`` table.

Durability: WAL mode with ``synchronous=FULL``; :meth:`CaptureStore.add` returns only
after the row's transaction is committed, so a caller may acknowledge right after.
Concurrent ``add`` calls in one process are group-committed (one transaction, one
fsync, for every row waiting); several processes share the file through
``BEGIN IMMEDIATE`` and a busy timeout.

Watching writes: :meth:`CaptureStore.on_commit` and :meth:`CaptureStore.on_reject` register
listeners (a display's counter, the demo's per-channel tally) so nobody needs to subclass the
store. Each is called after the write committed, on the writer's thread, outside the store's
locks; if one raises, the write stays stored and the caller of ``add`` sees the exception.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from sesops.errors import InputError, RecordError, StoreError
from sesops.events.parse import decode_json

Channel = Literal["http", "sqs", "import"]
CHANNELS: tuple[str, ...] = ("http", "sqs", "import")

#: ``PRAGMA application_id`` of a sesops store ("SESC"), so a foreign SQLite file is recognised.
APPLICATION_ID = 0x53455343
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL,
    channel     TEXT NOT NULL,
    verified    INTEGER NOT NULL,
    topic_arn   TEXT,
    body        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rejects (
    id          INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    channel     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    body        TEXT NOT NULL
);
"""
_INSERT = (
    "INSERT INTO messages (message_id, received_at, channel, verified, topic_arn, body) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING"
)


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
    """A body that could not be used, as :meth:`CaptureStore.add_reject` stores it."""

    received_at: str
    channel: str
    reason: str
    body: str


#: ``listener(messages, new)``: one add's messages and, per message, True if it was new.
CommitListener = Callable[[Sequence[NewMessage], Sequence[bool]], None]
#: ``listener(reject)``: the reject just stored.
RejectListener = Callable[[NewReject], None]


class _Pending:
    __slots__ = ("error", "message", "new")

    def __init__(self, message: NewMessage) -> None:
        self.message = message
        self.new: bool | None = None
        self.error: BaseException | None = None


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text(body: str | bytes) -> str:
    if isinstance(body, str):
        return body
    return bytes(body).decode("utf-8", "replace")


def content_key(body: str) -> str:
    """The key of a message without an SNS envelope: ``sha256:`` and the hex digest of its text."""
    return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()


def envelope_ids(body: str) -> tuple[str | None, str | None]:
    """``(MessageId, TopicArn)`` when ``body`` is an SNS envelope, else ``(None, None)``."""
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None, None
    if not isinstance(obj, dict) or "Type" not in obj:
        return None, None
    message_id, topic = obj.get("MessageId"), obj.get("TopicArn")
    return (
        message_id if isinstance(message_id, str) and message_id else None,
        topic if isinstance(topic, str) and topic else None,
    )


def prepare(
    body: str | bytes,
    *,
    channel: str,
    verified: bool,
    message_id: str | None = None,
    topic_arn: str | None = None,
) -> NewMessage:
    """Fill in the key (envelope ``MessageId`` or content hash), topic and receive time."""
    if channel not in CHANNELS:
        raise InputError(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
    text = _text(body)
    if message_id is None or topic_arn is None:
        found_id, found_topic = envelope_ids(text)
        message_id = message_id or found_id or content_key(text)
        topic_arn = topic_arn or found_topic
    return NewMessage(message_id, utc_now(), channel, verified, topic_arn, text)


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.DatabaseError as err:
        conn.close()
        raise _not_a_store(path, err) from None
    return conn


def _not_a_store(path: Path, err: Exception) -> StoreError:
    if "not a database" in str(err) or "malformed" in str(err):
        return StoreError(f"{path} is not a sesops capture store (not an SQLite database)")
    return StoreError(f"{path}: cannot open the capture store ({err})")


def _check_schema(conn: sqlite3.Connection, path: Path, *, create: bool) -> None:
    """Create the schema in an empty file, or check that the file is a sesops store."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as err:
        raise _not_a_store(path, err) from None
    if app_id == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: capture store schema {version} is newer than this sesops ({SCHEMA_VERSION}); "
                "upgrade sesops"
            )
        return
    if app_id != 0 or tables:
        raise StoreError(f"{path} is an SQLite database but not a sesops capture store")
    if not create:
        raise StoreError(f"{path} is an empty SQLite file, not a sesops capture store")
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        # Re-check inside the lock: another process may have created it meanwhile.
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except sqlite3.Error as err:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StoreError(f"{path}: cannot create the capture store ({err})") from None


def open_existing(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A read connection to an existing store; :class:`InputError` when the file is missing."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such capture store (check the path, or capture into it first)")
    conn = _connect(p)
    try:
        _check_schema(conn, p, create=False)
    except StoreError:
        conn.close()
        raise
    return conn


class CaptureStore:
    """The capture store at ``path``. Safe to share between threads.

    A missing or empty file becomes a new store; with ``create=False`` (a reader) it is
    refused instead, and the file is left as it was.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise InputError(f"{self.path} is a directory; give a file path such as capture.sqlite")
        if not self.path.parent.is_dir():
            raise InputError(f"{self.path.parent}: no such directory for the capture store")
        if not create and not self.path.is_file():
            raise InputError(f"{self.path}: no such capture store (check the path, or capture into it first)")
        self._conn = _connect(self.path)
        try:
            _check_schema(self._conn, self.path, create=create)
            if create:
                self._conn.execute("PRAGMA journal_mode = WAL")
        except (StoreError, sqlite3.Error) as err:
            self._conn.close()
            if isinstance(err, StoreError):
                raise
            raise _not_a_store(self.path, err) from None
        self._commit_lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._local = threading.local()
        self._listeners_lock = threading.Lock()
        self._commit_listeners: tuple[CommitListener, ...] = ()
        self._reject_listeners: tuple[RejectListener, ...] = ()

    # -- writing ---------------------------------------------------------------------------

    def add(
        self,
        body: str | bytes,
        *,
        channel: str,
        verified: bool,
        message_id: str | None = None,
        topic_arn: str | None = None,
    ) -> bool:
        """Store one message durably; True if it is new, False if its key was already stored."""
        message = prepare(
            body, channel=channel, verified=verified, message_id=message_id, topic_arn=topic_arn
        )
        return self._commit([message])[0]

    def add_many(self, messages: Sequence[NewMessage]) -> list[bool]:
        """Store prepared messages in one transaction; per message, True if new."""
        return self._commit(messages) if messages else []

    # -- watching --------------------------------------------------------------------------

    def on_commit(self, listener: CommitListener) -> None:
        """After each :meth:`add`/:meth:`add_many` commits, call ``listener(messages, new)``:
        its messages and, per message, True if new or False if its key was already stored.

        Listeners run in the order registered, on the caller's thread, after the commit and
        outside the store's locks; an exception from one reaches the caller (the rows stay)."""
        with self._listeners_lock:
            self._commit_listeners = (*self._commit_listeners, listener)

    def on_reject(self, listener: RejectListener) -> None:
        """After each :meth:`add_reject` commits, call ``listener(reject)``."""
        with self._listeners_lock:
            self._reject_listeners = (*self._reject_listeners, listener)

    def _commit(self, messages: Sequence[NewMessage]) -> list[bool]:
        # Group commit: queue our rows; whoever holds the commit lock next writes every
        # queued row in one transaction. Each caller returns only once its rows committed.
        pending = [_Pending(m) for m in messages]
        with self._queue_lock:
            self._queue.extend(pending)
        with self._commit_lock:
            if pending[-1].new is None and pending[-1].error is None:
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._write(batch)
        for p in pending:
            if p.error is not None:
                raise StoreError(f"{self.path}: cannot store the message ({p.error})")
        news = [bool(p.new) for p in pending]
        for listener in self._commit_listeners:
            listener(messages, news)
        return news

    def _write(self, batch: list[_Pending]) -> None:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                results = [conn.execute(_INSERT, p.message.params()).rowcount == 1 for p in batch]
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except BaseException as err:
            for p in batch:  # nobody waiting on this batch may return as if it were stored
                p.error = err
            if not isinstance(err, sqlite3.Error):
                raise
            return
        for p, new in zip(batch, results, strict=True):
            p.new = new

    def add_reject(self, body: str | bytes, *, reason: str, channel: str) -> None:
        """Keep a body that could not be used, with the reason (committed before returning)."""
        if channel not in CHANNELS:
            raise InputError(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
        reject = NewReject(utc_now(), channel, reason, _text(body))
        with self._commit_lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(
                    "INSERT INTO rejects (received_at, channel, reason, body) VALUES (?, ?, ?, ?)",
                    (reject.received_at, reject.channel, reject.reason, reject.body),
                )
                conn.execute("COMMIT")
            except sqlite3.Error as err:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"{self.path}: cannot store the reject ({err})") from None
        for listener in self._reject_listeners:
            listener(reject)

    # -- reading ---------------------------------------------------------------------------

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path)
            self._local.conn = conn
        return conn

    def counts(self) -> Counts:
        return read_counts(self._reader())

    def iter_messages(self) -> Iterator[StoredMessage]:
        """Every stored message in insertion order (a snapshot read on its own connection)."""
        conn = _connect(self.path)
        try:
            yield from _iter_messages(conn)
        finally:
            conn.close()

    iter_raw = iter_messages  # the earlier name, still used by notebooks and tests

    def iter_rejects(self) -> Iterator[dict[str, Any]]:
        rows = self._reader().execute(
            "SELECT id, received_at, channel, reason, body FROM rejects ORDER BY id"
        )
        for row in rows:
            yield dict(zip(("id", "received_at", "channel", "reason", "body"), row, strict=True))

    def close(self) -> None:
        with self._commit_lock:
            self._conn.close()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def __enter__(self) -> CaptureStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_counts(conn: sqlite3.Connection) -> Counts:
    try:
        total, verified = conn.execute("SELECT count(*), coalesce(sum(verified), 0) FROM messages").fetchone()
        by_channel = dict(conn.execute("SELECT channel, count(*) FROM messages GROUP BY channel").fetchall())
        rejects = conn.execute("SELECT count(*) FROM rejects").fetchone()[0]
    except sqlite3.Error as err:
        raise StoreError(f"cannot read the capture store ({err})") from None
    return Counts(int(total), int(verified), int(rejects), by_channel)


def _iter_messages(conn: sqlite3.Connection) -> Iterator[StoredMessage]:
    try:
        conn.execute("BEGIN")  # one snapshot for the whole read
        cursor = conn.execute(
            "SELECT id, message_id, received_at, channel, verified, topic_arn, body FROM messages ORDER BY id"
        )
        for row in cursor:
            yield StoredMessage(row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6])
        conn.execute("COMMIT")
    except sqlite3.Error as err:
        raise StoreError(f"cannot read the capture store ({err})") from None


def export_jsonl(db: str | os.PathLike[str], out: str | os.PathLike[str] | IO[bytes]) -> int:
    """Write every stored body as one compact JSON line to ``out``; returns the number written.

    Bodies are re-serialised without their line breaks (SNS sends pretty-printed JSON);
    keys and values are unchanged, so signatures still verify after export.
    """
    conn = open_existing(db)
    try:
        if isinstance(out, str | os.PathLike):
            target = Path(out)
            tmp = target.with_name(target.name + ".part")
            try:
                with open(tmp, "wb") as fh:
                    count = _write_lines(_iter_messages(conn), fh)
                os.replace(tmp, target)
            except OSError as err:
                raise InputError(f"{target}: cannot write ({err})") from None
            finally:
                tmp.unlink(missing_ok=True)
            return count
        return _write_lines(_iter_messages(conn), out)
    finally:
        conn.close()


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
