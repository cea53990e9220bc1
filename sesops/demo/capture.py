"""Capture by both channels at once, for the demo: the receiver (HTTP) and the drain (SQS), one store.

:class:`TallyStore` is a :class:`~sesops.capture.store.CaptureStore` that also remembers which SNS
``Notification`` MessageIds each channel delivered, so the demo can prove that every
notification arrived twice with the same id. The store itself keeps each MessageId once (the
first commit wins; the second arrival is a no-op), so its ``channel`` column says which channel
was first, not which channels delivered.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import boto3
import orjson

from sesops.capture.drain import DrainResult, drain
from sesops.capture.receiver import make_app
from sesops.capture.serving import listening_url, serve_until, start_server
from sesops.capture.store import CaptureStore, NewMessage
from sesops.errors import InputError
from sesops.sns.verify import SnsVerifier

HOST = "127.0.0.1"
RECEIVER_PATH = "/sns"


def _is_notification(body: str | bytes) -> bool:
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    return isinstance(obj, dict) and obj.get("Type") == "Notification"


class TallyStore(CaptureStore):
    """A capture store that tallies the Notification MessageIds each channel delivered."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path)
        self._tally_lock = threading.Lock()
        self._delivered: dict[str, set[str]] = {"http": set(), "sqs": set()}

    def add(
        self,
        body: str | bytes,
        *,
        channel: str,
        verified: bool,
        message_id: str | None = None,
        topic_arn: str | None = None,
    ) -> bool:
        new = super().add(
            body, channel=channel, verified=verified, message_id=message_id, topic_arn=topic_arn
        )
        if message_id is not None and _is_notification(body):
            self._note(channel, [message_id])
        return new

    def add_many(self, messages: Sequence[NewMessage]) -> list[bool]:
        news = super().add_many(messages)
        for channel in {m.channel for m in messages}:
            ids = [m.message_id for m in messages if m.channel == channel and _is_notification(m.body)]
            self._note(channel, ids)
        return news

    def _note(self, channel: str, ids: Sequence[str]) -> None:
        with self._tally_lock:
            self._delivered.setdefault(channel, set()).update(ids)

    def delivered(self, channel: str) -> frozenset[str]:
        """MessageIds of the Notifications ``channel`` delivered (stored new or not)."""
        with self._tally_lock:
            return frozenset(self._delivered.get(channel, ()))


class ReceiverThread:
    """``sesops serve``'s WSGI app on waitress in a background thread, on 127.0.0.1."""

    def __init__(self, store: CaptureStore, verifier: SnsVerifier, session: boto3.Session, port: int = 0):
        from sesops.aws.messaging import confirm_subscription

        def confirm(topic_arn: str, token: str) -> str:
            # The sandbox session, never boto3's default chain (the user's real credentials).
            return confirm_subscription(topic_arn, token, session=session)

        app = make_app(store, verifier, confirm=confirm)
        try:
            self._server = start_server(app, host=HOST, port=port, threads=8)
        except InputError as err:
            raise InputError(f"receiver: {err}") from None
        self.url = listening_url(self._server, RECEIVER_PATH)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=serve_until,
            args=(self._server, self._stop),
            kwargs={"drain_seconds": 5.0},
            name="sesops-demo-receiver",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@dataclass
class DrainThread:
    """``sesops drain --follow`` in a background thread until :meth:`stop`."""

    store: CaptureStore
    queue: str
    session: boto3.Session
    region: str
    verifier: SnsVerifier
    result: DrainResult | None = None
    error: BaseException | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> DrainThread:
        self._thread = threading.Thread(target=self._run, name="sesops-demo-drain", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.result = drain(
                self.store,
                self.queue,
                session=self.session,
                region=self.region,
                verifier=self.verifier,
                follow=True,
                wait_seconds=1,  # the stop flag is checked between receives
                should_stop=self._stop.is_set,
            )
        except BaseException as err:  # reported by the demo's wait loop
            self.error = err

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
