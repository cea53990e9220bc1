"""Work for child processes of the store tests, in a module light to import (no pandas): a
``spawn`` child imports the module its target lives in."""

from __future__ import annotations

from sesops.capture.store import CaptureStore
from tests.capture_samples import ses_bounce, unsigned_envelope


def write_many(location: str, worker: int, count: int) -> None:
    """Add ``count`` messages of this worker's own, ``count`` every worker adds, and some rejects."""
    store = CaptureStore(location)
    for i in range(count):
        store.add(unsigned_envelope(ses_bounce(), message_id=f"w{worker}-{i}"), channel="http", verified=True)
        store.add(unsigned_envelope(ses_bounce(), message_id=f"shared-{i}"), channel="http", verified=True)
        if i % 10 == 0:
            store.add_reject(f"junk {worker} {i}", reason="test", channel="sqs")
    store.close()
