"""The capture store in one SQLite file: WAL, ``synchronous=FULL``, ``BEGIN IMMEDIATE`` per batch.

Several processes share the file through SQLite's locks; a lock held longer than the store's
timeout makes the write fail with :class:`StoreUnavailable`. Before each batch the file is
checked against the one opened (same device and inode, still writable): a store removed,
replaced or made read-only under a running writer refuses the write instead of committing
into a file nobody will read.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sesops.capture.store.model import (
    SCHEMA_VERSION,
    Counts,
    NewMessage,
    NewReject,
    StoredMessage,
)
from sesops.errors import InputError, StoreError, StoreUnavailable

#: ``PRAGMA application_id`` of a sesops store ("SESC"), so a foreign SQLite file is recognised.
APPLICATION_ID = 0x53455343

_CREATE = (
    """CREATE TABLE IF NOT EXISTS messages (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL,
    channel     TEXT NOT NULL,
    verified    INTEGER NOT NULL,
    topic_arn   TEXT,
    body        TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS rejects (
    id          INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    channel     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    body        TEXT NOT NULL,
    reject_key  TEXT
)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS rejects_key ON rejects (reject_key)",
)
#: From each older version to the next one.
_UPGRADES: dict[int, tuple[str, ...]] = {
    1: (
        "ALTER TABLE rejects ADD COLUMN reject_key TEXT",
        "UPDATE rejects SET reject_key = 'legacy:' || id",  # earlier rejects stay, each its own key
        "CREATE UNIQUE INDEX rejects_key ON rejects (reject_key)",
    ),
}
_INSERT = (
    "INSERT INTO messages (message_id, received_at, channel, verified, topic_arn, body) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING"
)
_INSERT_REJECT = (
    "INSERT INTO rejects (received_at, channel, reason, body, reject_key) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (reject_key) DO NOTHING"
)


def sqlite_path(location: str | os.PathLike[str]) -> Path:
    """The file of ``sqlite:///relative/or//absolute/path`` or of a bare path."""
    text = os.fspath(location)
    if text.startswith("sqlite://"):
        rest = text.removeprefix("sqlite://")
        if not rest.startswith("/") or rest == "/":
            raise InputError(f"{text}: write a SQLite store URL as sqlite:///path/to/capture.sqlite")
        text = rest[1:]  # sqlite:///x.sqlite is x.sqlite; sqlite:////abs/x.sqlite is /abs/x.sqlite
    return Path(text)


def connect(path: Path, timeout: float, *, create: bool = False) -> sqlite3.Connection:
    """A connection to ``path``; only with ``create`` may it make the file (a reader never does)."""
    target = path.resolve().as_uri() + ("?mode=rwc" if create else "?mode=rw")
    try:
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
        conn = sqlite3.connect(
            target, timeout=timeout, isolation_level=None, check_same_thread=False, uri=True
        )
    except sqlite3.Error as err:
        raise StoreError(
            f"{path}: cannot open the capture store ({err}); check the path and its permissions"
        ) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.DatabaseError as err:
        conn.close()
        raise not_a_store(path, err) from None
    return conn


def not_a_store(path: Path, err: Exception) -> StoreError:
    if "not a database" in str(err) or "malformed" in str(err):
        return StoreError(f"{path} is not a sesops capture store (not an SQLite database)")
    return StoreError(f"{path}: cannot open the capture store ({err})")


def _check_path(path: Path, *, create: bool) -> None:
    if path.is_dir():
        raise InputError(f"{path} is a directory; give a file path such as {path / 'capture.sqlite'}")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such directory for the capture store; create it first")
    if not create and not path.is_file():
        raise InputError(f"{path}: no such capture store (check the path, or capture into it first)")


def _read_header(conn: sqlite3.Connection, path: Path) -> tuple[int, int, int]:
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as err:
        raise not_a_store(path, err) from None
    return int(app_id), int(version), int(tables)


def prepare_schema(conn: sqlite3.Connection, path: Path, *, create: bool) -> int | None:
    """Check the file is a sesops store, creating or upgrading it when ``create``; returns the
    version found (None: created now)."""
    app_id, version, tables = _read_header(conn, path)
    if app_id == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: capture store schema {version} is newer than this sesops ({SCHEMA_VERSION}); "
                "upgrade sesops"
            )
        if version < SCHEMA_VERSION and create:
            _in_write_transaction(conn, path, _upgrade)
        return version
    if app_id != 0 or tables:
        raise StoreError(f"{path} is an SQLite database but not a sesops capture store")
    if not create:
        raise StoreError(f"{path} is an empty SQLite file, not a sesops capture store")
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.Error as err:
        raise StoreError(f"{path}: cannot create the capture store ({err})") from None
    _in_write_transaction(conn, path, _create)
    return None


def _create(conn: sqlite3.Connection) -> None:
    # Checked inside the lock: another process may have created it meanwhile.
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        for statement in _CREATE:
            conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _upgrade(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    while version < SCHEMA_VERSION:
        for statement in _UPGRADES[version]:
            conn.execute(statement)
        version += 1
        conn.execute(f"PRAGMA user_version = {version}")


def _in_write_transaction(conn: sqlite3.Connection, path: Path, work: Any) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
        work(conn)
        conn.execute("COMMIT")
    except sqlite3.Error as err:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StoreError(f"{path}: cannot create or upgrade the capture store ({err})") from None


def write_error(path: Path, err: sqlite3.Error, timeout: float) -> StoreError:
    """A failed write as the store's error: what a retry can cure is :class:`StoreUnavailable`."""
    text = str(err)
    if "locked" in text or "busy" in text:
        return StoreUnavailable(f"{path}: locked by another writer for over {timeout:g} s; nothing stored")
    if isinstance(err, sqlite3.OperationalError):  # read-only, disk full, I/O error, vanished
        return StoreUnavailable(f"{path}: cannot write the capture store now ({text}); nothing stored")
    return StoreError(f"{path}: cannot write the capture store ({text})")


class SqliteBackend:
    """The store's tables in the SQLite file ``path``. Callers serialise the writes."""

    def __init__(self, path: Path, *, create: bool, timeout: float) -> None:
        _check_path(path, create=create)
        self.path = path
        self.location = str(path)
        self.timeout = timeout
        self._conn = connect(path, timeout, create=create)
        try:
            self.found_version = prepare_schema(self._conn, path, create=create)
            if create:
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._identity = _identity(os.stat(path))
        except (StoreError, sqlite3.Error, OSError) as err:
            self._conn.close()
            if isinstance(err, StoreError):
                raise
            raise StoreError(f"{path}: cannot open the capture store ({err})") from None
        self._version = SCHEMA_VERSION if create or self.found_version is None else self.found_version

    # -- writing -----------------------------------------------------------------------------

    def check(self) -> None:
        """Raise :class:`StoreUnavailable` unless the opened file is still at its path and writable."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise StoreUnavailable(
                f"{self.path}: the capture store file was removed; nothing stored (put it back or restart)"
            ) from None
        except OSError as err:
            raise StoreUnavailable(f"{self.path}: cannot check the capture store ({err.strerror})") from None
        if _identity(st) != self._identity:
            raise StoreUnavailable(
                f"{self.path}: the capture store file was replaced by another one; nothing stored "
                "(restart to write into the new file)"
            )
        if not st.st_mode & 0o222 or not os.access(self.path, os.W_OK):
            raise StoreUnavailable(f"{self.path}: the capture store file is read-only; nothing stored")

    def insert(self, messages: Sequence[NewMessage]) -> list[bool]:
        return self._write(_INSERT, [m.params() for m in messages])

    def insert_rejects(self, rejects: Sequence[NewReject]) -> list[bool]:
        if self._version < 2:
            raise StoreError(f"{self.path}: schema {self._version}; run `sesops store migrate {self.path}`")
        rows = [(r.received_at, r.channel, r.reason, r.body, r.key) for r in rejects]
        return self._write(_INSERT_REJECT, rows)

    def _write(self, statement: str, rows: list[tuple[Any, ...]]) -> list[bool]:
        self.check()
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                news = [conn.execute(statement, row).rowcount == 1 for row in rows]
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as err:
            raise write_error(self.path, err, self.timeout) from None
        return news

    # -- reading -----------------------------------------------------------------------------

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        conn = connect(self.path, self.timeout)  # its own connection: readers never wait on writers
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot read the capture store ({err})") from None
        finally:
            conn.close()

    def contains(self, message_id: str) -> bool:
        return bool(self._read("SELECT 1 FROM messages WHERE message_id = ?", (message_id,)))

    def counts(self) -> Counts:
        conn = connect(self.path, self.timeout)
        try:
            return read_counts(conn)
        finally:
            conn.close()

    def iter_messages(self) -> Iterator[StoredMessage]:
        conn = connect(self.path, self.timeout)
        try:
            yield from iter_stored(conn)
        finally:
            conn.close()

    def iter_rejects(self) -> Iterator[dict[str, Any]]:
        keyed = self._version >= 2
        sql = "SELECT id, received_at, channel, reason, body" + (", reject_key" if keyed else ", NULL")
        for row in self._read(sql + " FROM rejects ORDER BY id"):
            yield dict(zip(("id", "received_at", "channel", "reason", "body", "key"), row, strict=True))

    def close(self) -> None:
        self._conn.close()


def _identity(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


def read_counts(conn: sqlite3.Connection) -> Counts:
    try:
        total, verified = conn.execute("SELECT count(*), coalesce(sum(verified), 0) FROM messages").fetchone()
        by_channel = dict(conn.execute("SELECT channel, count(*) FROM messages GROUP BY channel").fetchall())
        rejects = conn.execute("SELECT count(*) FROM rejects").fetchone()[0]
    except sqlite3.Error as err:
        raise StoreError(f"cannot read the capture store ({err})") from None
    return Counts(int(total), int(verified), int(rejects), by_channel)


def iter_stored(conn: sqlite3.Connection) -> Iterator[StoredMessage]:
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
