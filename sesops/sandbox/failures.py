"""Messages the sandbox could not deliver: logged on ``sesops.sandbox`` and handed to watchers.

SNS does not fail a Publish because one subscriber is down, and SES does not fail a send
because its feedback topic is gone; the sandbox behaves the same, so these failures would
otherwise vanish. Each one is logged as a warning and passed to every watcher (a running
:class:`~sesops.sandbox.server.Sandbox` keeps them in ``delivery_failures``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

LOG = logging.getLogger("sesops.sandbox")

_lock = threading.Lock()
_watchers: list[Callable[[DeliveryFailure], None]] = []


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    """One message the sandbox could not deliver, where to, and why."""

    target: str  # the endpoint URL, queue ARN or topic ARN
    what: str  # e.g. "a Notification (MessageId 1b2c…)"
    reason: str
    when: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __str__(self) -> str:
        return f"the sandbox could not deliver {self.what} to {self.target}: {self.reason}"


def watch(watcher: Callable[[DeliveryFailure], None]) -> None:
    """Call ``watcher`` with every failure from now on (from the thread that failed)."""
    with _lock:
        _watchers.append(watcher)


def unwatch(watcher: Callable[[DeliveryFailure], None]) -> None:
    with _lock:
        if watcher in _watchers:
            _watchers.remove(watcher)


def report(target: str, what: str, reason: str) -> DeliveryFailure:
    """Log one failure on ``sesops.sandbox`` and pass it to the watchers."""
    failure = DeliveryFailure(target, what, reason)
    LOG.warning("%s", failure)
    with _lock:
        watchers = list(_watchers)
    for watcher in watchers:
        watcher(failure)
    return failure


def describe_message(message_type: str, message_id: str | None) -> str:
    """``a Notification (MessageId 1b2c…)``: how a failure names the message (pure)."""
    article = "an" if message_type[:1].lower() in "aeiou" else "a"
    return f"{article} {message_type}" + (f" (MessageId {message_id})" if message_id else "")
