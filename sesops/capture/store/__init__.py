"""The capture store: an append-only store of raw SNS/SES messages, in SQLite or PostgreSQL.

One row per message, keyed by the SNS ``MessageId`` (``eventbridge:<id>`` for an EventBridge
event, ``sha256:<hex>`` of the body for raw deliveries without an envelope), with the UTC
receive time, the channel (``http``, ``sqs``, ``import``), whether its signature was
verified, its topic and the raw body text. Bodies that could not be used go to a separate
``rejects`` table, each kept once under its key.

:func:`open_store` (or :class:`CaptureStore`) takes ``sqlite:///path`` or a bare path (the
embedded default: one file, WAL, ``synchronous=FULL``) or ``postgresql://...`` (several
receivers and drains on several hosts share it). Both give the same guarantees:

- :meth:`CaptureStore.add` returns only after the row's transaction is committed, so a caller
  may acknowledge right after; a key already stored is not stored again (False).
- Concurrent ``add`` calls in one process are group-committed (one transaction, one flush);
  several processes share the store through the database's own locking.
- A write that cannot be made durable now raises :class:`~sesops.errors.StoreUnavailable`
  (the receiver answers 503, the drain leaves the message on its queue): a SQLite file
  removed, replaced or made read-only under a running writer, a lock held past the timeout
  (:data:`STORE_TIMEOUT`), a PostgreSQL server out of reach. Never a silent success.

Watching writes: :meth:`CaptureStore.on_commit` and :meth:`CaptureStore.on_reject` register
listeners (a display's counter, the demo's per-channel tally) so nobody needs to subclass the
store. Each is called after the write committed, on the writer's thread, outside the store's
locks; if one raises, the write stays stored and the caller of ``add`` sees the exception.

``sesops store migrate URL`` creates or upgrades the schema (:func:`migrate`), ``sesops store
copy SRC DST`` copies one store into another (:func:`copy_store`), ``sesops export`` writes
the bodies as JSON Lines (:func:`export_jsonl`).
"""

from sesops.capture.store.core import CaptureStore, open_store
from sesops.capture.store.model import (
    CHANNELS,
    SCHEMA_VERSION,
    STORE_TIMEOUT,
    Channel,
    CommitListener,
    Counts,
    NewMessage,
    NewReject,
    RejectListener,
    StoredMessage,
    content_key,
    envelope_ids,
    is_store_url,
    prepare,
    prepare_reject,
    redact,
    utc_now,
)
from sesops.capture.store.sqlite import APPLICATION_ID
from sesops.capture.store.transfer import CopyResult, copy_store, export_jsonl, migrate

__all__ = [
    "APPLICATION_ID",
    "CHANNELS",
    "SCHEMA_VERSION",
    "STORE_TIMEOUT",
    "CaptureStore",
    "Channel",
    "CommitListener",
    "CopyResult",
    "Counts",
    "NewMessage",
    "NewReject",
    "RejectListener",
    "StoredMessage",
    "content_key",
    "copy_store",
    "envelope_ids",
    "export_jsonl",
    "is_store_url",
    "migrate",
    "open_store",
    "prepare",
    "prepare_reject",
    "redact",
    "utc_now",
]
