"""One capture store interface over two databases: group commit, listeners, and choosing the backend."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sesops.capture.store.model import (
    STORE_TIMEOUT,
    Backend,
    CommitListener,
    Counts,
    NewMessage,
    NewReject,
    RejectListener,
    StoredMessage,
    is_postgres_url,
    prepare,
    prepare_reject,
)
from sesops.capture.store.sqlite import SqliteBackend, sqlite_path
from sesops.errors import StoreError


class _Pending:
    __slots__ = ("error", "message", "new")

    def __init__(self, message: NewMessage) -> None:
        self.message = message
        self.new: bool | None = None
        self.error: BaseException | None = None


def open_backend(location: str | os.PathLike[str], *, create: bool, timeout: float) -> Backend:
    """The backend ``location`` names: ``postgresql://...``, ``sqlite:///path`` or a bare path."""
    if is_postgres_url(location):
        from sesops.capture.store.postgres import PostgresBackend

        return PostgresBackend(str(location), create=create, timeout=timeout)
    return SqliteBackend(sqlite_path(location), create=create, timeout=timeout)


class CaptureStore:
    """The capture store at ``location`` (a SQLite path or ``sqlite:///path``, or a
    ``postgresql://`` URL). Safe to share between threads.

    A missing or empty store is created; with ``create=False`` (a reader) it is refused
    instead and left as it was. ``timeout``: how long a write waits for a lock or a
    connection before it raises :class:`~sesops.errors.StoreUnavailable`.
    """

    def __init__(
        self, location: str | os.PathLike[str], *, create: bool = True, timeout: float = STORE_TIMEOUT
    ) -> None:
        self._backend = open_backend(location, create=create, timeout=timeout)
        self.location = self._backend.location
        self._commit_lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._listeners_lock = threading.Lock()
        self._commit_listeners: tuple[CommitListener, ...] = ()
        self._reject_listeners: tuple[RejectListener, ...] = ()

    @property
    def path(self) -> Path:
        """The SQLite file (a PostgreSQL store has none: :class:`StoreError`)."""
        if isinstance(self._backend, SqliteBackend):
            return self._backend.path
        raise StoreError(f"{self.location} is a PostgreSQL store, not a file")

    @property
    def found_version(self) -> int | None:
        """The schema version found when opening (None: the store was created by this open)."""
        return self._backend.found_version

    # -- writing -----------------------------------------------------------------------------

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

    def add_reject(self, body: str | bytes, *, reason: str, channel: str, key: str | None = None) -> bool:
        """Keep a body that could not be used, with the reason (committed before returning).

        ``key`` identifies it (default: the body's hash): a key already kept is not kept again
        and False is returned."""
        return self.add_rejects([prepare_reject(body, reason=reason, channel=channel, key=key)])[0]

    def add_rejects(self, rejects: Sequence[NewReject]) -> list[bool]:
        """Keep prepared rejects in one transaction; per reject, True if its key was new."""
        if not rejects:
            return []
        with self._commit_lock:
            news = self._backend.insert_rejects(rejects)
        for reject, new in zip(rejects, news, strict=True):
            if new:
                for listener in self._reject_listeners:
                    listener(reject)
        return news

    def check(self) -> None:
        """Raise :class:`~sesops.errors.StoreUnavailable` when a write could not be stored now
        (a SQLite file removed, replaced or made read-only; a PostgreSQL server out of reach)."""
        self._backend.check()

    # -- watching ----------------------------------------------------------------------------

    def on_commit(self, listener: CommitListener) -> None:
        """After each :meth:`add`/:meth:`add_many` commits, call ``listener(messages, new)``:
        its messages and, per message, True if new or False if its key was already stored.

        Listeners run in the order registered, on the caller's thread, after the commit and
        outside the store's locks; an exception from one reaches the caller (the rows stay)."""
        with self._listeners_lock:
            self._commit_listeners = (*self._commit_listeners, listener)

    def on_reject(self, listener: RejectListener) -> None:
        """After each new reject commits, call ``listener(reject)``."""
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
            if isinstance(p.error, StoreError):  # a fresh exception per waiting caller, same class
                raise type(p.error)(str(p.error))
            if p.error is not None:  # a bug in the batch's writer, who got its traceback
                raise StoreError(f"{self.location}: cannot store the message ({p.error!r})")
        news = [bool(p.new) for p in pending]
        for listener in self._commit_listeners:
            listener(messages, news)
        return news

    def _write(self, batch: list[_Pending]) -> None:
        try:
            results = self._backend.insert([p.message for p in batch])
        except BaseException as err:
            for p in batch:  # nobody waiting on this batch may return as if it were stored
                p.error = err
            if not isinstance(err, StoreError):
                raise  # a bug: the committing caller sees its traceback
            return
        for p, new in zip(batch, results, strict=True):
            p.new = new

    # -- reading -----------------------------------------------------------------------------

    def contains(self, message_id: str) -> bool:
        """Whether a message with this key is stored."""
        return self._backend.contains(message_id)

    def counts(self) -> Counts:
        return self._backend.counts()

    def iter_messages(self) -> Iterator[StoredMessage]:
        """Every stored message in insertion order (a snapshot read on its own connection)."""
        return self._backend.iter_messages()

    iter_raw = iter_messages  # the earlier name, still used by notebooks and tests

    def iter_rejects(self) -> Iterator[dict[str, Any]]:
        """Every reject in insertion order: id, received_at, channel, reason, body, key."""
        return self._backend.iter_rejects()

    def close(self) -> None:
        with self._commit_lock:
            self._backend.close()

    def __enter__(self) -> CaptureStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<CaptureStore {self.location}>"


def open_store(
    location: str | os.PathLike[str], *, create: bool = True, timeout: float = STORE_TIMEOUT
) -> CaptureStore:
    """The capture store at ``location``: ``sqlite:///path``, a bare path, or ``postgresql://...``."""
    return CaptureStore(location, create=create, timeout=timeout)
